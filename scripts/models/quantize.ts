/**
 * 4-bit block quantisation in the layout of com.microsoft MatMulNBits (bits 4, block 32, no
 * zero_points input, so the zero point is 8): B is [N, blocks, 16] bytes (W transposed, one row per
 * output column; element j of a block in byte j>>1, even j in the low nibble); w = (q − 8)·scale.
 */
export interface Q4 {
  packed: Uint8Array;
  scales: Float32Array;
  blocks: number;
}

export const Q4_BLOCK = 32;

/** Quantises W given row-major as [K, N]; K is zero-padded up to a whole number of blocks. */
export function quantizeQ4(w: Float32Array, k: number, n: number): Q4 {
  if (w.length !== k * n) throw new Error(`quantizeQ4: expected ${k * n} weights, got ${w.length}`);
  const blocks = Math.ceil(k / Q4_BLOCK);
  const packed = new Uint8Array(n * blocks * (Q4_BLOCK / 2));
  const scales = new Float32Array(n * blocks);
  for (let col = 0; col < n; col++) {
    for (let b = 0; b < blocks; b++) {
      let maxAbs = 0;
      for (let j = 0; j < Q4_BLOCK; j++) {
        const row = b * Q4_BLOCK + j;
        if (row < k) maxAbs = Math.max(maxAbs, Math.abs(w[row * n + col] ?? 0));
      }
      const scale = maxAbs / 7 || 1;
      scales[col * blocks + b] = scale;
      const base = (col * blocks + b) * (Q4_BLOCK / 2);
      for (let j = 0; j < Q4_BLOCK; j++) {
        const row = b * Q4_BLOCK + j;
        const v = row < k ? (w[row * n + col] ?? 0) : 0;
        const q = Math.min(15, Math.max(0, Math.round(v / scale) + 8));
        const byte = base + (j >> 1);
        packed[byte] = (packed[byte] ?? 0) | (j % 2 === 0 ? q : q << 4);
      }
    }
  }
  return { packed, scales, blocks };
}

/** The weights a q4 file really computes with, [K, N] row-major (for reference maths in tests). */
export function dequantizeQ4(q: Q4, k: number, n: number): Float32Array {
  const w = new Float32Array(k * n);
  for (let col = 0; col < n; col++) {
    for (let row = 0; row < k; row++) {
      const b = Math.floor(row / Q4_BLOCK);
      const j = row % Q4_BLOCK;
      const byte = q.packed[(col * q.blocks + b) * (Q4_BLOCK / 2) + (j >> 1)] ?? 0;
      const nib = j % 2 === 0 ? byte & 15 : byte >> 4;
      w[row * n + col] = (nib - 8) * (q.scales[col * q.blocks + b] ?? 0);
    }
  }
  return w;
}
