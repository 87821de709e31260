/** Browser storage of model files: the cache names, and which model a cached URL belongs to. */
import { DEFAULT_HUB_HOST } from './hub';

/** transformers.js' browser cache (`env.cacheKey`): every downloaded model file is stored here. */
export const MODEL_CACHE_NAME = 'transformers-cache';
/** URLs that answered 404, so an optional file missing on the server is known to be missing offline too. */
export const MISSING_CACHE_NAME = 'proxythinker-missing';

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
