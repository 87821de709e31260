import { describe, expect, it } from 'vitest';
import { GUIDANCE_MODES, mergeLogits, modelsForMode } from './merge';

/** Indexed read that fails loudly instead of needing a non-null assertion. */
function at(a: Float32Array, i: number): number {
  const v = a[i];
  if (v === undefined) throw new Error(`index ${i} out of range`);
  return v;
}

function rand(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    a[i] = (s / 2147483648) * 20 - 10;
  }
  return a;
}

const V = 97;
// Longer than V: the tail imitates padded lm_head rows and holds poison values.
const base = rand(V + 7, 1);
const expert = rand(V + 3, 2);
const amateur = rand(V + 5, 3);
for (const buf of [base, expert, amateur]) buf.fill(1e30, V);

describe('mergeLogits', () => {
  it('guided equals b + α(e − a) elementwise and ignores padding', () => {
    const alpha = 0.7;
    const out = new Float32Array(V + 10).fill(-123);
    const r = mergeLogits(out, V, 'guided', alpha, base, expert, amateur);
    expect(r).toBe(out);
    for (let i = 0; i < V; i++) {
      expect(out[i]).toBeCloseTo(at(base, i) + alpha * (at(expert, i) - at(amateur, i)), 4);
    }
    // Entries past vocab are untouched.
    for (let i = V; i < out.length; i++) expect(out[i]).toBe(-123);
  });

  it('alpha = 0 reduces guided to the base logits', () => {
    const out = new Float32Array(V);
    mergeLogits(out, V, 'guided', 0, base, expert, amateur);
    expect(Array.from(out)).toEqual(Array.from(base.subarray(0, V)));
  });

  it('base, expert and base+expert modes', () => {
    const out = new Float32Array(V);
    mergeLogits(out, V, 'base', 5, base, null, null);
    expect(Array.from(out)).toEqual(Array.from(base.subarray(0, V)));
    mergeLogits(out, V, 'expert', 5, null, expert, null);
    expect(Array.from(out)).toEqual(Array.from(expert.subarray(0, V)));
    mergeLogits(out, V, 'base+expert', 0.5, base, expert, null);
    for (let i = 0; i < V; i++) expect(out[i]).toBeCloseTo(at(base, i) + 0.5 * at(expert, i), 4);
  });

  it('may write in place over the base buffer', () => {
    const b = base.slice();
    mergeLogits(b, V, 'guided', 2, b, expert, amateur);
    for (let i = 0; i < V; i++)
      expect(b[i]).toBeCloseTo(at(base, i) + 2 * (at(expert, i) - at(amateur, i)), 3);
  });

  it('throws clearly on missing or short inputs', () => {
    const out = new Float32Array(V);
    expect(() => mergeLogits(out, V, 'guided', 1, base, expert, null)).toThrow(/needs amateur logits/);
    expect(() => mergeLogits(out, V, 'expert', 1, base, null, amateur)).toThrow(/needs expert logits/);
    expect(() => mergeLogits(out, V, 'guided', 1, base, expert.subarray(0, V - 1), amateur)).toThrow(
      /expert logits have 96 entries, fewer than vocab 97/,
    );
    expect(() => mergeLogits(new Float32Array(V - 1), V, 'base', 1, base, null, null)).toThrow(/out has 96/);
    expect(() => mergeLogits(out, V, 'guided', Number.NaN, base, expert, amateur)).toThrow(/alpha/);
    expect(() => mergeLogits(out, 1.5, 'base', 1, base, null, null)).toThrow(/vocab/);
  });
});

describe('modelsForMode', () => {
  it('lists exactly the models each mode reads', () => {
    expect(modelsForMode('guided')).toEqual({ base: true, expert: true, amateur: true });
    expect(modelsForMode('base')).toEqual({ base: true, expert: false, amateur: false });
    expect(modelsForMode('expert')).toEqual({ base: false, expert: true, amateur: false });
    expect(modelsForMode('base+expert')).toEqual({ base: true, expert: true, amateur: false });
  });

  it('is consistent with mergeLogits: the unneeded inputs may be null', () => {
    for (const mode of GUIDANCE_MODES) {
      const need = modelsForMode(mode);
      const out = new Float32Array(V);
      expect(() =>
        mergeLogits(
          out,
          V,
          mode,
          1,
          need.base ? base : null,
          need.expert ? expert : null,
          need.amateur ? amateur : null,
        ),
      ).not.toThrow();
    }
  });
});
