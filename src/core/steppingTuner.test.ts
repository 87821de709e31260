import { describe, expect, it } from 'vitest';
import type { Stepping } from './protocol';
import { STEPPINGS } from './schedule';
import { SteppingTuner } from './steppingTuner';

/** Runs `steps` decode steps; `ms(order, step)` is the wall time of a step in that order. Returns the orders used. */
function drive(t: SteppingTuner, steps: number, ms: (order: Stepping, step: number) => number): Stepping[] {
  const used: Stepping[] = [];
  for (let i = 0; i < steps; i++) {
    const order = t.pick();
    used.push(order);
    t.record(order, ms(order, i));
  }
  return used;
}

describe('SteppingTuner', () => {
  it('probes every other order in turn, early every 4th step, against the steps around each probe', () => {
    const t = new SteppingTuner('concurrent', STEPPINGS, 'timed at load');
    const used = drive(t, 12, () => 20);
    expect(used).toEqual(['concurrent', 'concurrent', 'concurrent', 'sequential', 'concurrent', 'concurrent', 'concurrent', 'base-first', 'concurrent', 'concurrent', 'concurrent', 'alongside']);
    expect(t.state()).toMatchObject({ stepping: 'concurrent', probes: 2, switches: 0, why: 'timed at load' });
    expect(t.state().ratios).toEqual({ sequential: 1, 'base-first': 1 });
  });

  it('switches to an order whose probes are clearly faster, and says why', () => {
    const t = new SteppingTuner('alongside', STEPPINGS, 'timed at load');
    const used = drive(t, 80, (o) => (o === 'concurrent' ? 24 : o === 'alongside' ? 29 : 33));
    expect(t.stepping).toBe('concurrent');
    expect(t.state().switches).toBe(1);
    expect(t.state().why).toMatch(/^concurrent: its steps took 0\.83× those of alongside in 3 probes/);
    // After the switch, steps run in the new order, with probes of the others (the old one included).
    const after = used.slice(used.lastIndexOf('alongside') + 1);
    expect(after.filter((o) => o === 'concurrent').length).toBeGreaterThan(after.length * 0.7);
  });

  it('keeps the order when the others are slower or within the margin; then probes every 16th step', () => {
    const t = new SteppingTuner('concurrent', STEPPINGS, 'timed at load');
    drive(t, 48, (o) => (o === 'concurrent' ? 20 : o === 'sequential' ? 19.4 : 30));
    expect(t.stepping).toBe('concurrent'); // 0.97 is within the 5 % margin
    const used = drive(t, 64, (o) => (o === 'concurrent' ? 20 : 30));
    expect(used.filter((o) => o !== 'concurrent')).toHaveLength(4);
    expect(t.state().switches).toBe(0);
  });

  it('a machine speeding up over the run does not make a probe look faster (probes are paired with their neighbours)', () => {
    const t = new SteppingTuner('concurrent', STEPPINGS, 'timed at load');
    // Every order equally fast at any moment; each step 6 % faster than the one before.
    drive(t, 120, (_o, i) => 100 * 0.94 ** i);
    expect(t.state().switches).toBe(0);
    for (const r of Object.values(t.state().ratios)) expect(r).toBeGreaterThan(0.98);
  });

  it('ignores failed or non-finite timings; refuses an order that is not a candidate', () => {
    const t = new SteppingTuner('sequential', ['sequential', 'concurrent'], 'x');
    t.record('concurrent', NaN);
    t.record('sequential', -1);
    expect(t.state().probes).toBe(0);
    expect(() => new SteppingTuner('alongside', ['sequential', 'concurrent'], 'x')).toThrow(/not among the candidates/);
  });

  it('with one candidate it never probes', () => {
    const t = new SteppingTuner('concurrent', ['concurrent'], 'x');
    expect(new Set(drive(t, 40, () => 10))).toEqual(new Set(['concurrent']));
  });
});
