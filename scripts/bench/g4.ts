/**
 * Why G4 (guided in three workers vs the naive loop with every core per model) is what it is: each
 * model's step time at 1 thread and at all threads (both from the naive loops, where one model runs
 * at a time), the work per token, and the lower bound no schedule can beat on this many cores.
 */
import { median } from '../cli/generate';
import type { BackendPlan } from './args';
import type { RunFigures } from './measure';

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
  const configs = ['guided', 'guided_concurrent_1t', 'naive', 'naive_same_threads', 'base'];
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
