/**
 * What the graph builders build: the sizes and structure of one Qwen-VL-family model, read from a
 * checkpoint's config.json (converter) or made up by the model factory. Tensor names used with a
 * WeightSource are the published (older) checkpoint names: `visual.*`, `model.layers.N.*`,
 * `model.embed_tokens.weight`, `model.norm.weight`, `lm_head.weight`.
 */
import type { VisionSizes } from '../core/memoryEstimate';

export type Family = 'qwen2_vl' | 'qwen2_5_vl' | 'qwen3_vl';

export const FAMILIES: readonly Family[] = ['qwen2_vl', 'qwen2_5_vl', 'qwen3_vl'];

export interface TextDesc {
  hidden: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  rmsEps: number;
  ropeTheta: number;
  /** Rotary frequencies per (t, h, w) row of M-RoPE; sums to headDim / 2. */
  mropeSection: [number, number, number];
  /** lm_head (and embedding) rows as in the checkpoint, padding rows included. */
  vocabRows: number;
  /** lm_head is the embedding matrix. */
  tied: boolean;
  /** q/k/v projections have biases (Qwen2: yes; Qwen3: attention_bias, normally no). */
  qkvBias: boolean;
  /** Per-head RMSNorm on q and k before the rotary embedding (Qwen3). */
  qkNorm: boolean;
  /** M-RoPE frequencies interleaved t, h, w, t, h, w, … (Qwen3-VL) rather than in three runs. */
  mropeInterleaved: boolean;
  /**
   * DeepStack (Qwen3-VL): visual features of intermediate ViT layers added to the hidden states
   * after the first `deepstackLayers` decoder layers. They ride in inputs_embeds, whose width is
   * then (1 + deepstackLayers) · hidden (zeros for text tokens); 0 for the other families.
   */
  deepstackLayers: number;
}

export type VisionAct = 'silu' | 'quick_gelu' | 'gelu' | 'gelu_pytorch_tanh';

/** The vision tower: the sizes the memory estimate reads (src/core/memoryEstimate.ts) and the rest. */
export interface VisionDesc extends VisionSizes {
  /** Qwen2.5-VL: RMSNorm and a gated (SwiGLU-style) MLP; Qwen2-VL: LayerNorm and fc1/fc2. */
  norm: 'rms' | 'layer';
  act: VisionAct;
  /** Blocks with full attention when windowPx is set. */
  fullAttBlocks: number[];
  /** The patch embedding has a bias (Qwen3-VL). */
  patchBias: boolean;
  /** Side of the learned position-embedding table, bilinearly interpolated to the grid (Qwen3-VL), or null. */
  posEmbedGrid: number | null;
  /** Tensor names of the MLPs and merger: Qwen2 / 2.5 (`mlp.fc1`, `merger.ln_q`, `merger.mlp.0`) or Qwen3 (`mlp.linear_fc1`, `merger.norm`, `merger.linear_fc1`). */
  names: 'qwen2' | 'qwen3';
  /** Blocks whose output also feeds a DeepStack merger (Qwen3-VL), in order. */
  deepstack: number[];
}

export interface ModelDesc {
  family: Family;
  text: TextDesc;
  vision: VisionDesc;
}

/** What a family fixes in its vision tower (the sizes come from the config). */
export type FamilyVision = Pick<VisionDesc, 'patch' | 'norm' | 'mlp' | 'act' | 'windowPx' | 'patchBias' | 'names'>;

export const FAMILY_VISION: Record<Family, FamilyVision> = {
  qwen2_vl: { patch: 14, norm: 'layer', mlp: 'plain', act: 'quick_gelu', windowPx: null, patchBias: false, names: 'qwen2' },
  qwen2_5_vl: { patch: 14, norm: 'rms', mlp: 'gated', act: 'silu', windowPx: 112, patchBias: false, names: 'qwen2' },
  qwen3_vl: { patch: 16, norm: 'layer', mlp: 'plain', act: 'gelu_pytorch_tanh', windowPx: null, patchBias: true, names: 'qwen3' },
};

/** inputs_embeds / image_features width: the hidden size, times 1 + DeepStack layers. */
export const embedWidth = (t: TextDesc): number => t.hidden * (1 + t.deepstackLayers);

/** The vision encoder's grid input: transformers.js feeds `grid_thw` to Qwen2-VL, `image_grid_thw` to the others. */
export const gridInputName = (f: Family): string => (f === 'qwen2_vl' ? 'grid_thw' : 'image_grid_thw');

export const patchDim = (v: VisionDesc): number => v.inChans * v.temporalPatch * v.patch * v.patch;

/** Weight formats of the written graphs, as transformers.js' dtypes name them. */
export type WeightFormat = 'fp32' | 'fp16' | 'q4' | 'q4f16' | 'q8';

export const WEIGHT_FORMATS: readonly WeightFormat[] = ['fp32', 'fp16', 'q4', 'q4f16', 'q8'];

/** transformers.js' file suffix per dtype (its 'q8' files are `_quantized`). */
export const FORMAT_SUFFIX: Record<WeightFormat, string> = { fp32: '', fp16: '_fp16', q4: '_q4', q4f16: '_q4f16', q8: '_quantized' };

export const computeType = (f: WeightFormat): 'float' | 'float16' => (f === 'fp16' || f === 'q4f16' ? 'float16' : 'float');
