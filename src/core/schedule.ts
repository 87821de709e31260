/**
 * How the three models share the CPU on WASM when the caller does not say (see docs/bench.md).
 *
 * Threads: the base model's worker gets every core, the expert's and the amateur's half the cores
 * each (at least one), with onnxruntime's idle-thread spinning off (an idle pool that spins steals
 * cores from the one that works). The small pair steps side by side in two of the three orders
 * (base-first, concurrent), where half the cores each fill the machine; with every core each they
 * oversubscribed it (bench trio, 2 cores, q8: 42 ms per guided token with 2/2/2 threads against
 * 31 with 2/1/1; docs/bench.md). onnxruntime-web fixes a worker's thread
 * count when its first session is created, so threads are set before loading; the stepping order
 * can change at any time, so the engine times a few decode steps of each order on the machine it
 * runs on, once at load, and keeps the fastest — one choice for guided runs (one row per model) and
 * one for side-by-side (the base model carries two rows) — and keeps it right during runs
 * (./steppingTuner.ts). Every order stays selectable (LoadOptions.stepping).
 */
import type { ModelRole } from './presets';
import { median } from './median';
import type { Backend, Placement, PlacementChoice, Stepping, SteppingChoice } from './protocol';

/** Every stepping order, in the order a tie is broken (the first wins). */
export const STEPPINGS: readonly Stepping[] = ['sequential', 'base-first', 'alongside', 'concurrent', 'base-lead'];

export interface WasmSchedule {
  threads: Record<ModelRole, number>;
}

/** Threads per model worker for the engine's own schedule: every core for the base, half for each small model. */
export function autoWasmSchedule(cores: number): WasmSchedule {
  const c = Math.max(1, Math.floor(cores));
  const half = Math.max(1, Math.floor(c / 2));
  return { threads: { base: c, expert: half, amateur: half } };
}

/**
 * The fastest stepping order from timed decode steps (ms per step, warm-up steps already left
 * out): the lowest median; a tie (within 1 %) goes to the earlier order of STEPPINGS. Orders
 * without samples are not candidates.
 */
export function chooseStepping(samples: Partial<Record<Stepping, readonly number[]>>, what: string): SteppingChoice {
  const measuredMs: Partial<Record<Stepping, number>> = {};
  for (const s of STEPPINGS) {
    const xs = samples[s];
    if (xs && xs.length) measuredMs[s] = Math.round(median(xs) * 10) / 10;
  }
  const ranked = STEPPINGS.filter((s) => measuredMs[s] !== undefined && Number.isFinite(measuredMs[s]));
  const best = ranked.reduce<Stepping | null>((b, s) => (b === null || (measuredMs[s] ?? Infinity) < (measuredMs[b] ?? Infinity) * 0.99 ? s : b), null);
  if (best === null) throw new Error(`no timed steps to choose a stepping order for ${what}`);
  const others = ranked.filter((s) => s !== best).map((s) => `${s} ${measuredMs[s]} ms`);
  const why = `${what}: ${best} measured ${measuredMs[best]} ms per step at load${others.length ? ` (${others.join(', ')})` : ''}`;
  return { stepping: best, measuredMs, why };
}

/**
 * Up to this many cores, on WASM, the three models share one model worker (one onnxruntime
 * instance, every core for each model in turn) instead of a worker each. Measured on 2 cores (bench
 * trio, q8): 20–23 ms per guided token in one instance against 22–27 ms for three workers in their
 * fastest order; three workers stepped one after another, 2 threads each, took 54–58 ms (docs/bench.md,
 * "One worker where cores are few"). Above 2 cores it is the bench's model of more cores
 * (g4_analysis.more_cores): with the overhead the workers showed here carried over, one instance is
 * ahead at 4 and 8 cores and a worker each at 16; without it a worker each would win everywhere. The
 * overhead (oversubscribed threads, messaging) persists with the workers' thread plan (2c threads on
 * c cores), so the threshold follows the model that includes it. Timing both at load would mean
 * loading the trio twice.
 */
export const ONE_WORKER_MAX_CORES = 8;

export interface PlacementInput {
  /** The caller's placement (LoadOptions.placement), if any. */
  asked: Placement | undefined;
  /** The backend the models will use (resolved from 'auto'). */
  backend: Backend;
  /** Logical cores the browser reports; null outside a browser. */
  cores: number | null;
  /** The caller gave thread counts per model (LoadOptions.wasmThreadsByRole): only separate workers can have them. */
  perModelThreads?: boolean;
}

/** Where the models run when the caller does not say: one worker on WASM with few cores, else a worker each. */
export function choosePlacement({ asked, backend, cores, perModelThreads }: PlacementInput): PlacementChoice {
  if (asked) return { placement: asked, why: `${asked}, as the load options asked` };
  if (backend === 'webgpu') return { placement: 'workers', why: 'WebGPU: a worker per model' };
  if (perModelThreads) return { placement: 'workers', why: 'a worker per model, for the thread counts per model the load options gave' };
  if (cores === null) return { placement: 'workers', why: 'a worker per model (outside a browser the cores are not known)' };
  if (cores <= ONE_WORKER_MAX_CORES)
    return {
      placement: 'one-worker',
      why: `WASM on ${cores} core${cores === 1 ? '' : 's'}: one worker, the models one after another with every core (faster than a worker each where cores are few)`,
    };
  return { placement: 'workers', why: `WASM on ${cores} cores: a worker per model, so that they can step at the same time` };
}
