import { describe, expect, it } from 'vitest';
import { ownerOfRow, planRun } from './plan';

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
