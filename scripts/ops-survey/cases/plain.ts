/** Plain-ONNX building blocks the baselines share (the shapes a Qwen2-VL export writes). */
import type { Ctx } from '../case';

/** Qwen2RMSNorm: x / sqrt(mean(x²) + eps) · w over the last axis. */
export function rmsNorm(c: Ctx, x: string, w: string, eps: number): string {
  const sq = c.op1('Pow', [x, c.k([2])]);
  const mean = c.op1('ReduceMean', [sq, c.i64([-1])], { keepdims: 1 });
  const rms = c.op1('Sqrt', [c.op1('Add', [mean, c.k([eps])])]);
  return c.op1('Mul', [c.op1('Div', [x, rms]), w]);
}

/** LayerNorm over the last axis: (x − mean) / sqrt(var + eps) · g + b. */
export function layerNorm(c: Ctx, x: string, g: string, b: string, eps: number): string {
  const mean = c.op1('ReduceMean', [x, c.i64([-1])], { keepdims: 1 });
  const d = c.op1('Sub', [x, mean]);
  const variance = c.op1('ReduceMean', [c.op1('Mul', [d, d]), c.i64([-1])], { keepdims: 1 });
  const n = c.op1('Div', [d, c.op1('Sqrt', [c.op1('Add', [variance, c.k([eps])])])]);
  return c.op1('Add', [c.op1('Mul', [n, g]), b]);
}

/** [B, S, N·D] → [B, N, S, D]. */
export function splitHeads(c: Ctx, x: string, heads: number, dim: number): string {
  const r = c.op1('Reshape', [x, c.i64([0, 0, heads, dim])]);
  return c.op1('Transpose', [r], { perm: [0, 2, 1, 3] });
}

/** [B, N, S, D] → [B, S, N·D]. */
export function mergeHeads(c: Ctx, x: string, heads: number, dim: number): string {
  const t = c.op1('Transpose', [x], { perm: [0, 2, 1, 3] });
  return c.op1('Reshape', [t, c.i64([0, 0, heads * dim])]);
}

/** rotate_half on the last axis of size `dim`: concat(−x₂, x₁). */
export function rotateHalf(c: Ctx, x: string, dim: number): string {
  const h = dim / 2;
  const x1 = c.op1('Slice', [x, c.i64([0]), c.i64([h]), c.i64([-1])]);
  const x2 = c.op1('Slice', [x, c.i64([h]), c.i64([dim]), c.i64([-1])]);
  return c.op1('Concat', [c.op1('Neg', [x2]), x1], { axis: -1 });
}

/** x·cos + rotate_half(x)·sin, with cos/sin broadcastable to x (full-width, i.e. halves repeated). */
export function applyRope(c: Ctx, x: string, cos: string, sin: string, dim: number): string {
  return c.op1('Add', [c.op1('Mul', [x, cos]), c.op1('Mul', [rotateHalf(c, x, dim), sin])]);
}

/**
 * Scaled dot-product attention in plain ops with grouped KV heads (no Expand): q [B, Nq, S, D],
 * k/v [B, Nkv, T, D], bias broadcastable to [B, 1, S, T] (additive). Returns [B, Nq, S, D].
 */
export function attention(
  c: Ctx,
  q: string,
  k: string,
  v: string,
  bias: string | null,
  nq: number,
  nkv: number,
  dim: number,
): string {
  const g = nq / nkv;
  const scale = c.k([1 / Math.sqrt(dim)]);
  if (g === 1) {
    let s = c.op1('Mul', [c.op1('MatMul', [q, c.op1('Transpose', [k], { perm: [0, 1, 3, 2] })]), scale]);
    if (bias) s = c.op1('Add', [s, bias]);
    return c.op1('MatMul', [c.op1('Softmax', [s], { axis: -1 }), v]);
  }
  // q as [B, Nkv, G·S, D]: each KV head serves its G query heads in one MatMul.
  const qg = c.op1('Reshape', [q, c.i64([0, nkv, -1, dim])]);
  let s = c.op1('Mul', [c.op1('MatMul', [qg, c.op1('Transpose', [k], { perm: [0, 1, 3, 2] })]), scale]);
  // Rows of qg are (group g, query s) at g·S + s, so the [B, 1, S, T] bias tiles G times along rows.
  if (bias) s = c.op1('Add', [s, c.op1('Tile', [bias, c.i64([1, 1, g, 1])])]);
  const o = c.op1('MatMul', [c.op1('Softmax', [s], { axis: -1 }), v]);
  return c.op1('Reshape', [o, c.i64([0, nq, -1, dim])]);
}
