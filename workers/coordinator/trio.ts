/** Loading a trio: all three models at once, then the checks that make their logits mergeable. */
import { sharedVocabSize, assertSameTokenizer, modelsAtFault } from '../../src/core/vocab';
import type {
  LoadEvent,
  LoadOptions,
  ModelInfo,
  ModelSpecifier,
  ModelWorkerApi,
  PlacementChoice,
  TrioSchedule,
} from '../../src/core/protocol';
import type { ModelRole } from '../../src/core/presets';
import { loadKey } from '../../src/models/sources/identity';
import { autoWasmSchedule, choosePlacement, STEPPINGS, type WasmSchedule } from '../../src/core/schedule';
import { chooseBackend } from '../../src/models/backend';
import { classifyRuntimeError } from '../../src/core/runtimeErrors';
import { formatBytes, HEAP_RESERVE } from '../../src/core/memoryAdvice';
import { SteppingTuner } from '../../src/core/steppingTuner';
import { calibrate, fixedSchedule } from './calibrate';

export interface ModelHandle {
  api: ModelWorkerApi;
  /** Ends the model's worker (a stuck load or a lost device; its calls fail saying `why`); in-thread it disposes the model. */
  terminate: (why?: string) => void;
  /** Why the model can take no more calls (its worker died or was ended); null while it can. */
  stopped?: () => Error | null;
}

export interface TrioModel {
  handle: ModelHandle;
  info: ModelInfo;
  /** What it was loaded from and with: Load again loads the same into a new worker. */
  spec: ModelSpecifier;
  options: LoadOptions;
  /** Set when it stopped (worker died, device lost, onnxruntime failed): it takes no runs until loaded again. */
  dead?: Error;
}

/**
 * Why a model takes no runs until loaded again, or undefined: it failed, or its worker stopped (in
 * the one-worker placement a crash stops the models the run did not use too).
 */
export function stoppedWhy(m: TrioModel): Error | undefined {
  return m.dead ?? m.handle.stopped?.() ?? undefined;
}

export interface LoadedTrio {
  models: Map<ModelRole, TrioModel>;
  /** Ids every model covers: the only ids merged and sampled. */
  vocab: number;
  /** How a decode step runs the models, per kind of run (one after another in the single-thread naive loop). */
  schedule: TrioSchedule;
  /** The order kept right during runs, per kind of run; null when the load options fixed it. */
  tuners: { guided: SteppingTuner; sideBySide: SteppingTuner } | null;
}

type Parked = Map<ModelRole, { key: string; handle: ModelHandle; info: ModelInfo }>;
/**
 * Models that loaded while another model of their trio failed, per spawner (one engine): kept
 * loaded so that retrying the same trio only loads the model that failed.
 */
const parkedBySpawner = new WeakMap<object, Parked>();

/** Ends the models kept for a retry (loadTrio does so itself for models the new trio does not reuse). */
export function releaseParked(spawn: object): void {
  for (const p of parkedBySpawner.get(spawn)?.values() ?? []) p.handle.terminate();
  parkedBySpawner.delete(spawn);
}

export async function loadTrio(
  specs: ModelSpecifier[],
  options: LoadOptions,
  spawn: (role: ModelRole, options: LoadOptions) => ModelHandle,
  onEvent: (e: LoadEvent) => void,
): Promise<LoadedTrio> {
  const placement = choosePlacement({
    asked: options.placement,
    backend: (await chooseBackend(options.backend, false)).backend,
    cores: browserCores(),
    perModelThreads: options.wasmThreadsByRole !== undefined,
  });
  if (options.placement || placement.placement !== 'one-worker') return loadPlaced(specs, options, placement, spawn, onEvent);
  try {
    return await loadPlaced(specs, options, placement, spawn, onEvent);
  } catch (e) {
    // The engine's own choice did not fit one WebAssembly heap: a worker (and a heap) per model.
    if (classifyRuntimeError(e) !== 'out-of-memory') throw e;
    releaseParked(spawn);
    const fallback: PlacementChoice = {
      placement: 'workers',
      why: `a worker per model: the three did not fit one worker's memory (${e instanceof Error ? e.message : String(e)})`,
    };
    return loadPlaced(specs, options, fallback, spawn, onEvent);
  }
}

async function loadPlaced(
  specs: ModelSpecifier[],
  asked: LoadOptions,
  placement: PlacementChoice,
  spawn: (role: ModelRole, options: LoadOptions) => ModelHandle,
  onEvent: (e: LoadEvent) => void,
): Promise<LoadedTrio> {
  let options: LoadOptions = { ...asked, placement: placement.placement };
  const schedule = autoSchedule(options);
  if (schedule) options = { ...options, wasmThreadsByRole: schedule.threads };
  // One onnxruntime instance for the three: every core for each model in turn.
  const cores = browserCores();
  if (placement.placement === 'one-worker') {
    const { wasmThreadsByRole: _perModel, ...rest } = options;
    options = { ...rest, ...(options.wasmThreads || cores === null ? {} : { wasmThreads: cores }) };
  }
  const roles = new Set(specs.map((s) => s.role));
  if (roles.size !== specs.length)
    throw new Error('each role (base, expert, amateur) may appear once in a trio');
  const keys = new Map(specs.map((s) => [s.role, loadKey(s, optionsFor(s.role, options))]));
  const parked: Parked = parkedBySpawner.get(spawn) ?? new Map();
  parkedBySpawner.set(spawn, parked);
  for (const [role, p] of parked) {
    if (keys.get(role) !== p.key) {
      p.handle.terminate();
      parked.delete(role);
    }
  }
  // In-thread models share one onnxruntime instance, whose WebGPU set-up crashes ("memory access out
  // of bounds") when three sessions are created at once: they load one after another.
  let queue: Promise<unknown> = Promise.resolve();
  // One shared heap: once the models loaded so far show the rest will not fit, the others do not load.
  let full: Error | null = null;
  let inHeap = 0;
  const inTurn = <T>(f: () => Promise<T>): Promise<T> => {
    if (options.placement === 'workers') return f();
    const p = queue.then(f);
    queue = p.catch(() => undefined);
    return p;
  };
  const settled = await Promise.allSettled(
    specs.map(async (spec) => {
      const own = optionsFor(spec.role, options);
      const kept = parked.get(spec.role);
      if (kept) {
        parked.delete(spec.role);
        onEvent({ type: 'phase', role: spec.role, phase: 'ready' });
        onEvent({ type: 'loaded', info: kept.info });
        return { spec, options: own, handle: kept.handle, info: kept.info };
      }
      const { handle, info } = await inTurn(async () => {
        if (full) throw full;
        const loaded = await loadOne(spec, own, spawn, onEvent);
        if (placement.placement === 'one-worker') full = heapFull(loaded.info, ++inHeap, specs.length);
        if (full) loaded.handle.terminate();
        return full ? Promise.reject(full) : loaded;
      });
      return { spec, options: own, handle, info };
    }),
  );
  const models: LoadedTrio['models'] = new Map();
  const failures: Error[] = [];
  for (const s of settled) {
    if (s.status === 'fulfilled') models.set(s.value.spec.role, s.value);
    else if (!failures.includes(s.reason)) failures.push(s.reason instanceof Error ? s.reason : new Error(String(s.reason)));
  }
  if (failures.length > 0) {
    // The models that did load stay loaded for a retry of the same trio.
    for (const [role, m] of models)
      parked.set(role, { key: keys.get(role) ?? '', handle: m.handle, info: m.info });
    const [first] = failures;
    if (failures.length === 1 && first) throw first;
    const e = new Error(failures.map((f) => `${f.name}: ${f.message}`).join('; '));
    e.name = first?.name ?? 'Error';
    throw e;
  }
  const infos = [...models.values()].map((m) => m.info);
  try {
    const vocab = mergeableVocab(infos);
    const trio: LoadedTrio = { models, vocab, schedule: { placement, ...fixedSchedule('concurrent', 'not yet timed') }, tuners: null };
    const stepping =
      options.placement === 'single-thread'
        ? fixedSchedule('sequential', 'single-thread placement: the models run one after another in one thread')
        : options.placement === 'one-worker'
          ? // The worker runs them one after another in any case; sent together, none waits for a reply to start.
            fixedSchedule('concurrent', 'one worker: the models take turns in it, their steps sent together')
          : options.stepping
            ? fixedSchedule(options.stepping, `${options.stepping}, as the load options asked`)
            : cores === null
              ? fixedSchedule('concurrent', 'concurrent: not timed outside a browser')
              : await calibrate(trio).catch((e: unknown) =>
                  // A model that fails here fails its first run too, with its own error.
                  fixedSchedule('concurrent', `concurrent: timing the orders at load failed (${e instanceof Error ? e.message : String(e)})`),
                );
    trio.schedule = { placement, ...stepping };
    // An order the engine chose (not one the load options fixed) is kept right during runs.
    if (options.placement === 'workers' && !options.stepping) {
      const { guided, sideBySide } = trio.schedule;
      trio.tuners = {
        guided: new SteppingTuner(guided.stepping, STEPPINGS, guided.why),
        sideBySide: new SteppingTuner(sideBySide.stepping, STEPPINGS, sideBySide.why),
      };
    }
    for (const [role, m] of models) {
      const wasmThreads = optionsFor(role, options).wasmThreads ?? null;
      m.info = { ...m.info, wasmThreads, stepping: trio.schedule.guided.stepping, schedule: trio.schedule };
    }
    return trio;
  } catch (e) {
    // The models the check does not blame stay loaded, so a retry with the culprit replaced loads only it.
    const entries = [...models];
    const blamed = new Set(
      modelsAtFault(
        entries.map(([, m]) => ({
          name: m.info.name,
          fingerprint: m.info.tokenizerFingerprint,
          size: m.info.tokenizerSize,
          rows: m.info.vocabRows,
        })),
      ),
    );
    entries.forEach(([role, m], i) => {
      if (blamed.has(i)) m.handle.terminate();
      else parked.set(role, { key: keys.get(role) ?? '', handle: m.handle, info: m.info });
    });
    throw e;
  }
}

/**
 * In one shared heap, after the `loaded`-th of `total` models: an out-of-memory error when the heap
 * so far plus the models still to load, each taken as large as the heap's mean growth per model so far,
 * would pass the heap's limit (less its reserve); else null. Spares loading models that cannot fit
 * (a real 3B trio in one 4 GB heap) before the engine loads them a worker each.
 */
function heapFull(info: ModelInfo, loaded: number, total: number): Error | null {
  const { heapAfterLoad: heap, heapLimit: limit } = info.memory;
  if (heap === null || limit === null) return null;
  const projected = heap + ((total - loaded) * heap) / loaded;
  if (projected <= limit * (1 - HEAP_RESERVE)) return null;
  const e = new Error(
    `out of memory: ${loaded} of ${total} models hold ${formatBytes(heap)} of one worker's heap; with the rest, about ${formatBytes(projected)}, past its ${formatBytes(limit)}`,
  );
  e.name = 'OutOfMemoryError';
  return e;
}

/** One model into a new worker; the worker is ended when the load fails. */
async function loadOne(
  spec: ModelSpecifier,
  options: LoadOptions,
  spawn: (role: ModelRole, options: LoadOptions) => ModelHandle,
  onEvent: (e: LoadEvent) => void,
): Promise<{ handle: ModelHandle; info: ModelInfo }> {
  const handle = spawn(spec.role, options);
  try {
    const info = await handle.api.load(spec, options, (p) =>
      onEvent('phase' in p ? { type: 'phase', role: p.role, phase: p.phase } : { type: 'progress', ...p }),
    );
    onEvent({ type: 'loaded', info });
    return { handle, info };
  } catch (e) {
    handle.terminate();
    throw named(e, `${spec.name} (${spec.role})`);
  }
}

/** The ids every model of the trio covers, after checking they share one tokenizer. */
function mergeableVocab(infos: ModelInfo[]): number {
  assertSameTokenizer(infos.map((i) => ({ name: i.name, fingerprint: i.tokenizerFingerprint, size: i.tokenizerSize, family: i.family })));
  return sharedVocabSize(
    infos[0]?.tokenizerSize ?? 0,
    infos.map((i) => ({ name: i.name, rows: i.vocabRows })),
  );
}

/**
 * Load again after models stopped: each stopped model's worker is ended and a new one loads the
 * same files with the same options (browser storage, no download); the other models are left as
 * they are. The trio is updated in place, model by model, as each load succeeds.
 */
export async function reloadDead(
  trio: LoadedTrio,
  spawn: (role: ModelRole, options: LoadOptions) => ModelHandle,
  onEvent: (e: LoadEvent) => void,
): Promise<void> {
  const dead = [...trio.models].filter(([, m]) => stoppedWhy(m));
  const settled = await Promise.allSettled(
    dead.map(async ([role, m]) => {
      m.handle.terminate();
      const { handle, info } = await loadOne(m.spec, m.options, spawn, onEvent);
      const kept = { ...info, wasmThreads: m.info.wasmThreads ?? null, stepping: m.info.stepping ?? 'concurrent', schedule: trio.schedule };
      const { dead: _stopped, ...rest } = m;
      trio.models.set(role, { ...rest, handle, info: kept });
      return kept;
    }),
  );
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason instanceof Error ? s.reason : new Error(String(s.reason))] : []));
  const [first] = failures;
  if (first) throw first;
  mergeableVocab([...trio.models.values()].map((m) => m.info));
}

/**
 * The engine's own WASM threads (src/core/schedule.ts) when the caller set none: model workers in a
 * browser that may run on WASM.
 */
function autoSchedule(options: LoadOptions): WasmSchedule | null {
  if (options.placement !== 'workers' || options.backend === 'webgpu') return null;
  if (options.wasmThreads || options.wasmThreadsByRole) return null;
  const cores = browserCores();
  return cores === null ? null : autoWasmSchedule(cores);
}

/** The browser's logical core count; null outside a browser page or worker (Node tests, CLI helpers). */
function browserCores(): number | null {
  const g = globalThis as { document?: unknown; WorkerGlobalScope?: unknown; navigator?: { hardwareConcurrency?: number } };
  if (g.document === undefined && g.WorkerGlobalScope === undefined) return null;
  const cores = g.navigator?.hardwareConcurrency;
  return typeof cores === 'number' ? cores : null;
}

/** One model's load options: its own WASM thread count when the trio's options give one per role. */
export function optionsFor(role: ModelRole, options: LoadOptions): LoadOptions {
  const threads = options.wasmThreadsByRole?.[role];
  return threads ? { ...options, wasmThreads: threads } : options;
}

/** Prefixes an error's message with the model it came from; keeps its name. */
function named(e: unknown, who: string): Error {
  const err = new Error(`${who}: ${e instanceof Error ? e.message : String(e)}`);
  err.name = e instanceof Error ? e.name : 'Error';
  if (e instanceof Error && e.stack)
    err.stack = `${err.name}: ${err.message}\n${e.stack.split('\n').slice(1).join('\n')}`;
  return err;
}
