/** Deterministic case data: each tensor has its own stream, seeded by the case and tensor names. */
import type { CaseInput } from '../case';
import { randomWeights, seedOf } from '../../models/rng';
import { createRng } from '../../../src/core/sampling';

/** Uniform values with standard deviation `std`. */
export function rand(count: number, std: number, ...seed: (string | number)[]): Float32Array {
  return randomWeights(count, std, seedOf('ops-survey', ...seed));
}

/** Integers in [lo, hi). */
export function randInts(count: number, lo: number, hi: number, ...seed: (string | number)[]): number[] {
  const r = createRng(seedOf('ops-survey-int', ...seed));
  return Array.from({ length: count }, () => lo + Math.floor(r() * (hi - lo)));
}

export const i64 = (values: number[]): BigInt64Array => BigInt64Array.from(values, (v) => BigInt(v));
export const i32 = (values: number[]): Int32Array => Int32Array.from(values);
export const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

/** Rotary tables cos/sin [positions, half] for θ = base^(−2i/dim). */
export function ropeTables(
  positions: number[],
  dim: number,
  base = 1_000_000,
): { cos: Float32Array; sin: Float32Array } {
  const half = dim / 2;
  const cos = new Float32Array(positions.length * half);
  const sin = new Float32Array(positions.length * half);
  positions.forEach((p, r) => {
    for (let i = 0; i < half; i++) {
      const a = p * base ** ((-2 * i) / dim);
      cos[r * half + i] = Math.cos(a);
      sin[r * half + i] = Math.sin(a);
    }
  });
  return { cos, sin };
}

/** A random float input: `dims` for its data, `graphDims` for the graph's declaration (symbolic batch/seq). */
export function floatInput(
  id: string,
  name: string,
  dims: number[],
  graphDims: (number | string)[],
  std = 1,
): CaseInput {
  return {
    name,
    type: 'float',
    dims,
    graphDims,
    data: rand(
      dims.reduce((a, b) => a * b, 1),
      std,
      id,
      name,
    ),
  };
}
