/// <reference types="vite-plugin-pwa/vanillajs" />
/**
 * The page's view of model storage: what a trio will download before it is loaded (sizes, what is
 * already cached, the storage quota), the models kept in browser storage (list, delete), persistent
 * storage, load progress folded into per-file and overall bytes, and the PWA's service worker.
 *
 * Downloaded model files live in transformers.js' Cache API cache ('transformers-cache'), written by
 * the model workers; nothing here needs transformers.js itself.
 */
import { registerSW } from 'virtual:pwa-register';
import { MODEL_ROLES, sourceDtype, type Dtype, type ModelRole } from '../core/presets';
import type {
  BackendChoice,
  FileProgress,
  LoadEvent,
  LoadPhase,
  ModelPlan,
  ModelSpecifier,
  PlannedFile,
} from '../core/protocol';
import { toWireError } from '../core/protocol';
import { chooseBackend } from '../models/backend';
import { modelFiles, OPTIONAL_FILES } from '../models/sources/files';
import {
  describeCachedUrl,
  MISSING_CACHE_NAME,
  MODEL_CACHE_NAME,
  type CachedFileKey,
} from '../models/sources/cache';
import { folderUrl, hubPrefix } from '../models/sources/hub';
import { assertReachable } from './pagePolicy';

export { formatBytes } from '../models/sources/bytes';
export { DEFAULT_HUB_HOST, normalizeHost } from '../models/sources/hub';

// ---------------------------------------------------------------------------------------------
// Service worker (PWA)

let updateReady: ((reload?: boolean) => Promise<void>) | null = null;
const updateListeners = new Set<() => void>();

/**
 * Registers the PWA's service worker (production builds). A new version waits until the user
 * applies it (`applyAppUpdate`), so a model load or run is never cut short by a reload.
 */
export function registerServiceWorker(): void {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  const update = registerSW({
    immediate: true,
    onNeedRefresh() {
      updateReady = update;
      for (const l of updateListeners) l();
    },
    onRegisterError(e: unknown) {
      console.warn('service worker registration failed; the app will not work offline', e);
    },
  });
}

/** Calls `listener` when a new version of the app is ready; returns the unsubscribe function. */
export function onAppUpdate(listener: () => void): () => void {
  updateListeners.add(listener);
  if (updateReady) listener();
  return () => updateListeners.delete(listener);
}

/**
 * Activates the waiting version and reloads the page once it is in control. (The plugin's own reload
 * happens only when the page was already controlled when it loaded, not on a first visit.)
 */
export async function applyAppUpdate(): Promise<void> {
  navigator.serviceWorker.addEventListener('controllerchange', () => window.location.reload(), {
    once: true,
  });
  await updateReady?.(false);
}

// ---------------------------------------------------------------------------------------------
// Storage quota and persistence

export interface StorageStatus {
  /** Bytes this origin uses (all storage, not only models); null when the browser does not say. */
  usage: number | null;
  quota: number | null;
  available: number | null;
  /** Whether the browser promised not to evict this origin's storage under pressure. */
  persisted: boolean | null;
}

export async function storageStatus(): Promise<StorageStatus> {
  const s = typeof navigator !== 'undefined' ? navigator.storage : undefined;
  const est = await s?.estimate?.().catch(() => null);
  const persisted = (await s?.persisted?.().catch(() => null)) ?? null;
  const usage = est?.usage ?? null;
  const quota = est?.quota ?? null;
  return {
    usage,
    quota,
    available: usage !== null && quota !== null ? Math.max(0, quota - usage) : null,
    persisted,
  };
}

/** Asks the browser to keep model storage (it may decide without asking the user); true when granted. */
export async function requestPersistentStorage(): Promise<boolean> {
  try {
    return (await navigator.storage?.persist?.()) ?? false;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Cached models

export interface CachedFile {
  url: string;
  file: string;
  /** Bytes, from the stored Content-Length (or the body when that is missing). */
  size: number;
}

export interface CachedModel extends Omit<CachedFileKey, 'file'> {
  files: CachedFile[];
  bytes: number;
}

async function entrySize(cache: Cache, req: Request): Promise<number> {
  const res = await cache.match(req);
  if (!res) return 0;
  const n = Number.parseInt(res.headers.get('content-length') ?? '', 10);
  if (Number.isFinite(n)) return n;
  return (await res.blob()).size;
}

/** Every model with files in browser storage, largest first (onnxruntime's own files, if any, as 'runtime'). */
export async function listCachedModels(): Promise<CachedModel[]> {
  if (typeof caches === 'undefined') return [];
  const cache = await caches.open(MODEL_CACHE_NAME);
  const groups = new Map<string, CachedModel>();
  for (const req of await cache.keys()) {
    const key = describeCachedUrl(req.url, location.origin);
    const size = await entrySize(cache, req);
    const { file, ...rest } = key;
    const g = groups.get(key.group) ?? { ...rest, files: [], bytes: 0 };
    g.files.push({ url: req.url, file, size });
    g.bytes += size;
    groups.set(key.group, g);
  }
  for (const g of groups.values()) g.files.sort((a, b) => a.file.localeCompare(b.file));
  return [...groups.values()].sort((a, b) => b.bytes - a.bytes || a.label.localeCompare(b.label));
}

/** Deletes one model's files (by its group, see CachedModel) from browser storage; returns the bytes freed. */
export async function deleteCachedModel(group: string): Promise<number> {
  const cache = await caches.open(MODEL_CACHE_NAME);
  let freed = 0;
  for (const req of await cache.keys()) {
    if (!req.url.startsWith(group)) continue;
    freed += await entrySize(cache, req);
    await cache.delete(req);
  }
  const missing = await caches.open(MISSING_CACHE_NAME);
  for (const req of await missing.keys()) if (req.url.startsWith(group)) await missing.delete(req);
  return freed;
}

/** Deletes every stored model file. */
export async function clearModelCache(): Promise<void> {
  await caches.delete(MODEL_CACHE_NAME);
  await caches.delete(MISSING_CACHE_NAME);
}

// ---------------------------------------------------------------------------------------------
// Download plan

export interface TrioPlan {
  models: ModelPlan[];
  totalBytes: number;
  downloadBytes: number;
  unknownSizes: number;
  storage: StorageStatus;
  /** Whether the download fits in the free quota; null when either is unknown. */
  fits: boolean | null;
}

export interface PlanOptions {
  backend: BackendChoice;
  /** Overrides the sources' dtypes, as LoadOptions.dtype does. */
  dtype?: Dtype;
}

async function limit<T, U>(items: readonly T[], n: number, f: (t: T) => Promise<U>): Promise<U[]> {
  const out = new Array<U>(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, run));
  return out;
}

/** Size of a remote file without downloading it: a one-byte range request (the hub's way), else its Content-Length. */
async function probe(url: string): Promise<{ size: number | null; missing: boolean }> {
  try {
    const res = await fetch(url, { headers: { Range: 'bytes=0-0' }, cache: 'no-store' });
    let size: number | null = null;
    if (res.status === 206) {
      const m = /\/(\d+)\s*$/.exec(res.headers.get('content-range') ?? '');
      size = m?.[1] ? Number(m[1]) : null;
    } else if (res.ok && !res.headers.get('content-encoding')) {
      const n = Number.parseInt(res.headers.get('content-length') ?? '', 10);
      size = Number.isFinite(n) ? n : null;
    }
    const missing = res.status === 404 || res.status === 410;
    await res.body?.cancel().catch(() => undefined);
    return { size, missing };
  } catch {
    return { size: null, missing: false };
  }
}

async function readConfig(prefix: string, cache: Cache | null): Promise<Record<string, unknown>> {
  const url = `${prefix}config.json`;
  const res = (await cache?.match(url)) ?? (await fetch(url, { cache: 'no-store' }));
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status} from ${url}`);
  return parseConfig(await res.text(), url);
}

/** config.json as an object, or an error that names the file and says what is wrong with it. */
function parseConfig(text: string, where: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new Error(
      `config.json (${where}) is not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
      {
        cause: e,
      },
    );
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new Error(`config.json (${where}) is not a JSON object`);
  return v as Record<string, unknown>;
}

async function planModel(
  spec: ModelSpecifier,
  options: PlanOptions,
  { backend, shaderF16 }: { backend: 'wasm' | 'webgpu'; shaderF16: boolean },
  cache: Cache | null,
): Promise<ModelPlan> {
  const s = spec.source;
  const dtype = options.dtype ?? sourceDtype(s, backend);
  const base: ModelPlan = {
    role: spec.role,
    name: spec.name,
    files: [],
    totalBytes: 0,
    downloadBytes: 0,
    unknownSizes: 0,
  };
  try {
    let files: PlannedFile[];
    if (s.kind === 'local-folder') {
      const byPath = new Map(s.files.map((f) => [f.path, f.file]));
      const configFile = byPath.get('config.json');
      if (!configFile) throw new Error(`the folder "${s.folder}" has no config.json`);
      const config = parseConfig(await configFile.text(), `folder "${s.folder}"`);
      files = modelFiles(config, dtype, shaderF16).flatMap((file) => {
        const f = byPath.get(file);
        if (!f && OPTIONAL_FILES.has(file)) return [];
        return [{ file, size: f?.size ?? null, cached: true, ...(f ? {} : { missing: true }) }];
      });
    } else {
      const prefix =
        s.kind === 'hub' ? hubPrefix(s.host, s.repo, s.revision) : folderUrl(s.baseUrl, location.href);
      await assertReachable(prefix, 'the host');
      const config = await readConfig(prefix, cache);
      const list = modelFiles(config, dtype, shaderF16);
      files = (
        await limit(list, 6, async (file): Promise<PlannedFile | null> => {
          const url = `${prefix}${file}`;
          const hit = await cache?.match(url);
          if (hit) {
            const n = Number.parseInt(hit.headers.get('content-length') ?? '', 10);
            return { file, size: Number.isFinite(n) ? n : null, cached: true };
          }
          const p = await probe(url);
          if (p.missing && OPTIONAL_FILES.has(file)) return null;
          return { file, size: p.size, cached: false, ...(p.missing ? { missing: true } : {}) };
        })
      ).filter((f): f is PlannedFile => f !== null);
    }
    base.files = files;
  } catch (e) {
    base.error = toWireError(e);
  }
  for (const f of base.files) {
    if (f.size === null) base.unknownSizes++;
    base.totalBytes += f.size ?? 0;
    if (!f.cached) base.downloadBytes += f.size ?? 0;
  }
  return base;
}

/**
 * What loading this trio will download: each model's files with their sizes (a range request each,
 * or the stored size when cached), and the storage quota they must fit in.
 */
export async function planDownload(
  specs: readonly ModelSpecifier[],
  options: PlanOptions,
): Promise<TrioPlan> {
  // The backend the model workers will choose (src/models/backend.ts); WebGPU without an adapter plans for WASM.
  const [predicted, storage] = await Promise.all([chooseBackend(options.backend, false), storageStatus()]);
  const cache = typeof caches !== 'undefined' ? await caches.open(MODEL_CACHE_NAME).catch(() => null) : null;
  const models = await Promise.all(specs.map((s) => planModel(s, options, predicted, cache)));
  const sum = (f: (m: ModelPlan) => number) => models.reduce((a, m) => a + f(m), 0);
  const downloadBytes = sum((m) => m.downloadBytes);
  return {
    models,
    totalBytes: sum((m) => m.totalBytes),
    downloadBytes,
    unknownSizes: sum((m) => m.unknownSizes),
    storage,
    fits: storage.available === null ? null : downloadBytes <= storage.available,
  };
}

// ---------------------------------------------------------------------------------------------
// Load progress

/** One file's latest progress event (total 0 while unknown). */
export type FileState = FileProgress;

export interface ModelLoadState {
  role: ModelRole;
  phase: LoadPhase | 'waiting' | 'failed';
  files: FileState[];
  loaded: number;
  total: number;
  /** The fatal failure, when a file failed. */
  failure?: FileState;
  /** Files that could not be kept in browser storage (not fatal). */
  notStored: FileState[];
}

export interface LoadSummary {
  models: Record<ModelRole, ModelLoadState>;
  /** Bytes read so far over all files (network, cache and disk) and their total. */
  loaded: number;
  total: number;
  /** Bytes downloaded so far, and the download's total (from the plan when given, else from the files seen). */
  downloaded: number;
  downloadTotal: number;
}

/**
 * Folds load events into per-file, per-model and overall bytes. With a plan, files not started yet
 * count in the totals too, so the overall bar does not jump back as files start.
 */
export function summarizeLoad(events: readonly LoadEvent[], plan?: TrioPlan | null): LoadSummary {
  const files = new Map<string, FileState>();
  const phases = new Map<ModelRole, LoadPhase>();
  for (const e of events) {
    if (e.type === 'phase') phases.set(e.role, e.phase);
    else if (e.type === 'loaded') phases.set(e.info.role, 'ready');
    else if (e.type === 'progress') {
      const key = `${e.role}\u0000${e.file}`;
      const prev = files.get(key);
      const next: FileState = {
        role: e.role,
        file: e.file,
        loaded: e.failure ? (prev?.loaded ?? e.loaded) : Math.max(e.loaded, prev?.loaded ?? 0),
        total: e.total || prev?.total || 0,
        ...((e.source ?? prev?.source) ? { source: e.source ?? prev?.source } : {}),
        ...((e.failure ?? prev?.failure) ? { failure: e.failure ?? prev?.failure } : {}),
      };
      files.set(key, next);
    }
  }
  for (const m of plan?.models ?? []) {
    for (const f of m.files) {
      const key = `${m.role}\u0000${f.file}`;
      const seen = files.get(key);
      if (!seen)
        files.set(key, {
          role: m.role,
          file: f.file,
          loaded: 0,
          total: f.size ?? 0,
          ...(f.cached ? {} : { source: 'network' as const }),
        });
      else if (!seen.total && f.size) seen.total = f.size;
    }
  }
  const models = {} as Record<ModelRole, ModelLoadState>;
  for (const role of MODEL_ROLES)
    models[role] = {
      role,
      phase: phases.get(role) ?? 'waiting',
      files: [],
      loaded: 0,
      total: 0,
      notStored: [],
    };
  let downloaded = 0;
  let seenDownloadTotal = 0;
  for (const f of files.values()) {
    const m = models[f.role];
    m.files.push(f);
    m.loaded += f.loaded;
    m.total += f.total;
    if (f.failure?.fatal) {
      m.failure = f;
      if (m.phase !== 'ready') m.phase = 'failed';
    } else if (f.failure) m.notStored.push(f);
    if (f.source === 'network') {
      downloaded += f.loaded;
      seenDownloadTotal += f.total;
    }
  }
  for (const m of Object.values(models)) m.files.sort((a, b) => a.file.localeCompare(b.file));
  const all = Object.values(models);
  return {
    models,
    loaded: all.reduce((a, m) => a + m.loaded, 0),
    total: all.reduce((a, m) => a + m.total, 0),
    downloaded,
    downloadTotal: plan ? Math.max(plan.downloadBytes, downloaded) : seenDownloadTotal,
  };
}
