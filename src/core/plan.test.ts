import { describe, expect, it } from 'vitest';
import { MAX_SWEEP, ownerOfRow, planRun, planSweep, validateSweep } from './plan';

describe('planRun', () => {
  it('side-by-side runs the base model as one batch of two and the small pair once', () => {
    const p = planRun('side-by-side');
    expect(p.batch).toEqual({ base: 2, expert: 1, amateur: 1 });
    expect(p.streams.map((s) => s.stream)).toEqual(['base', 'guided']);
    expect(ownerOfRow(p, 'base', 0)).toBe(0);
    expect(ownerOfRow(p, 'base', 1)).toBe(1);
    expect(ownerOfRow(p, 'expert', 0)).toBe(1);
  });
  it.each([
    ['guided', { base: 1, expert: 1, amateur: 1 }, 'guided'],
    ['base', { base: 1, expert: 0, amateur: 0 }, 'base'],
    ['expert', { base: 0, expert: 1, amateur: 0 }, 'expert'],
    ['base+expert', { base: 1, expert: 1, amateur: 0 }, 'guided'],
  ] as const)('%s uses only the models it merges', (mode, batch, stream) => {
    const p = planRun(mode);
    expect(p.batch).toEqual(batch);
    expect(p.streams.map((s) => s.stream)).toEqual([stream]);
    expect(() => ownerOfRow(p, 'amateur', 1)).toThrow(/no stream feeds amateur row 1/);
  });
});

describe('planSweep', () => {
  it('one guided row per α in every model, after the base-only row of the base model', () => {
    const p = planSweep([0, 0.5, 1], true);
    expect(p.batch).toEqual({ base: 4, expert: 3, amateur: 3 });
    expect(p.streams.map((s) => [s.stream, s.mode, s.rows, s.alpha, s.sweep])).toEqual([
      ['base', 'base', { base: 0 }, undefined, undefined],
      ['guided', 'guided', { base: 1, expert: 0, amateur: 0 }, 0, 0],
      ['guided', 'guided', { base: 2, expert: 1, amateur: 1 }, 0.5, 1],
      ['guided', 'guided', { base: 3, expert: 2, amateur: 2 }, 1, 2],
    ]);
    for (const role of ['base', 'expert', 'amateur'] as const)
      for (let row = 0; row < p.batch[role]; row++) expect(ownerOfRow(p, role, row)).toBeGreaterThanOrEqual(0);
  });

  it('without the base-only stream the base model has one row per α', () => {
    expect(planSweep([2], false).batch).toEqual({ base: 1, expert: 1, amateur: 1 });
  });

  it('refuses empty, oversized, repeated or non-finite α lists', () => {
    expect(() => validateSweep([])).toThrow(/at least one/);
    expect(() => validateSweep(Array.from({ length: MAX_SWEEP + 1 }, (_, i) => i))).toThrow(/at most 8/);
    expect(() => validateSweep([1, 1])).toThrow(/must differ/);
    expect(() => validateSweep([Infinity])).toThrow(/finite/);
  });
});
