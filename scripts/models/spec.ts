/** What the factory builds: sizes of one generated Qwen2.5-VL-layout model. */
import type { Family, WeightFormat } from '../../src/convert/model-desc';

export interface TextSpec {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  ropeTheta: number;
  /** Frequencies per (t, h, w) row of M-RoPE; sums to headDim / 2 (Qwen2.5-VL: [16, 24, 24] for 128). */
  mropeSection: [number, number, number];
  /** lm_head / embedding rows: the tokenizer's ids plus padding (as 151936 vs 152064 in real Qwen). */
  vocabRows: number;
  /** Standard deviation of the logits of a random model: larger makes greedy choices clearer. */
  logitScale: number;
}

/**
 * The vision tower's blocks, scaled down (width is the spec's visionDim): Qwen2.5-VL's windowed
 * blocks (112-px windows; none with full attention) or Qwen2-VL's full-attention blocks.
 */
export interface VisionBlocks {
  layers: number;
  heads: number;
  intermediate: number;
}

export interface ModelSpec {
  name: string;
  /** Architecture of the generated model; Qwen2.5-VL unless said. */
  family?: Family;
  /** Graph ops: fused contrib ops (default) or the same maths in plain ONNX ops (bench comparison). */
  ops?: 'fused' | 'plain';
  /** Made only when asked for by name (`--only`), e.g. by the bench. */
  onDemand?: boolean;
  /** Weights come from this seed: an expert shares its amateur's seed and differs only in `logitBias`. */
  weightSeed: number;
  regularVocab: number;
  text: TextSpec;
  visionDim: number;
  /** ViT blocks between the patch embedding and the merger; none keeps the encoder one layer deep. */
  visionBlocks?: VisionBlocks;
  minPixels: number;
  maxPixels: number;
  /** Added to the lm_head output for these tokens (the expert's "behaviour shift"). */
  logitBias?: { tokens: readonly string[]; value: number };
  /**
   * A bigram head: after token `from`, the logit of `to` rises by `value` (inputs_embeds @ W, W
   * solved so that each `from` embedding maps exactly onto its `to`).
   */
  bigram?: { pairs: readonly (readonly [string, string])[]; value: number };
  formats: readonly WeightFormat[];
  /**
   * The decoder also takes `num_logits_to_keep` (as newer exports do; transformers.js passes it when
   * declared): a prefill computes the lm_head for the last position only. Off by default: the
   * Qwen2.5-VL exports this project mirrors take inputs_embeds, attention_mask, position_ids and the
   * cache only. The bench models turn it on, because their 512-wide decoder would otherwise spend
   * most of a prefill in a 152k-row lm_head — a proportion no real 3–7B model has.
   */
  logitsToKeep?: boolean;
  description: string;
}

const RMS_EPS = 1e-6;
export const rmsEps = (): number => RMS_EPS;

/** Rejects sizes the graphs cannot be built with, with a message naming the model and the field. */
export function validateSpec(s: ModelSpec): void {
  const t = s.text;
  const fail = (msg: string): never => {
    throw new Error(`model "${s.name}": ${msg}`);
  };
  const positiveInt = (v: number, field: string) => {
    if (!Number.isInteger(v) || v <= 0) fail(`${field} must be a positive integer, got ${v}`);
  };
  positiveInt(t.hidden, 'hidden');
  positiveInt(t.layers, 'layers');
  positiveInt(t.heads, 'heads');
  positiveInt(t.kvHeads, 'kvHeads');
  positiveInt(t.headDim, 'headDim');
  positiveInt(t.intermediate, 'intermediate');
  positiveInt(s.visionDim, 'visionDim');
  if (s.visionBlocks) {
    const b = s.visionBlocks;
    positiveInt(b.layers, 'visionBlocks.layers');
    positiveInt(b.heads, 'visionBlocks.heads');
    positiveInt(b.intermediate, 'visionBlocks.intermediate');
    if (s.visionDim % 32 !== 0) fail(`visionDim (${s.visionDim}) must be a multiple of 32 for 4-bit blocks`);
    if (s.visionDim % b.heads !== 0) fail(`visionDim (${s.visionDim}) must be a multiple of visionBlocks.heads (${b.heads})`);
    if (b.intermediate % 32 !== 0) fail(`visionBlocks.intermediate (${b.intermediate}) must be a multiple of 32 for 4-bit blocks`);
  }
  if (t.heads % t.kvHeads !== 0) fail(`heads (${t.heads}) must be a multiple of kvHeads (${t.kvHeads})`);
  if (t.headDim % 2 !== 0) fail(`headDim must be even, got ${t.headDim}`);
  if (t.mropeSection.reduce((a, b) => a + b, 0) !== t.headDim / 2) {
    fail(`mropeSection ${JSON.stringify(t.mropeSection)} must sum to headDim/2 = ${t.headDim / 2}`);
  }
  for (const [v, f] of [
    [t.hidden, 'hidden'],
    [t.intermediate, 'intermediate'],
    [t.heads * t.headDim, 'heads×headDim'],
  ] as const) {
    if (v % 32 !== 0) fail(`${f} (${v}) must be a multiple of 32 for 4-bit blocks`);
  }
  if (s.text.vocabRows < s.regularVocab) fail(`vocabRows ${t.vocabRows} is below the vocabulary`);
  if (s.minPixels < 56 * 56 || s.maxPixels < s.minPixels) fail(`pixel bounds ${s.minPixels}..${s.maxPixels} are invalid`);
  if (s.formats.length === 0) fail('no weight format requested');
}
