/** Per-model loading status, and the pure function folding load events into it. */
import { MODEL_ROLES, type ModelRole } from '../core/presets';
import type { FileFailureInfo, FileSource, LoadEvent, LoadPhase, ModelInfo } from '../core/protocol';

export interface FileBytes {
  loaded: number;
  /** 0 when the server did not say (no content-length). */
  total: number;
  /** Downloaded, from browser storage, or from the user's disk. */
  source?: FileSource;
  /** Why the file failed (fatal) or could not be stored (not fatal). */
  failure?: FileFailureInfo;
}

/** A loaded model that can no longer run: its worker died or its GPU device was lost. */
export interface StoppedModel {
  name: string;
  message: string;
}

export interface ModelLoadView {
  phase: LoadPhase | 'waiting';
  files: Record<string, FileBytes>;
  info: ModelInfo | null;
  /** Set when the model stopped during a run; cleared by loading the trio again. */
  stopped: StoppedModel | null;
}

export type ModelsView = Record<ModelRole, ModelLoadView>;

export function emptyModelsView(): ModelsView {
  const v = {} as ModelsView;
  for (const r of MODEL_ROLES) v[r] = { phase: 'waiting', files: {}, info: null, stopped: null };
  return v;
}

export function applyLoadEvents(view: ModelsView, events: readonly LoadEvent[]): ModelsView {
  if (events.length === 0) return view;
  const next = { ...view };
  const touched = new Set<ModelRole>();
  const model = (role: ModelRole): ModelLoadView => {
    if (!touched.has(role)) {
      next[role] = { ...next[role], files: { ...next[role].files } };
      touched.add(role);
    }
    return next[role];
  };
  for (const e of events) {
    if (e.type === 'progress') {
      const m = model(e.role);
      const before = m.files[e.file];
      const source = e.source ?? before?.source;
      const failure = e.failure ?? before?.failure;
      m.files[e.file] = {
        loaded: e.loaded,
        total: e.total,
        ...(source ? { source } : {}),
        ...(failure ? { failure } : {}),
      };
      if (m.phase === 'waiting') m.phase = 'download';
    } else if (e.type === 'phase') {
      model(e.role).phase = e.phase;
    } else {
      const m = model(e.info.role);
      m.info = e.info;
      m.phase = 'ready';
    }
  }
  return next;
}

/** Bytes downloaded and expected over all files of one model (expected 0 when unknown). */
export function totalBytes(m: ModelLoadView): FileBytes {
  let loaded = 0;
  let total = 0;
  for (const f of Object.values(m.files)) {
    loaded += f.loaded;
    total += f.total;
  }
  return { loaded, total };
}

/**
 * The view as the load events that would rebuild it: one progress event per file (its latest bytes,
 * source and failure), each model's phase and its info. The shared LoadProgress component reads
 * events; the store keeps only this folded view, so a long download does not pile events up.
 */
export function loadEventsOf(view: ModelsView): LoadEvent[] {
  const out: LoadEvent[] = [];
  for (const role of MODEL_ROLES) {
    const m = view[role];
    for (const [file, f] of Object.entries(m.files))
      out.push({
        type: 'progress',
        role,
        file,
        loaded: f.loaded,
        total: f.total,
        ...(f.source ? { source: f.source } : {}),
        ...(f.failure ? { failure: f.failure } : {}),
      });
    if (m.info) out.push({ type: 'loaded', info: m.info });
    else if (m.phase !== 'waiting') out.push({ type: 'phase', role, phase: m.phase });
  }
  return out;
}
