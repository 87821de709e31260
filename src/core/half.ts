/** IEEE 754 half → single precision, for fp16 logits of q4f16 models (no Float16Array needed). */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x03ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Copies `count` values starting at `from` into `out` at `at`, converting fp16 bit patterns if needed. */
export function copyLogits(src: Float32Array | Uint16Array, from: number, count: number, out: Float32Array, at: number): void {
  if (src instanceof Float32Array) {
    out.set(src.subarray(from, from + count), at);
    return;
  }
  for (let i = 0; i < count; i++) out[at + i] = halfToFloat(src[from + i] ?? 0);
}
