/**
 * vision_encoder: pixel_values [patches, C·T·P·P] (float32, the Qwen image processor's order) and
 * the grid [images, 3] (`image_grid_thw`; `grid_thw` for Qwen2-VL) → image_features
 * [patches / merge², out_hidden] (float32), as transformers' Qwen2-VL / Qwen2.5-VL vision towers:
 * patch embedding (the Conv3d as a matmul), ViT blocks with 2-D rotary attention over windows
 * (Qwen2.5-VL) or whole frames, then the patch merger.
 */
import { Graph } from '../onnx/graph';
import { gridInputName, patchDim, type ModelDesc, type WeightFormat } from '../model-desc';
import { activation, addRmsNorm, layerNorm, linear, rmsNorm, rotaryPerToken, toCompute, toFloat } from './ops';
import { VisionLayout, type Groups } from './vision-layout';
import { Ctx, type QuantOptions, type WeightSource } from './weights';

const EPS = 1e-6;

export function buildVisionEncoder(desc: ModelDesc, fmt: WeightFormat, src: WeightSource, q: QuantOptions = {}): Graph {
  const v = desc.vision;
  const g = new Graph('vision_encoder');
  const c = new Ctx(g, fmt, src, q);
  const E = v.width;
  const hd = E / v.heads;
  const why = (k: string) => `vision_config ${k}`;
  const D = patchDim(v);

  const pixels = g.input('pixel_values', 'float', ['num_patches', D]);
  const grid = g.input(gridInputName(desc.family), 'int64', ['num_images', 3]);
  g.output('image_features', 'float', ['num_image_tokens', v.outHidden]);

  let x = linear(c, toCompute(c, pixels), 'visual.patch_embed.proj', E, D, { why: why('hidden_size / in_chans / temporal_patch_size / patch_size') });

  const layout = new VisionLayout(c, grid, v.merge);
  // 2-D rotary: the first half of the frequencies turns with the row, the second with the column.
  const { hpos, wpos } = layout.positions();
  const rd = hd / 2;
  const invFreq = Array.from({ length: rd / 2 }, (_, j) => 1 / Math.pow(10000, (2 * j) / rd));
  const turn = (pos: string) => g.op1('Mul', [g.op1('Unsqueeze', [g.op1('Cast', [pos], { to: 1 }), g.constI([1])]), g.constF(invFreq)]);
  const rot = g.op1('Concat', [turn(hpos), turn(wpos)], { axis: 1 }); // [N, hd/2]
  const cos = toCompute(c, g.op1('Cos', [rot]));
  const sin = toCompute(c, g.op1('Sin', [rot]));

  const frames = layout.frames();
  const windows = v.windowPx === null ? null : layout.windows(v.windowPx / v.patch / v.merge);

  const norm = (x0: string, name: string) =>
    v.norm === 'rms' ? rmsNorm(c, x0, `${name}.weight`, E, EPS, why('hidden_size')) : layerNorm(c, x0, name, E, EPS, why('embed_dim'));
  // The residual add and the next norm (fused into one op for RMSNorm towers).
  const addNorm = (x0: string, delta: string, name: string) => {
    if (v.norm === 'rms') return addRmsNorm(c, x0, delta, `${name}.weight`, E, EPS, why('hidden_size'));
    const sum = g.op1('Add', [x0, delta]);
    return { sum, normed: layerNorm(c, sum, name, E, EPS, why('embed_dim')) };
  };

  let xn = norm(x, 'visual.blocks.0.norm1');
  for (let l = 0; l < v.depth; l++) {
    const p = `visual.blocks.${l}`;
    const groups = windows && !v.fullAttBlocks.includes(l) ? windows : frames;
    const qkv = linear(c, xn, `${p}.attn.qkv`, 3 * E, E, { bias: 'checkpoint', why: why('hidden_size') });
    const part = (i: number) => g.op1('Slice', [qkv, g.constI([i * E]), g.constI([(i + 1) * E]), g.constI([1])]); // [N, E]
    const heads = (t: string) => g.op1('Reshape', [t, g.constI([-1, v.heads, hd])]);
    const rotated = (t: string) => heads(rotaryPerToken(c, g.op1('Unsqueeze', [t, g.constI([0])]), cos, sin, v.heads, hd));
    const attn = groupAttention(c, rotated(part(0)), rotated(part(1)), heads(part(2)), groups, v.heads, hd);
    const a = addNorm(x, linear(c, attn, `${p}.attn.proj`, E, E, { bias: 'checkpoint', why: why('hidden_size') }), `${p}.norm2`);

    const I = v.mlpHidden;
    const mwhy = why(v.mlp === 'gated' ? 'intermediate_size' : 'mlp_ratio');
    let h: string;
    if (v.mlp === 'gated') {
      const gate = linear(c, a.normed, `${p}.mlp.gate_proj`, I, E, { bias: 'checkpoint', why: mwhy });
      const up = linear(c, a.normed, `${p}.mlp.up_proj`, I, E, { bias: 'checkpoint', why: mwhy });
      h = linear(c, g.op1('Mul', [activation(c, gate, v.act), up]), `${p}.mlp.down_proj`, E, I, { bias: 'checkpoint', why: mwhy });
    } else {
      const fc1 = linear(c, a.normed, `${p}.mlp.fc1`, I, E, { bias: 'checkpoint', why: mwhy });
      h = linear(c, activation(c, fc1, v.act), `${p}.mlp.fc2`, E, I, { bias: 'checkpoint', why: mwhy });
    }
    // After the last block the next norm is the merger's ln_q.
    const m = addNorm(a.sum, h, l + 1 < v.depth ? `visual.blocks.${l + 1}.norm1` : 'visual.merger.ln_q');
    x = m.sum;
    xn = m.normed;
  }

  // Patch merger: the merge² patches of a unit (consecutive rows, normed by ln_q above) as one row.
  const U = E * v.merge * v.merge;
  const units = g.op1('Reshape', [xn, g.constI([-1, U])]);
  const mwhy = why('hidden_size / out_hidden_size');
  const h = activation(c, linear(c, units, 'visual.merger.mlp.0', U, U, { bias: 'checkpoint', why: mwhy }), 'gelu');
  const out = linear(c, h, 'visual.merger.mlp.2', v.outHidden, U, { bias: 'checkpoint', why: mwhy });
  g.op1('Cast', [out], { to: 1 }, 'image_features');
  return g;
}

/** Attention within each group: q, k, v [N, heads, hd] → [N, heads·hd]. */
function groupAttention(c: Ctx, q: string, k: string, v: string, gr: Groups, heads: number, hd: number): string {
  const { g } = c;
  const grouped = (x: string) => g.op1('Transpose', [g.op1('Gather', [x, gr.gather], { axis: 0 })], { perm: [0, 2, 1, 3] }); // [G, heads, S, hd]
  const kT = g.op1('Transpose', [grouped(k)], { perm: [0, 1, 3, 2] });
  const scores = g.op1('Add', [g.op1('Mul', [toFloat(c, g.op1('MatMul', [grouped(q), kT])), g.constF([1 / Math.sqrt(hd)], [])]), gr.keyBias]);
  const probs = toCompute(c, g.op1('Softmax', [scores], { axis: -1 }));
  const ctx = g.op1('Transpose', [g.op1('MatMul', [probs, grouped(v)])], { perm: [0, 2, 1, 3] }); // [G, S, heads, hd]
  const flat = g.op1('Reshape', [ctx, g.constI([-1, heads * hd])]);
  return g.op1('Gather', [flat, gr.scatter], { axis: 0 });
}
