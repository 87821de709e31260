/** Inputs shared by the attention cases: new q/k/v, a past cache, and masks with holes inside a row. */
import type { CaseInput } from '../case';
import { rand, floatInput } from './data';

export const NEG = -10000;

export interface AttnShape {
  batch: number;
  seq: number;
  past: number;
  nq: number;
  nkv: number;
  dim: number;
}

/**
 * Key-position masks [B][T] (1 = attend), all ones unless `holes`: row 0 has a hole in the middle; row 1
 * has left padding when decoding, and a hole just after position 5 when several queries run at once (left
 * padding would leave its first queries with no visible key at all, where ops legitimately differ).
 */
export function keyMask(s: AttnShape, holes: boolean): number[][] {
  const total = s.past + s.seq;
  const start = Math.floor(total * 0.3);
  return Array.from({ length: s.batch }, (_, b) =>
    Array.from({ length: total }, (_, j) => {
      if (!holes) return 1;
      const hole = b % 2 === 0 ? j >= start && j < start + 10 : s.seq === 1 ? j < 8 : j >= 5 && j < 13;
      return hole ? 0 : 1;
    }),
  );
}

/** Additive bias [B, 1, S, T]: 0 where query s (absolute position past + s) may see key j, else NEG. */
export function additiveBias(s: AttnShape, mask: number[][], causal: boolean): Float32Array {
  const total = s.past + s.seq;
  const out = new Float32Array(s.batch * s.seq * total);
  for (let b = 0; b < s.batch; b++)
    for (let q = 0; q < s.seq; q++)
      for (let j = 0; j < total; j++) {
        const visible = (mask[b]?.[j] ?? 0) === 1 && (!causal || j <= s.past + q);
        out[(b * s.seq + q) * total + j] = visible ? 0 : NEG;
      }
  return out;
}

/** Bool mask [B, 1, S, T] (1 = attend), the same pattern as additiveBias. */
export function boolMask(s: AttnShape, mask: number[][], causal: boolean): Uint8Array {
  return Uint8Array.from(additiveBias(s, mask, causal), (v) => (v === 0 ? 1 : 0));
}

/** q [B, S, Nq·D], k/v [B, S, Nkv·D], past_key/past_value [B, Nkv, P, D]. */
export function qkvInputs(id: string, s: AttnShape, withPast = true): CaseInput[] {
  const inputs: CaseInput[] = [
    floatInput(id, 'q', [s.batch, s.seq, s.nq * s.dim], ['batch', 'seq', s.nq * s.dim]),
    floatInput(id, 'k', [s.batch, s.seq, s.nkv * s.dim], ['batch', 'seq', s.nkv * s.dim]),
    floatInput(id, 'v', [s.batch, s.seq, s.nkv * s.dim], ['batch', 'seq', s.nkv * s.dim]),
  ];
  if (withPast) {
    const n = s.batch * s.nkv * s.past * s.dim;
    const dims = [s.batch, s.nkv, s.past, s.dim];
    const graphDims = ['batch', s.nkv, 'past', s.dim];
    inputs.push(
      { name: 'past_key', type: 'float', dims, graphDims, data: rand(n, 1, id, 'past_key') },
      { name: 'past_value', type: 'float', dims, graphDims, data: rand(n, 1, id, 'past_value') },
    );
  }
  return inputs;
}

export function biasInput(s: AttnShape, bias: Float32Array): CaseInput {
  return {
    name: 'attention_bias',
    type: 'float',
    dims: [s.batch, 1, s.seq, s.past + s.seq],
    graphDims: ['batch', 1, 'seq', 'total'],
    data: bias,
  };
}

/** [B, Nkv, P, D] → [B, Nkv·G, P, D] with each KV head repeated G times (repeat_kv), as data. */
export function repeatKv(data: Float32Array, s: AttnShape, len: number): Float32Array {
  const g = s.nq / s.nkv;
  const block = len * s.dim;
  const out = new Float32Array(s.batch * s.nq * block);
  for (let b = 0; b < s.batch; b++)
    for (let h = 0; h < s.nq; h++) {
      const src = (b * s.nkv + Math.floor(h / g)) * block;
      out.set(data.subarray(src, src + block), (b * s.nq + h) * block);
    }
  return out;
}

/** Block-diagonal bias [1, 1, S, S] for windowed vision attention (windows of `window` tokens). */
export function windowBias(seq: number, window: number): Float32Array {
  const out = new Float32Array(seq * seq);
  for (let i = 0; i < seq; i++)
    for (let j = 0; j < seq; j++)
      out[i * seq + j] = Math.floor(i / window) === Math.floor(j / window) ? 0 : NEG;
  return out;
}
