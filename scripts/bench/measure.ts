/** One engine run or one reference generate() in the page, reduced to the figures the benchmark needs. */
import type { Page } from 'playwright-core';
import type { AutomationLoad, AutomationResult, ResolutionOutcome } from '../../src/client/automation';
import type { ReferenceRequest, ReferenceResult } from '../../src/client/reference';
import type { LoopStats, ModelInfo, Resolution, RunMode } from '../../src/core/protocol';
import type { ModelRole } from '../../src/core/presets';
import { median } from '../cli/generate';
import { chromiumCpuMs } from './cpu';

export const GREEDY = { temperature: 0, topK: 0, topP: 1, seed: 0 };
export const TOP_P = { temperature: 0.7, topK: 0, topP: 0.9, seed: 1 };
export const IMAGE_URL = '/input/image';
export const QUESTION = 'What does the chart show? Think step by step.';

export interface RunFigures {
  mode: RunMode | 'naive' | 'reference';
  /** Tokens per stream. */
  tokens: number[];
  /** Decode wall time per token after the first: loop (step wait + coordinator) / (steps − 1). */
  per_token_ms: number;
  /** Coordinator's own work per loop iteration (merge, sampling, stop checks, events). */
  coordinator_ms_per_step: number | null;
  /** The coordinator's work done while the models stepped (text, events), per step: off the critical path. */
  coordinator_overlap_ms_per_step: number | null;
  /** Each model's median step time inside its worker. */
  model_step_ms: Partial<Record<ModelRole, number>>;
  /** Each model's messaging per step: step sent → begun in its worker, ended → reply seen (LoopStats.lagMs). */
  lag_ms_per_step: Partial<Record<ModelRole, { in: number; out: number }>>;
  /** How the coordinator merged the logits (LoopStats.merge). */
  merge: string | null;
  /** The stepping order as the run left it, with its probes of the others (LoopStats.stepping). */
  stepping: LoopStats['stepping'] | null;
  prefill_ms: number;
  prefill_reused: boolean;
  first_token_ms: number | null;
  token_ids: number[];
  /** VisionThink outcome (visual tokens per model at each resolution). */
  resolution: ResolutionOutcome | null;
  /** CPU time of all of Chromium's processes during the run, per decode step (see cpu.ts). */
  cpu_ms_per_token: number | null;
  /** The base model's prompt length in tokens (text + visual), when it ran. */
  prompt_tokens: number | null;
}

/** A load the bench can send to the page (presets and folder URLs; picked folders are not serialisable). */
export type BenchLoad = Omit<AutomationLoad, 'trio'> & { trio: string | Record<ModelRole, string> };

export async function load(page: Page, opts: BenchLoad): Promise<{ infos: ModelInfo[]; ms: number }> {
  return page.evaluate(async (o) => {
    const t0 = performance.now();
    const infos = await window.proxyThinker.load(o);
    return { infos, ms: performance.now() - t0 };
  }, opts);
}

export interface RunSpec {
  mode: RunMode;
  tokens: number;
  question?: string;
  sampling?: typeof GREEDY;
  label?: RunFigures['mode'];
  /** Default IMAGE_URL. */
  imageUrl?: string;
  /** VisionThink's first look (default full). */
  resolution?: Resolution;
}

export async function run(page: Page, spec: RunSpec): Promise<RunFigures> {
  const cpu0 = chromiumCpuMs();
  const r: AutomationResult = await page.evaluate((o) => window.proxyThinker.run(o), {
    mode: spec.mode,
    alpha: 0.5,
    sampling: spec.sampling ?? GREEDY,
    maxNewTokens: spec.tokens,
    question: spec.question ?? QUESTION,
    imageUrl: spec.imageUrl ?? IMAGE_URL,
    ...(spec.resolution ? { resolution: spec.resolution } : {}),
  });
  const errors = Object.entries(r.streams).filter(([, s]) => s?.error);
  if (errors.length)
    throw new Error(`run ${spec.mode}: stream ${errors[0]?.[0]} failed: ${errors[0]?.[1]?.error?.message}`);
  const loop = r.loop;
  if (!loop)
    throw new Error(`run ${spec.mode}: no loop stats (is dist/ older than the engine's 'done' loop field?)`);
  const model_step_ms: Partial<Record<ModelRole, number>> = {};
  for (const [role, xs] of Object.entries(r.step_ms) as [ModelRole, number[]][]) {
    const m = median(xs);
    if (m !== null) model_step_ms[role] = m;
  }
  const first = r.streams.guided ?? r.streams.base ?? r.streams.expert;
  const cpu1 = chromiumCpuMs();
  return {
    mode: spec.label ?? spec.mode,
    tokens: Object.values(r.streams).map((s) => s?.token_ids.length ?? 0),
    per_token_ms: loop.steps > 1 ? (loop.stepWaitMs + loop.coordinatorMs) / (loop.steps - 1) : NaN,
    coordinator_ms_per_step: loop.steps > 0 ? loop.coordinatorMs / loop.steps : null,
    coordinator_overlap_ms_per_step: loop.steps > 0 ? (loop.overlapMs ?? 0) / loop.steps : null,
    model_step_ms,
    lag_ms_per_step: Object.fromEntries(
      Object.entries(loop.lagMs ?? {}).map(([role, l]) => [role, { in: l.in / Math.max(1, loop.steps), out: l.out / Math.max(1, loop.steps) }]),
    ),
    merge: loop.merge ?? null,
    stepping: loop.stepping ?? null,
    prefill_ms: r.prefill_ms,
    prefill_reused: r.prefill_reused,
    first_token_ms: r.first_token_ms,
    token_ids: first?.token_ids ?? [],
    resolution: r.resolution,
    cpu_ms_per_token: cpu0 !== null && cpu1 !== null && loop.steps > 0 ? (cpu1 - cpu0) / loop.steps : null,
    prompt_tokens: r.prompt_ids.base?.length ?? null,
  };
}

export async function reference(
  page: Page,
  req: ReferenceRequest,
): Promise<RunFigures & { load_ms: number; step_median_ms: number | null; backend: string }> {
  const r: ReferenceResult = await page.evaluate((o) => window.proxyThinker.referenceGenerate(o), req);
  const n = r.token_ids.length;
  return {
    mode: 'reference',
    tokens: [n],
    // Same definition as the engine's: wall time after the first token over the tokens after it.
    per_token_ms: n > 1 ? (r.total_ms - r.first_token_ms) / (n - 1) : NaN,
    coordinator_ms_per_step: null,
    coordinator_overlap_ms_per_step: null,
    model_step_ms: {},
    lag_ms_per_step: {},
    merge: null,
    stepping: null,
    prefill_ms: r.first_token_ms,
    prefill_reused: false,
    first_token_ms: r.first_token_ms,
    token_ids: r.token_ids,
    resolution: null,
    cpu_ms_per_token: null,
    prompt_tokens: null,
    load_ms: r.load_ms,
    step_median_ms: median(r.step_ms),
    backend: r.backend,
  };
}

export function stats(xs: readonly number[]): {
  median: number | null;
  min: number | null;
  max: number | null;
  n: number;
} {
  const v = xs.filter((x) => Number.isFinite(x));
  return {
    median: median(v),
    min: v.length ? Math.min(...v) : null,
    max: v.length ? Math.max(...v) : null,
    n: v.length,
  };
}
