/** The layers every Qwen-VL graph is made of, over a Ctx (graph, weight format, weight source). */
import { Q4_BLOCK, type Q4 } from '../quantize';
import type { VisionAct } from '../model-desc';
import { bytesOf } from '../onnx/graph';
import { transposeInto, type Ctx } from './weights';

export interface LinearOpts {
  /** The checkpoint's `<name>.bias`, or bias values at hand (the factory's extras). */
  bias?: 'checkpoint' | Float32Array;
  out?: string;
  /** What in the config implies the shape (for error messages). */
  why: string;
  /**
   * Keep float weights in q8 files: DynamicQuantizeMatMul quantises its input to 8 bits per tensor,
   * which the raw normalised pixels of the patch embedding should not go through.
   */
  floatInQ8?: boolean;
}

/**
 * Largest float32 matrix one MatMulNBits may dequantise. onnxruntime-web's WASM kernel (no 4-bit
 * GEMM there) dequantises the whole weight into a scratch buffer on every call, and WASM memory never
 * shrinks: a 152k-row lm_head would keep 4·vocab·hidden bytes (311 MB for hidden 512, 1.2 GB for
 * Qwen2.5-VL-3B) resident for good. Larger weights are split along N into MatMulNBits of at most this
 * size whose outputs are concatenated: the same dot products, a scratch buffer 1/chunks the size.
 */
export const DEQUANT_CHUNK_BYTES = 16 * 1024 ** 2;

/** Row ranges [from, to) of an [n, k] weight whose float32 copies stay within DEQUANT_CHUNK_BYTES. */
export function rowChunks(n: number, k: number): [number, number][] {
  const per = Math.max(1, Math.floor(DEQUANT_CHUNK_BYTES / (4 * k)));
  const count = Math.ceil(n / per);
  const size = Math.ceil(n / count);
  return Array.from({ length: count }, (_, i): [number, number] => [i * size, Math.min(n, (i + 1) * size)]);
}

/**
 * x @ Wᵀ (+ b) for a PyTorch Linear weight W [n, k]: MatMul in fp32/fp16, MatMulNBits in q4/q4f16,
 * DynamicQuantizeMatMul in q8.
 */
export function linear(c: Ctx, x: string, name: string, n: number, k: number, o: LinearOpts): string {
  const { g } = c;
  const wName = `${name}.weight`;
  c.expect(wName, [n, k], o.why);
  if (c.fmt === 'q8' && !o.floatInQ8) return q8MatMul(c, x, name, n, k, o);
  const chunks = c.quantized ? rowChunks(n, k) : [];
  // Bias values at hand are split with the weight; a checkpoint's bias is read once and sliced in-graph.
  let bias: string | undefined;
  if (o.bias === 'checkpoint') bias = c.vector(`${name}.bias`, n, o.why);
  else if (o.bias && chunks.length <= 1) bias = c.data(`${name}.bias`, [n], o.bias);
  if (!c.quantized) {
    const w = c.matmulWeight(wName, n, k);
    if (!bias) return g.op1('MatMul', [x, w], {}, o.out);
    return g.op1('Add', [g.op1('MatMul', [x, w]), bias], {}, o.out);
  }
  const q = c.q4(wName, n, k, chunks.length * (c.zeroPoints ? 3 : 2));
  if (chunks.length === 1) return q4MatMul(c, x, q, wName, [0, n], k, bias, o.out);
  const parts = chunks.map(([from, to], i) => {
    const part = o.bias instanceof Float32Array ? c.data(`${name}.bias_${i}`, [to - from], o.bias.subarray(from, to)) : bias && g.op1('Slice', [bias, g.constI([from]), g.constI([to]), g.constI([0])]);
    return q4MatMul(c, x, q, `${wName}_${i}`, [from, to], k, part, undefined);
  });
  return g.op1('Concat', parts, { axis: -1 }, o.out);
}

/**
 * q8: int8 weights per output column (symmetric) times the input quantised to 8 bits per row (per
 * token) at run time, through MatMulInteger, whose WASM SIMD int8 kernel onnxruntime-web has; its WASM
 * MatMulNBits dequantises the whole 4-bit weight to float32 on every call instead, about 20× slower at
 * decode for the bench's lm_head (docs/onnx-ops.md, docs/bench.md). Per row, not per tensor as the
 * fused DynamicQuantizeMatMul does: rows decoded together (side-by-side, α sweeps) or a prompt cut in
 * pieces must not change each other's codes. The WebGPU provider has no kernel for it (CPU fallback),
 * so q8 files are for the WASM backend.
 */
function q8MatMul(c: Ctx, x: string, name: string, n: number, k: number, o: LinearOpts): string {
  const { g } = c;
  const wName = `${name}.weight`;
  const q = c.q8(wName, n, k, 2);
  const values = g.lazy(`${wName}_quantized`, 'int8', [k, n], async () => {
    const t = transposeInto((await q()).values, n, k, new Int8Array(n * k));
    return new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
  });
  const scales = g.lazy(`${wName}_scale`, 'float', [n], async () => bytesOf((await q()).scales));
  const { codes, scale } = rowCodes(c, x);
  const acc = g.op1('MatMulInteger', [codes, values, g.constU8([128], [])]);
  const y = g.op1('Mul', [g.op1('Mul', [g.op1('Cast', [acc], { to: 1 }), scales]), scale], {}, o.bias ? undefined : o.out);
  if (!o.bias) return y;
  const bias = o.bias === 'checkpoint' ? c.vector(`${name}.bias`, n, o.why) : c.data(`${name}.bias`, [n], o.bias);
  return g.op1('Add', [y, bias], {}, o.out);
}

/** x's rows as uint8 codes about 128 (symmetric: ±127 steps of max|row| / 127) and their scales [.., 1]. */
function rowCodes(c: Ctx, x: string): { codes: string; scale: string } {
  const hit = c.rowCodes.get(x);
  if (hit) return hit;
  const { g } = c;
  const amax = g.op1('ReduceMax', [g.op1('Abs', [x])], { axes: [-1], keepdims: 1 });
  // An all-zero row gets a tiny scale and codes 128 (zero), not a division by zero.
  const scale = g.op1('Max', [g.op1('Mul', [amax, g.constF([1 / 127], [])]), g.constF([1e-30], [])]);
  const shifted = g.op1('Add', [g.op1('Round', [g.op1('Div', [x, scale])]), g.constF([128], [])]);
  const made = { codes: g.op1('Cast', [shifted], { to: 2 }), scale };
  c.rowCodes.set(x, made);
  return made;
}

/** One MatMulNBits over rows [from, to) of a quantised weight. */
function q4MatMul(c: Ctx, x: string, q: () => Promise<Q4>, wName: string, [from, to]: [number, number], k: number, bias: string | undefined, out: string | undefined): string {
  const { g } = c;
  const rows = to - from;
  const blocks = Math.ceil(k / Q4_BLOCK);
  const packedRow = blocks * (Q4_BLOCK / 2);
  const zeroRow = Math.ceil(blocks / 2);
  const packed = g.lazy(`${wName}_Q4`, 'uint8', [rows, blocks, Q4_BLOCK / 2], async () => (await q()).packed.subarray(from * packedRow, to * packedRow));
  const scales = g.lazy(`${wName}_scales`, c.ct, [rows * blocks], async () => c.floatBytes((await q()).scales.subarray(from * blocks, to * blocks)));
  const ins = [x, packed, scales];
  if (c.zeroPoints) ins.push(g.lazy(`${wName}_zp`, 'uint8', [rows * zeroRow], async () => zerosOf(wName, await q()).subarray(from * zeroRow, to * zeroRow)));
  if (bias) ins.push(...(c.zeroPoints ? [''] : ['', '']), bias);
  return g.op1('MatMulNBits', ins, { K: k, N: rows, bits: 4, block_size: Q4_BLOCK, accuracy_level: 0 }, out, 'com.microsoft');
}

export function zerosOf(name: string, q: Q4): Uint8Array {
  if (!q.zeros) throw new Error(`${name}: no zero points`);
  return q.zeros;
}

/** Casts to float32 for numerically sensitive parts of float16 graphs (as transformers upcasts). */
export function toFloat(c: Ctx, x: string): string {
  return c.ct === 'float' ? x : c.g.op1('Cast', [x], { to: 1 });
}

export function toCompute(c: Ctx, x: string): string {
  return c.ct === 'float' ? x : c.g.op1('Cast', [x], { to: 10 });
}

/** RMSNorm as transformers computes it: variance in float32, weight applied in the model's dtype. */
export function rmsNorm(c: Ctx, x: string, weight: string, n: number, eps: number, why: string): string {
  const { g } = c;
  const w = c.vector(weight, n, why);
  if (c.fused) return g.op1('SimplifiedLayerNormalization', [x, w], { axis: -1, epsilon: { float: eps }, stash_type: 1 });
  const xf = toFloat(c, x);
  const ms = g.op1('ReduceMean', [g.op1('Mul', [xf, xf])], { axes: [-1], keepdims: 1 });
  const normed = g.op1('Div', [xf, g.op1('Sqrt', [g.op1('Add', [ms, g.constF([eps], [])])])]);
  return g.op1('Mul', [toCompute(c, normed), w]);
}

/**
 * The residual add and the next RMSNorm: { sum: x + delta, normed: RMSNorm(x + delta) } — one
 * SkipSimplifiedLayerNormalization when fused (its fourth output carries the sum).
 */
export function addRmsNorm(c: Ctx, x: string, delta: string, weight: string, n: number, eps: number, why: string): { sum: string; normed: string } {
  const { g } = c;
  if (!c.fused) {
    const sum = g.op1('Add', [x, delta]);
    return { sum, normed: rmsNorm(c, sum, weight, n, eps, why) };
  }
  const w = c.vector(weight, n, why);
  const normed = g.fresh('SkipSimplifiedLayerNormalization');
  const sum = g.fresh('SkipSimplifiedLayerNormalization_sum');
  g.op('SkipSimplifiedLayerNormalization', [delta, x, w], { epsilon: { float: eps } }, [normed, '', '', sum], 'com.microsoft');
  return { sum, normed };
}

/**
 * Rotary embedding over x [B, S, heads·d] with a per-token table cos/sin [B·S, d/2] (M-RoPE or 2-D
 * positions computed beforehand): RotaryEmbedding addressed by position_ids 0..B·S−1 when fused.
 * Returns x rotated, same shape.
 */
export function rotaryPerToken(c: Ctx, x: string, cosHalf: string, sinHalf: string, heads: number, d: number): string {
  const { g } = c;
  const shape = g.op1('Shape', [x]);
  const bs = g.op1('Slice', [shape, g.constI([0]), g.constI([2]), g.constI([0])]); // [B, S]
  if (c.fused) {
    const n = g.op1('ReduceProd', [bs], { keepdims: 0 });
    const pos = g.op1('Reshape', [g.op1('Range', [g.constI([0], []), n, g.constI([1], [])]), bs]);
    return g.op1('RotaryEmbedding', [x, pos, cosHalf, sinHalf], { interleaved: 0, num_heads: heads }, undefined, 'com.microsoft');
  }
  // rotate_half with the table broadcast over heads: [B, S, heads, d] against [B, S, 1, d].
  const table = (half: string) => {
    const full = g.op1('Concat', [half, half], { axis: -1 });
    return g.op1('Reshape', [full, g.op1('Concat', [bs, g.constI([1, d])], { axis: 0 })]);
  };
  const x4 = g.op1('Reshape', [x, g.constI([0, 0, heads, d])]);
  return g.op1('Reshape', [rotate(c, x4, table(cosHalf), table(sinHalf), d, 3), shape]);
}

/** LayerNorm (weight and bias from the checkpoint), float32 statistics. */
export function layerNorm(c: Ctx, x: string, prefix: string, n: number, eps: number, why: string): string {
  const { g } = c;
  const w = c.vector(`${prefix}.weight`, n, why);
  const b = c.vector(`${prefix}.bias`, n, why);
  return g.op1('LayerNormalization', [x, w, b], { axis: -1, epsilon: { float: eps }, stash_type: 1 });
}

export function activation(c: Ctx, x: string, act: VisionAct | 'silu'): string {
  const { g } = c;
  const k = (v: number) => g.constF([v], [], c.ct);
  switch (act) {
    case 'silu':
      return g.op1('Mul', [x, g.op1('Sigmoid', [x])]);
    case 'quick_gelu':
      if (c.fused) return g.op1('QuickGelu', [x], { alpha: { float: 1.702 } }, undefined, 'com.microsoft');
      return g.op1('Mul', [x, g.op1('Sigmoid', [g.op1('Mul', [x, k(1.702)])])]);
    case 'gelu': {
      if (c.fused) return g.op1('Gelu', [x], {}, undefined, 'com.microsoft');
      const erf = g.op1('Erf', [g.op1('Mul', [x, k(Math.SQRT1_2)])]);
      return g.op1('Mul', [g.op1('Mul', [x, k(0.5)]), g.op1('Add', [erf, k(1)])]);
    }
    case 'gelu_pytorch_tanh': {
      if (c.fused) return g.op1('FastGelu', [x], {}, undefined, 'com.microsoft');
      const cube = g.op1('Mul', [g.op1('Mul', [x, x]), x]);
      const inner = g.op1('Mul', [g.op1('Add', [x, g.op1('Mul', [cube, k(0.044715)])]), k(Math.sqrt(2 / Math.PI))]);
      return g.op1('Mul', [g.op1('Mul', [x, k(0.5)]), g.op1('Add', [g.op1('Tanh', [inner]), k(1)])]);
    }
  }
}

/** rotate_half(x)·sin + x·cos over the last axis of size d (cos/sin broadcast against x). */
export function rotate(c: Ctx, x: string, cos: string, sin: string, d: number, axis: number): string {
  const { g } = c;
  const half = d / 2;
  const x1 = g.op1('Slice', [x, g.constI([0]), g.constI([half]), g.constI([axis])]);
  const x2 = g.op1('Slice', [x, g.constI([half]), g.constI([d]), g.constI([axis])]);
  const rotated = g.op1('Concat', [g.op1('Neg', [x2]), x1], { axis });
  return g.op1('Add', [g.op1('Mul', [x, cos]), g.op1('Mul', [rotated, sin])]);
}

/** Scalar int64 from a [1] tensor. */
export function scalar(c: Ctx, v: string): string {
  return c.g.op1('Squeeze', [v, c.g.constI([0])]);
}
