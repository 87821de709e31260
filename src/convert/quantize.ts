/**
 * 4-bit block quantisation in com.microsoft MatMulNBits' layout (bits 4, block 32): B is
 * [N, blocks, 16] bytes, one row per output column (a PyTorch Linear weight row), element j of a
 * block in byte j>>1, even j in the low nibble; w = (q − zero)·scale. Symmetric blocks use zero 8 and
 * no zero_points input; asymmetric blocks carry 4-bit zero points packed two per byte, [N, ⌈blocks/2⌉].
 */
export const Q4_BLOCK = 32;

export interface Q4 {
  packed: Uint8Array;
  scales: Float32Array;
  /** Present for asymmetric quantisation. */
  zeros?: Uint8Array;
  blocks: number;
}

/**
 * Quantises rows of a row-major [n, k] matrix along k (k is zero-padded to whole blocks).
 * `asymmetric` fits each block's [min, max] onto 0..15 with a zero point; else the block's
 * largest magnitude maps onto ±8 about the fixed zero 8 (as onnxruntime's symmetric quantiser).
 */
export function quantizeRowsQ4(w: Float32Array, n: number, k: number, asymmetric = true): Q4 {
  if (w.length !== n * k) throw new Error(`quantizeRowsQ4: expected ${n * k} weights, got ${w.length}`);
  const blocks = Math.ceil(k / Q4_BLOCK);
  const packed = new Uint8Array(n * blocks * (Q4_BLOCK / 2));
  const scales = new Float32Array(n * blocks);
  const zeroBytes = Math.ceil(blocks / 2);
  const zeros = asymmetric ? new Uint8Array(n * zeroBytes) : undefined;
  // The hot loop of a conversion (billions of weights for a 7B): plain indexed reads, no closures.
  for (let row = 0; row < n; row++) {
    const base = row * k;
    for (let b = 0; b < blocks; b++) {
      const from = base + b * Q4_BLOCK;
      const to = Math.min(base + k, from + Q4_BLOCK);
      let scale: number;
      let zero: number;
      if (zeros) {
        let min = 0;
        let max = 0;
        for (let j = from; j < to; j++) {
          const v = w[j] as number;
          if (v < min) min = v;
          if (v > max) max = v;
        }
        scale = (max - min) / 15 || 1;
        zero = Math.min(15, Math.max(0, Math.round(-min / scale)));
        const zb = row * zeroBytes + (b >> 1);
        zeros[zb] = (zeros[zb] as number) | (b % 2 === 0 ? zero : zero << 4);
      } else {
        let absMax = 0;
        let signedMax = 0;
        for (let j = from; j < to; j++) {
          const v = w[j] as number;
          const a = v < 0 ? -v : v;
          if (a > absMax) {
            absMax = a;
            signedMax = v;
          }
        }
        scale = signedMax / -8 || 1;
        zero = 8;
      }
      scales[row * blocks + b] = scale;
      const out = (row * blocks + b) * (Q4_BLOCK / 2);
      const inv = 1 / scale;
      for (let j = 0; j < Q4_BLOCK; j += 2) {
        const i0 = from + j;
        let q0 = Math.round((i0 < to ? (w[i0] as number) : 0) * inv) + zero;
        let q1 = Math.round((i0 + 1 < to ? (w[i0 + 1] as number) : 0) * inv) + zero;
        q0 = q0 < 0 ? 0 : q0 > 15 ? 15 : q0;
        q1 = q1 < 0 ? 0 : q1 > 15 ? 15 : q1;
        packed[out + (j >> 1)] = q0 | (q1 << 4);
      }
    }
  }
  return { packed, scales, blocks, ...(zeros ? { zeros } : {}) };
}

/** What a q4 tensor really computes with, row-major [n, k] (for reference maths in tests). */
export function dequantizeRowsQ4(q: Q4, n: number, k: number): Float32Array {
  const w = new Float32Array(n * k);
  const zeroBytes = Math.ceil(q.blocks / 2);
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < k; col++) {
      const b = Math.floor(col / Q4_BLOCK);
      const j = col % Q4_BLOCK;
      const byte = q.packed[(row * q.blocks + b) * (Q4_BLOCK / 2) + (j >> 1)] ?? 0;
      const nib = j % 2 === 0 ? byte & 15 : byte >> 4;
      const zb = q.zeros ? (q.zeros[row * zeroBytes + (b >> 1)] ?? 0) : 0;
      const zero = q.zeros ? (b % 2 === 0 ? zb & 15 : zb >> 4) : 8;
      w[row * k + col] = (nib - zero) * (q.scales[row * q.blocks + b] ?? 0);
    }
  }
  return w;
}

/**
 * 8-bit rows: each row of a row-major [n, k] matrix scaled symmetrically onto −127..127 (zero 0),
 * one float scale per row. For a Linear weight a row is an output column, as com.microsoft
 * DynamicQuantizeMatMul's per-column `b_scale` wants.
 */
export interface Q8 {
  values: Int8Array;
  scales: Float32Array;
}

export function quantizeRowsQ8(w: Float32Array, n: number, k: number): Q8 {
  if (w.length !== n * k) throw new Error(`quantizeRowsQ8: expected ${n * k} weights, got ${w.length}`);
  const values = new Int8Array(n * k);
  const scales = new Float32Array(n);
  for (let row = 0; row < n; row++) {
    const base = row * k;
    let max = 0;
    for (let j = base; j < base + k; j++) max = Math.max(max, Math.abs(w[j] ?? 0));
    // An all-zero row keeps scale 0 and codes 0: it still computes zeros.
    const scale = max / 127;
    scales[row] = scale;
    if (scale === 0) continue;
    const inv = 1 / scale;
    for (let j = base; j < base + k; j++) values[j] = Math.max(-127, Math.min(127, Math.round((w[j] ?? 0) * inv)));
  }
  return { values, scales };
}

/** What a q8 tensor really computes with, row-major [n, k] (for reference maths in tests). */
export function dequantizeRowsQ8(q: Q8, n: number, k: number): Float32Array {
  const w = new Float32Array(n * k);
  for (let row = 0; row < n; row++) for (let j = 0; j < k; j++) w[row * k + j] = (q.values[row * k + j] ?? 0) * (q.scales[row] ?? 0);
  return w;
}
