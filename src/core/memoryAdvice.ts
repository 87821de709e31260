/**
 * A model's memory budget for a run, and, when the run does not fit, the refusal in plain words:
 * what is too large and what to shorten (the question, the image or its resolution, max new tokens)
 * so that it fits — each suggestion checked against the same estimate.
 */
import { ALLOCATOR_MARGIN, gridTokens, planMemory, type Grid, type MemoryBudget, type MemoryPlan, type ModelSizes, type PromptShape } from './memoryEstimate';
import type { ModelRole } from './presets';
import type { Backend, ModelMemory, Resolution } from './protocol';

/** Share of the heap limit kept free: what the estimate does not see, and Emscripten's growth headroom. */
export const HEAP_RESERVE = 0.06;

/** A prefill whose own buffers would pass this is split into pieces (the heap never shrinks). */
export const SPIKE_LIMIT = 2 ** 30;

/** What a model may still allocate: its heap limit less what it already holds and a reserve. */
export function memoryBudget(m: ModelMemory): MemoryBudget {
  const available = m.heapLimit === null ? Infinity : Math.max(0, m.heapLimit * (1 - HEAP_RESERVE) - (m.resident ?? 0));
  return { available, maxBuffer: m.gpuMaxBuffer ?? Infinity, spikeLimit: SPIKE_LIMIT };
}

export interface Refused {
  role: ModelRole;
  name: string;
  backend: Backend;
  sizes: ModelSizes;
  shape: PromptShape;
  plan: MemoryPlan;
  budget: MemoryBudget;
  /** The question as typed (its length turns a token budget into characters). */
  question: string;
  /** Tokens of the question alone. */
  questionTokens: number;
  resolution: Resolution;
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return 'unlimited';
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GB`;
  if (n >= 2 ** 20) return `${Math.round(n / 2 ** 20)} MB`;
  return `${Math.max(1, Math.round(n / 2 ** 10))} KB`;
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');

/** The refusal: what does not fit where, and what would make it fit. */
export function refusalMessage(r: Refused): string {
  const { role, name, backend, shape, plan, budget, sizes } = r;
  const who = `the ${role} model (${name}, ${backend === 'wasm' ? 'WASM' : 'WebGPU'})`;
  const blocker = plan.blocker ?? 'decode';
  const phase = blocker === 'context' ? null : plan.phases[blocker];
  // "needs about 5.1 GB, and 3.4 GB are free" — or, on WebGPU, one buffer past the device's limit.
  const needs =
    phase && phase.largest > budget.maxBuffer && phase.bytes <= budget.available
      ? `needs a buffer of ${formatBytes(phase.largest)}, more than the GPU allows in one (${formatBytes(budget.maxBuffer)})`
      : `needs about ${formatBytes((phase?.bytes ?? 0) * (1 + ALLOCATOR_MARGIN))}, and ${formatBytes(budget.available)} ${budget.available === Infinity ? 'is' : 'are'} free`;
  const visual = (grids: readonly Grid[]) => count(grids.reduce((a, g) => a + gridTokens(g, sizes.vision.merge), 0));
  let lead: string;
  switch (blocker) {
    case 'context':
      lead =
        `The prompt is too long for ${who}: ${count(shape.tokens)} prompt tokens and ${count(shape.maxNewTokens)} new tokens ` +
        `need ${count(shape.positions + shape.maxNewTokens + (shape.extension?.tokens ?? 0))} positions, more than the ${count(sizes.maxPositions ?? 0)} it takes.`;
      break;
    case 'vision':
      lead = `The image is too large for the memory of ${who}: its ${visual(shape.images)} visual tokens go through the vision encoder at once, which ${needs}.`;
      break;
    case 'prefill':
      lead = `The question is too long for the memory of ${who}: reading its ${count(shape.tokens)}-token prompt, even in the smallest pieces, ${needs}.`;
      break;
    case 'extension':
      lead = `This run may not fit the memory of ${who}: the full-resolution image VisionThink may ask for (${visual(shape.extension ? [shape.extension.grid] : [])} visual tokens) ${needs}.`;
      break;
    case 'decode':
      lead =
        `This run does not fit the memory of ${who}: the KV cache of ${count(shape.tokens)} prompt tokens and ${count(shape.maxNewTokens)} new tokens` +
        `${shape.rows > 1 ? ` for ${shape.rows} streams` : ''} ${needs}.`;
      break;
  }
  const fixes = suggestions(r);
  return fixes.length > 0 ? `${lead} To fit: ${fixes.join('; or ')}.` : lead;
}

const fits = (r: Refused, shape: PromptShape) => planMemory(r.sizes, shape, r.budget).fits;

/** Each change that alone makes the run fit (checked with the estimate); all of them when none does. */
function suggestions(r: Refused): string[] {
  const out: string[] = [];
  const { shape, question, questionTokens } = r;
  const chars = [...question].length;
  // The question cut by `cut` tokens (its share of the prompt), everything else the same.
  const shorter = (cut: number): PromptShape => ({ ...shape, tokens: shape.tokens - cut, positions: shape.positions - cut });
  if (questionTokens > 1 && fits(r, shorter(questionTokens - 1))) {
    let lo = 1; // fewest tokens cut that fit
    let hi = questionTokens - 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (fits(r, shorter(mid))) hi = mid;
      else lo = mid + 1;
    }
    const keep = Math.floor(((questionTokens - lo) / questionTokens) * chars * 0.95);
    out.push(`shorten the question to about ${count(roundDown(keep))} characters (it has ${count(chars)})`);
  }
  if (shape.images.length > 0 && r.resolution !== 'low') {
    const low = quarter(r, shape);
    if (fits(r, low)) out.push('choose Low resolution (¼ of the visual tokens) or a smaller image');
    else out.push('use a smaller image');
  }
  if (shape.maxNewTokens > 1 && fits(r, { ...shape, maxNewTokens: 1 })) {
    let lo = 1; // most new tokens that fit
    let hi = shape.maxNewTokens - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(r, { ...shape, maxNewTokens: mid })) lo = mid;
      else hi = mid - 1;
    }
    out.push(`lower Max new tokens to ${count(lo)} (it is ${count(shape.maxNewTokens)})`);
  }
  if (out.length === 0 || (out.length === 1 && out[0] === 'use a smaller image'))
    return [`shorten the question${shape.images.length ? ', use a smaller image' : ''} and lower Max new tokens`];
  return out;
}

function roundDown(n: number): number {
  const step = n >= 10_000 ? 1000 : n >= 1000 ? 100 : 10;
  return Math.max(step, Math.floor(n / step) * step);
}

/** The shape with each image at half width and height (VisionThink's low resolution). */
function quarter(r: Refused, shape: PromptShape): PromptShape {
  const m = r.sizes.vision.merge;
  let cut = 0;
  const images = shape.images.map((g): Grid => {
    const half = (n: number) => Math.max(m, Math.ceil(n / 2 / m) * m);
    const q: Grid = [g[0], half(g[1]), half(g[2])];
    cut += gridTokens(g, m) - gridTokens(q, m);
    return q;
  });
  return { ...shape, images, tokens: shape.tokens - cut, extension: null };
}
