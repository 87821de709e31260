import { describe, expect, it } from 'vitest';
import { simulateCores, type G4Analysis } from './g4';
import { ONE_WORKER_MAX_CORES } from '../../src/core/schedule';

const eff = (t1: number, t2: number) => t1 / t2 / 2;
const analysis: G4Analysis = {
  cores: 2,
  step_ms_1t: { base: 17.8, expert: 6, amateur: 5.9 },
  step_ms_all_threads: { base: 11.5, expert: 4.3, amateur: 4 },
  naive_threads: 2,
  thread_efficiency: { base: eff(17.8, 11.5), expert: eff(6, 4.3), amateur: eff(5.9, 4) },
  work_ms_per_token: 29.7,
  bound_ms_per_token: 14.85,
  t_ms: {},
  cpu_ms_per_token: {},
  best_possible_G4: null,
  explanation: '',
};

describe('simulateCores: the placements on more cores', () => {
  it("one instance at this machine's cores is the sum of the measured all-thread steps; the workers' overhead reproduces the measured time", () => {
    const [two] = simulateCores(analysis, [2], 26.2) ?? [];
    expect(two?.one_instance).toBeCloseTo(11.5 + 4.3 + 4, 1);
    expect(two?.workers_with_measured_overhead).toBeCloseTo(26.2, 1);
    expect(two?.placement).toBe('one-worker');
    expect(two?.placement_over_best).toBe(1);
  });
  it('the placement follows ONE_WORKER_MAX_CORES; without a measured worker time there is no overhead to apply', () => {
    const sims = simulateCores(analysis, [ONE_WORKER_MAX_CORES, ONE_WORKER_MAX_CORES + 1, 16]) ?? [];
    expect(sims.map((s) => s.placement)).toEqual(['one-worker', 'workers', 'workers']);
    expect(sims.map((s) => s.workers_with_measured_overhead)).toEqual([null, null, null]);
    // More cores never make one instance slower (Amdahl: each model's time only falls).
    expect(sims[2]?.one_instance).toBeLessThan(sims[0]?.one_instance ?? 0);
  });
});
