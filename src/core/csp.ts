/**
 * Content-Security-Policy as the page reads it: parsing a header value and asking whether a URL may
 * be fetched (connect-src) or shown (img-src), following CSP Level 3's source matching. The page uses
 * it to refuse, with a message, a hub host or mirror that the policy in force would block, instead of
 * letting the browser fail the request with a bare "Failed to fetch".
 */

/** One policy: directive name → its source expressions, as written (keywords keep their quotes). */
export type Policy = ReadonlyMap<string, readonly string[]>;

/**
 * A header value as policies. Several policies (headers joined by commas) all apply: a URL must
 * pass every one of them. A directive named twice counts once (the first), as browsers do.
 */
export function parsePolicies(header: string): Policy[] {
  const out: Policy[] = [];
  for (const text of header.split(',')) {
    const policy = new Map<string, string[]>();
    for (const part of text.split(';')) {
      const [name, ...values] = part.trim().split(/\s+/);
      if (!name) continue;
      const key = name.toLowerCase();
      if (!policy.has(key)) policy.set(key, values);
    }
    if (policy.size > 0) out.push(policy);
  }
  return out;
}

export function serializePolicy(directives: Readonly<Record<string, readonly string[]>>): string {
  return Object.entries(directives)
    .map(([name, values]) => [name, ...values].join(' '))
    .join('; ');
}

export type FetchDirective = 'connect-src' | 'img-src';

/** The sources that decide `directive` (its own, else default-src), or null when neither is set. */
export function effectiveSources(policy: Policy, directive: FetchDirective): readonly string[] | null {
  return policy.get(directive) ?? policy.get('default-src') ?? null;
}

/** True when every policy lets the page (at `self`) reach `url` under `directive`. */
export function allows(
  policies: readonly Policy[],
  directive: FetchDirective,
  url: string,
  self: string,
): boolean {
  let target: URL;
  let origin: URL;
  try {
    target = new URL(url);
    origin = new URL(self);
  } catch {
    return false;
  }
  return policies.every((p) => {
    const sources = effectiveSources(p, directive);
    return sources === null || sources.some((s) => sourceMatches(s, target, origin));
  });
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443' };

/** CSP3 "scheme-part match": the same scheme, or its secure upgrade (http → https, ws → wss). */
function schemeMatches(expr: string, scheme: string): boolean {
  const a = expr.toLowerCase();
  return a === scheme || (a === 'http' && scheme === 'https') || (a === 'ws' && scheme === 'wss');
}

function portOf(u: URL): string {
  return u.port || DEFAULT_PORTS[u.protocol] || '';
}

/** Does one source expression match `url` for a page at `self`? */
export function sourceMatches(expr: string, url: URL, self: URL): boolean {
  const scheme = url.protocol.slice(0, -1);
  const e = expr.trim();
  if (e === "'none'" || e === '') return false;
  if (e === "'self'") {
    // Same host and port; the scheme may be the page's or its secure (or WebSocket) equivalent.
    if (url.hostname !== self.hostname || portOf(url) !== portOf(self)) return false;
    const own = self.protocol.slice(0, -1);
    return (
      scheme === own ||
      (own === 'http' && ['https', 'ws', 'wss'].includes(scheme)) ||
      (own === 'https' && scheme === 'wss')
    );
  }
  if (e.startsWith("'")) return false; // nonces, hashes, 'unsafe-*' and the like name no URL
  if (e === '*') return /^(https?|wss?)$/.test(scheme) || url.protocol === self.protocol;
  const schemeOnly = /^([a-z][a-z0-9+.-]*):$/i.exec(e);
  if (schemeOnly?.[1]) return schemeMatches(schemeOnly[1], scheme);
  const m =
    /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*|(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::(\*|\d+))?(\/[^?#]*)?$/i.exec(
      e,
    );
  if (!m) return false;
  const [, exprScheme, host = '', port, path] = m;
  if (!schemeMatches(exprScheme ?? self.protocol.slice(0, -1), scheme)) return false;
  const hostname = url.hostname.toLowerCase();
  const h = host.toLowerCase();
  if (h !== '*') {
    if (h.startsWith('*.')) {
      if (!hostname.endsWith(h.slice(1))) return false;
    } else if (h !== hostname) return false;
  }
  if (port !== '*') {
    const wanted = port ?? DEFAULT_PORTS[`${exprScheme ?? scheme}:`.toLowerCase()] ?? '';
    // A source without a port also matches the secure upgrade's default port (http://a → https://a:443).
    const upgraded = port === undefined && portOf(url) === DEFAULT_PORTS[url.protocol];
    if (portOf(url) !== wanted && !upgraded) return false;
  }
  if (path && path !== '/') {
    const target = decodeURIComponent(url.pathname);
    const wanted = decodeURIComponent(path);
    if (wanted.endsWith('/') ? !target.startsWith(wanted) : target !== wanted) return false;
  }
  return true;
}

/** The host part of a URL as a CSP source expression names it (scheme://host[:port]). */
export function originSource(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}

/** The error a refused host raises: the page says which host and what would allow it. */
export class ContentSecurityPolicyError extends Error {
  override name = 'ContentSecurityPolicyError';
}

/**
 * Why the policies in force would block the page (at `self`) from fetching `url`, or null when they
 * allow it. `what` names the thing being fetched, e.g. "tiny-base (base): hub host".
 */
export function connectRefusal(
  policies: readonly Policy[],
  url: string,
  self: string,
  what: string,
): string | null {
  if (allows(policies, 'connect-src', url, self)) return null;
  const blocking = policies.find((p) => {
    const sources = effectiveSources(p, 'connect-src');
    return sources !== null && !sources.some((s) => sourceMatches(s, new URL(url), new URL(self)));
  });
  const list = blocking ? (effectiveSources(blocking, 'connect-src') ?? []).join(' ') : '';
  let host = url;
  try {
    host = originSource(url);
  } catch {
    // not a URL: name it as given
  }
  return (
    `${what} ${host} is not allowed by this page's Content-Security-Policy (connect-src ${list}). ` +
    `Whoever hosts the page must add ${host} to connect-src in the header the server sends (docs/hosting.md), ` +
    'or choose a host the policy allows.'
  );
}
