/** Model sizes for the memory-estimate tests: Qwen2.5-VL's vision tower and two decoders from their config.json. */
import type { ModelSizes, VisionSizes } from './memoryEstimate';

/** Qwen2.5-VL's vision tower (3B and 7B share it; only the merger's output differs). */
const QWEN25_VISION: VisionSizes = {
  width: 1280,
  depth: 32,
  heads: 16,
  mlpHidden: 3420,
  outHidden: 3584,
  patch: 14,
  temporalPatch: 2,
  merge: 2,
  inChans: 3,
  mlp: 'gated',
  windowPx: 112,
  fullAttBlocks: [7, 15, 23, 31],
};

/** Qwen2.5-VL-7B-Instruct (q4: float32 compute, no num_logits_to_keep). */
export const QWEN7B: ModelSizes = {
  text: { hidden: 3584, layers: 28, heads: 28, kvHeads: 4, headDim: 128, intermediate: 18944, vocabRows: 152064 },
  vision: QWEN25_VISION,
  maxPositions: 128000,
  computeBytes: 4,
  logitsToKeep: false,
};

/** Qwen2.5-VL-3B (q4). */
export const QWEN3B: ModelSizes = {
  ...QWEN7B,
  text: { hidden: 2048, layers: 36, heads: 16, kvHeads: 2, headDim: 128, intermediate: 11008, vocabRows: 151936 },
  vision: { ...QWEN25_VISION, outHidden: 2048 },
};
