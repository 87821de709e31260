import { describe, expect, it } from 'vitest';
import { mergeLogits } from './merge';
import { createMergeKernel, type MergeKernel } from './mergeKernel';
import { argmax } from './select';

function kernel(bytes: number): MergeKernel {
  const k = createMergeKernel(bytes);
  if (!k) throw new Error('WebAssembly SIMD with shared memory is missing in this runtime');
  return k;
}

/** Deterministic values in [−10, 10) rounded to a few bits, so that exact ties and near-ties occur. */
function fill(f: Float32Array, at: number, n: number, seed: number, coarse = false): void {
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const x = (s / 2147483648) * 20 - 10;
    f[at + i] = coarse ? Math.round(x * 4) / 4 : x;
  }
}

describe('merge kernel (WebAssembly SIMD)', () => {
  const V = 1003; // not a multiple of 4: the tail takes the scalar path
  const k = kernel(4 * 8 * 1024);
  // Byte offsets, 16-aligned.
  const [B, E, A, OUT, ZERO] = [0, 4096, 8192, 12288, 16384] as const;
  const f = k.f32;
  const view = (p: number, n = V) => f.subarray(p >> 2, (p >> 2) + n);

  it.each([0.5, 0, 1.7, -0.3, 0.1])('α = %s: the same bits as mergeLogits, and the same greedy id as argmax', (alpha) => {
    fill(f, B >> 2, V, 1);
    fill(f, E >> 2, V, 2);
    fill(f, A >> 2, V, 3);
    const ref = mergeLogits(new Float32Array(V), V, 'guided', alpha, view(B), view(E), view(A));
    const id = k.mergeArgmax(OUT, V, alpha, B, E, A);
    expect(Array.from(view(OUT))).toEqual(Array.from(ref));
    expect(id).toBe(argmax(ref, V));
  });

  it('ties go to the lowest id, in the SIMD body and in the tail', () => {
    for (const [first, second] of [[5, 9], [401, 402], [V - 2, V - 1], [0, V - 1]] as const) {
      f.fill(0, B >> 2, (B >> 2) + V);
      f.fill(0, E >> 2, (E >> 2) + V);
      f.fill(0, A >> 2, (A >> 2) + V);
      f[(B >> 2) + first] = 3;
      f[(B >> 2) + second] = 3;
      expect(k.mergeArgmax(OUT, V, 0.5, B, E, A)).toBe(first);
      expect(k.argmax(B, V)).toBe(first);
    }
  });

  it('coarse logits with many exact ties give argmax’s id', () => {
    for (let seed = 10; seed < 40; seed++) {
      fill(f, B >> 2, V, seed, true);
      fill(f, E >> 2, V, seed + 100, true);
      fill(f, A >> 2, V, seed + 200, true);
      const ref = mergeLogits(new Float32Array(V), V, 'guided', 0.5, view(B), view(E), view(A));
      expect(k.mergeArgmax(OUT, V, 0.5, B, E, A)).toBe(argmax(ref, V));
    }
  });

  it('b + α·e with a row of zeros as the amateur: the bits of mergeLogits base+expert', () => {
    fill(f, B >> 2, V, 4);
    fill(f, E >> 2, V, 5);
    f.fill(0, ZERO >> 2, (ZERO >> 2) + V);
    const ref = mergeLogits(new Float32Array(V), V, 'base+expert', 0.6, view(B), view(E), null);
    expect(k.mergeArgmax(OUT, V, 0.6, B, E, ZERO)).toBe(argmax(ref, V));
    expect(Array.from(view(OUT))).toEqual(Array.from(ref));
  });

  it('entries past n (padded lm_head rows) are neither read into the max nor written', () => {
    fill(f, B >> 2, V + 5, 6);
    fill(f, E >> 2, V + 5, 7);
    fill(f, A >> 2, V + 5, 8);
    f[(B >> 2) + V + 1] = 1e30;
    f.fill(-7, (OUT >> 2) + V, (OUT >> 2) + V + 5);
    const id = k.mergeArgmax(OUT, V, 0.5, B, E, A);
    expect(id).toBeLessThan(V);
    expect(Array.from(f.subarray((OUT >> 2) + V, (OUT >> 2) + V + 5))).toEqual([-7, -7, -7, -7, -7]);
  });

  it('a NaN anywhere gives −1 (the caller takes the NaN-skipping argmax); −Infinity everywhere gives id 0', () => {
    for (const at of [17, V - 1]) {
      fill(f, B >> 2, V, 9);
      f.fill(0, E >> 2, (E >> 2) + V);
      f.fill(0, A >> 2, (A >> 2) + V);
      f[(E >> 2) + at] = NaN;
      expect(k.mergeArgmax(OUT, V, 0.5, B, E, A)).toBe(-1);
      expect(argmax(view(OUT), V)).toBe(argmax(view(B).map((x, i) => (i === at ? NaN : x)), V));
    }
    f.fill(-Infinity, B >> 2, (B >> 2) + V);
    expect(k.argmax(B, V)).toBe(0);
  });

  it('its memory is a SharedArrayBuffer the workers can write into', () => {
    expect(k.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(k.byteLength).toBeGreaterThanOrEqual(4 * 8 * 1024);
  });
});
