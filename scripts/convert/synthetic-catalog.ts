/**
 * The synthetic checkpoints the converter's tests use: small random-weight Qwen2.5-VL and Qwen2-VL
 * checkpoints in every published variation (bf16/f16/f32, sharded or not, both namings, tied and
 * untied), trios of them for guided decoding, and real-size shapes for the large-file check.
 */
import { FAMILY_VISION, type ModelDesc, type TextDesc, type VisionDesc } from '../../src/convert/model-desc';
import type { SyntheticSpec } from './synthetic';

const TINY_VOCAB = 1024; // regular ids; Qwen's 26 added tokens follow (plus the VisionThink call token)
const PIXELS = { minPixels: 56 * 56, maxPixels: 28 * 28 * 256 };

const text = (o: Partial<TextDesc> & Pick<TextDesc, 'hidden' | 'layers' | 'heads' | 'kvHeads' | 'intermediate' | 'vocabRows'>): TextDesc => {
  const headDim = o.hidden / o.heads;
  const q = headDim / 16;
  return { rmsEps: 1e-6, ropeTheta: 1e6, tied: false, headDim, mropeSection: [2 * q, 3 * q, 3 * q], qkvBias: true, qkNorm: false, mropeInterleaved: false, deepstackLayers: 0, ...o };
};

const qwen25Vision = (width: number, depth: number, heads: number, mlpHidden: number, outHidden: number, fullAttBlocks: number[]): VisionDesc => ({
  width,
  depth,
  heads,
  mlpHidden,
  outHidden,
  temporalPatch: 2,
  merge: 2,
  inChans: 3,
  ...FAMILY_VISION.qwen2_5_vl,
  fullAttBlocks,
  posEmbedGrid: null,
  deepstack: [],
});

const qwen2Vision = (width: number, depth: number, heads: number, outHidden: number): VisionDesc => ({
  width,
  depth,
  heads,
  mlpHidden: width * 4,
  outHidden,
  temporalPatch: 2,
  merge: 2,
  inChans: 3,
  ...FAMILY_VISION.qwen2_vl,
  fullAttBlocks: [],
  posEmbedGrid: null,
  deepstack: [],
});

const qwen3Vision = (width: number, depth: number, heads: number, outHidden: number, deepstack: number[]): VisionDesc => ({
  width,
  depth,
  heads,
  mlpHidden: width * 2,
  outHidden,
  temporalPatch: 2,
  merge: 2,
  inChans: 3,
  ...FAMILY_VISION.qwen3_vl,
  fullAttBlocks: [],
  posEmbedGrid: 6,
  deepstack,
});

/** Qwen3 text: q/k norms, no q/k/v bias, interleaved M-RoPE, an explicit head_dim unlike hidden / heads. */
const qwen3Text = (o: Pick<TextDesc, 'hidden' | 'layers' | 'heads' | 'kvHeads' | 'intermediate' | 'vocabRows' | 'tied' | 'deepstackLayers'>): TextDesc => ({
  ...text({ ...o, headDim: 32 }),
  mropeSection: [6, 5, 5],
  ropeTheta: 5e6,
  qkvBias: false,
  qkNorm: true,
  mropeInterleaved: true,
});

const q25 = (t: TextDesc, v: VisionDesc): ModelDesc => ({ family: 'qwen2_5_vl', text: t, vision: v });
const q2 = (t: TextDesc, v: VisionDesc): ModelDesc => ({ family: 'qwen2_vl', text: t, vision: v });

const base25 = q25(text({ hidden: 96, layers: 3, heads: 6, kvHeads: 2, intermediate: 256, vocabRows: 1152 }), qwen25Vision(64, 4, 4, 160, 96, [1, 3]));
const small25 = q25(text({ hidden: 64, layers: 2, heads: 4, kvHeads: 2, intermediate: 160, vocabRows: 1088, tied: true }), qwen25Vision(32, 3, 2, 96, 64, [2]));
const base2 = q2(text({ hidden: 96, layers: 3, heads: 6, kvHeads: 2, intermediate: 256, vocabRows: 1152, tied: true }), qwen2Vision(64, 3, 4, 96));
const small2 = q2(text({ hidden: 64, layers: 2, heads: 4, kvHeads: 2, intermediate: 160, vocabRows: 1088, tied: true }), qwen2Vision(32, 2, 2, 64));

const q3 = (t: TextDesc, v: VisionDesc): ModelDesc => ({ family: 'qwen3_vl', text: t, vision: v });
const base3 = q3(qwen3Text({ hidden: 96, layers: 3, heads: 6, kvHeads: 2, intermediate: 192, vocabRows: 1152, tied: false, deepstackLayers: 2 }), qwen3Vision(64, 3, 4, 96, [0, 1]));
const small3 = q3(qwen3Text({ hidden: 64, layers: 2, heads: 4, kvHeads: 2, intermediate: 128, vocabRows: 1088, tied: true, deepstackLayers: 2 }), qwen3Vision(32, 3, 2, 64, [0, 1]));

const common = { regularVocab: TINY_VOCAB, ...PIXELS };
/** Qwen3-VL's processor: 16-px patches, so sides are multiples of 32. */
const PIXELS3 = { regularVocab: TINY_VOCAB, minPixels: 64 * 64, maxPixels: 32 * 32 * 256 };

export const SYNTHETIC: readonly SyntheticSpec[] = [
  // The Qwen2.5-VL trio: published layout, bf16, sharded base; the expert is the amateur "after RL" (other seed).
  { name: 'ck25-base', desc: base25, seed: 501, dtype: 'BF16', shardBytes: 600_000, layout: 'published', ...common },
  { name: 'ck25-expert', desc: small25, seed: 502, dtype: 'BF16', shardBytes: 10 ** 9, layout: 'published', ...common },
  { name: 'ck25-amateur', desc: small25, seed: 503, dtype: 'BF16', shardBytes: 10 ** 9, layout: 'published', ...common },
  // The Qwen2-VL trio (VisualThinker-R1-Zero-like expert on Qwen2-VL-2B-like shapes), newer naming for one.
  { name: 'ck2-base', desc: base2, seed: 601, dtype: 'BF16', shardBytes: 10 ** 9, layout: 'published', ...common },
  { name: 'ck2-expert', desc: small2, seed: 602, dtype: 'BF16', shardBytes: 300_000, layout: 'transformers5', ...common },
  { name: 'ck2-amateur', desc: small2, seed: 603, dtype: 'BF16', shardBytes: 10 ** 9, layout: 'published', ...common },
  // The Qwen3-VL trio (4B Instruct guided by 2B Thinking, scaled down), as released: the newer naming.
  { name: 'ck3-base', desc: base3, seed: 701, dtype: 'BF16', shardBytes: 500_000, layout: 'published', ...PIXELS3 },
  { name: 'ck3-expert', desc: small3, seed: 702, dtype: 'BF16', shardBytes: 10 ** 9, layout: 'published', ...PIXELS3 },
  { name: 'ck3-amateur', desc: small3, seed: 703, dtype: 'BF16', shardBytes: 10 ** 9, layout: 'published', ...PIXELS3 },
  // Variations: the same weights in other dtypes and layouts must convert to the same model.
  { name: 'ck25-base-f32-t5', desc: base25, seed: 501, dtype: 'F32', shardBytes: 10 ** 9, layout: 'transformers5', ...common },
  { name: 'ck25-expert-f16-lmhead', desc: small25, seed: 502, dtype: 'F16', shardBytes: 200_000, layout: 'published', lmHeadWhenTied: true, ...common },
];

/** Real Qwen2-VL-2B shapes (1.5B text + 0.6B vision, ≈ 4.4 GB of bf16): the large-file check, not run in CI. */
export const LARGE_QWEN2_2B: SyntheticSpec = {
  name: 'ck2-2b-shapes',
  desc: q2(
    text({ hidden: 1536, layers: 28, heads: 12, kvHeads: 2, intermediate: 8960, vocabRows: 151936, tied: true }),
    qwen2Vision(1280, 32, 16, 1536),
  ),
  seed: 7001,
  regularVocab: 151643,
  dtype: 'BF16',
  shardBytes: 4 * 1024 ** 3,
  layout: 'published',
  minPixels: 56 * 56,
  maxPixels: 28 * 28 * 1280,
};

export function syntheticNamed(name: string): SyntheticSpec {
  const s = [...SYNTHETIC, LARGE_QWEN2_2B].find((x) => x.name === name);
  if (!s) throw new Error(`no synthetic checkpoint ${name}`);
  return s;
}
