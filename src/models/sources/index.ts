/**
 * Model sources in a worker: a hub repo (any host: the hub or a mirror), a folder URL, or a folder
 * the user picked. `prepareSource` points transformers.js at the files and returns the model id to
 * load, a progress adapter and an error explainer; in the browser every kind goes through the file
 * layer (./layer.ts).
 */
import { env } from '@huggingface/transformers';
import type { FileFailureInfo, FileProgress, FileSource, ModelSpecifier } from '../../core/protocol';
import { DownloadError, folderMissingError, statusError } from './errors';
import { installSourceLayer, layerAvailable, registerTarget, type Target } from './layer';
import { folderUrl, normalizeHost } from './hub';
import { localFolderId } from './identity';

/** transformers.js' own default host, as the library was loaded. */
const LIBRARY_HOST = env.remoteHost;
const PATH_TEMPLATE = '{model}/resolve/{revision}/';

/** One progress report of transformers.js. */
export interface LibraryProgress {
  status: string;
  file?: string;
  loaded?: number;
  total?: number;
}

export interface PreparedSource {
  /** The model id to give `from_pretrained`. */
  id: string;
  revision?: string;
  /**
   * Adapts transformers.js' progress reports (per-file bytes with their source, at most every 100 ms
   * per file) and makes `onProgress` hear of failed files too (a progress event with `failure`).
   */
  progress(onProgress: (p: FileProgress) => void): (p: LibraryProgress) => void;
  /** The error to report for a failed load: a DownloadError naming the file when a file is to blame. */
  explain(e: unknown): unknown;
}

/**
 * Points transformers.js (this worker's `env`) at a model's files. Loads of different source kinds
 * in one worker must not overlap: the library's locations are global.
 */
export function prepareSource(spec: ModelSpecifier): PreparedSource {
  const browser = layerAvailable();
  if (browser) installSourceLayer();
  const s = spec.source;
  let sink: ((p: FileProgress) => void) | null = null;
  const bytes = new Map<string, { loaded: number; total: number }>();
  const report = (file: string, failure: FileFailureInfo) => {
    const b = bytes.get(file) ?? { loaded: 0, total: 0 };
    sink?.({ role: spec.role, file, ...b, failure });
  };
  let id: string;
  let revision: string | undefined;
  let target: Target | null = null;
  const newTarget = (key: string, prefix: string | null, extra: Partial<Target> = {}): Target =>
    registerTarget({
      key,
      role: spec.role,
      prefix,
      expected: new Map(),
      statuses: new Map(),
      sources: new Map(),
      onFailure: report,
      ...extra,
    });

  if (s.kind === 'hub') {
    const host = normalizeHost(s.host ?? LIBRARY_HOST);
    revision = s.revision || 'main';
    env.remoteHost = host;
    env.remotePathTemplate = PATH_TEMPLATE;
    env.allowRemoteModels = true;
    // A hub id must never be tried as a path on our own server first.
    env.allowLocalModels = false;
    id = s.repo;
    if (browser)
      target = newTarget(`${spec.role}:hub`, `${host}${s.repo}/resolve/${encodeURIComponent(revision)}/`);
  } else if (s.kind === 'url') {
    // A URL (or, in Node, a folder) holding the model's files: its parent is the "local model path".
    const base = s.baseUrl.replace(/\/+$/, '');
    const cut = base.lastIndexOf('/');
    const parent = base.slice(0, cut + 1);
    id = base.slice(cut + 1);
    env.allowLocalModels = true;
    // Never fall back to a hub for a missing file of a folder.
    env.allowRemoteModels = false;
    if (browser) {
      // transformers.js reads "local" files from a path: our own origin's path, or a full URL elsewhere.
      const abs = new URL(parent, self.location.href);
      env.localModelPath = abs.origin === self.location.origin ? abs.pathname : abs.href;
      target = newTarget(`${spec.role}:url`, folderUrl(s.baseUrl, self.location.href));
    } else {
      env.localModelPath = parent;
    }
  } else {
    if (!browser) throw new Error(`${spec.name}: a picked folder can only be loaded in the browser`);
    id = localFolderId(s.folder, s.files);
    env.allowLocalModels = true;
    env.allowRemoteModels = false;
    target = newTarget(`${spec.role}:local`, null, {
      localId: id,
      folder: s.folder,
      files: new Map(s.files.map((f) => [f.path, f.file])),
    });
  }

  const t = target;
  return {
    id,
    ...(revision ? { revision } : {}),
    progress(onProgress) {
      sink = onProgress;
      const last = new Map<string, number>();
      return (p) => {
        if (p.status !== 'progress' || !p.file) return;
        const loaded = p.loaded ?? 0;
        const total = p.total ?? 0;
        bytes.set(p.file, { loaded, total });
        const now = performance.now();
        const prev = last.get(p.file);
        if (prev !== undefined && now - prev < 100 && !(total > 0 && loaded >= total)) return;
        last.set(p.file, now);
        const source: FileSource | undefined = t?.sources.get(p.file);
        onProgress({ role: spec.role, file: p.file, loaded, total, ...(source ? { source } : {}) });
      };
    },
    explain(e) {
      let err: DownloadError | null = e instanceof DownloadError ? e : null;
      if (!err && t && e instanceof Error) {
        // transformers.js names the URL or local path it could not get.
        for (const [url, st] of t.statuses) {
          if (e.message.includes(url) || e.message.includes(`"${new URL(url).pathname}"`)) {
            err = statusError(st.file, url, st.status, st.statusText);
            break;
          }
        }
        const local = t.files
          ? new RegExp(`${id.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/([^"]+)"`).exec(e.message)
          : null;
        if (!err && local?.[1]) err = folderMissingError(local[1], t.folder ?? '');
      }
      if (!err) return e;
      report(err.file, err.failure);
      return err;
    },
  };
}

export { DownloadError };
