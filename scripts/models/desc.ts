/** A factory spec as the graph builders' ModelDesc: the same real Qwen-VL architecture a checkpoint has. */
import type { ModelDesc, VisionDesc } from '../../src/convert/model-desc';
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
    patch: 14,
    temporalPatch: 2,
    merge: 2,
    inChans: 3,
  };
  const vision: VisionDesc =
    family === 'qwen2_5_vl'
      ? // Windowed blocks only with blocks given (cost linear in the image), one full-attention block otherwise.
        { ...common, norm: 'rms', mlp: 'gated', act: 'silu', windowPx: 112, fullAttBlocks: b ? [] : [0] }
      : { ...common, norm: 'layer', mlp: 'plain', act: 'quick_gelu', windowPx: null, fullAttBlocks: [] };
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
    },
    vision,
  };
}
