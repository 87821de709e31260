/**
 * The headers every server of the app sends (vite dev and preview, scripts/serve/server.ts, the
 * `_headers` file a build writes for static hosts): cross-origin isolation (SharedArrayBuffer,
 * threaded WASM) and a strict Content-Security-Policy — scripts only from our origin, no inline
 * script, no eval (WebAssembly compiles under 'wasm-unsafe-eval'), workers from our origin.
 */
import { serializePolicy } from './csp';

/**
 * Where model files may come from besides our own origin: the default hub and the hosts its large
 * files redirect to. A mirror is added with `PT_CONNECT_SRC` (docs/hosting.md).
 */
export const HUB_SOURCES: readonly string[] = [
  'https://huggingface.co',
  'https://*.huggingface.co',
  'https://*.hf.co',
];

/**
 * The local servers' report endpoint: nothing answers it but the e2e guard, which records every report
 * (workers' included, which no page event shows).
 */
export const LOCAL_REPORT_URI = '/__csp-report';

/** Loopback on any port: added by the servers in this repository, which only listen on this machine. */
export const LOOPBACK_SOURCES: readonly string[] = [
  'http://localhost:*',
  'http://127.0.0.1:*',
  'ws://localhost:*',
  'ws://127.0.0.1:*',
];

export interface PolicyOptions {
  /** Extra hosts the page may fetch models and evaluation sets from (CSP source expressions). */
  extraSources?: readonly string[];
  /** Allow loopback hosts on any port (a local mirror, the test hub). */
  loopback?: boolean;
  /** The dev server's per-response nonce for the few inline scripts and styles Vite injects. */
  nonce?: string;
  /** Where the browser posts violation reports (pages and workers alike); the local servers set one. */
  reportUri?: string;
}

/** A source list from the environment (`PT_CONNECT_SRC="https://mirror.example.org https://*.example.net"`). */
export function sourcesFromEnv(value: string | undefined): string[] {
  const list = (value ?? '').split(/[\s,]+/).filter(Boolean);
  for (const s of list) {
    if (/[;'"]/.test(s))
      throw new Error(`PT_CONNECT_SRC: "${s}" is not a host source (e.g. https://mirror.example.org)`);
  }
  return list;
}

export function contentSecurityPolicy(o: PolicyOptions = {}): string {
  const data = ["'self'", ...HUB_SOURCES, ...(o.extraSources ?? []), ...(o.loopback ? LOOPBACK_SOURCES : [])];
  const nonce = o.nonce ? [`'nonce-${o.nonce}'`] : [];
  return serializePolicy({
    'default-src': ["'none'"],
    'script-src': ["'self'", "'wasm-unsafe-eval'", ...nonce],
    // Module workers, onnxruntime's WASM threads and the service worker: all from our origin.
    // (In dev, Vite's client also pings its server from a blob: SharedWorker.)
    'worker-src': ["'self'", ...(o.nonce ? ['blob:'] : [])],
    // blob: and data: for images the user picks and evaluation sets that embed them.
    'connect-src': [...data, 'blob:', 'data:'],
    'img-src': [...data, 'blob:', 'data:'],
    // KaTeX's and our style sheets; no inline <style> (React sets style properties through the CSSOM).
    'style-src': ["'self'", ...nonce],
    'font-src': ["'self'"],
    'manifest-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"],
    ...(o.reportUri ? { 'report-uri': [o.reportUri] } : {}),
  });
}

/** Cross-origin isolation: SharedArrayBuffer, Atomics.wait in workers and multi-threaded WASM. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
});

/** Features the app never uses, switched off for it and anything it might embed. */
const PERMISSIONS = [
  'camera',
  'microphone',
  'geolocation',
  'payment',
  'usb',
  'serial',
  'hid',
  'midi',
  'display-capture',
];

export function securityHeaders(o: PolicyOptions = {}): Record<string, string> {
  return {
    ...ISOLATION_HEADERS,
    'Content-Security-Policy': contentSecurityPolicy(o),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Permissions-Policy': PERMISSIONS.map((p) => `${p}=()`).join(', '),
  };
}
