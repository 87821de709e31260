import { describe, expect, it } from 'vitest';
import { autoWasmSchedule } from './schedule';

describe('autoWasmSchedule', () => {
  it('one thread per worker, stepping concurrently, on 1–3 cores', () => {
    for (const c of [0, 1, 2, 3]) {
      expect(autoWasmSchedule(c)).toEqual({ threads: { base: 1, expert: 1, amateur: 1 }, sequential: false });
    }
  });
  it('splits the cores with concurrent stepping from 3 cores, base getting the most', () => {
    expect(autoWasmSchedule(4)).toEqual({ threads: { base: 2, expert: 1, amateur: 1 }, sequential: false });
    expect(autoWasmSchedule(8)).toEqual({ threads: { base: 4, expert: 2, amateur: 2 }, sequential: false });
  });
});
