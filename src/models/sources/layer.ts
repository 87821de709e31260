/**
 * The file layer under transformers.js in a worker (browser only). Installed once per worker as
 * `env.customCache` and `env.fetch`, it
 * - serves the files of picked folders from the File objects (never uploaded, never copied into
 *   browser storage),
 * - keeps every downloaded file in transformers.js' Cache API cache ('transformers-cache'), and
 *   reports a file that cannot be stored (quota) instead of failing silently,
 * - turns network failures into DownloadErrors naming the file: no connection, a dropped
 *   connection, a body cut short, a server error,
 * - gives responses without Content-Length (compressed) their real size, so progress totals are right,
 * - remembers files a server answered 404 for, so an optional file is known missing offline too,
 * - records where each file came from (network, cache, disk) for the progress events.
 */
import { env } from '@huggingface/transformers';
import type { FileFailureInfo, FileSource, ModelRole } from '../../core/protocol';
import {
  connectionError,
  DownloadError,
  folderReadError,
  invalidJsonError,
  shortFileError,
  storageError,
  truncatedError,
} from './errors';
import { MISSING_CACHE_NAME, MODEL_CACHE_NAME } from './cache';
import { LOCAL_ORG } from './identity';

/** The model files of one load, as the layer sees them. */
export interface Target {
  key: string;
  role: ModelRole;
  /** Absolute URL prefix of the model's files (hub or URL sources). */
  prefix: string | null;
  /** Picked folder: model id, display name and files by path. */
  localId?: string;
  folder?: string;
  files?: Map<string, File>;
  /** Sizes announced by range probes (transformers.js sizes every ONNX file before loading it). */
  expected: Map<string, number>;
  /** Error statuses seen, by URL, to explain transformers.js' own errors. */
  statuses: Map<string, { file: string; status: number; statusText: string }>;
  sources: Map<string, FileSource>;
  onFailure?: (file: string, failure: FileFailureInfo) => void;
}

const targets = new Map<string, Target>();
const LOCAL_RE = new RegExp(`/${LOCAL_ORG}/(f[0-9a-z]+)/(.*)$`);

export function registerTarget(t: Target): Target {
  targets.set(t.key, t);
  return t;
}

function absolute(key: string): string {
  try {
    return new URL(key, self.location.href).href;
  } catch {
    return key;
  }
}

function clean(path: string): string {
  const q = path.search(/[?#]/);
  return decodeURIComponent(q >= 0 ? path.slice(0, q) : path);
}

export function targetFor(key: string): { target: Target; file: string } | null {
  const url = absolute(key);
  const local = LOCAL_RE.exec(url);
  if (local) {
    const id = `${LOCAL_ORG}/${local[1]}`;
    for (const t of targets.values()) if (t.localId === id) return { target: t, file: clean(local[2] ?? '') };
    return null;
  }
  let best: Target | null = null;
  for (const t of targets.values()) {
    if (t.prefix && url.startsWith(t.prefix) && (!best || (best.prefix?.length ?? 0) < t.prefix.length))
      best = t;
  }
  return best?.prefix ? { target: best, file: clean(url.slice(best.prefix.length)) } : null;
}

function markSource(t: Target, file: string, source: FileSource): void {
  if (t.sources.get(file) !== 'network') t.sources.set(file, source);
}

/**
 * A body that fails with a DownloadError naming the file when the underlying stream errors or ends
 * before `total` bytes.
 */
function guardBody(
  body: ReadableStream<Uint8Array>,
  total: number | null,
  fail: (loaded: number, cause?: unknown) => DownloadError,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let loaded = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        controller.error(fail(loaded, e));
        return;
      }
      if (chunk.done) {
        if (total !== null && loaded < total) controller.error(fail(loaded));
        else controller.close();
        return;
      }
      loaded += chunk.value.byteLength;
      controller.enqueue(chunk.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

function fileResponse(t: Target, path: string, f: File): Response {
  const body = guardBody(f.stream(), f.size, (_loaded, cause) =>
    folderReadError(path, t.folder ?? '', cause ?? new Error('the file is shorter than when it was picked')),
  );
  const type = path.endsWith('.json') ? 'application/json' : 'application/octet-stream';
  return new Response(body, {
    status: 200,
    headers: { 'content-length': String(f.size), 'content-type': type },
  });
}

/**
 * JSON files (configs, tokenizer, chat template) are small: read whole and parsed here, so one that
 * does not parse fails naming the file, not with a bare SyntaxError from deep inside the loader.
 */
async function checkedJson(file: string, where: string, res: Response): Promise<Response> {
  if (!file.endsWith('.json') || !res.ok) return res;
  const text = await res.text();
  try {
    JSON.parse(text);
  } catch (e) {
    throw invalidJsonError(file, where, e);
  }
  const headers = new Headers(res.headers);
  headers.set('content-length', String(new TextEncoder().encode(text).byteLength));
  return new Response(text, { status: res.status, statusText: res.statusText, headers });
}

/**
 * A stored response whose body is opened only when read. transformers.js often looks at a cached
 * file's headers alone (its size, before loading) and drops the response; an unread Cache Storage
 * body would keep the stored file open until garbage collection.
 */
function lazyBody(stored: Response, reopen: () => Promise<Response | undefined>): Response {
  void stored.body?.cancel().catch(() => undefined);
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!reader) {
          const again = await reopen();
          if (!again?.body) {
            controller.error(new Error('the stored file disappeared from browser storage while it was read'));
            return;
          }
          reader = again.body.getReader();
        }
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      cancel(reason) {
        return reader?.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, {
    status: stored.status,
    statusText: stored.statusText,
    headers: stored.headers,
  });
}

let modelCache: Promise<Cache | null> | null = null;
function openModelCache(): Promise<Cache | null> {
  modelCache ??= caches.open(MODEL_CACHE_NAME).catch(() => null);
  return modelCache;
}

async function isKnownMissing(url: string): Promise<boolean> {
  try {
    return (await (await caches.open(MISSING_CACHE_NAME)).match(url)) !== undefined;
  } catch {
    return false;
  }
}

async function rememberMissing(url: string, missing: boolean): Promise<void> {
  try {
    const c = await caches.open(MISSING_CACHE_NAME);
    if (missing) await c.put(url, new Response('', { status: 200, headers: { 'x-missing': '404' } }));
    else await c.delete(url);
  } catch {
    // Best effort: only matters for optional files when offline.
  }
}

/** transformers.js' cache interface over the Cache API, with picked folders served from disk. */
export const modelStore = {
  async match(key: string): Promise<Response | undefined> {
    const hit = targetFor(key);
    if (hit?.target.files) {
      const f = hit.target.files.get(hit.file);
      if (!f) return undefined;
      markSource(hit.target, hit.file, 'disk');
      return checkedJson(
        hit.file,
        `folder "${hit.target.folder ?? ''}"`,
        fileResponse(hit.target, hit.file, f),
      );
    }
    const cache = await openModelCache();
    const r = await cache?.match(key);
    if (!r || !cache) return undefined;
    if (hit) markSource(hit.target, hit.file, 'cache');
    const body = lazyBody(r, () => cache.match(key));
    return hit ? checkedJson(hit.file, `${absolute(key)} (browser storage)`, body) : body;
  },

  async put(key: string, response: Response): Promise<void> {
    const hit = targetFor(key);
    if (hit?.target.files) return;
    const cache = await openModelCache();
    if (!cache) return;
    try {
      await cache.put(key, response);
    } catch (e) {
      if (hit) {
        const err = storageError(hit.file, e);
        hit.target.onFailure?.(hit.file, err.failure);
      }
      throw e;
    }
  },

  async delete(key: string): Promise<boolean> {
    const cache = await openModelCache();
    return (await cache?.delete(key)) ?? false;
  },
};

let baseFetch: typeof fetch = (input, init) => fetch(input, init);

function declaredLength(res: Response): number | null {
  // A compressed body's Content-Length counts compressed bytes; the stream yields decoded ones.
  if (res.headers.get('content-encoding')) return null;
  const n = Number.parseInt(res.headers.get('content-length') ?? '', 10);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

function rangeTotal(res: Response): number | null {
  const m = /\/(\d+)\s*$/.exec(res.headers.get('content-range') ?? '');
  return m?.[1] ? Number(m[1]) : null;
}

/** The decoded size of a file whose response did not say: a one-byte range request. */
async function probeLength(url: string): Promise<number | null> {
  try {
    const res = await baseFetch(url, { headers: { Range: 'bytes=0-0' }, cache: 'no-store' });
    const n = res.status === 206 ? rangeTotal(res) : res.ok ? declaredLength(res) : null;
    await res.body?.cancel().catch(() => undefined);
    return n;
  } catch {
    return null;
  }
}

/** transformers.js' fetch: model files get named errors, real sizes and a source mark. */
export async function sourceFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const url = absolute(input instanceof Request ? input.url : String(input));
  const hit = targetFor(url);
  if (!hit) return baseFetch(input, init);
  const { target, file } = hit;
  if (target.files) {
    const f = target.files.get(file);
    if (!f) return new Response('', { status: 404, statusText: 'Not in the picked folder' });
    markSource(target, file, 'disk');
    return checkedJson(file, `folder "${target.folder ?? ''}"`, fileResponse(target, file, f));
  }
  const isProbe = new Headers(init?.headers).has('range');
  let res: Response;
  try {
    // Model files are kept in the Cache API; the HTTP cache would only hold a second copy (and its
    // per-URL lock makes a retry after a broken download wait ~20 s in Chromium).
    res = await baseFetch(input, { ...init, cache: 'no-store' });
  } catch (e) {
    if (isProbe) throw e;
    if (await isKnownMissing(url))
      return new Response('', { status: 404, statusText: 'Not Found (remembered)' });
    throw connectionError(file, url, e);
  }
  if (isProbe) {
    const n = res.status === 206 ? rangeTotal(res) : null;
    if (n !== null) target.expected.set(file, n);
    return res;
  }
  if (!res.ok) {
    target.statuses.set(url, { file, status: res.status, statusText: res.statusText });
    if (res.status === 404) void rememberMissing(url, true);
    return res;
  }
  target.statuses.delete(url);
  markSource(target, file, 'network');
  let total = declaredLength(res);
  const expected = target.expected.get(file);
  if (total !== null && expected !== undefined && total < expected) {
    await res.body?.cancel().catch(() => undefined);
    throw shortFileError(file, url, total, expected);
  }
  total ??= expected ?? (await probeLength(url));
  if (!res.body) return res;
  const headers = new Headers(res.headers);
  headers.delete('content-encoding');
  if (total !== null) headers.set('content-length', String(total));
  const body = guardBody(res.body, total, (loaded, cause) => truncatedError(file, url, loaded, total, cause));
  return checkedJson(
    file,
    url,
    new Response(body, { status: res.status, statusText: res.statusText, headers }),
  );
}

let installed = false;

/** True where the layer can run (a browser window or worker with the Cache API). */
export function layerAvailable(): boolean {
  return typeof caches !== 'undefined' && typeof self !== 'undefined' && typeof self.location !== 'undefined';
}

/** Puts the layer under transformers.js in this worker (idempotent). */
export function installSourceLayer(): void {
  if (installed || !layerAvailable()) return;
  installed = true;
  const previous = env.fetch;
  baseFetch = (input, init) => previous(input as string, init) as Promise<Response>;
  env.fetch = sourceFetch;
  env.useCustomCache = true;
  env.customCache = modelStore;
}

export { DownloadError };
