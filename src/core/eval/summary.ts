/**
 * Accuracy per decoding mode and α over scored items, with a 95 % Wilson score interval (it stays
 * inside [0, 1] and is honest for small n, which an evaluation on a phone-sized set always is).
 */
import type { ItemRecord } from './types';

export interface ResultRow {
  mode: string;
  /** α of a guided stream; null for base-only or predictions without one. */
  alpha: number | null;
  n: number;
  correct: number;
  accuracy: number;
  /** 95 % Wilson interval of the accuracy. */
  ci95: [number, number];
  /** Outputs that ended with an error (counted as wrong). */
  errors: number;
}

export interface Summary {
  results: ResultRow[];
  /** The guided α with the highest accuracy (the smallest α on a tie), or null without guided rows. */
  best_alpha: number | null;
  /** Best guided accuracy minus base accuracy (null without both). */
  best_gain: number | null;
}

/** Wilson score interval for `k` successes out of `n` at z = 1.96. */
export function wilson(k: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

/** Key of a (mode, α) group; base first, then guided by α, then anything else by name. */
function order(a: { mode: string; alpha: number | null }, b: { mode: string; alpha: number | null }): number {
  const rank = (m: string) => (m === 'base' ? 0 : m === 'guided' ? 1 : 2);
  return (
    rank(a.mode) - rank(b.mode) ||
    a.mode.localeCompare(b.mode) ||
    (a.alpha ?? -Infinity) - (b.alpha ?? -Infinity)
  );
}

export function summarize(records: readonly ItemRecord[]): Summary {
  const groups = new Map<
    string,
    { mode: string; alpha: number | null; n: number; correct: number; errors: number }
  >();
  for (const r of records) {
    for (const s of r.results) {
      const key = `${s.mode}\u0000${s.alpha ?? ''}`;
      const g = groups.get(key) ?? { mode: s.mode, alpha: s.alpha, n: 0, correct: 0, errors: 0 };
      g.n += 1;
      if (s.correct) g.correct += 1;
      if (s.error) g.errors += 1;
      groups.set(key, g);
    }
  }
  const results: ResultRow[] = [...groups.values()].sort(order).map((g) => {
    const [lo, hi] = wilson(g.correct, g.n);
    return {
      mode: g.mode,
      alpha: g.alpha,
      n: g.n,
      correct: g.correct,
      accuracy: g.n ? round(g.correct / g.n) : 0,
      ci95: [round(lo), round(hi)],
      errors: g.errors,
    };
  });
  const guided = results.filter((r) => r.mode === 'guided' && r.alpha !== null);
  const best = guided.reduce<ResultRow | null>((b, r) => (!b || r.accuracy > b.accuracy ? r : b), null);
  const base = results.find((r) => r.mode === 'base');
  return {
    results,
    best_alpha: best?.alpha ?? null,
    best_gain: best && base && best.n && base.n ? round(best.correct / best.n - base.correct / base.n) : null,
  };
}
