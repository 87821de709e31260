/**
 * Model sources, the parts both the page and the workers need: cache names, how a cached file's URL
 * maps back to its model, and the identity of a model load. Pure: no transformers.js import, so the
 * page can use it without pulling the library into its bundle.
 */
import type { Dtype, LocalModelFile, ModelSource } from '../../core/presets';
import type { LoadOptions, ModelSpecifier } from '../../core/protocol';

/** transformers.js' browser cache (`env.cacheKey`): every downloaded model file is stored here. */
export const MODEL_CACHE_NAME = 'transformers-cache';
/** URLs that answered 404, so an optional file missing on the server is known to be missing offline too. */
export const MISSING_CACHE_NAME = 'proxythinker-missing';
/**
 * transformers.js' default `env.remoteHost` (checked against the library by a unit test). A hub
 * source without `host` downloads from it; set `host` to use a mirror.
 */
export const DEFAULT_HUB_HOST = 'https://huggingface.co/';
/** The model-id organisation under which picked folders are registered inside a worker. */
export const LOCAL_ORG = '__local__';

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

/** Small stable hash (FNV-1a, 52 bits as base 36) for ids derived from content descriptions. */
export function stableHash(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return ((h2 & 0x1fffff) * 0x100000000 + h1).toString(36);
}

function filesIdentity(files: readonly LocalModelFile[]): [string, number, number][] {
  return files.map((f) => [f.path, f.file.size, f.file.lastModified]);
}

/** The model id a picked folder is registered under: the same folder contents give the same id. */
export function localFolderId(folder: string, files: readonly LocalModelFile[]): string {
  return `${LOCAL_ORG}/f${stableHash(JSON.stringify([folder, filesIdentity(files)]))}`;
}

/** A JSON-able description of a source, File objects replaced by their name, size and date. */
export function sourceIdentity(source: ModelSource): unknown {
  if (source.kind === 'local-folder') {
    return {
      kind: source.kind,
      folder: source.folder,
      dtype: source.dtype,
      files: filesIdentity(source.files),
    };
  }
  if (source.kind === 'hub') return { ...source, host: normalizeHost(source.host) };
  return source;
}

/** Two loads with the same key load the same model the same way (used to reuse a loaded model on a retry). */
export function loadKey(spec: ModelSpecifier, options: LoadOptions): string {
  return JSON.stringify({
    role: spec.role,
    name: spec.name,
    source: sourceIdentity(spec.source),
    dtype: options.dtype ?? null,
    backend: options.backend,
    placement: options.placement ?? 'workers',
    wasmThreads: options.wasmThreads ?? null,
  });
}

/** The dtype a source asks for, overridden by the load options. */
export function wantedDtype(
  source: ModelSource,
  options: Pick<LoadOptions, 'dtype'>,
): Dtype | Record<string, Dtype> {
  return options.dtype ?? source.dtype;
}

/** What a cached URL belongs to, for the cache manager. */
export interface CachedFileKey {
  /** The model's folder URL (hub: `{host}{repo}/resolve/{revision}/`); files of one model share it. */
  group: string;
  kind: 'hub' | 'url' | 'runtime';
  /** For people: `org/name@revision` (and the host when not the default), or the folder path. */
  label: string;
  /** Path inside the model (`onnx/…`). */
  file: string;
  repo?: string;
  revision?: string;
  host?: string;
}

/** Maps a URL stored in the model cache back to its model; `origin` is the app's own origin. */
export function describeCachedUrl(url: string, origin: string): CachedFileKey {
  const u = new URL(url);
  const path = decodeURIComponent(u.pathname);
  const hub = /^(.*?\/)?([^/]+(?:\/[^/]+)?)\/resolve\/([^/]+)\/(.+)$/.exec(path);
  if (/\/ort\/[^/]+\.(wasm|mjs)$/.test(path) || /ort-wasm[^/]*\.(wasm|mjs)$/.test(path)) {
    return {
      group: `${u.origin}/ort/`,
      kind: 'runtime',
      label: 'onnxruntime (WASM)',
      file: path.split('/').pop() ?? path,
    };
  }
  if (hub) {
    const [, prefix = '/', repo = '', revision = '', file = ''] = hub;
    const host = `${u.origin}${prefix}`;
    const def = host === DEFAULT_HUB_HOST;
    return {
      group: `${host}${repo}/resolve/${revision}/`,
      kind: 'hub',
      label: `${repo}@${revision}${def ? '' : ` (${u.host})`}`,
      file,
      repo,
      revision,
      host,
    };
  }
  const onnx = path.lastIndexOf('/onnx/');
  const cut = onnx >= 0 ? onnx + 1 : path.lastIndexOf('/') + 1;
  const base = path.slice(0, cut);
  const own = u.origin === origin;
  return {
    group: `${u.origin}${base}`,
    kind: 'url',
    label: own ? base : `${u.origin}${base}`,
    file: path.slice(cut),
  };
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '?';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${units[i]}`;
}
