/**
 * vision_encoder.onnx: `pixel_values` [patches, 3·2·14·14] and `image_grid_thw` [images, 3] →
 * `image_features` [patches / 4, hidden], one feature per 2×2 merged patch, as Qwen2.5-VL's encoder.
 * Inside: a patch embedding, SiLU and RMSNorm, then the 2×2 merger MLP (the processor already
 * orders patches so that each merge group is four consecutive rows).
 */
import { GraphBuilder, type WeightFormat } from './onnx-builder';
import { randomWeights, seedOf } from './rng';
import { rmsNorm } from './decoder-graph';
import type { ModelSpec } from './spec';

export const PATCH_DIM = 3 * 2 * 14 * 14;

export function buildVisionEncoder(spec: ModelSpec, format: WeightFormat): Uint8Array {
  const H = spec.text.hidden;
  const vd = spec.visionDim;
  const g = new GraphBuilder('vision_encoder', format);
  const w = (name: string, count: number, std: number) => randomWeights(count, std, seedOf(spec.weightSeed, 'visual', name));
  const silu = (v: string) => g.op1('Mul', [v, g.op1('Sigmoid', [v])]);

  const pixels = g.input('pixel_values', 'float', ['num_patches', PATCH_DIM]);
  const grid = g.input('image_grid_thw', 'int64', ['num_images', 3]);

  const patches = silu(g.linear(pixels, 'visual.patch_embed.proj.weight', w('patch', PATCH_DIM * vd, 1 / Math.sqrt(PATCH_DIM)), PATCH_DIM, vd));
  const normed = rmsNorm(g, patches, g.initializer('visual.norm.weight', 'float', [vd], new Float32Array(vd).fill(1)));

  // Merged token count t·h·w / 4 over all images, read from image_grid_thw.
  const perImage = g.op1('ReduceProd', [grid], { axes: [1], keepdims: 0 });
  const total = g.op1('ReduceSum', [perImage, g.constI([0])], { keepdims: 1 });
  const merged = g.op1('Div', [total, g.constI([4])]);
  const shape = g.op1('Concat', [merged, g.constI([4 * vd])], { axis: 0 });
  const groups = g.op1('Reshape', [normed, shape]);

  const h = silu(g.linear(groups, 'visual.merger.mlp.0.weight', w('merger0', 4 * vd * H, 1 / Math.sqrt(4 * vd)), 4 * vd, H));
  g.linear(h, 'visual.merger.mlp.2.weight', w('merger2', H * H, 1 / Math.sqrt(H)), H, H, undefined, 'image_features');
  g.output('image_features', 'float', ['num_image_tokens', H]);
  return g.encode();
}
