/**
 * A small static file server for the CLI and the benchmark: the built app (dist/) plus extra
 * mounts (the generated models, a user's model folders, one input image), with the app's security
 * headers (src/core/securityHeaders.ts: cross-origin isolation and the Content-Security-Policy, loopback
 * hosts allowed), exact Content-Length, HEAD and single byte ranges. Listens on 127.0.0.1, a free
 * port by default.
 */
import { createReadStream, promises as fs, type Stats } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { LOCAL_REPORT_URI, securityHeaders, sourcesFromEnv } from '../../src/core/securityHeaders';
import { reportSink } from './policy';

/** A URL prefix served from a folder (`dir`) or one exact URL path served from one file (`file`). */
export type Mount =
  | { urlPath: string; dir: string; file?: undefined }
  | { urlPath: string; file: string; contentType?: string; dir?: undefined };

export interface ServerOptions {
  /** Folder served at `/` (index.html for `/`). */
  root: string;
  /** Checked before `root`, longest prefix first. */
  mounts?: Mount[];
  host?: string;
  /** 0 = any free port. */
  port?: number;
}

export interface RunningServer {
  port: number;
  /** http://localhost:<port> — the page must be on localhost for WebGPU. */
  origin: string;
  close(): Promise<void>;
}

/** What every response carries; mirrors named in PT_CONNECT_SRC are allowed as in the vite servers. */
export const SERVER_HEADERS: Readonly<Record<string, string>> = Object.freeze(
  securityHeaders({
    loopback: true,
    extraSources: sourcesFromEnv(process.env.PT_CONNECT_SRC),
    reportUri: LOCAL_REPORT_URI,
  }),
);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jinja': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.onnx_data': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
};

export function contentTypeOf(path: string): string {
  const ext = extname(path).toLowerCase();
  if (TYPES[ext]) return TYPES[ext];
  if (/\.onnx_data(_\d+)?$/.test(path)) return 'application/octet-stream';
  return 'application/octet-stream';
}

/** The file a request path maps to, or null when it is outside every mount (no `..` escapes). */
export function resolveRequest(
  pathname: string,
  root: string,
  mounts: Mount[],
): { path: string; contentType?: string } | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const sorted = [...mounts].sort((a, b) => b.urlPath.length - a.urlPath.length);
  for (const m of sorted) {
    if (m.file !== undefined) {
      if (decoded === m.urlPath)
        return { path: m.file, ...(m.contentType ? { contentType: m.contentType } : {}) };
      continue;
    }
    const prefix = m.urlPath.endsWith('/') ? m.urlPath : `${m.urlPath}/`;
    if (decoded.startsWith(prefix)) return inside(m.dir, decoded.slice(prefix.length));
  }
  return inside(root, decoded.replace(/^\/+/, '') || 'index.html');
}

function inside(dir: string, rel: string): { path: string } | null {
  const base = resolve(dir);
  const full = resolve(base, rel);
  if (full !== base && !full.startsWith(base + sep)) return null;
  return { path: full };
}

function send(res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void {
  const buf = Buffer.from(body);
  res.writeHead(status, {
    ...SERVER_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(buf.length),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(buf);
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  mounts: Mount[],
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return send(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
  const url = new URL(req.url ?? '/', 'http://localhost');
  const target = resolveRequest(url.pathname, root, mounts);
  if (!target) return send(res, 404, 'not found\n');
  let path = target.path;
  let st: Stats;
  try {
    st = await fs.stat(path);
    if (st.isDirectory()) {
      path = join(path, 'index.html');
      st = await fs.stat(path);
    }
    if (!st.isFile()) return send(res, 404, 'not found\n');
  } catch {
    return send(res, 404, 'not found\n');
  }
  const headers: Record<string, string> = {
    ...SERVER_HEADERS,
    'Content-Type': target.contentType ?? contentTypeOf(path),
    'Cache-Control': 'no-cache',
    'Last-Modified': st.mtime.toUTCString(),
    'Accept-Ranges': 'bytes',
  };
  let start = 0;
  let end = st.size - 1;
  let status = 200;
  const range = req.headers.range;
  if (range) {
    const m = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
    if (!m || (m[1] === '' && m[2] === ''))
      return send(res, 416, 'bad range\n', { 'Content-Range': `bytes */${st.size}` });
    if (m[1] === '') {
      start = Math.max(0, st.size - Number(m[2]));
    } else {
      start = Number(m[1]);
      if (m[2] !== '') end = Math.min(end, Number(m[2]));
    }
    if (start > end || start >= st.size)
      return send(res, 416, 'range not satisfiable\n', { 'Content-Range': `bytes */${st.size}` });
    status = 206;
    headers['Content-Range'] = `bytes ${start}-${end}/${st.size}`;
  }
  headers['Content-Length'] = String(st.size === 0 ? 0 : end - start + 1);
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || st.size === 0) {
    res.end();
    return;
  }
  const stream = createReadStream(path, { start, end });
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const root = resolve(opts.root);
  const mounts = opts.mounts ?? [];
  const reports = reportSink();
  const server: Server = createServer((req, res) => {
    // The browser's Content-Security-Policy violation reports: logged, never an error page.
    if (req.method === 'POST' && req.url === LOCAL_REPORT_URI) return reports(req, res, () => undefined);
    handle(req, res, root, mounts).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, `${e instanceof Error ? e.message : String(e)}\n`);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', fail);
      ok();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `http://localhost:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}
