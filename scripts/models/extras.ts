/**
 * The generated experts' behaviour shifts, added on top of the real architecture (decoder extras):
 * an lm_head bias (padding rows pushed down, favoured words up) and a bigram head.
 */
import type { ModelSpec } from './spec';

/** The lm_head's additive term: padding rows are pushed far down, the expert's favoured tokens up. */
export function lmHeadBias(
  spec: ModelSpec,
  tokenizerSize: number,
  idOf: (t: string) => number,
): Float32Array {
  const bias = new Float32Array(spec.text.vocabRows);
  for (let i = tokenizerSize; i < bias.length; i++) bias[i] = -100;
  for (const tok of spec.logitBias?.tokens ?? []) bias[idOf(tok)] = spec.logitBias?.value ?? 0;
  return bias;
}

/**
 * W [H, rows] with e_from @ W = value · onehot(to) for every pair, exactly (least-norm solution
 * W = Eᵀ (E Eᵀ)⁻¹ T over the `from` embeddings E); other inputs get a small projection of it.
 */
export function bigramHead(
  spec: ModelSpec,
  table: Float32Array,
  idOf: (t: string) => number,
): Float32Array | null {
  const b = spec.bigram;
  if (!b) return null;
  const H = spec.text.hidden;
  const rows = spec.text.vocabRows;
  const E = b.pairs.map(([from]) => table.subarray(idOf(from) * H, (idOf(from) + 1) * H));
  const k = E.length;
  const G = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => dot(E[i], E[j])));
  const inv = invert(G);
  const W = new Float32Array(H * rows);
  b.pairs.forEach(([, to], j) => {
    const col = idOf(to);
    for (let h = 0; h < H; h++) {
      let v = 0;
      for (let i = 0; i < k; i++) v += (E[i]?.[h] ?? 0) * (inv[i]?.[j] ?? 0);
      W[h * rows + col] = (W[h * rows + col] ?? 0) + b.value * v;
    }
  });
  return W;
}

function dot(a: Float32Array | undefined, b: Float32Array | undefined): number {
  let s = 0;
  for (let i = 0; i < (a?.length ?? 0); i++) s += (a?.[i] ?? 0) * (b?.[i] ?? 0);
  return s;
}

/** Gauss-Jordan inverse of a small symmetric positive-definite matrix. */
function invert(m: number[][]): number[][] {
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    const pivot = a[c]?.[c] ?? 0;
    if (Math.abs(pivot) < 1e-12) throw new Error('bigram head: embeddings are linearly dependent');
    const row = a[c] ?? [];
    for (let j = 0; j < 2 * n; j++) row[j] = (row[j] ?? 0) / pivot;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]?.[c] ?? 0;
      const target = a[r] ?? [];
      for (let j = 0; j < 2 * n; j++) target[j] = (target[j] ?? 0) - f * (row[j] ?? 0);
    }
  }
  return a.map((row) => row.slice(n));
}
