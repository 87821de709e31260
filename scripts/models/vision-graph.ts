/**
 * vision_encoder.onnx: `pixel_values` [patches, 3·2·14·14] and `image_grid_thw` [images, 3] →
 * `image_features` [patches / 4, hidden], one feature per 2×2 merged patch, as Qwen2.5-VL's encoder.
 * Inside: a patch embedding, optional ViT blocks (windowed self-attention and a SwiGLU MLP, as
 * Qwen2.5-VL's windowed blocks), RMSNorm, then the 2×2 merger MLP (the processor already orders
 * patches so that each merge group is four consecutive rows).
 */
import { GraphBuilder, type WeightFormat } from './onnx-builder';
import { randomWeights, seedOf } from './rng';
import { rmsNorm } from './decoder-graph';
import type { ModelSpec, VisionBlocks } from './spec';

export const PATCH_DIM = 3 * 2 * 14 * 14;
/**
 * Patches per attention window: 16 merge groups, as Qwen2.5-VL's 112-px windows hold 8×8 patches.
 * Windows here are runs of consecutive patches in the processor's order, which keeps attention
 * cost linear in the image area like the real windowed blocks.
 */
export const VISION_WINDOW = 64;
const NEG = -1e9;

export function buildVisionEncoder(spec: ModelSpec, format: WeightFormat): Uint8Array {
  const H = spec.text.hidden;
  const vd = spec.visionDim;
  const g = new GraphBuilder('vision_encoder', format);
  const w = (name: string, count: number, std: number) => randomWeights(count, std, seedOf(spec.weightSeed, 'visual', name));
  const silu = (v: string) => g.op1('Mul', [v, g.op1('Sigmoid', [v])]);

  const pixels = g.input('pixel_values', 'float', ['num_patches', PATCH_DIM]);
  const grid = g.input('image_grid_thw', 'int64', ['num_images', 3]);

  let patches = silu(g.linear(pixels, 'visual.patch_embed.proj.weight', w('patch', PATCH_DIM * vd, 1 / Math.sqrt(PATCH_DIM)), PATCH_DIM, vd));
  if (spec.visionBlocks) patches = visionBlocks(g, patches, vd, spec.visionBlocks, w);
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

/**
 * Pre-norm ViT blocks over windows of VISION_WINDOW consecutive patches: the patch rows are padded
 * to whole windows (padding keys masked out), attended per window and head, and unpadded again.
 */
function visionBlocks(
  g: GraphBuilder,
  x0: string,
  vd: number,
  b: VisionBlocks,
  w: (name: string, count: number, std: number) => Float32Array,
): string {
  const hd = vd / b.heads;
  const W = VISION_WINDOW;
  const n = g.op1('Shape', [x0]); // [N, vd]
  const rows = g.op1('Slice', [n, g.constI([0]), g.constI([1])]); // [N]
  const pad = g.op1('Mod', [g.op1('Sub', [g.constI([W]), g.op1('Mod', [rows, g.constI([W])])]), g.constI([W])]);
  const pads = g.op1('Concat', [g.constI([0, 0]), pad, g.constI([0])], { axis: 0 });
  const padded = g.op1('Add', [rows, pad]);
  // Key mask per window slot: 0 for real patches, NEG for padding rows.
  const slot = g.op1('Range', [g.constI([0], []), g.op1('Squeeze', [padded, g.constI([0])]), g.constI([1], [])]);
  const real = g.op1('Less', [slot, rows]);
  const keyBias = g.op1('Reshape', [g.op1('Where', [real, g.constF([0], []), g.constF([NEG], [])]), g.constI([-1, 1, 1, W])]);

  const heads = (v: string) =>
    g.op1('Transpose', [g.op1('Reshape', [v, g.constI([-1, W, b.heads, hd])])], { perm: [0, 2, 1, 3] }); // [win, heads, W, hd]

  let x = x0;
  for (let l = 0; l < b.layers; l++) {
    const p = `visual.blocks.${l}`;
    const ones = (name: string) => g.initializer(`${p}.${name}.weight`, 'float', [vd], new Float32Array(vd).fill(1));
    const xn = g.op1('Pad', [rmsNorm(g, x, ones('norm1')), pads]); // [N + pad, vd]
    const lin = (name: string, k: number, m: number, v: string, bias: boolean) =>
      g.linear(v, `${p}.${name}.weight`, w(`${p}.${name}`, k * m, 1 / Math.sqrt(k)), k, m, bias ? w(`${p}.${name}.bias`, m, 0.02) : undefined);
    const q = heads(lin('attn.q', vd, vd, xn, true));
    const k = heads(lin('attn.k', vd, vd, xn, true));
    const v = heads(lin('attn.v', vd, vd, xn, true));
    const scores = g.op1('Add', [
      g.op1('Mul', [g.op1('MatMul', [q, g.op1('Transpose', [k], { perm: [0, 1, 3, 2] })]), g.constF([1 / Math.sqrt(hd)], [])]),
      keyBias,
    ]);
    const ctx = g.op1('MatMul', [g.op1('Softmax', [scores], { axis: -1 }), v]); // [win, heads, W, hd]
    const flat = g.op1('Reshape', [g.op1('Transpose', [ctx], { perm: [0, 2, 1, 3] }), g.constI([-1, vd])]);
    const unpadded = g.op1('Slice', [flat, g.constI([0]), rows, g.constI([0])]);
    x = g.op1('Add', [x, lin('attn.proj', vd, vd, unpadded, true)]);

    const xn2 = rmsNorm(g, x, ones('norm2'));
    const I = b.intermediate;
    const gate = lin('mlp.gate_proj', vd, I, xn2, true);
    const up = lin('mlp.up_proj', vd, I, xn2, true);
    x = g.op1('Add', [x, lin('mlp.down_proj', I, vd, g.op1('Mul', [g.op1('Mul', [gate, g.op1('Sigmoid', [gate])]), up]), true)]);
  }
  return x;
}
