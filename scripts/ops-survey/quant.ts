/**
 * Block-wise 4-bit quantization in the layouts onnxruntime's quantized ops read, for any block size and
 * with or without zero points. W is given as [K, N] row-major and quantized along K, one run of blocks per
 * output column n (MatMulNBits); an embedding table E [V, H] is the same thing with K = H and N = V
 * (GatherBlockQuantized quantizes each row along H).
 */
export interface Q4Blocks {
  k: number;
  n: number;
  block: number;
  blocks: number;
  /** [N, blocks, block/2]: element j of a block in byte j>>1, even j in the low nibble. */
  packed: Uint8Array;
  /** [N, blocks] (row n, block b at n·blocks + b). */
  scales: Float32Array;
  /** Unpacked zero points [N, blocks] (8 when quantized symmetrically). */
  zeros: Uint8Array;
  /** Zero points packed two per byte along the blocks, [N, ceil(blocks/2)], low nibble first. */
  zerosPacked: Uint8Array;
}

export interface Q4Options {
  block: number;
  /** Asymmetric (min/max) quantization with a zero point per block; otherwise zero point 8. */
  zeroPoints: boolean;
  /** Applied to each scale before the codes are chosen (e.g. rounding to float16 for q4f16). */
  roundScale?: (s: number) => number;
}

/** Quantizes W [K, N]; K must be a whole number of blocks. */
export function quantize4(w: Float32Array, k: number, n: number, opts: Q4Options): Q4Blocks {
  const { block } = opts;
  if (w.length !== k * n) throw new Error(`quantize4: expected ${k * n} weights, got ${w.length}`);
  if (k % block !== 0) throw new Error(`quantize4: K=${k} is not a multiple of block ${block}`);
  const blocks = k / block;
  const half = block / 2;
  const packed = new Uint8Array(n * blocks * half);
  const scales = new Float32Array(n * blocks);
  const zeros = new Uint8Array(n * blocks);
  const zerosPacked = new Uint8Array(n * Math.ceil(blocks / 2));
  const round = opts.roundScale ?? ((s: number) => s);
  for (let col = 0; col < n; col++) {
    for (let b = 0; b < blocks; b++) {
      // The converter's conventions (src/convert/quantize.ts) at any block size: asymmetric blocks map
      // [min(0, ·), max(0, ·)] onto 0..15; symmetric ones map the largest magnitude onto −8 about zero 8.
      let lo = 0;
      let hi = 0;
      let signedMax = 0;
      for (let j = 0; j < block; j++) {
        const v = w[(b * block + j) * n + col] ?? 0;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
        if (Math.abs(v) > Math.abs(signedMax)) signedMax = v;
      }
      let scale: number;
      let zero: number;
      if (opts.zeroPoints) {
        scale = round((hi - lo) / 15 || 1);
        zero = Math.min(15, Math.max(0, Math.round(-lo / scale)));
      } else {
        scale = round(signedMax / -8 || 1);
        zero = 8;
      }
      const inv = 1 / scale;
      const at = col * blocks + b;
      scales[at] = scale;
      zeros[at] = zero;
      const zByte = col * Math.ceil(blocks / 2) + (b >> 1);
      zerosPacked[zByte] = (zerosPacked[zByte] ?? 0) | (b % 2 === 0 ? zero : zero << 4);
      const base = at * half;
      for (let j = 0; j < block; j++) {
        const v = w[(b * block + j) * n + col] ?? 0;
        const q = Math.min(15, Math.max(0, Math.round(v * inv) + zero));
        const byte = base + (j >> 1);
        packed[byte] = (packed[byte] ?? 0) | (j % 2 === 0 ? q : q << 4);
      }
    }
  }
  return { k, n, block, blocks, packed, scales, zeros, zerosPacked };
}

/** The 4-bit code of element (row, col) of W. */
export function codeAt(q: Q4Blocks, row: number, col: number): number {
  const b = Math.floor(row / q.block);
  const j = row % q.block;
  const byte = q.packed[(col * q.blocks + b) * (q.block / 2) + (j >> 1)] ?? 0;
  return j % 2 === 0 ? byte & 15 : byte >> 4;
}

/** The weights the quantized op computes with, [K, N] row-major: (code − zero)·scale. */
export function dequantize4(q: Q4Blocks): Float32Array {
  const w = new Float32Array(q.k * q.n);
  for (let col = 0; col < q.n; col++) {
    for (let row = 0; row < q.k; row++) {
      const at = col * q.blocks + Math.floor(row / q.block);
      w[row * q.n + col] = (codeAt(q, row, col) - (q.zeros[at] ?? 8)) * (q.scales[at] ?? 0);
    }
  }
  return w;
}

/** The transpose of a row-major [rows, cols] matrix. */
export function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c] ?? 0;
  return t;
}

/**
 * Codes as a signed 4-bit tensor (ONNX int4) [N, K] for a symmetric quantization: code − 8, two per byte,
 * low nibble first (GatherBlockQuantized with int4 data, whose default zero point is 0).
 */
export function signedNibbles(q: Q4Blocks): Uint8Array {
  const out = new Uint8Array((q.n * q.k) / 2);
  for (let col = 0; col < q.n; col++) {
    for (let row = 0; row < q.k; row++) {
      const v = (codeAt(q, row, col) - 8) & 15;
      const i = col * q.k + row;
      out[i >> 1] = (out[i >> 1] ?? 0) | (i % 2 === 0 ? v : v << 4);
    }
  }
  return out;
}

/**
 * Codes as an unsigned 4-bit tensor (ONNX uint4) laid out [K, N] (DequantizeLinear blocked along axis 0),
 * with scales and zero points [K/block, N].
 */
export function uint4RowMajor(q: Q4Blocks): { data: Uint8Array; scales: Float32Array; zeros: Uint8Array } {
  const data = new Uint8Array((q.k * q.n) / 2);
  for (let row = 0; row < q.k; row++) {
    for (let col = 0; col < q.n; col++) {
      const i = row * q.n + col;
      const v = codeAt(q, row, col);
      data[i >> 1] = (data[i >> 1] ?? 0) | (i % 2 === 0 ? v : v << 4);
    }
  }
  const scales = new Float32Array(q.blocks * q.n);
  const zerosU4 = new Uint8Array(Math.ceil((q.blocks * q.n) / 2));
  for (let b = 0; b < q.blocks; b++) {
    for (let col = 0; col < q.n; col++) {
      const i = b * q.n + col;
      scales[i] = q.scales[col * q.blocks + b] ?? 0;
      const z = q.zeros[col * q.blocks + b] ?? 8;
      zerosU4[i >> 1] = (zerosU4[i >> 1] ?? 0) | (i % 2 === 0 ? z : z << 4);
    }
  }
  return { data, scales, zeros: zerosU4 };
}
