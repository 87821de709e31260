import { describe, expect, it } from 'vitest';
import { guidanceFlipped, guidanceShift, strengthLevel, STRENGTH_LEVELS } from './guidance';
import type { Inspect } from './runRecord';

const e = (id: number, prob: number) => ({ id, prob, text: `t${id}` });
const inspect = (base: [number, number][], merged: [number, number][]): Inspect => ({
  base: base.map(([i, p]) => e(i, p)),
  expert: [e(9, 0.9)],
  amateur: [e(8, 0.8)],
  merged: merged.map(([i, p]) => e(i, p)),
});

describe('guidanceFlipped', () => {
  it('compares the top-1 of merged and base', () => {
    expect(
      guidanceFlipped(
        inspect(
          [
            [1, 0.6],
            [2, 0.3],
          ],
          [
            [2, 0.5],
            [1, 0.4],
          ],
        ),
      ),
    ).toBe(true);
    expect(guidanceFlipped(inspect([[1, 0.6]], [[1, 0.9]]))).toBe(false);
  });
  it('is false when a list is empty', () => {
    expect(guidanceFlipped(inspect([], [[1, 0.9]]))).toBe(false);
  });
});

describe('guidanceShift', () => {
  it('is the absolute change of the chosen token probability', () => {
    const s = guidanceShift(
      inspect(
        [
          [1, 0.6],
          [2, 0.3],
        ],
        [
          [2, 0.5],
          [1, 0.4],
        ],
      ),
      2,
    );
    expect(s.shift).toBeCloseTo(0.2);
    expect(s.exact).toBe(true);
  });
  it('counts a token missing from base top-k as 0 and says so', () => {
    const s = guidanceShift(inspect([[1, 0.6]], [[7, 0.7]]), 7);
    expect(s.shift).toBeCloseTo(0.7);
    expect(s.exact).toBe(false);
  });
});

describe('strengthLevel', () => {
  it('maps [0,1] onto the buckets', () => {
    expect(strengthLevel(0)).toBe(0);
    expect(strengthLevel(0.004)).toBe(0);
    expect(strengthLevel(0.01)).toBe(1);
    expect(strengthLevel(1)).toBe(STRENGTH_LEVELS - 1);
    expect(strengthLevel(Number.NaN)).toBe(0);
    for (let s = 0; s <= 1; s += 0.01) {
      const l = strengthLevel(s);
      expect(l).toBeGreaterThanOrEqual(0);
      expect(l).toBeLessThan(STRENGTH_LEVELS);
    }
  });
});
