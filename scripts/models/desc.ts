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
  const none = { patchBias: false, posEmbedGrid: null, names: 'qwen2' as const, deepstack: [] as number[] };
  const vision: VisionDesc =
    family === 'qwen2_5_vl'
      ? // Windowed blocks only with blocks given (cost linear in the image), one full-attention block otherwise.
        { ...common, ...none, norm: 'rms', mlp: 'gated', act: 'silu', windowPx: 112, fullAttBlocks: b ? [] : [0] }
      : family === 'qwen2_vl'
        ? { ...common, ...none, norm: 'layer', mlp: 'plain', act: 'quick_gelu', windowPx: null, fullAttBlocks: [] }
        : // Qwen3-VL: 16-px patches, a learned 8×8 position table, DeepStack from every block but the last.
          {
            ...common,
            patch: 16,
            norm: 'layer',
            mlp: 'plain',
            act: 'gelu_pytorch_tanh',
            windowPx: null,
            fullAttBlocks: [],
            patchBias: true,
            posEmbedGrid: 8,
            names: 'qwen3',
            deepstack: Array.from({ length: Math.min(3, Math.max(0, common.depth - 1)) }, (_, i) => i),
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
