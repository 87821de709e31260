/**
 * The engine's stepping choice, measured at load: a short text prompt, then a few decode steps of
 * each stepping order, rounds interleaved so that a change in the machine's load hits every order
 * alike. Guided runs (one row per model) and side-by-side runs (two base rows) are timed apart.
 */
import { planRun } from '../../src/core/plan';
import { MODEL_ROLES, type ModelRole } from '../../src/core/presets';
import type { RunMode, Stepping, SteppingChoice, TrioSchedule } from '../../src/core/protocol';
import { chooseStepping, STEPPINGS } from '../../src/core/schedule';
import { stepModels } from './stepping';
import type { LoadedTrio } from './trio';

/** Rounds per order: the first warms the order up and is not counted. */
const ROUNDS = 4;
const PROMPT = [{ role: 'user' as const, text: 'Count from one to ten.' }];

export async function calibrate(trio: LoadedTrio): Promise<TrioSchedule> {
  const guided = await timeOrders(trio, 'guided', 'guided');
  const sideBySide = await timeOrders(trio, 'side-by-side', 'side-by-side');
  await Promise.all([...trio.models.values()].map((m) => m.handle.api.reset()));
  return { guided, sideBySide };
}

/** The caller's own order, for both kinds of run. */
export function fixedSchedule(stepping: Stepping, why: string): TrioSchedule {
  const choice: SteppingChoice = { stepping, measuredMs: {}, why };
  return { guided: choice, sideBySide: choice };
}

async function timeOrders(trio: LoadedTrio, mode: RunMode, what: string): Promise<SteppingChoice> {
  const { batch } = planRun(mode);
  const roles = MODEL_ROLES.filter((r) => batch[r] > 0 && trio.models.has(r));
  const api = (r: ModelRole) => {
    const m = trio.models.get(r);
    if (!m) throw new Error(`${r} model not loaded`);
    return m.handle.api;
  };
  await Promise.all(
    roles.map((r) =>
      api(r).prefill({
        turns: PROMPT,
        image: null,
        streams: batch[r],
        logits: new SharedArrayBuffer(batch[r] * (trio.models.get(r)?.info.vocabRows ?? 0) * 4),
      }),
    ),
  );
  const tokens = new Map(roles.map((r) => [r, new Int32Array(batch[r]).fill(15)]));
  const samples: Partial<Record<Stepping, number[]>> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const order of STEPPINGS) {
      const t0 = performance.now();
      const results = await stepModels(order, roles, (r) => api(r).step(tokens.get(r) ?? new Int32Array(0)));
      const ms = performance.now() - t0;
      const failed = results.find((x): x is PromiseRejectedResult => x.status === 'rejected');
      if (failed) throw failed.reason;
      if (round > 0) (samples[order] ??= []).push(ms);
    }
  }
  return chooseStepping(samples, what);
}
