/** A factory spec as the graph builders' ModelDesc: the same real Qwen-VL architecture a checkpoint has. */
import { FAMILY_VISION, type ModelDesc, type VisionDesc } from '../../src/convert/model-desc';
import type { ModelSpec } from './spec';

export function descOf(spec: ModelSpec): ModelDesc {
  const t = spec.text;
  const family = spec.family ?? 'qwen2_5_vl';
  const b = spec.visionBlocks;
  const common = {
    width: spec.visionDim,
    depth: b?.layers ?? 1,
    heads: b?.heads ?? 1,
    mlpHidden: b?.intermediate ?? 4 * spec.visionDim,
    outHidden: t.hidden,
    temporalPatch: 2,
    merge: 2,
    inChans: 3,
  };
  // Qwen2.5-VL: windowed blocks only with blocks given (cost linear in the image), one full-attention
  // block otherwise. Qwen3-VL: a learned 8×8 position table, DeepStack from every block but the last.
  const vision: VisionDesc = {
    ...common,
    ...FAMILY_VISION[family],
    fullAttBlocks: family === 'qwen2_5_vl' && !b ? [0] : [],
    posEmbedGrid: family === 'qwen3_vl' ? 8 : null,
    deepstack: family === 'qwen3_vl' ? Array.from({ length: Math.min(3, Math.max(0, common.depth - 1)) }, (_, i) => i) : [],
  };
  return {
    family,
    text: {
      hidden: t.hidden,
      layers: t.layers,
      heads: t.heads,
      kvHeads: t.kvHeads,
      headDim: t.headDim,
      intermediate: t.intermediate,
      rmsEps: 1e-6,
      ropeTheta: t.ropeTheta,
      mropeSection: t.mropeSection,
      vocabRows: t.vocabRows,
      tied: false,
      qkvBias: family !== 'qwen3_vl',
      qkNorm: family === 'qwen3_vl',
      mropeInterleaved: family === 'qwen3_vl',
      deepstackLayers: vision.deepstack.length,
    },
    vision,
  };
}
