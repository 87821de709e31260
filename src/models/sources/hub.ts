/**
 * Hub (or mirror) hosts and the URLs model files live at. Pure, so the page can size downloads
 * without loading transformers.js.
 */

/**
 * transformers.js' default `env.remoteHost` (checked against the library by a unit test). A hub
 * source without `host` downloads from it; set `host` to use a mirror.
 */
export const DEFAULT_HUB_HOST = 'https://huggingface.co/';

/** A hub host as an absolute http(s) URL ending in '/'; throws a readable error otherwise. */
export function normalizeHost(host: string | undefined): string {
  const raw = (host ?? '').trim();
  if (!raw) return DEFAULT_HUB_HOST;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    throw new Error(`hub host "${raw}" is not a URL (expected e.g. https://hub.example.org/)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`hub host "${raw}" must be an http(s) URL`);
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return `${url.origin}${path}`;
}

/** The URL a hub (or mirror) serves a file of a repo at: `{host}{repo}/resolve/{revision}/{file}`. */
export function hubFileUrl(host: string | undefined, repo: string, revision: string, file: string): string {
  return `${hubPrefix(host, repo, revision)}${file}`;
}

export function hubPrefix(host: string | undefined, repo: string, revision: string): string {
  return `${normalizeHost(host)}${repo}/resolve/${encodeURIComponent(revision || 'main')}/`;
}

/** An absolute folder URL ending in '/', resolved against `base` (the page or worker location). */
export function folderUrl(baseUrl: string, base: string): string {
  const u = new URL(baseUrl, base);
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  u.search = '';
  u.hash = '';
  return u.href;
}
