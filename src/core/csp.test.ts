import { describe, expect, it } from 'vitest';
import {
  allows,
  connectRefusal,
  effectiveSources,
  parsePolicies,
  serializePolicy,
  sourceMatches,
} from './csp';
import { contentSecurityPolicy, HUB_SOURCES, securityHeaders, sourcesFromEnv } from './securityHeaders';

const SELF = new URL('https://app.example.org/');
const match = (expr: string, url: string, self = SELF) => sourceMatches(expr, new URL(url), self);

describe('CSP source matching (CSP Level 3)', () => {
  it("'self' is the page's host and port, with the secure and WebSocket upgrades", () => {
    expect(match("'self'", 'https://app.example.org/models/x.onnx')).toBe(true);
    expect(match("'self'", 'wss://app.example.org/hmr')).toBe(true);
    expect(match("'self'", 'https://app.example.org:8443/')).toBe(false);
    expect(match("'self'", 'https://other.example.org/')).toBe(false);
    const local = new URL('http://localhost:4173/');
    expect(match("'self'", 'http://localhost:4173/a', local)).toBe(true);
    expect(match("'self'", 'ws://localhost:4173/', local)).toBe(true);
    expect(match("'self'", 'http://localhost:4174/', local)).toBe(false);
    expect(match("'self'", 'http://127.0.0.1:4173/', local)).toBe(false); // a different host name
  });

  it('host sources: exact hosts, wildcard subdomains (not the bare domain), ports, paths', () => {
    expect(match('https://huggingface.co', 'https://huggingface.co/org/repo/resolve/main/config.json')).toBe(
      true,
    );
    expect(match('https://huggingface.co', 'http://huggingface.co/')).toBe(false);
    expect(match('http://mirror.test', 'https://mirror.test/')).toBe(true); // the secure upgrade
    expect(match('https://*.hf.co', 'https://cas-bridge.xethub.hf.co/x')).toBe(true);
    expect(match('https://*.hf.co', 'https://hf.co/x')).toBe(false);
    expect(match('https://*.hf.co', 'https://evil-hf.co/x')).toBe(false);
    expect(match('HTTPS://HuggingFace.CO', 'https://huggingface.co/')).toBe(true);
    expect(match('https://huggingface.co', 'https://huggingface.co:8443/')).toBe(false);
    expect(match('https://mirror.test:8443', 'https://mirror.test:8443/')).toBe(true);
    expect(match('http://localhost:*', 'http://localhost:39123/org/x/resolve/main/a')).toBe(true);
    expect(match('http://localhost:*', 'http://127.0.0.1:39123/')).toBe(false);
    expect(match('https://mirror.test/models/', 'https://mirror.test/models/org/repo/config.json')).toBe(
      true,
    );
    expect(match('https://mirror.test/models/', 'https://mirror.test/other/config.json')).toBe(false);
    expect(match('https://mirror.test/a.json', 'https://mirror.test/a.json')).toBe(true);
    expect(match('https://mirror.test/a.json', 'https://mirror.test/a.jsonx')).toBe(false);
    expect(match('mirror.test', 'https://mirror.test/')).toBe(true); // no scheme: the page's
    expect(match('mirror.test', 'http://mirror.test/')).toBe(false);
  });

  it('scheme sources, *, and keywords that name no URL', () => {
    expect(match('https:', 'https://anything.example/')).toBe(true);
    expect(match('https:', 'http://anything.example/')).toBe(false);
    expect(match('blob:', 'blob:https://app.example.org/1234')).toBe(true);
    expect(match('data:', 'data:image/png;base64,AAAA')).toBe(true);
    expect(match('*', 'https://anything.example/')).toBe(true);
    expect(match('*', 'data:image/png;base64,AAAA')).toBe(false);
    expect(match("'none'", 'https://app.example.org/')).toBe(false);
    expect(match("'unsafe-inline'", 'https://app.example.org/')).toBe(false);
    expect(match("'nonce-abc'", 'https://app.example.org/')).toBe(false);
    expect(match('not a source!', 'https://app.example.org/')).toBe(false);
  });
});

describe('policies', () => {
  it('parses directives (first one wins) and several policies; every policy must allow', () => {
    const ps = parsePolicies(
      "default-src 'none'; connect-src 'self' https://a.test; connect-src https://b.test, connect-src https://a.test",
    );
    expect(ps).toHaveLength(2);
    expect(effectiveSources(ps[0] ?? new Map(), 'connect-src')).toEqual(["'self'", 'https://a.test']);
    const self = 'https://app.example.org/';
    expect(allows(ps, 'connect-src', 'https://a.test/x', self)).toBe(true);
    expect(allows(ps, 'connect-src', 'https://b.test/x', self)).toBe(false);
    expect(allows(ps, 'connect-src', 'https://app.example.org/x', self)).toBe(false); // the second policy
  });

  it('falls back to default-src, and a policy that sets neither allows everything', () => {
    const self = 'https://app.example.org/';
    expect(allows(parsePolicies("default-src 'self'"), 'img-src', 'https://x.test/a.png', self)).toBe(false);
    expect(
      allows(parsePolicies("default-src 'self'"), 'img-src', 'https://app.example.org/a.png', self),
    ).toBe(true);
    expect(allows(parsePolicies("script-src 'self'"), 'connect-src', 'https://x.test/', self)).toBe(true);
    expect(allows([], 'connect-src', 'https://x.test/', self)).toBe(true);
    expect(allows(parsePolicies("default-src 'self'"), 'connect-src', 'not a url', self)).toBe(false);
  });

  it('serializes directives in order', () => {
    expect(serializePolicy({ 'default-src': ["'none'"], 'img-src': ["'self'", 'data:'] })).toBe(
      "default-src 'none'; img-src 'self' data:",
    );
  });

  it('says which host is refused, by which directive, and how to allow it', () => {
    const ps = parsePolicies("default-src 'none'; connect-src 'self' https://huggingface.co");
    const self = 'https://app.example.org/';
    expect(connectRefusal(ps, 'https://huggingface.co/o/m/resolve/main/', self, 'The hub host')).toBeNull();
    expect(connectRefusal(ps, 'https://mirror.example.net/o/m/resolve/main/', self, 'The hub host')).toBe(
      "The hub host https://mirror.example.net is not allowed by this page's Content-Security-Policy " +
        "(connect-src 'self' https://huggingface.co). Whoever hosts the page must add https://mirror.example.net " +
        'to connect-src in the header the server sends (docs/hosting.md), or choose a host the policy allows.',
    );
  });
});

describe("the app's policy", () => {
  const csp = (o?: Parameters<typeof contentSecurityPolicy>[0]) => parsePolicies(contentSecurityPolicy(o));
  const self = 'https://app.example.org/';

  it('allows our own scripts and WebAssembly, nothing inline, no eval', () => {
    const [p] = csp();
    expect(p?.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(p?.get('style-src')).toEqual(["'self'"]);
    expect(p?.get('default-src')).toEqual(["'none'"]);
    for (const d of ['object-src', 'base-uri', 'form-action', 'frame-ancestors'])
      expect(p?.get(d)).toEqual(["'none'"]);
    expect(contentSecurityPolicy()).not.toMatch(/'unsafe-inline'|'unsafe-eval'|'unsafe-hashes'|\s\*(\s|;|$)/);
  });

  it('connects to our origin and the default hub with its download hosts, not elsewhere', () => {
    const ps = csp();
    for (const url of [
      'https://app.example.org/models/tiny-base/config.json',
      'https://huggingface.co/onnx-community/x/resolve/main/config.json',
      'https://cdn-lfs.hf.co/repos/ab/cd/x',
      'https://cas-bridge.xethub.hf.co/xet-bridge-us/x',
      'blob:https://app.example.org/0f1e',
    ])
      expect(allows(ps, 'connect-src', url, self), url).toBe(true);
    for (const url of ['https://mirror.example.net/x', 'http://localhost:8080/x', 'http://huggingface.co/x'])
      expect(allows(ps, 'connect-src', url, self), url).toBe(false);
  });

  it('adds mirrors and, for the local servers, loopback on any port', () => {
    const ps = csp({ extraSources: ['https://mirror.example.net'], loopback: true });
    expect(allows(ps, 'connect-src', 'https://mirror.example.net/org/m/resolve/main/config.json', self)).toBe(
      true,
    );
    expect(allows(ps, 'img-src', 'https://mirror.example.net/set/a.png', self)).toBe(true);
    expect(allows(ps, 'connect-src', 'http://127.0.0.1:40123/org/m/resolve/main/config.json', self)).toBe(
      true,
    );
    expect(contentSecurityPolicy({ nonce: 'abc' })).toContain(
      "script-src 'self' 'wasm-unsafe-eval' 'nonce-abc'",
    );
  });

  it('reads mirrors from the environment and refuses anything that is not a source', () => {
    expect(sourcesFromEnv(' https://a.test,https://*.b.test  ')).toEqual([
      'https://a.test',
      'https://*.b.test',
    ]);
    expect(sourcesFromEnv(undefined)).toEqual([]);
    expect(() => sourcesFromEnv("https://a.test; script-src 'unsafe-inline'")).toThrow(/PT_CONNECT_SRC/);
  });

  it('sends isolation and the other careful headers beside the policy', () => {
    const h = securityHeaders();
    expect(h).toMatchObject({
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
    });
    expect(h['Permissions-Policy']).toContain('camera=()');
    expect(HUB_SOURCES.every((s) => h['Content-Security-Policy']?.includes(s))).toBe(true);
  });
});
