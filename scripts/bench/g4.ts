/**
 * Why G4 (guided in three workers vs the naive loop with every core per model) is what it is: each
 * model's step time at 1 thread and at all threads (both from the naive loops, where one model runs
 * at a time), the work per token, and the lower bound no schedule can beat on this many cores.
 */
import { median } from '../cli/generate';
import type { BackendPlan } from './args';
import type { RunFigures } from './measure';
import { ONE_WORKER_MAX_CORES } from '../../src/core/schedule';

type Round = Partial<Record<string, RunFigures>>;
const ROLES = ['base', 'expert', 'amateur'] as const;
const r1 = (x: number | null) => (x === null || !Number.isFinite(x) ? null : Math.round(x * 10) / 10);
const r3 = (x: number | null) => (x === null || !Number.isFinite(x) ? null : Math.round(x * 1000) / 1000);

export interface G4Analysis {
  cores: number;
  /** Median step time of each model alone on the CPU, at 1 thread and at the naive loop's threads. */
  step_ms_1t: Record<string, number | null>;
  step_ms_all_threads: Record<string, number | null>;
  naive_threads: number;
  /** Step at 1 thread / step at n threads / n: 1.0 is perfect scaling. */
  thread_efficiency: Record<string, number | null>;
  /** Σ step at 1 thread: CPU work per token if nothing is lost to threading. */
  work_ms_per_token: number | null;
  /** work / cores: no schedule of these three models can decode faster on this machine. */
  bound_ms_per_token: number | null;
  /** Measured per-token decode times (medians over rounds). */
  t_ms: Record<string, number | null>;
  /** Measured CPU time of Chromium per token (medians over rounds). */
  cpu_ms_per_token: Record<string, number | null>;
  /** bound / t_naive: the best G4 any schedule could reach here. */
  best_possible_G4: number | null;
  explanation: string;
}

export function g4Analysis(rounds: Round[], plan: BackendPlan, cores: number): G4Analysis | null {
  if (plan.backend !== 'wasm') return null;
  const med = (f: (x: Round) => number | null | undefined) =>
    median(rounds.map((x) => f(x) ?? NaN).filter(Number.isFinite));
  const step = (config: string) =>
    Object.fromEntries(ROLES.map((r) => [r, r1(med((x) => x[config]?.model_step_ms[r]))]));
  const one = step('naive_same_threads');
  const all = step('naive');
  const eff = Object.fromEntries(
    ROLES.map((r) => {
      const a = one[r];
      const b = all[r];
      return [r, a && b ? r3(a / b / plan.naiveThreads) : null];
    }),
  );
  const parts = ROLES.map((r) => one[r]);
  const work = parts.every((p) => p !== null) ? parts.reduce<number>((s, p) => s + (p ?? 0), 0) : null;
  const bound = work === null ? null : work / Math.max(1, cores);
  const configs = ['guided', 'guided_workers', 'guided_concurrent_1t', 'naive', 'naive_same_threads', 'base'];
  const t = Object.fromEntries(configs.map((c) => [c, r1(med((x) => x[c]?.per_token_ms))]));
  const cpu = Object.fromEntries(configs.map((c) => [c, r1(med((x) => x[c]?.cpu_ms_per_token))]));
  const best = bound !== null && t.naive ? bound / t.naive : null;
  const explanation =
    work === null || bound === null
      ? 'the naive loops did not run: no analysis'
      : `On ${cores} cores the three models need ${work.toFixed(0)} ms of CPU per token at 1 thread ` +
        `(base ${one.base} + expert ${one.expert} + amateur ${one.amateur}); with ${plan.naiveThreads} threads ` +
        `their steps are ${all.base} / ${all.expert} / ${all.amateur} ms (thread efficiency ${eff.base} / ${eff.expert} / ${eff.amateur}), ` +
        `so no schedule can decode faster than ${work.toFixed(0)} / ${cores} = ${bound.toFixed(0)} ms per token, ` +
        `and the naive loop (${t.naive} ms) is ${t.naive ? ((t.naive / bound - 1) * 100).toFixed(0) : '?'} % above that bound: ` +
        `the best G4 any placement can reach here is ${best?.toFixed(2) ?? '?'}. Three concurrent 1-thread workers ` +
        `(${t.guided_concurrent_1t} ms) wait for the base model on one core while the other core idles for part of each step. ` +
        `Concurrency can only win with more cores than the naive loop can use, or with a GPU.`;
  return {
    cores,
    step_ms_1t: one,
    step_ms_all_threads: all,
    naive_threads: plan.naiveThreads,
    thread_efficiency: eff,
    work_ms_per_token: r1(work),
    bound_ms_per_token: r1(bound),
    t_ms: t,
    cpu_ms_per_token: cpu,
    best_possible_G4: r3(best),
    explanation,
  };
}

/** One core count of the simulation: predicted ms per guided token of each schedule. */
export interface CoreSimulation {
  cores: number;
  /** The orders the engine times at load, every worker with every core (spinning off). */
  sequential: number;
  base_first: number;
  /** The base model beside the small pair, which take turns (each half the cores). */
  alongside: number;
  /** Idealised: the cores split among the three models in proportion to their work. */
  concurrent: number;
  /** The three workers' former default: base c − 2⌊c/4⌋ threads, the others ⌊c/4⌋ each, concurrently. */
  split_concurrent: number;
  /** The order the load-time timing would take (fastest of the first three). */
  engine_choice: 'sequential' | 'base-first' | 'alongside' | 'concurrent';
  /** engine_choice's time / the fastest of all four: 1 when the engine's default does not lose. */
  choice_over_best: number;
  /** One onnxruntime instance (one-worker placement): each model with every core, one after another. */
  one_instance: number;
  /**
   * engine_choice × what the workers lost on this machine against this model (measured guided in a
   * worker per model / the model's engine_choice at this machine's cores: messaging, oversubscription);
   * null without that measurement.
   */
  workers_with_measured_overhead: number | null;
  /** The placement the engine takes at this many cores (src/core/schedule.ts choosePlacement, WASM). */
  placement: 'one-worker' | 'workers';
  /** The placement's time (one_instance, or workers with the measured overhead) / the faster of the two; null without the overhead. */
  placement_over_best: number | null;
}

/**
 * What the default would do on more cores, from this machine's measured steps: each model's time at
 * t threads follows Amdahl's law, T(t) = T1·(s + (1 − s)/t), with its serial share s fitted to the
 * measured thread efficiency at the naive loop's threads (eff = 1 / (n·s + 1 − s)). A model, not a
 * measurement: it ignores memory bandwidth and the threads' start-up cost, which favour fewer threads.
 */
export function simulateCores(a: G4Analysis, coreCounts: readonly number[], measuredWorkersMs: number | null = null): CoreSimulation[] | null {
  const t1 = ROLES.map((r) => a.step_ms_1t[r] ?? null);
  const eff = ROLES.map((r) => a.thread_efficiency[r] ?? null);
  if (t1.some((x) => x === null) || eff.some((x) => x === null) || a.naive_threads < 2) return null;
  const n = a.naive_threads;
  const serial = eff.map((e) => Math.min(1, Math.max(0, (1 / (e ?? 1) - 1) / (n - 1))));
  const T = (i: number, threads: number) => (t1[i] ?? 0) * ((serial[i] ?? 0) + (1 - (serial[i] ?? 0)) / Math.max(1e-9, threads));
  const work = (t1 as number[]).reduce((s, x) => s + x, 0);
  /** The orders the engine times at load, on c cores with the engine's threads (src/core/schedule.ts: every core for the base, half for each small model). */
  const orders = (c: number) => ({
    sequential: T(0, c) + T(1, Math.max(1, c / 2)) + T(2, Math.max(1, c / 2)),
    'base-first': T(0, c) + Math.max(T(1, c / 2), T(2, c / 2)),
    // c + c/2 threads on c cores; the base model keeps the larger share, (c − c/2 of its own).
    alongside: Math.max(T(0, Math.max(1, c - Math.floor(c / 2))), T(1, Math.max(1, c / 2)) + T(2, Math.max(1, c / 2))),
    concurrent: Math.max(...[0, 1, 2].map((i) => T(i, (c * (t1[i] ?? 0)) / work))),
  });
  const fastest = (o: ReturnType<typeof orders>) => (Object.keys(o) as (keyof typeof o)[]).reduce((b, k) => (o[k] < o[b] ? k : b));
  const here = orders(a.cores);
  const overhead = measuredWorkersMs !== null && Number.isFinite(measuredWorkersMs) ? measuredWorkersMs / here[fastest(here)] : null;
  return coreCounts.map((c) => {
    const ours = orders(c);
    const { sequential, 'base-first': baseFirst, alongside, concurrent } = ours;
    const small = Math.max(1, Math.floor(c / 4));
    const split = Math.max(T(0, Math.max(1, c - 2 * small)), T(1, small), T(2, small));
    const choice = fastest(ours);
    const best = Math.min(sequential, baseFirst, alongside, concurrent, split);
    const oneInstance = T(0, c) + T(1, c) + T(2, c);
    const workers = overhead === null ? null : ours[choice] * overhead;
    const placement = c <= ONE_WORKER_MAX_CORES ? 'one-worker' : 'workers';
    const placed = placement === 'one-worker' ? oneInstance : workers;
    return {
      cores: c,
      sequential: r1(sequential) ?? 0,
      base_first: r1(baseFirst) ?? 0,
      alongside: r1(alongside) ?? 0,
      concurrent: r1(concurrent) ?? 0,
      split_concurrent: r1(split) ?? 0,
      engine_choice: choice,
      choice_over_best: r3(ours[choice] / best) ?? 0,
      one_instance: r1(oneInstance) ?? 0,
      workers_with_measured_overhead: r1(workers),
      placement,
      placement_over_best: placed === null || workers === null ? null : r3(placed / Math.min(oneInstance, workers)),
    };
  });
}
