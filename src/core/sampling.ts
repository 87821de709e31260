/**
 * Next-token sampling over merged logits: greedy, temperature, top-k, top-p (nucleus).
 * Hot path (once per token, V ≈ 152k): scratch buffers are allocated once per Sampler,
 * and the vocabulary is never fully sorted — only the candidate set is.
 */
import { Nucleus } from './nucleus';
import { argmax, selectTopK } from './select';

export { argmax, selectTopK } from './select';

/** temperature 0 = greedy; topK 0 = off; topP 1 = off. */
export interface SamplingParams {
  temperature: number;
  topK: number;
  topP: number;
  seed: number;
}

export const GREEDY: SamplingParams = Object.freeze({ temperature: 0, topK: 0, topP: 1, seed: 0 });

/** mulberry32: tiny, fast, deterministic PRNG in [0, 1). The seed is taken modulo 2^32. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Sampler {
  readonly maxVocab: number;
  /** Top-k candidate ids, best first. */
  private readonly cand: Int32Array;
  private readonly nucleus: Nucleus;

  constructor(maxVocab: number) {
    if (!Number.isInteger(maxVocab) || maxVocab <= 0) {
      throw new Error(`Sampler: maxVocab must be a positive integer, got ${maxVocab}`);
    }
    this.maxVocab = maxVocab;
    this.cand = new Int32Array(maxVocab);
    this.nucleus = new Nucleus(maxVocab);
  }

  /** Picks a token id in [0, vocab). NaN logits are never chosen. */
  sample(logits: Float32Array, vocab: number, params: SamplingParams, rng: () => number): number {
    this.checkInput(logits, vocab);
    const { temperature, topK, topP } = params;
    if (!(temperature >= 0)) throw new Error(`Sampler: temperature must be ≥ 0, got ${temperature}`);
    if (temperature === 0) return argmax(logits, vocab);
    const invT = 1 / temperature;

    if (topK > 0 && topK < vocab) {
      const n = selectTopK(logits, vocab, topK, this.cand);
      if (n === 0) throw new Error('Sampler: all logits are NaN');
      const m = (logits[this.cand[0] ?? 0] ?? NaN) * invT;
      // An infinite scaled max (tiny temperature, ±Inf logits) leaves no usable softmax: the limit is greedy.
      if (!Number.isFinite(m)) return this.cand[0] ?? 0;
      // HF order: top-p applies to the distribution renormalised over the top-k.
      return this.drawTopK(logits, n, invT, m, topP, rng);
    }

    const top = argmax(logits, vocab);
    const m = (logits[top] ?? NaN) * invT;
    if (!Number.isFinite(m)) return top;
    if (topP >= 1) return this.drawFull(logits, vocab, invT, m, rng);
    const nu = this.nucleus;
    const n = nu.find(logits, vocab, invT, m, topP);
    return draw(nu.ids, n, nu.weights, nu.mass, rng);
  }

  /**
   * The exact nucleus for (temperature, topP) without top-k, as a view of scratch memory
   * that the next call overwrites. Order: wholly-inside ids by id, then boundary ids by rank.
   */
  nucleusIds(logits: Float32Array, vocab: number, temperature: number, topP: number): Int32Array {
    this.checkInput(logits, vocab);
    if (!(temperature > 0)) throw new Error(`Sampler: nucleus needs temperature > 0, got ${temperature}`);
    const top = argmax(logits, vocab);
    const m = (logits[top] ?? NaN) / temperature;
    if (!Number.isFinite(m)) {
      this.cand[0] = top;
      return this.cand.subarray(0, 1);
    }
    const n = this.nucleus.find(logits, vocab, 1 / temperature, m, Math.min(topP, 1));
    return this.nucleus.ids.subarray(0, n);
  }

  private checkInput(logits: Float32Array, vocab: number): void {
    if (!Number.isInteger(vocab) || vocab <= 0 || vocab > this.maxVocab) {
      throw new Error(`Sampler: vocab ${vocab} outside 1..${this.maxVocab}`);
    }
    if (logits.length < vocab) throw new Error(`Sampler: ${logits.length} logits, fewer than vocab ${vocab}`);
  }

  /** Softmax over all of [0, vocab): two O(V) passes, no sort. */
  private drawFull(logits: Float32Array, vocab: number, invT: number, m: number, rng: () => number): number {
    const w = this.nucleus.weights; // borrowed scratch, indexed by token id
    let total = 0;
    for (let i = 0; i < vocab; i++) {
      const x = logits[i] ?? NaN;
      const e = x === x ? Math.exp(x * invT - m) : 0;
      w[i] = e;
      total += e;
    }
    let u = rng() * total;
    let last = -1;
    for (let i = 0; i < vocab; i++) {
      const e = w[i] ?? 0;
      if (e <= 0) continue;
      last = i;
      u -= e;
      if (u < 0) return i;
    }
    return last; // rounding left u ≥ 0: the last positive-weight id
  }

  /** cand[0..n) is sorted best first: keep the smallest prefix holding topP of its mass, then draw. */
  private drawTopK(
    logits: Float32Array,
    n: number,
    invT: number,
    m: number,
    topP: number,
    rng: () => number,
  ): number {
    const cand = this.cand;
    const w = this.nucleus.weights; // borrowed scratch, indexed by token id
    let total = 0;
    for (let j = 0; j < n; j++) {
      const id = cand[j] ?? 0;
      const e = Math.exp((logits[id] ?? NaN) * invT - m);
      w[id] = e;
      total += e;
    }
    let cut = n;
    let kept = total;
    if (topP < 1) {
      const target = topP * total;
      let acc = 0;
      for (let j = 0; j < n; j++) {
        acc += w[cand[j] ?? 0] ?? 0;
        if (acc >= target) {
          cut = j + 1;
          kept = acc;
          break;
        }
      }
    }
    return draw(cand, cut, w, kept, rng);
  }
}

/** Inverse-CDF draw over ids[0..n) with weights by token id; never returns a zero-weight id. */
function draw(ids: Int32Array, n: number, w: Float64Array, mass: number, rng: () => number): number {
  let u = rng() * mass;
  let last = ids[0] ?? 0;
  for (let j = 0; j < n; j++) {
    const id = ids[j] ?? 0;
    const e = w[id] ?? 0;
    if (e <= 0) continue;
    last = id;
    u -= e;
    if (u < 0) return id;
  }
  return last;
}

export interface TokenProb {
  id: number;
  logit: number;
  prob: number;
}

/**
 * The k highest logits with their softmax probability over all of [0, vocab) (for a token
 * inspector), descending. Allocates only k-sized arrays.
 */
export function topK(logits: Float32Array, vocab: number, k: number): TokenProb[] {
  const cap = Math.min(Math.floor(k), vocab);
  if (!(cap > 0)) return [];
  const ids = new Int32Array(cap);
  const n = selectTopK(logits, vocab, cap, ids);
  if (n === 0) return [];
  const max = logits[ids[0] ?? 0] ?? NaN;
  const finite = Number.isFinite(max);
  // With an infinite max the softmax limit splits the mass evenly among the entries equal to it.
  let z = 0;
  for (let i = 0; i < vocab; i++) {
    const x = logits[i] ?? NaN;
    if (x !== x) continue;
    z += finite ? Math.exp(x - max) : x === max ? 1 : 0;
  }
  const res: TokenProb[] = [];
  for (let j = 0; j < n; j++) {
    const id = ids[j] ?? 0;
    const logit = logits[id] ?? NaN;
    const e = finite ? Math.exp(logit - max) : logit === max ? 1 : 0;
    res.push({ id, logit, prob: e / z });
  }
  return res;
}

function num(name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`${name} must be a number, got ${String(v)}`);
  return v;
}

/** Fills defaults (greedy) and rejects values the sampler cannot honour, with messages a UI can show. */
export function validateSampling(p: Partial<SamplingParams>): SamplingParams {
  const temperature = num('temperature', p.temperature, GREEDY.temperature);
  const topK = num('topK', p.topK, GREEDY.topK);
  const topP = num('topP', p.topP, GREEDY.topP);
  const seed = num('seed', p.seed, GREEDY.seed);
  if (!(temperature >= 0) || !Number.isFinite(temperature)) {
    throw new Error(`temperature must be a finite number ≥ 0 (0 = greedy), got ${temperature}`);
  }
  if (!Number.isInteger(topK) || topK < 0) {
    throw new Error(`topK must be a non-negative integer (0 = off), got ${topK}`);
  }
  if (!(topP > 0 && topP <= 1)) throw new Error(`topP must be in (0, 1] (1 = off), got ${topP}`);
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  return { temperature, topK, topP, seed };
}
