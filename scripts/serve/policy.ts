/**
 * Serving the security headers (src/core/securityHeaders.ts): the dev server's per-response nonce,
 * and the `_headers` file a build writes for static hosts.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LOCAL_REPORT_URI, securityHeaders } from '../../src/core/securityHeaders';

/**
 * What Vite writes as the nonce of the scripts and styles it injects in dev (html.cspNonce); each
 * response replaces it with its own. Same length as a real nonce (16 bytes in base64), so the
 * Content-Length Vite has already set stays right.
 */
export const NONCE_PLACEHOLDER = 'ptNoncePlaceholder000000';

export function freshNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * Connect middleware for the dev server: the security headers with a fresh nonce on every response,
 * and that nonce in place of the placeholder in the HTML.
 */
export function devNonceMiddleware(extraSources: readonly string[]) {
  return (_req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const nonce = freshNonce();
    for (const [k, v] of Object.entries(
      securityHeaders({ loopback: true, extraSources, nonce, reportUri: LOCAL_REPORT_URI }),
    ))
      res.setHeader(k, v);
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      const [chunk] = args;
      if (typeof chunk === 'string' && chunk.includes(NONCE_PLACEHOLDER))
        args[0] = chunk.replaceAll(NONCE_PLACEHOLDER, nonce);
      else if (Buffer.isBuffer(chunk) && chunk.includes(NONCE_PLACEHOLDER))
        args[0] = Buffer.from(chunk.toString('utf8').replaceAll(NONCE_PLACEHOLDER, nonce));
      return end(...args);
    }) as ServerResponse['end'];
    next();
  };
}

/** The headers as a `_headers` file: every path gets them (the format Netlify and Cloudflare Pages read). */
export function headersFile(headers: Readonly<Record<string, string>>): string {
  const lines = Object.entries(headers).map(([k, v]) => `  ${k}: ${v}`);
  return [
    '# Written by the build (src/core/securityHeaders.ts); see docs/hosting.md.',
    '/*',
    ...lines,
    '',
  ].join('\n');
}

/** One line per violation report (the body of a report-uri POST), for a server's log. */
export function describeReport(body: string): string {
  try {
    const r = (JSON.parse(body) as { 'csp-report'?: Record<string, unknown> })['csp-report'] ?? {};
    return `Content-Security-Policy violation: ${String(r['effective-directive'] ?? r['violated-directive'])} blocked ${String(r['blocked-uri'])} in ${String(r['document-uri'])}`;
  } catch {
    return `Content-Security-Policy violation report: ${body.slice(0, 200)}`;
  }
}

/** Connect middleware: takes the browser's violation reports at LOCAL_REPORT_URI and logs them. */
export function reportSink(log: (line: string) => void = (l) => console.warn(l)) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (req.method !== 'POST' || req.url !== LOCAL_REPORT_URI) return next();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      log(describeReport(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(204);
      res.end();
    });
  };
}
