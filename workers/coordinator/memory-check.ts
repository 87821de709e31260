/**
 * Before a run: each model it needs measures its prompt (tokenizer only; no model runs), and the
 * engine plans the run's memory per model against what that model can still allocate — the prefill
 * piece size, or a refusal that says what to shorten. Models that share one WebAssembly heap (the
 * one-worker and single-thread placements) share its free bytes: each is planned against what the
 * heap holds after all of them loaded, less what the models planned before it may take.
 */
import { memoryBudget, refusalMessage } from '../../src/core/memoryAdvice';
import { planMemory, type PromptShape } from '../../src/core/memoryEstimate';
import type { ModelRole } from '../../src/core/presets';
import {
  PROMPT_TOO_LARGE,
  type MeasureRequest,
  type PixelPayload,
  type Resolution,
  type RunCheck,
  type RunMemory,
} from '../../src/core/protocol';
import type { LoadedTrio } from './trio';

export interface MemoryCheckInput {
  roles: ModelRole[];
  batch: Record<ModelRole, number>;
  request: Omit<MeasureRequest, 'pixels'>;
  /** The image already processed, per model that shares the processor. */
  pixels: Partial<Record<ModelRole, PixelPayload>>;
  question: string;
  maxNewTokens: number;
  resolution: Resolution;
}

export async function checkMemory(trio: LoadedTrio, x: MemoryCheckInput): Promise<RunCheck> {
  const models = x.roles.flatMap((role) => {
    const m = trio.models.get(role);
    return m?.info.sizes ? [{ role, m, sizes: m.info.sizes }] : [];
  });
  const measures = await Promise.all(
    models.map(({ role, m }) => {
      const shared = x.pixels[role];
      return m.handle.api.measure({ ...x.request, ...(shared ? { pixels: shared } : {}) });
    }),
  );
  const memory: Partial<Record<ModelRole, RunMemory>> = {};
  const shared = trio.schedule.placement.placement !== 'workers';
  // The heap only grows, so the model loaded last saw every model's weights in it.
  const sharedResident = Math.max(0, ...[...trio.models.values()].map((t) => t.info.memory.resident ?? 0));
  let claimed = 0;
  for (const [i, { role, m, sizes }] of models.entries()) {
    const measured = measures[i];
    if (!measured) continue;
    const shape: PromptShape = {
      tokens: measured.tokens,
      positions: measured.positions,
      images: measured.images,
      prefill: !measured.reused,
      rows: x.batch[role],
      maxNewTokens: x.maxNewTokens,
      extension: measured.extension,
    };
    const own = memoryBudget(shared ? { ...m.info.memory, resident: sharedResident } : m.info.memory);
    const budget = shared ? { ...own, available: Math.max(0, own.available - claimed) } : own;
    const plan = planMemory(sizes, shape, budget);
    claimed += plan.peakBytes;
    if (!plan.fits) {
      const message = refusalMessage({
        role,
        name: m.info.name,
        backend: m.info.backend,
        sizes,
        shape,
        plan,
        budget,
        question: x.question,
        questionTokens: measured.lastTurnTokens,
        resolution: x.resolution,
      });
      return { ok: false, role, error: { name: PROMPT_TOO_LARGE, message } };
    }
    memory[role] = {
      peakBytes: plan.peakBytes,
      availableBytes: Number.isFinite(budget.available) ? budget.available : null,
      chunkTokens: plan.chunkTokens,
    };
  }
  return { ok: true, memory };
}
