/**
 * vision_encoder: pixel_values [patches, C·T·P·P] (float32, the Qwen image processor's order) and
 * the grid [images, 3] (`image_grid_thw`; `grid_thw` for Qwen2-VL) → image_features
 * [patches / merge², out_hidden] (float32), as transformers' Qwen2-VL / Qwen2.5-VL vision towers:
 * patch embedding (the Conv3d as a matmul), ViT blocks with 2-D rotary attention over windows
 * (Qwen2.5-VL) or whole frames, then the patch merger.
 */
import { Graph } from '../onnx/graph';
import { gridInputName, patchDim, type ModelDesc, type VisionDesc, type WeightFormat } from '../model-desc';
import { bytesOf } from '../onnx/graph';
import { mergers, type MergerNames } from '../tensors';
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
  const [main, ...deep] = mergers(v);
  if (!main) throw new Error('no merger');
  // DeepStack's features (Qwen3-VL) ride beside the main ones: [main | deepstack 0 | deepstack 1 | …].
  g.output('image_features', 'float', ['num_image_tokens', v.outHidden * (1 + deep.length)]);

  let x = linear(c, toCompute(c, pixels), 'visual.patch_embed.proj', E, D, {
    ...(v.patchBias ? { bias: 'checkpoint' as const } : {}),
    why: why('hidden_size / in_chans / temporal_patch_size / patch_size'),
    floatInQ8: true,
  });

  const layout = new VisionLayout(c, grid, v.merge);
  if (v.posEmbedGrid !== null) x = g.op1('Add', [x, toCompute(c, interpolatedPositions(c, layout, v.posEmbedGrid, E))]);
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
  const deepFeatures: string[] = [];
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
      const [fc1, fc2] = v.names === 'qwen3' ? ['linear_fc1', 'linear_fc2'] : ['fc1', 'fc2'];
      const h1 = linear(c, a.normed, `${p}.mlp.${fc1}`, I, E, { bias: 'checkpoint', why: mwhy });
      h = linear(c, activation(c, h1, v.act), `${p}.mlp.${fc2}`, E, I, { bias: 'checkpoint', why: mwhy });
    }
    // After the last block the next norm is the main merger's (ln_q, or Qwen3's merger.norm).
    const m = addNorm(a.sum, h, l + 1 < v.depth ? `visual.blocks.${l + 1}.norm1` : main.norm);
    x = m.sum;
    xn = m.normed;
    // The merger is the list's k-th; the features go in block order (as transformers appends them).
    const dm = deep[v.deepstack.indexOf(l)];
    if (dm) deepFeatures.push(merge(c, v, dm, x));
  }

  // Patch merger: the merge² patches of a unit (consecutive rows, normed above) as one row.
  const out = mergerMlp(c, v, main, g.op1('Reshape', [xn, g.constI([-1, E * v.merge * v.merge])]));
  if (deepFeatures.length !== deep.length || deepFeatures.some((f) => !f)) throw new Error('DeepStack blocks missing');
  const all = deep.length ? g.op1('Concat', [out, ...deepFeatures], { axis: 1 }) : out;
  g.op1('Cast', [all], { to: 1 }, 'image_features');
  return g;
}

/** A DeepStack merger (Qwen3-VL): the block's output as merged units, normed over the whole unit, then the MLP. */
function merge(c: Ctx, v: VisionDesc, m: MergerNames, x: string): string {
  const U = v.width * v.merge * v.merge;
  const units = c.g.op1('Reshape', [x, c.g.constI([-1, U])]);
  return mergerMlp(c, v, m, layerNorm(c, units, m.norm, U, EPS, 'vision_config hidden_size'));
}

/** The merger's MLP on merged units: Linear(U, U) → GELU (exact) → Linear(U, out_hidden). */
function mergerMlp(c: Ctx, v: VisionDesc, m: MergerNames, units: string): string {
  const U = v.width * v.merge * v.merge;
  const why = 'vision_config hidden_size / out_hidden_size';
  const h = activation(c, linear(c, units, m.fc1, U, U, { bias: 'checkpoint', why }), 'gelu');
  return linear(c, h, m.fc2, v.outHidden, U, { bias: 'checkpoint', why });
}

/**
 * Qwen3-VL's learned positions: the G×G table bilinearly interpolated to the image's patch grid
 * (fast_pos_embed_interpolate: rows at i·(G−1)/(h−1), floor and ceil corners) for each patch, [N, E].
 */
function interpolatedPositions(c: Ctx, layout: VisionLayout, G: number, E: number): string {
  const { g } = c;
  c.expect('visual.pos_embed.weight', [G * G, E], 'vision_config num_position_embeddings / hidden_size');
  const table = g.lazy('visual.pos_embed.weight', 'float', [G * G, E], async () => bytesOf(await c.src.read('visual.pos_embed.weight')));
  const { hpos, wpos } = layout.positions();
  const { h, w } = layout.patchGrid();
  const f = (v: string) => g.op1('Cast', [v], { to: 1 });
  const axis = (pos: string, size: string) => {
    // (G − 1) / (size − 1), and 0 for a one-patch side (its only position is 0 anyway).
    const step = g.op1('Div', [g.constF([G - 1], []), g.op1('Max', [g.op1('Sub', [f(size), g.constF([1], [])]), g.constF([1], [])])]);
    const at = g.op1('Mul', [f(pos), step]);
    const lo = g.op1('Floor', [at]);
    const hi = g.op1('Min', [g.op1('Add', [lo, g.constF([1], [])]), g.constF([G - 1], [])]);
    return { lo, hi, d: g.op1('Sub', [at, lo]) };
  };
  const r = axis(hpos, h);
  const cl = axis(wpos, w);
  const one = g.constF([1], []);
  const corner = (row: string, col: string, wr: string, wc: string) => {
    const idx = g.op1('Cast', [g.op1('Add', [g.op1('Mul', [row, g.constF([G], [])]), col])], { to: 7 });
    const weight = g.op1('Unsqueeze', [g.op1('Mul', [wr, wc]), g.constI([1])]);
    return g.op1('Mul', [g.op1('Gather', [table, idx], { axis: 0 }), weight]);
  };
  const nr = g.op1('Sub', [one, r.d]);
  const nc = g.op1('Sub', [one, cl.d]);
  const sum = (a: string, b: string) => g.op1('Add', [a, b]);
  return sum(sum(corner(r.lo, cl.lo, nr, nc), corner(r.lo, cl.hi, nr, cl.d)), sum(corner(r.hi, cl.lo, r.d, nc), corner(r.hi, cl.hi, r.d, cl.d)));
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
