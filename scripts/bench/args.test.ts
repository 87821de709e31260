import { describe, expect, it } from 'vitest';
import { BenchUsageError, parseBenchArgs } from './args';

describe('bench arguments', () => {
  it('defaults: the engine schedules WASM threads itself; G5 pairs per backend', () => {
    const o = parseBenchArgs([], 2);
    if (o === 'help') throw new Error('help');
    expect(o.plans.map((p) => [p.backend, p.trio, p.threads, p.naiveThreads, p.g5Runs])).toEqual([
      ['wasm', 'bench', null, 2, 5],
      ['webgpu', 'tiny', null, 2, 3],
    ]);
  });
  it('--threads, --g5-runs and --quick', () => {
    const o = parseBenchArgs(['--backend', 'wasm', '--threads', '1', '--g5-runs=0'], 4);
    if (o === 'help') throw new Error('help');
    expect(o.plans).toHaveLength(1);
    expect(o.plans[0]?.threads).toBe(1);
    expect(o.plans[0]?.g5Runs).toBe(0);
    const q = parseBenchArgs(['--quick'], 2);
    if (q === 'help') throw new Error('help');
    expect(q.plans.map((p) => p.g5Runs)).toEqual([2, 2]);
  });
  it('refuses bad values', () => {
    expect(() => parseBenchArgs(['--g5-runs', 'x'], 2)).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(['--nope'], 2)).toThrow(BenchUsageError);
  });
});
