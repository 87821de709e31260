import { describe, expect, it } from 'vitest';
import { autoWasmSchedule, chooseStepping } from './schedule';
import { median } from './median';

describe('autoWasmSchedule', () => {
  it('the base worker gets every core, each small model half of them (at least one thread)', () => {
    expect(autoWasmSchedule(0)).toEqual({ threads: { base: 1, expert: 1, amateur: 1 } });
    expect(autoWasmSchedule(2)).toEqual({ threads: { base: 2, expert: 1, amateur: 1 } });
    expect(autoWasmSchedule(3)).toEqual({ threads: { base: 3, expert: 1, amateur: 1 } });
    expect(autoWasmSchedule(8.5)).toEqual({ threads: { base: 8, expert: 4, amateur: 4 } });
  });
});

describe('median', () => {
  it('odd and even counts, unsorted input', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('chooseStepping', () => {
  it('takes the order with the lowest median, not the lowest single step', () => {
    const c = chooseStepping({ sequential: [240, 250, 245], 'base-first': [200, 260, 262], concurrent: [340, 350, 345] }, 'guided');
    expect(c.stepping).toBe('sequential');
    expect(c.measuredMs).toEqual({ sequential: 245, 'base-first': 260, concurrent: 345 });
    expect(c.why).toBe('guided: sequential measured 245 ms per step at load (base-first 260 ms, concurrent 345 ms)');
  });
  it('a tie within 1 % goes to the earlier order; a clear win to the faster', () => {
    expect(chooseStepping({ sequential: [100], 'base-first': [99.5] }, 'x').stepping).toBe('sequential');
    expect(chooseStepping({ sequential: [100], 'base-first': [98.9] }, 'x').stepping).toBe('base-first');
    expect(chooseStepping({ concurrent: [50], sequential: [51] }, 'x').stepping).toBe('concurrent');
  });
  it('orders without samples are no candidates; none at all is an error', () => {
    expect(chooseStepping({ concurrent: [10], sequential: [] }, 'x')).toEqual({ stepping: 'concurrent', measuredMs: { concurrent: 10 }, why: 'x: concurrent measured 10 ms per step at load' });
    expect(() => chooseStepping({}, 'side-by-side')).toThrow(/side-by-side/);
  });
});
