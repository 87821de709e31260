/**
 * Bit-exact conversions between float32 and the 16-bit floats checkpoints and graphs use:
 * bfloat16 (the checkpoints' usual dtype) and IEEE float16 (fp16 / q4f16 graphs).
 */

import { halfToFloat } from '../../core/half';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** bfloat16 bits → float32: the top 16 bits of a float32, exactly. */
export function bf16ToF32(src: Uint16Array, out = new Float32Array(src.length)): Float32Array {
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < src.length; i++) bits[i] = (src[i] ?? 0) << 16;
  return out;
}

/** IEEE half bits → float32, exactly (subnormals, infinities and NaN included). */
export function f16ToF32(src: Uint16Array, out = new Float32Array(src.length)): Float32Array {
  for (let i = 0; i < src.length; i++) out[i] = halfToFloat(src[i] ?? 0);
  return out;
}

/** float32 → IEEE half bits, round to nearest even (as numpy's astype(float16)); overflow → ±inf. */
export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0] ?? 0;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let r = mant >>> shift;
    if (rest > half || (rest === half && r & 1)) r += 1;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && r & 1)) r += 1;
  return sign | r;
}

export function f32ToF16(src: Float32Array, out = new Uint16Array(src.length)): Uint16Array {
  for (let i = 0; i < src.length; i++) out[i] = floatToHalf(src[i] ?? 0);
  return out;
}
