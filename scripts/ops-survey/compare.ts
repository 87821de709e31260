/** Numerical agreement between two output tensors. */
export interface Agreement {
  /** max |a − b| over all elements (NaN/Infinity where one side is not finite and the other is). */
  maxAbs: number;
  /** maxAbs divided by max |b| (b is the reference), so tolerances read the same at any scale. */
  rel: number;
  /** Elements where exactly one side is NaN or infinite. */
  nonFinite: number;
}

export function agreement(a: ArrayLike<number>, b: ArrayLike<number>): Agreement {
  if (a.length !== b.length) throw new Error(`cannot compare ${a.length} elements with ${b.length}`);
  let maxAbs = 0;
  let refMax = 0;
  let nonFinite = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (Number.isFinite(y)) refMax = Math.max(refMax, Math.abs(y));
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      if (!Object.is(x, y)) nonFinite++;
      continue;
    }
    maxAbs = Math.max(maxAbs, Math.abs(x - y));
  }
  return { maxAbs, rel: refMax > 0 ? maxAbs / refMax : maxAbs, nonFinite };
}

export { median } from '../../src/core/median';
