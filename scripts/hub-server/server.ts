/**
 * A local stand-in for a model hub (or a mirror of one): serves model folders as repos at
 * `/{org}/{name}/resolve/{revision}/{file}` the way the hub does — Content-Length, ETag, byte ranges,
 * HEAD, CORS for a page on another origin — and fails on purpose when told to: a fault plan set
 * through a control endpoint makes chosen files answer 404 or 500, arrive cut in half, arrive
 * short, or drop the connection. It logs every request so tests can count downloads.
 *
 * Control (not reachable from pages: no CORS):
 *   PUT    /__control/faults   {"rules":[{"path":"org/name/resolve/main/onnx/*.onnx","fault":"500","times":1}]}
 *   DELETE /__control/faults
 *   GET    /__control/hits     → [{method, path, range, status, bytes, fault}]
 *   DELETE /__control/hits
 */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, relative, sep } from 'node:path';

/**
 * - '404', '500': the file's requests (downloads, HEAD and range probes) answer that status;
 * - 'truncate': a download announces the full Content-Length, sends half and closes the connection;
 * - 'short': a download announces and sends only the first half (a complete response, a cut file);
 * - 'drop': a download's connection is closed before any answer.
 */
export type Fault = '404' | '500' | 'truncate' | 'short' | 'drop';

export interface FaultRule {
  /** Request path without the leading '/', e.g. `test-org/tiny-base/resolve/main/config.json`; `*` matches within a segment, `**` across. */
  path: string;
  fault: Fault;
  /** Requests the fault applies to before it clears itself; default: until the plan changes. */
  times?: number;
}

export interface Hit {
  method: string;
  /** Path without the leading '/'. */
  path: string;
  range: string | null;
  status: number;
  /** Body bytes sent. */
  bytes: number;
  fault?: Fault;
}

export interface HubServerOptions {
  /** Repo id (`org/name`) → model folder on disk. */
  repos: Record<string, string>;
  /** Revisions every repo answers to (default: main). */
  revisions?: string[];
  host?: string;
  /** 0: a free port. */
  port?: number;
}

export interface HubServer {
  /** `http://127.0.0.1:{port}/` — the host to configure as the hub (mirror). */
  url: string;
  port: number;
  hits: Hit[];
  setFaults(rules: FaultRule[]): void;
  close(): Promise<void>;
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers':
    'Content-Length, Content-Range, Accept-Ranges, ETag, X-Repo-Commit, X-Error-Code',
  // The page is cross-origin isolated (COEP require-corp): CORS covers fetches, CORP covers the rest.
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

const TYPES: Record<string, string> = {
  '.json': 'application/json; charset=utf-8',
  '.jinja': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** All files of a folder, relative paths with '/', hidden files left out. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      if (name.startsWith('.')) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

export async function startHubServer(options: HubServerOptions): Promise<HubServer> {
  const revisions = new Set(options.revisions ?? ['main']);
  let rules: { re: RegExp; rule: FaultRule; left: number }[] = [];
  const hits: Hit[] = [];

  const faultFor = (path: string, download: boolean): Fault | undefined => {
    for (const r of rules) {
      if (r.left <= 0 || !r.re.test(path)) continue;
      const statusFault = r.rule.fault === '404' || r.rule.fault === '500';
      if (!statusFault && !download) continue;
      r.left -= 1;
      return r.rule.fault;
    }
    return undefined;
  };

  const send = (
    res: ServerResponse,
    hit: Hit,
    status: number,
    body: string,
    headers: Record<string, string> = {},
  ) => {
    const buf = Buffer.from(body);
    res.writeHead(status, {
      ...CORS,
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(buf.length),
      ...headers,
    });
    res.end(hit.method === 'HEAD' ? undefined : buf);
    hit.status = status;
    hit.bytes = hit.method === 'HEAD' ? 0 : buf.length;
  };

  const control = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const reply = (status: number, value: unknown) => {
      const body = JSON.stringify(value);
      res.writeHead(status, {
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(body)),
      });
      res.end(body);
    };
    if (path === '__control/faults' && req.method === 'PUT') {
      let text = '';
      for await (const chunk of req) text += String(chunk);
      try {
        const plan = JSON.parse(text) as { rules?: FaultRule[] };
        server.setFaults(plan.rules ?? []);
        reply(200, { rules: plan.rules ?? [] });
      } catch (e) {
        reply(400, { error: String(e) });
      }
    } else if (path === '__control/faults' && req.method === 'DELETE') {
      server.setFaults([]);
      reply(200, { rules: [] });
    } else if (path === '__control/hits' && req.method === 'GET') reply(200, hits);
    else if (path === '__control/hits' && req.method === 'DELETE') {
      hits.length = 0;
      reply(200, []);
    } else reply(404, { error: 'unknown control endpoint' });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = decodeURIComponent(url.pathname).replace(/^\/+/, '');
    if (path.startsWith('__control/')) return control(req, res, path);
    const method = req.method ?? 'GET';
    const range = req.headers.range ?? null;
    const hit: Hit = { method, path, range, status: 0, bytes: 0 };
    hits.push(hit);
    if (method === 'OPTIONS') {
      res.writeHead(204, {
        ...CORS,
        'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
        'Access-Control-Allow-Headers': 'Range, Content-Type',
        'Access-Control-Max-Age': '600',
      });
      res.end();
      hit.status = 204;
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') return send(res, hit, 405, '{"error":"method not allowed"}');

    const m = /^([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (!m) return send(res, hit, 404, '{"error":"Not found"}');
    const [, repo = '', revision = '', file = ''] = m;
    const dir = options.repos[repo];
    if (!dir)
      return send(res, hit, 404, '{"error":"Repository not found"}', { 'X-Error-Code': 'RepoNotFound' });
    if (!revisions.has(revision))
      return send(res, hit, 404, '{"error":"Revision not found"}', { 'X-Error-Code': 'RevisionNotFound' });
    const full = normalize(join(dir, file));
    if (
      !full.startsWith(normalize(dir) + sep) ||
      !existsSync(full) ||
      !statSync(full).isFile() ||
      file.split('/').some((s) => s.startsWith('.'))
    ) {
      return send(res, hit, 404, '{"error":"Entry not found"}', { 'X-Error-Code': 'EntryNotFound' });
    }

    const download = method === 'GET' && range === null;
    const fault = faultFor(path, download);
    if (fault) hit.fault = fault;
    if (fault === '404')
      return send(res, hit, 404, '{"error":"Entry not found"}', { 'X-Error-Code': 'EntryNotFound' });
    if (fault === '500') return send(res, hit, 500, '{"error":"Internal Error - injected fault"}');
    if (fault === 'drop') {
      hit.status = -1;
      req.socket.destroy();
      return;
    }

    const stat = statSync(full);
    const size = stat.size;
    const headers: Record<string, string> = {
      ...CORS,
      'Content-Type': TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream',
      'Accept-Ranges': 'bytes',
      ETag: `"${size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`,
      'X-Repo-Commit': '0000000000000000000000000000000000000000',
      // Tests count downloads: nothing may be answered from the browser's HTTP cache.
      'Cache-Control': 'no-store',
    };
    let start = 0;
    let end = size - 1;
    let status = 200;
    if (range !== null && method === 'GET') {
      const r = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
      if (!r || (r[1] === '' && r[2] === ''))
        return send(res, hit, 416, '{"error":"bad range"}', { 'Content-Range': `bytes */${size}` });
      if (r[1] === '') {
        start = Math.max(0, size - Number(r[2]));
      } else {
        start = Number(r[1]);
        end = r[2] === '' ? size - 1 : Math.min(size - 1, Number(r[2]));
      }
      if (start >= size || start > end)
        return send(res, hit, 416, '{"error":"range not satisfiable"}', {
          'Content-Range': `bytes */${size}`,
        });
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    }
    let length = end - start + 1;
    if (fault === 'short') {
      length = Math.floor(size / 2);
      end = start + length - 1;
    }
    headers['Content-Length'] = String(length);
    res.writeHead(status, headers);
    hit.status = status;
    if (method === 'HEAD') return res.end();
    if (fault === 'truncate') {
      const half = Math.floor(length / 2);
      const stream = createReadStream(full, { start, end: start + half - 1 });
      stream.on('data', (c) => (hit.bytes += c.length));
      stream.on('end', () => {
        // Flush what was sent, then close without the rest: the client sees a body cut short.
        res.socket?.end();
      });
      stream.pipe(res, { end: false });
      return;
    }
    const stream = createReadStream(full, { start, end });
    stream.on('data', (c) => (hit.bytes += c.length));
    stream.pipe(res);
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, CORS);
      res.end(String(e));
    });
  });
  // Idle keep-alive connections must not keep close() waiting.
  http.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';

  const server: HubServer = {
    url: `http://${host}:${port}/`,
    port,
    hits,
    setFaults(next) {
      rules = next.map((rule) => ({
        re: globToRegExp(rule.path),
        rule,
        left: rule.times ?? Number.POSITIVE_INFINITY,
      }));
    },
    close() {
      return new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
  return server;
}
