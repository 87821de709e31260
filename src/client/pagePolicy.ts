/**
 * The Content-Security-Policy this page runs under, read once from its own document's response
 * headers (the service worker keeps them offline), so that a hub host or mirror the policy would
 * block is refused with a message before anything is fetched.
 */
import { useSyncExternalStore } from 'react';
import { ContentSecurityPolicyError, connectRefusal, parsePolicies, type Policy } from '../core/csp';
import type { ModelSpecifier } from '../core/protocol';
import { folderUrl, hubPrefix } from '../models/sources/hub';

let known: Policy[] | null = null;
let reading: Promise<Policy[]> | null = null;
const listeners = new Set<() => void>();

/** The policies in force; an empty list when the page was served without one (nothing to refuse). */
export function pagePolicies(): Promise<Policy[]> {
  reading ??= fetch(location.href.split('#')[0] ?? location.href)
    .then((res) => parsePolicies(res.headers.get('content-security-policy') ?? ''))
    .catch(() => [])
    .then((p) => {
      known = p;
      for (const l of listeners) l();
      return p;
    });
  return reading;
}

/** Why the policy would block fetching `url`, or null. Before the policy is read: null (the load checks again). */
export function connectRefusalNow(url: string, what: string): string | null {
  return known ? connectRefusal(known, url, location.href, what) : null;
}

/** Re-renders a component once the policy has been read. */
export function usePagePolicy(): Policy[] | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      void pagePolicies();
      return () => listeners.delete(l);
    },
    () => known,
  );
}

/** The first URL a model's files are fetched from (its folder), or null for a folder on disk. */
export function modelBaseUrl(spec: ModelSpecifier): string | null {
  const s = spec.source;
  if (s.kind === 'hub') return hubPrefix(s.host, s.repo, s.revision);
  if (s.kind === 'url') return folderUrl(s.baseUrl, location.href);
  return null;
}

/** Throws a ContentSecurityPolicyError naming the first model whose host the policy would block. */
export async function assertModelsReachable(models: readonly ModelSpecifier[]): Promise<void> {
  const policies = await pagePolicies();
  for (const m of models) {
    const url = modelBaseUrl(m);
    const why = url && connectRefusal(policies, url, location.href, `${m.name} (${m.role}): the host`);
    if (why) throw new ContentSecurityPolicyError(why);
  }
}

/** Throws a ContentSecurityPolicyError when the policy would block fetching `url`. */
export async function assertReachable(url: string, what: string): Promise<void> {
  const why = connectRefusal(await pagePolicies(), url, location.href, what);
  if (why) throw new ContentSecurityPolicyError(why);
}
