/**
 * The engine's stepping choice, measured at load: a short text prompt, then a few decode steps of
 * each stepping order, rounds interleaved so that a change in the machine's load hits every order
 * alike. Guided runs (one row per model) and side-by-side runs (two base rows) are timed apart.
 */
import { planRun } from '../../src/core/plan';
import { MODEL_ROLES, type ModelRole } from '../../src/core/presets';
import type { RunMode, Stepping, SteppingChoice, TrioStepping } from '../../src/core/protocol';
import { chooseStepping, STEPPINGS } from '../../src/core/schedule';
import { LogitsArena } from './logits-arena';
import { leadWait, stepModels } from './stepping';
import type { LoadedTrio } from './trio';

/** Rounds per order: the first warms the order up and is not counted. */
const ROUNDS = 4;
/**
 * Time the timing may take (after the warm-up round): with large models on WASM (seconds per step)
 * fewer rounds are timed, at least one, and side-by-side takes guided's choice.
 */
const BUDGET_MS = 8000;
const PROMPT = [{ role: 'user' as const, text: 'Count from one to ten.' }];

export async function calibrate(trio: LoadedTrio): Promise<TrioStepping> {
  const t0 = performance.now();
  const guided = await timeOrders(trio, 'guided', 'guided', BUDGET_MS);
  const left = BUDGET_MS - (performance.now() - t0);
  const sideBySide =
    left > BUDGET_MS / 3
      ? await timeOrders(trio, 'side-by-side', 'side-by-side', left)
      : { ...guided, why: `side-by-side: ${guided.stepping}, as guided (no time left to time it apart)` };
  await Promise.all([...trio.models.values()].map((m) => m.handle.api.reset()));
  return { guided, sideBySide };
}

/** The caller's own order, for both kinds of run. */
export function fixedSchedule(stepping: Stepping, why: string): TrioStepping {
  const choice: SteppingChoice = { stepping, measuredMs: {}, why };
  return { guided: choice, sideBySide: choice };
}

async function timeOrders(trio: LoadedTrio, mode: RunMode, what: string, budgetMs: number): Promise<SteppingChoice> {
  const { batch } = planRun(mode);
  const roles = MODEL_ROLES.filter((r) => batch[r] > 0 && trio.models.has(r));
  const api = (r: ModelRole) => {
    const m = trio.models.get(r);
    if (!m) throw new Error(`${r} model not loaded`);
    return m.handle.api;
  };
  // The runs' own layout (without the merge kernel: nothing is merged here): each model's rows and
  // the Int32 its worker bumps as a step begins ('base-lead' waits on it).
  const layout = new LogitsArena(false).layout({
    models: Object.fromEntries(roles.map((r) => [r, { rows: batch[r], vocabRows: trio.models.get(r)?.info.vocabRows ?? 0 }])),
    streams: 0,
    vocab: 0,
  });
  await Promise.all(
    roles.map((r) => {
      const region = layout.models[r];
      const signal = layout.signals[r];
      if (!region || !signal) throw new Error(`no logits buffer for the ${r} model`);
      return api(r).prefill({ turns: PROMPT, image: null, streams: batch[r], logits: region.buffer, stepSignalOffset: signal.offset });
    }),
  );
  const tokens = new Map(roles.map((r) => [r, new Int32Array(batch[r]).fill(15)]));
  const samples: Partial<Record<Stepping, number[]>> = {};
  let timed = 0;
  for (let round = 0; round < ROUNDS && (round < 2 || timed < budgetMs); round++) {
    for (const order of STEPPINGS) {
      const t0 = performance.now();
      const results = await stepModels(order, roles, (r) => api(r).step(tokens.get(r) ?? new Int32Array(0)), (r) => leadWait(layout.signals[r]?.view));
      const ms = performance.now() - t0;
      const failed = results.find((x): x is PromiseRejectedResult => x.status === 'rejected');
      if (failed) throw failed.reason;
      if (round > 0) (samples[order] ??= []).push(ms);
      timed += ms;
    }
  }
  return chooseStepping(samples, what);
}
