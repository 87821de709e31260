import { describe, expect, it } from 'vitest';
import { autoWasmSchedule, choosePlacement, chooseStepping, ONE_WORKER_MAX_CORES } from './schedule';
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

describe('choosePlacement', () => {
  it('one worker on WASM up to ONE_WORKER_MAX_CORES cores, a worker per model above, on WebGPU and outside a browser', () => {
    const on = (cores: number | null, backend: 'wasm' | 'webgpu' = 'wasm') => choosePlacement({ asked: undefined, backend, cores }).placement;
    expect([1, 2, ONE_WORKER_MAX_CORES].map((c) => on(c))).toEqual(['one-worker', 'one-worker', 'one-worker']);
    expect([ONE_WORKER_MAX_CORES + 1, 16].map((c) => on(c))).toEqual(['workers', 'workers']);
    expect(on(2, 'webgpu')).toBe('workers');
    expect(on(null)).toBe('workers');
    expect(choosePlacement({ asked: undefined, backend: 'wasm', cores: 2 }).why).toBe(
      'WASM on 2 cores: one worker, the models one after another with every core (faster than a worker each where cores are few)',
    );
  });
  it("the caller's placement wins; thread counts per model need a worker per model", () => {
    expect(choosePlacement({ asked: 'workers', backend: 'wasm', cores: 2 })).toEqual({ placement: 'workers', why: 'workers, as the load options asked' });
    expect(choosePlacement({ asked: 'one-worker', backend: 'webgpu', cores: 64 }).placement).toBe('one-worker');
    expect(choosePlacement({ asked: undefined, backend: 'wasm', cores: 2, perModelThreads: true }).placement).toBe('workers');
  });
});
