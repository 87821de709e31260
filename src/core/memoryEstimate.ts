/**
 * How much memory one model's runtime needs for a run, from the model's sizes (config.json) and the
 * prompt (tokens, image grids, rows, new tokens), following the tensors of our converter's graphs
 * (src/convert/graphs/): the decoder's attention scores [B, heads, S, T] in float32 (the big prefill
 * buffer), its KV cache, logits rows; the vision encoder's windowed and full-attention blocks.
 *
 * Bytes are what the runtime allocates beyond what the model already holds (its weights and
 * sessions): inputs copied in, intermediates alive together, outputs until the run returns. The
 * constants were checked against onnxruntime-web's WebAssembly heap (docs/memory.md).
 */

export type Grid = readonly [number, number, number];

/** The decoder's sizes (the converter's TextDesc satisfies this). */
export interface TextSizes {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  /** lm_head rows (logits per position), padding included. */
  vocabRows: number;
}

/** The vision tower's sizes (the converter's VisionDesc extends this). */
export interface VisionSizes {
  /** Width of the ViT (Qwen2.5-VL `hidden_size`, Qwen2-VL `embed_dim`). */
  width: number;
  depth: number;
  heads: number;
  /** Hidden size of a block's MLP. */
  mlpHidden: number;
  /** The merger's output: the language model's hidden size. */
  outHidden: number;
  patch: number;
  temporalPatch: number;
  merge: number;
  inChans: number;
  mlp: 'gated' | 'plain';
  /** Window side in pixels of windowed blocks; null when every block attends over whole frames. */
  windowPx: number | null;
  fullAttBlocks: readonly number[];
}

export interface ModelSizes {
  text: TextSizes;
  vision: VisionSizes;
  /** config.json max_position_embeddings; null when not given. */
  maxPositions: number | null;
  /** Bytes per value of the decoder's compute type and KV cache: 4 (fp32, q4) or 2 (fp16, q4f16). */
  computeBytes: 2 | 4;
  /** The decoder takes num_logits_to_keep: a prefill computes the last position's logits only. */
  logitsToKeep: boolean;
}

/** One model's part of a run. */
export interface PromptShape {
  /** Prompt tokens (image placeholders included). */
  tokens: number;
  /** M-RoPE position after the prompt (fewer than tokens when images are in it). */
  positions: number;
  /** Patch grids [t, h, w] of the prompt's images. */
  images: readonly Grid[];
  /** False when the model's kept prompt cache is reused (no vision encoder, no prefill). */
  prefill: boolean;
  /** Decode batch rows (2 for the base model side by side). */
  rows: number;
  maxNewTokens: number;
  /** VisionThink (smart resolution): the full image the model may ask for, as an extension of every row. */
  extension: { tokens: number; grid: Grid } | null;
}

export interface MemoryBudget {
  /** Bytes the runtime may still allocate for this run; Infinity when unbounded. */
  available: number;
  /** The largest single buffer the backend allows (WebGPU); Infinity when none. */
  maxBuffer: number;
  /**
   * A prefill whose own buffers would pass this is split into chunks even when it would fit: the
   * WebAssembly heap never shrinks, so one spike would hold that memory for the worker's life.
   */
  spikeLimit: number;
}

/** Buffers of one forward: the sum alive at its peak, and the largest single one. */
export interface Footprint {
  bytes: number;
  largest: number;
}

export type Phase = 'vision' | 'prefill' | 'decode' | 'extension';

export type Blocker = Phase | 'context';

export interface MemoryPlan {
  fits: boolean;
  /** Tokens per prefill piece; null: the prompt goes in one piece (or is not prefilled at all). */
  chunkTokens: number | null;
  /** Peak bytes of the run beyond what the model holds, and per phase. */
  peakBytes: number;
  phases: Record<Phase, Footprint>;
  /** Why it does not fit (the first reason found), or null. */
  blocker: Blocker | null;
}

/** The smallest prefill piece worth running; below it the per-run cost dominates. */
export const MIN_CHUNK = 16;

const F32 = 4;
const I64 = 8;

/** Visual tokens of an image grid (patches merged merge×merge). */
export function gridTokens(grid: Grid, merge: number): number {
  return (grid[0] * grid[1] * grid[2]) / (merge * merge);
}

/** KV cache bytes of `tokens` positions, one row: every layer's key and value. */
export function kvBytes(s: ModelSizes, tokens: number, rows = 1): number {
  const t = s.text;
  return 2 * t.layers * t.kvHeads * t.headDim * s.computeBytes * tokens * rows;
}

/**
 * The float32 scores buffers [B, heads, S, T] alive together at the attention's peak: one op's
 * input and its output (scores → masked scores → probabilities), besides the additive mask.
 */
export const SCORES_BUFFERS = 2;

/**
 * What the heap needs beyond the tensors alive together: the allocator does not always fit a new
 * buffer into the one just freed, and where it puts them varies from run to run. Measured in
 * onnxruntime-web's heap, the bench models' runs took 0.67–1.54× their estimate beyond what the
 * model holds (docs/memory.md); a plan keeps this much more free.
 */
export const ALLOCATOR_MARGIN = 0.4;

/**
 * One decoder forward of `rows` rows × `fresh` new positions on a past of `past` positions
 * (decoder.ts): inputs copied in (embeddings, mask, positions, the past), the presents of every
 * layer (graph outputs, alive until the run returns), at the last layer's attention the scores
 * buffers, the additive mask [B, 1, 1, S, T] and the keys transposed for the scores — or the MLP's
 * intermediate buffers, whichever is larger — and the logits rows.
 */
export function decoderForward(s: ModelSizes, rows: number, fresh: number, past: number, keepLast: boolean): Footprint {
  const t = s.text;
  const c = s.computeBytes;
  const total = past + fresh;
  const inputs = rows * (fresh * t.hidden * F32 + total * I64 + 3 * fresh * I64) + kvBytes(s, past, rows);
  const presents = kvBytes(s, total, rows);
  const mask = rows * fresh * total * F32;
  const scores = rows * t.heads * fresh * total * F32;
  // float16 graphs cast the probabilities back to the compute type.
  const attention = SCORES_BUFFERS * scores + mask + (c === 2 ? scores / 2 : 0) + rows * t.kvHeads * t.headDim * total * c;
  const mlp = 3 * rows * fresh * t.intermediate * c;
  const logits = rows * (keepLast ? 1 : fresh) * t.vocabRows * F32;
  const bytes = inputs + presents + Math.max(attention, mlp) + logits;
  return { bytes, largest: Math.max(scores, mask, logits, kvBytes(s, total, rows) / (2 * t.layers)) };
}

/**
 * The vision encoder on one image (vision.ts): pixels in, the patch embeddings and a block's
 * q/k/v gathered into padded groups, the float32 scores buffers [G, heads, slots, slots] (windows
 * of window_size px, or whole frames in full-attention blocks) as in the decoder, the MLP's hidden
 * buffers, features out.
 */
export function visionForward(v: VisionSizes, grid: Grid): Footprint {
  const [frames, h, w] = grid;
  const patches = frames * h * w;
  const patchDim = v.inChans * v.temporalPatch * v.patch * v.patch;
  const pixels = patches * patchDim * F32;
  const features = (patches / (v.merge * v.merge)) * v.outHidden * F32;
  const stream = 4 * patches * v.width * F32; // residual, normed, attention output, rotary tables
  const group = (slots: number, groups: number) => {
    const scores = groups * v.heads * slots * slots * F32;
    return { bytes: SCORES_BUFFERS * scores + 3 * groups * slots * v.width * F32 + patches * 3 * v.width * F32, scores };
  };
  const full = group(h * w, frames);
  let attention = full;
  if (v.windowPx !== null) {
    const units = v.windowPx / v.patch / v.merge;
    const slots = units * units * v.merge * v.merge;
    const windows = frames * Math.ceil(h / v.merge / units) * Math.ceil(w / v.merge / units);
    const windowed = group(slots, windows);
    const anyFull = v.fullAttBlocks.some((b) => b < v.depth);
    attention = anyFull ? (full.bytes > windowed.bytes ? full : windowed) : windowed;
  }
  const mlp = (v.mlp === 'gated' ? 3 : 2) * patches * v.mlpHidden * F32;
  return {
    bytes: pixels + stream + Math.max(attention.bytes, mlp) + features,
    largest: Math.max(attention.scores, pixels, patches * v.mlpHidden * F32),
  };
}

/** The prefill of `tokens` positions in pieces of `chunk`: the last piece sees the longest past. */
export function prefillForward(s: ModelSizes, tokens: number, chunk: number): Footprint {
  const pieces = Math.ceil(tokens / chunk);
  const last = tokens - (pieces - 1) * chunk;
  // With num_logits_to_keep every piece keeps its last row only; without it a piece returns all its rows.
  const first = decoderForward(s, 1, Math.min(chunk, tokens), 0, s.logitsToKeep);
  const end = decoderForward(s, 1, last, tokens - last, s.logitsToKeep);
  const full = pieces > 1 ? decoderForward(s, 1, chunk, tokens - last - chunk, s.logitsToKeep) : first;
  const pick = [first, end, full].reduce((a, b) => (b.bytes > a.bytes ? b : a));
  // Text embeddings of the whole prompt are made in one run before the decoder (embed_tokens).
  const embed = 6 * tokens * s.text.hidden * F32;
  return {
    bytes: Math.max(pick.bytes, embed),
    largest: Math.max(first.largest, end.largest, full.largest),
  };
}

function exceeds(f: Footprint, budget: MemoryBudget): boolean {
  return f.bytes * (1 + ALLOCATOR_MARGIN) > budget.available || f.largest > budget.maxBuffer;
}

/**
 * The plan of one model's run: whether it fits the budget and, when the prompt must be prefilled
 * in pieces to fit (or to avoid a spike the heap would keep), the largest piece that does.
 */
export function planMemory(s: ModelSizes, p: PromptShape, budget: MemoryBudget): MemoryPlan {
  const none: Footprint = { bytes: 0, largest: 0 };
  const vision = p.prefill
    ? p.images.reduce((a, g) => {
        const f = visionForward(s.vision, g);
        return { bytes: Math.max(a.bytes, f.bytes), largest: Math.max(a.largest, f.largest) };
      }, none)
    : none;
  const finalLength = p.tokens + (p.extension ? p.extension.tokens : 0) + p.maxNewTokens;
  // Each step copies the rows' past in and the presents out: the cache twice, at its longest.
  const decode = decoderForward(s, p.rows, 1, finalLength - 1, false);
  const extension = p.extension
    ? decoderForward(s, p.rows, p.extension.tokens + 1, p.tokens + p.maxNewTokens, false)
    : none;
  let chunkTokens: number | null = null;
  let prefill = none;
  if (p.prefill) {
    prefill = prefillForward(s, p.tokens, p.tokens);
    const target: MemoryBudget = { ...budget, available: Math.min(budget.available, budget.spikeLimit) };
    if (exceeds(prefill, target)) {
      const chunk = largestChunk(s, p.tokens, target) ?? largestChunk(s, p.tokens, budget);
      if (chunk !== null) {
        chunkTokens = chunk;
        prefill = prefillForward(s, p.tokens, chunk);
      }
    }
  }
  const phases = { vision, prefill, decode, extension };
  const order: Phase[] = ['vision', 'prefill', 'extension', 'decode'];
  const contextOver = s.maxPositions !== null && p.positions + p.maxNewTokens + (p.extension?.tokens ?? 0) > s.maxPositions;
  const blocker: Blocker | null = contextOver ? 'context' : (order.find((ph) => exceeds(phases[ph], budget)) ?? null);
  return {
    fits: blocker === null,
    chunkTokens,
    peakBytes: Math.max(vision.bytes, prefill.bytes, decode.bytes, extension.bytes),
    phases,
    blocker,
  };
}

/** The largest piece (a multiple of MIN_CHUNK) whose prefill fits `budget`, or null when none does. */
function largestChunk(s: ModelSizes, tokens: number, budget: MemoryBudget): number | null {
  if (exceeds(prefillForward(s, tokens, Math.min(MIN_CHUNK, tokens)), budget)) return null;
  let lo = 1;
  let hi = Math.max(1, Math.floor((tokens - 1) / MIN_CHUNK));
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (exceeds(prefillForward(s, tokens, mid * MIN_CHUNK), budget)) hi = mid - 1;
    else lo = mid;
  }
  return Math.min(tokens, lo * MIN_CHUNK);
}
