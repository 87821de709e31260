import { describe, expect, it } from 'vitest';
import { dequantizeRowsQ8, quantizeRowsQ8 } from './quantize';

describe('quantizeRowsQ8', () => {
  it('scales each row onto ±127 and rounds every weight to within half a step', () => {
    const n = 3;
    const k = 50;
    const w = Float32Array.from({ length: n * k }, (_, i) => Math.sin(i * 0.7) * (1 + Math.floor(i / k) * 10));
    const q = quantizeRowsQ8(w, n, k);
    const back = dequantizeRowsQ8(q, n, k);
    for (let row = 0; row < n; row++) {
      const slice = w.subarray(row * k, (row + 1) * k);
      const max = Math.max(...Array.from(slice, Math.abs));
      expect(q.scales[row]).toBeCloseTo(max / 127, 6);
      // The row's largest magnitude is exactly a code of ±127.
      expect(Math.max(...Array.from(q.values.subarray(row * k, (row + 1) * k), Math.abs))).toBe(127);
      for (let j = 0; j < k; j++) expect(Math.abs((back[row * k + j] ?? 0) - (slice[j] ?? 0))).toBeLessThanOrEqual((q.scales[row] ?? 0) / 2 + 1e-7);
    }
  });

  it('keeps an all-zero row at scale 0 and codes 0 (no NaN)', () => {
    const q = quantizeRowsQ8(new Float32Array(8), 2, 4);
    expect(Array.from(q.scales)).toEqual([0, 0]);
    expect(Array.from(q.values)).toEqual(new Array(8).fill(0));
  });

  it('refuses a length that is not n × k', () => {
    expect(() => quantizeRowsQ8(new Float32Array(5), 2, 3)).toThrow(/expected 6 weights, got 5/);
  });
});
