import { describe, expect, it } from 'vitest';
import { argmax, selectTopK } from './select';
import { createRng } from './sampling';

function reference(logits: Float32Array, vocab: number, k: number): number[] {
  const ids = Array.from({ length: vocab }, (_, i) => i).filter((i) => !Number.isNaN(logits[i]));
  ids.sort((a, b) => (logits[b] ?? 0) - (logits[a] ?? 0) || a - b);
  return ids.slice(0, k);
}

describe('selectTopK', () => {
  it('matches a full sort on random data with many ties, NaN and ±Infinity', () => {
    const rng = createRng(3);
    for (let trial = 0; trial < 200; trial++) {
      const vocab = 1 + Math.floor(rng() * 300);
      const logits = new Float32Array(vocab + 5).fill(1000); // padding past vocab must be ignored
      for (let i = 0; i < vocab; i++) {
        const r = rng();
        logits[i] = r < 0.05 ? NaN : r < 0.08 ? -Infinity : r < 0.1 ? Infinity : Math.floor(rng() * 10);
      }
      const k = 1 + Math.floor(rng() * 40);
      const out = new Int32Array(k);
      const n = selectTopK(logits, vocab, k, out);
      expect(Array.from(out.subarray(0, n))).toEqual(reference(logits, vocab, k));
    }
  });

  it('returns 0 for k ≤ 0 and rejects a too-small scratch buffer', () => {
    expect(selectTopK(new Float32Array([1, 2]), 2, 0, new Int32Array(0))).toBe(0);
    expect(() => selectTopK(new Float32Array([1, 2, 3]), 3, 3, new Int32Array(2))).toThrow(/scratch/);
  });
});

describe('argmax', () => {
  it('picks the first maximum and skips NaN', () => {
    expect(argmax(new Float32Array([NaN, 3, 7, 7, NaN]), 5)).toBe(2);
    expect(argmax(new Float32Array([-Infinity, NaN, -Infinity]), 3)).toBe(0);
    expect(() => argmax(new Float32Array(0), 0)).toThrow(/no valid logit/);
  });
});
