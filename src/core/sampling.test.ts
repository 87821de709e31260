import { describe, expect, it } from 'vitest';
import { GREEDY, Sampler, createRng, topK, validateSampling, type SamplingParams } from './sampling';

const params = (p: Partial<SamplingParams>): SamplingParams => ({ ...GREEDY, ...p });

function randomLogits(n: number, seed: number, scale = 4): Float32Array {
  const rng = createRng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng() * 2 - 1) * scale;
  return a;
}

function counts(draws: number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const d of draws) m.set(d, (m.get(d) ?? 0) + 1);
  return m;
}

function drawMany(s: Sampler, logits: Float32Array, vocab: number, p: SamplingParams, n: number): number[] {
  const rng = createRng(p.seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(s.sample(logits, vocab, p, rng));
  return out;
}

/** Brute-force reference: full sort of the vocabulary, HF order temperature → top-k → top-p. */
function referenceNucleus(
  logits: Float32Array,
  vocab: number,
  p: SamplingParams,
): { ids: number[]; w: number[] } {
  let ids = Array.from({ length: vocab }, (_, i) => i).filter((i) => !Number.isNaN(logits[i]));
  const l = (i: number): number => logits[i] ?? NaN;
  ids.sort((a, b) => l(b) - l(a) || a - b);
  if (p.topK > 0 && p.topK < vocab) ids = ids.slice(0, p.topK);
  const m = l(ids[0] ?? 0) / p.temperature;
  const w = ids.map((i) => Math.exp(l(i) / p.temperature - m));
  const total = w.reduce((s, x) => s + x, 0);
  let cut = ids.length;
  let acc = 0;
  for (let j = 0; j < w.length && p.topP < 1; j++) {
    acc += w[j] ?? 0;
    if (acc >= p.topP * total) {
      cut = j + 1;
      break;
    }
  }
  return { ids: ids.slice(0, cut), w: w.slice(0, cut) };
}

describe('createRng', () => {
  it('is deterministic per seed, in [0, 1), and roughly uniform', () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });
});

describe('Sampler greedy', () => {
  const s = new Sampler(16);
  const rng = createRng(1);

  it('returns the argmax, ties resolving to the lowest id', () => {
    expect(s.sample(new Float32Array([1, 5, 3, 5, 5]), 5, GREEDY, rng)).toBe(1);
    expect(s.sample(new Float32Array([-Infinity, -Infinity, -Infinity]), 3, GREEDY, rng)).toBe(0);
  });

  it('never chooses NaN and ignores entries past vocab', () => {
    expect(s.sample(new Float32Array([NaN, 2, NaN, 1]), 4, GREEDY, rng)).toBe(1);
    expect(s.sample(new Float32Array([NaN, -Infinity, NaN]), 3, GREEDY, rng)).toBe(1);
    expect(s.sample(new Float32Array([1, 2, 99]), 2, GREEDY, rng)).toBe(1);
    expect(() => s.sample(new Float32Array([NaN, NaN]), 2, GREEDY, rng)).toThrow(/no valid logit/);
  });

  it('rejects vocab beyond its scratch size or longer than the logits', () => {
    expect(() => s.sample(new Float32Array(17), 17, GREEDY, rng)).toThrow(/outside 1\.\.16/);
    expect(() => s.sample(new Float32Array(3), 4, GREEDY, rng)).toThrow(/fewer than vocab/);
  });
});

describe('Sampler stochastic', () => {
  it('is reproducible for a seed and differs across seeds', () => {
    const logits = randomLogits(500, 7, 2);
    const p = params({ temperature: 1, topK: 50, topP: 0.95, seed: 123 });
    const a = drawMany(new Sampler(500), logits, 500, p, 300);
    const b = drawMany(new Sampler(500), logits, 500, p, 300);
    const c = drawMany(new Sampler(500), logits, 500, { ...p, seed: 124 }, 300);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('top-k restricts the support to the k best ids (and reaches all of them)', () => {
    const logits = new Float32Array([0.5, 3, 0.1, 2.9, -1, 2.8, 2.95, 0, 1, 1.5]);
    const draws = drawMany(new Sampler(10), logits, 10, params({ temperature: 1, topK: 3, seed: 5 }), 2000);
    const seen = [...counts(draws).keys()].sort((a, b) => a - b);
    expect(seen).toEqual([1, 3, 6]);
  });

  it('top-k keeps the lower id on a tie at the boundary', () => {
    const logits = new Float32Array([1, 2, 2, 2, 0]);
    const draws = drawMany(new Sampler(5), logits, 5, params({ temperature: 1, topK: 2, seed: 9 }), 2000);
    expect([...counts(draws).keys()].sort()).toEqual([1, 2]);
  });

  it('top-p restricts to the nucleus with renormalised frequencies', () => {
    // probabilities 0.5, 0.3, 0.15, 0.05 placed at scattered ids among near-zero mass
    const vocab = 1000;
    const logits = new Float32Array(vocab).fill(-60);
    logits[700] = Math.log(0.5);
    logits[3] = Math.log(0.3);
    logits[512] = Math.log(0.15);
    logits[999] = Math.log(0.05);
    const draws = drawMany(
      new Sampler(vocab),
      logits,
      vocab,
      params({ temperature: 1, topP: 0.75, seed: 11 }),
      4000,
    );
    const c = counts(draws);
    expect([...c.keys()].sort((a, b) => a - b)).toEqual([3, 700]);
    expect((c.get(700) ?? 0) / 4000).toBeCloseTo(0.625, 1);
  });

  it('the nucleus equals the full-sort reference set exactly, including flat distributions', () => {
    const vocab = 3000;
    const s = new Sampler(vocab);
    for (const [seed, topP, temperature, scale] of [
      [1, 0.9, 1, 6],
      [2, 0.5, 0.7, 6],
      [3, 0.99, 1.3, 6],
      [4, 0.1, 1, 6],
      [5, 0.95, 0.2, 6],
      [6, 0.9, 1, 0.01], // near-flat: the boundary bucket holds most ids and must be refined
      [7, 0.37, 1, 0.0001],
    ] as const) {
      const logits = randomLogits(vocab, seed, scale);
      logits[17] = NaN;
      logits[18] = -Infinity;
      const p = params({ temperature, topP, seed });
      const want = referenceNucleus(logits, vocab, p).ids.sort((a, b) => a - b);
      const got = Array.from(s.nucleusIds(logits, vocab, temperature, topP)).sort((a, b) => a - b);
      expect(got).toEqual(want);
    }
  });

  it('nucleus ties at the cut keep the lower ids', () => {
    const logits = new Float32Array(1000).fill(0); // uniform: nucleus of 0.25 = the 250 lowest ids
    const got = Array.from(new Sampler(1000).nucleusIds(logits, 1000, 1, 0.25)).sort((a, b) => a - b);
    expect(got).toEqual(Array.from({ length: 250 }, (_, i) => i));
  });

  it('nucleus sampling frequencies follow the renormalised reference weights', () => {
    const vocab = 400;
    const logits = randomLogits(vocab, 12, 3);
    const p = params({ temperature: 1, topP: 0.6, seed: 31 });
    const ref = referenceNucleus(logits, vocab, p);
    const kept = ref.w.reduce((a, b) => a + b, 0);
    const n = 40_000;
    const c = counts(drawMany(new Sampler(vocab), logits, vocab, p, n));
    expect(new Set(c.keys())).toEqual(new Set(ref.ids));
    for (let j = 0; j < 5; j++) {
      const id = ref.ids[j] ?? -1;
      expect(Math.abs((c.get(id) ?? 0) / n - (ref.w[j] ?? 0) / kept)).toBeLessThan(0.01);
    }
  });

  it('top-k then top-p matches the reference support', () => {
    const vocab = 2000;
    const logits = randomLogits(vocab, 21, 3);
    const p = params({ temperature: 0.8, topK: 40, topP: 0.6, seed: 3 });
    const allowed = new Set(referenceNucleus(logits, vocab, p).ids);
    const draws = drawMany(new Sampler(vocab), logits, vocab, p, 2000);
    for (const d of draws) expect(allowed.has(d)).toBe(true);
    expect(counts(draws).size).toBe(allowed.size);
  });

  it('full softmax sampling matches the softmax frequencies', () => {
    const logits = new Float32Array([Math.log(0.1), Math.log(0.2), Math.log(0.3), Math.log(0.4)]);
    const n = 20_000;
    const c = counts(drawMany(new Sampler(4), logits, 4, params({ temperature: 1, seed: 77 }), n));
    for (const [id, p] of [
      [0, 0.1],
      [1, 0.2],
      [2, 0.3],
      [3, 0.4],
    ] as const) {
      expect(Math.abs((c.get(id) ?? 0) / n - p)).toBeLessThan(0.015);
    }
  });

  it('temperature → 0 converges to greedy; high temperature flattens', () => {
    const logits = new Float32Array([1, 1.2, 0.9, 1.19]);
    for (const t of [1e-3, 1e-6, 1e-40]) {
      for (const p of [
        params({ temperature: t }),
        params({ temperature: t, topK: 3 }),
        params({ temperature: t, topP: 0.9 }),
      ]) {
        expect(new Set(drawMany(new Sampler(4), logits, 4, p, 200))).toEqual(new Set([1]));
      }
    }
    const c = counts(drawMany(new Sampler(4), logits, 4, params({ temperature: 1000, seed: 2 }), 8000));
    for (let id = 0; id < 4; id++) expect(Math.abs((c.get(id) ?? 0) / 8000 - 0.25)).toBeLessThan(0.03);
  });

  it('never samples NaN or -Infinity entries', () => {
    const logits = new Float32Array([NaN, 0, -Infinity, 0.2, NaN, 0.1, -Infinity]);
    for (const p of [
      params({ temperature: 1, seed: 1 }),
      params({ temperature: 1, topK: 5, seed: 2 }),
      params({ temperature: 1, topP: 0.99, seed: 3 }),
    ]) {
      const seen = new Set(drawMany(new Sampler(7), logits, 7, p, 2000));
      expect([...seen].sort()).toEqual([1, 3, 5]);
    }
  });

  it('handles a full Qwen-sized vocabulary, reusing its scratch buffers', () => {
    const vocab = 151_936;
    const s = new Sampler(vocab);
    const logits = randomLogits(vocab, 99, 8);
    logits[123_456] = 30; // a confident model: one dominant token
    const p = params({ temperature: 0.7, topP: 0.9, seed: 4 });
    const rng = createRng(4);
    for (let i = 0; i < 20; i++) expect(s.sample(logits, vocab, p, rng)).toBe(123_456);
    const flat = randomLogits(vocab, 98, 0.5);
    const pf = params({ temperature: 1, topP: 0.5, seed: 8 });
    const allowed = new Set(referenceNucleus(flat, vocab, pf).ids);
    for (let i = 0; i < 20; i++) expect(allowed.has(s.sample(flat, vocab, pf, rng))).toBe(true);
  });
});

describe('topK (inspector)', () => {
  it('returns the k best descending with probabilities from a reference softmax', () => {
    const logits = new Float32Array([1, 3, NaN, 2, 3, -1, 0.5]);
    const res = topK(logits, 7, 3);
    expect(res.map((r) => r.id)).toEqual([1, 4, 3]);
    const valid = [1, 3, 2, 3, -1, 0.5];
    const z = valid.reduce((s, x) => s + Math.exp(x), 0);
    for (const r of res) expect(r.prob).toBeCloseTo(Math.exp(r.logit) / z, 6);
    const sum = res.reduce((s, r) => s + r.prob, 0);
    expect(sum).toBeLessThanOrEqual(1);
    expect(sum).toBeCloseTo((2 * Math.exp(3) + Math.exp(2)) / z, 6);
  });

  it('over the whole vocabulary the probabilities sum to 1, and k is clamped', () => {
    const logits = randomLogits(50, 3);
    const res = topK(logits, 50, 500);
    expect(res).toHaveLength(50);
    expect(res.reduce((s, r) => s + r.prob, 0)).toBeCloseTo(1, 6);
    for (let i = 1; i < res.length; i++)
      expect(res[i - 1]?.logit).toBeGreaterThanOrEqual(res[i]?.logit ?? Infinity);
    expect(topK(logits, 50, 0)).toEqual([]);
  });

  it('only considers [0, vocab)', () => {
    const res = topK(new Float32Array([1, 2, 100]), 2, 5);
    expect(res.map((r) => r.id)).toEqual([1, 0]);
    expect(res.reduce((s, r) => s + r.prob, 0)).toBeCloseTo(1, 6);
  });
});

describe('validateSampling', () => {
  it('defaults to greedy', () => {
    expect(validateSampling({})).toEqual({ temperature: 0, topK: 0, topP: 1, seed: 0 });
    expect(validateSampling({ temperature: 0.7, topP: 0.9 })).toEqual({
      temperature: 0.7,
      topK: 0,
      topP: 0.9,
      seed: 0,
    });
  });

  it('rejects bad values with clear messages', () => {
    expect(() => validateSampling({ temperature: NaN })).toThrow(/temperature must be a number/);
    expect(() => validateSampling({ temperature: -0.1 })).toThrow(/temperature must be a finite number ≥ 0/);
    expect(() => validateSampling({ temperature: Infinity })).toThrow(/temperature/);
    expect(() => validateSampling({ topP: 0 })).toThrow(/topP must be in \(0, 1\]/);
    expect(() => validateSampling({ topP: 1.01 })).toThrow(/topP/);
    expect(() => validateSampling({ topK: 2.5 })).toThrow(/topK must be a non-negative integer/);
    expect(() => validateSampling({ topK: -1 })).toThrow(/topK/);
    expect(() => validateSampling({ seed: 0.5 })).toThrow(/seed must be an integer/);
  });
});
