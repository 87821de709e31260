import { describe, expect, it } from 'vitest';
import { autoWasmSchedule } from './schedule';

describe('autoWasmSchedule', () => {
  it('steps one after another with every core on 1–2 cores', () => {
    expect(autoWasmSchedule(2)).toEqual({ threads: { base: 2, expert: 2, amateur: 2 }, sequential: true });
    expect(autoWasmSchedule(1)).toEqual({ threads: { base: 1, expert: 1, amateur: 1 }, sequential: true });
    expect(autoWasmSchedule(0).threads.base).toBe(1);
  });
  it('splits the cores with concurrent stepping from 3 cores, base getting the most', () => {
    expect(autoWasmSchedule(3)).toEqual({ threads: { base: 1, expert: 1, amateur: 1 }, sequential: false });
    expect(autoWasmSchedule(4)).toEqual({ threads: { base: 2, expert: 1, amateur: 1 }, sequential: false });
    expect(autoWasmSchedule(8)).toEqual({ threads: { base: 4, expert: 2, amateur: 2 }, sequential: false });
  });
});
