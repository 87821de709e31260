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
  it('the memory-estimate section: three prompt sizes by default, none to skip, --only-memory', () => {
    const o = parseBenchArgs([], 2);
    if (o === 'help') throw new Error('help');
    expect(o.memory).toEqual({ trio: 'bench', prompts: [1200, 2800, 5000] });
    expect(o.onlyMemory).toBe(false);
    const m = parseBenchArgs(['--only-memory', '--memory-prompts', '500, 900', '--memory-trio=tiny'], 2);
    if (m === 'help') throw new Error('help');
    expect(m.memory).toEqual({ trio: 'tiny', prompts: [500, 900] });
    expect(m.onlyMemory).toBe(true);
    const none = parseBenchArgs(['--memory-prompts', 'none'], 2);
    if (none === 'help') throw new Error('help');
    expect(none.memory.prompts).toEqual([]);
    expect(() => parseBenchArgs(['--memory-prompts', '500,x'], 2)).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(['--memory-trio', 'qwen2.5-vl-paper'], 2)).toThrow(BenchUsageError);
  });
  it('refuses bad values', () => {
    expect(() => parseBenchArgs(['--g5-runs', 'x'], 2)).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(['--nope'], 2)).toThrow(BenchUsageError);
  });
});
