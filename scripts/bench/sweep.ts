/**
 * The α sweep's cost: time per evaluation item (base-only + guided at k values of α) decoded as one
 * sweep — every α a row of the same batched forward of each model — against the same outputs made
 * by separate runs, for k = 1, 3, 5. Separate runs get the engine's prefill reuse (the item's later
 * runs skip the prompt), which is their best case; every item starts cold for both (a one-token run on
 * another prompt evicts the cached prefill first). Greedy, so the tokens must match: checked.
 */
import type { Page } from 'playwright-core';
import type { Dtype } from '../../src/core/presets';
import type { AutomationResult } from '../../src/client/automation';
import { median } from '../cli/generate';
import { GREEDY, load, QUESTION, stats } from './measure';

export const SWEEP_ALPHAS = [0.25, 0.5, 0.75, 1, 1.5];

export interface SweepPlan {
  trio: string;
  backend: 'wasm' | 'webgpu';
  dtype: Dtype | null;
  tokens: number;
  rounds: number;
  ks: number[];
  imageUrl: string;
}

interface Timed {
  ms: number;
  base: number[] | null;
  guided: number[][];
}

type RunOpts = {
  mode: 'side-by-side' | 'guided' | 'base';
  alpha: number;
  alphas?: number[];
  question: string;
  tokens: number;
};

async function engineRun(page: Page, imageUrl: string, o: RunOpts): Promise<AutomationResult> {
  const r = await page.evaluate((x) => window.proxyThinker.run(x), {
    mode: o.mode,
    alpha: o.alpha,
    ...(o.alphas ? { alphas: o.alphas } : {}),
    sampling: GREEDY,
    maxNewTokens: o.tokens,
    question: o.question,
    imageUrl,
  });
  const failed = [...Object.values(r.streams), ...r.sweep].find((s) => s?.error);
  if (failed?.error)
    throw new Error(`sweep bench: a stream failed: ${failed.error.name}: ${failed.error.message}`);
  return r;
}

/** A one-token guided run on another prompt: every model's cached prefill is replaced. */
async function evict(page: Page, imageUrl: string, tag: string): Promise<void> {
  await engineRun(page, imageUrl, {
    mode: 'guided',
    alpha: 0.5,
    question: `Evict the cached prompt ${tag}.`,
    tokens: 1,
  });
}

async function sweepItem(page: Page, p: SweepPlan, alphas: number[], question: string): Promise<Timed> {
  const r = await engineRun(page, p.imageUrl, {
    mode: 'side-by-side',
    alpha: alphas[0] ?? 0,
    alphas,
    question,
    tokens: p.tokens,
  });
  return { ms: r.total_ms, base: r.streams.base?.token_ids ?? null, guided: r.sweep.map((s) => s.token_ids) };
}

/** k side-by-side runs (base + one α each): what an evaluation without sweeps does per item. */
async function sideBySideItem(page: Page, p: SweepPlan, alphas: number[], question: string): Promise<Timed> {
  let ms = 0;
  let base: number[] | null = null;
  const guided: number[][] = [];
  for (const alpha of alphas) {
    const r = await engineRun(page, p.imageUrl, { mode: 'side-by-side', alpha, question, tokens: p.tokens });
    ms += r.total_ms;
    base ??= r.streams.base?.token_ids ?? null;
    guided.push(r.streams.guided?.token_ids ?? []);
  }
  return { ms, base, guided };
}

/** One base-only run and one guided run per α: the fewest separate runs that give the same outputs. */
async function minimalItem(page: Page, p: SweepPlan, alphas: number[], question: string): Promise<Timed> {
  const b = await engineRun(page, p.imageUrl, { mode: 'base', alpha: 0, question, tokens: p.tokens });
  let ms = b.total_ms;
  const guided: number[][] = [];
  for (const alpha of alphas) {
    const r = await engineRun(page, p.imageUrl, { mode: 'guided', alpha, question, tokens: p.tokens });
    ms += r.total_ms;
    guided.push(r.streams.guided?.token_ids ?? []);
  }
  return { ms, base: b.streams.base?.token_ids ?? null, guided };
}

const same = (a: Timed, b: Timed) =>
  JSON.stringify([a.base, a.guided]) === JSON.stringify([b.base, b.guided]);
const r3 = (x: number | null) => (x === null || !Number.isFinite(x) ? null : Math.round(x * 1000) / 1000);

export async function benchSweep(
  page: Page,
  p: SweepPlan,
  say: (line: string) => void,
): Promise<Record<string, unknown>> {
  const loaded = await load(page, {
    trio: p.trio,
    backend: p.backend,
    ...(p.dtype ? { dtype: p.dtype } : {}),
  });
  say(`sweep: ${p.trio} loaded on ${p.backend} in ${Math.round(loaded.ms)} ms`);
  await evict(page, p.imageUrl, 'warm-up');
  const perK = new Map<number, { sweep: number[]; sbs: number[]; minimal: number[] }>();
  let equal = true;
  const mismatches: string[] = [];
  for (let round = 0; round < p.rounds; round++) {
    for (const k of p.ks) {
      const alphas = SWEEP_ALPHAS.slice(0, k);
      const question = `${QUESTION} (item ${round + 1}.${k})`;
      await evict(page, p.imageUrl, `${round}.${k}.a`);
      const sweep = await sweepItem(page, p, alphas, question);
      await evict(page, p.imageUrl, `${round}.${k}.b`);
      const sbs = await sideBySideItem(page, p, alphas, question);
      await evict(page, p.imageUrl, `${round}.${k}.c`);
      const minimal = await minimalItem(page, p, alphas, question);
      if (!same(sweep, sbs) || !same(sweep, minimal)) {
        equal = false;
        mismatches.push(`round ${round + 1}, k ${k}`);
      }
      const f = perK.get(k) ?? { sweep: [], sbs: [], minimal: [] };
      f.sweep.push(sweep.ms);
      f.sbs.push(sbs.ms);
      f.minimal.push(minimal.ms);
      perK.set(k, f);
      say(
        `sweep: round ${round + 1} k ${k}: sweep ${Math.round(sweep.ms)} ms, ${k} side-by-side runs ${Math.round(sbs.ms)} ms, base + ${k} guided runs ${Math.round(minimal.ms)} ms${same(sweep, sbs) && same(sweep, minimal) ? '' : ' — TOKENS DIFFER'}`,
      );
    }
  }
  const byK: Record<string, unknown> = {};
  for (const [k, f] of perK) {
    const ratio = (xs: number[]) => r3(median(f.sweep.map((s, i) => s / (xs[i] ?? NaN))));
    byK[String(k)] = {
      alphas: SWEEP_ALPHAS.slice(0, k),
      sweep_ms: stats(f.sweep),
      separate_side_by_side_ms: stats(f.sbs),
      separate_base_plus_guided_ms: stats(f.minimal),
      ratio_vs_side_by_side: ratio(f.sbs),
      ratio_vs_base_plus_guided: ratio(f.minimal),
    };
  }
  return {
    trio: p.trio,
    backend: p.backend,
    tokens_per_output: p.tokens,
    rounds: p.rounds,
    definitions: {
      item: `one image and question; outputs: base-only + guided at each of the k α values, ${p.tokens} greedy tokens each`,
      sweep_ms:
        'one engine run with RunRequest.alphas (side-by-side): every α a row of the same batched forward of each model; engine call → done',
      separate_side_by_side_ms:
        'k side-by-side runs, one per α (the base stream computed k times); the later runs reuse the first one’s prefill',
      separate_base_plus_guided_ms: 'one base-only run and k guided runs; later runs reuse the prefill',
      ratios: 'median over rounds of sweep_ms / separate ms of the same round (< 1: the sweep is faster)',
    },
    tokens_equal: equal,
    ...(mismatches.length ? { token_mismatches: mismatches } : {}),
    k: byK,
  };
}
