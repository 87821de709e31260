/** The stepping orders really order the models' steps, and a failing model does not stop the others. */
import { describe, expect, it } from 'vitest';
import { MODEL_ROLES, type ModelRole } from '../../src/core/presets';
import type { RunEvent, Stepping } from '../../src/core/protocol';
import { leadWait, stepModels } from '../coordinator/stepping';
import { collect, newEngine, request, tinyTrio } from './trio';

async function trace(stepping: Stepping, fail?: ModelRole) {
  const log: string[] = [];
  const results = await stepModels(stepping, MODEL_ROLES, async (r) => {
    log.push(`start ${r}`);
    await new Promise((ok) => setTimeout(ok, r === 'base' ? 20 : 5));
    log.push(`end ${r}`);
    if (r === fail) throw new Error(`${r} failed`);
    return r;
  });
  return { log, results: results.map((x) => (x.status === 'fulfilled' ? x.value : `rejected: ${String(x.reason)}`)) };
}

describe('stepModels', () => {
  it('concurrent: every step starts before any ends', async () => {
    const { log, results } = await trace('concurrent');
    expect(log.slice(0, 3)).toEqual(['start base', 'start expert', 'start amateur']);
    expect(results).toEqual(['base', 'expert', 'amateur']);
  });
  it('sequential: each step starts when the previous one has ended', async () => {
    const { log } = await trace('sequential');
    expect(log).toEqual(['start base', 'end base', 'start expert', 'end expert', 'start amateur', 'end amateur']);
  });
  it('base-first: the base alone, then the others together; results stay in role order', async () => {
    const { log, results } = await trace('base-first', 'base');
    expect(log.slice(0, 4)).toEqual(['start base', 'end base', 'start expert', 'start amateur']);
    expect(results).toEqual(['rejected: Error: base failed', 'expert', 'amateur']);
  });
  it('base-lead: the base model sent first; the others only once the wait for its start is over', async () => {
    const log: string[] = [];
    const results = await stepModels(
      'base-lead',
      MODEL_ROLES,
      async (r) => {
        log.push(`start ${r}`);
        await new Promise((ok) => setTimeout(ok, 5));
        return r;
      },
      (r) => {
        log.push(`before ${r}`);
        return () => log.push(`waited ${r}`);
      },
    );
    expect(log.slice(0, 5)).toEqual(['before base', 'start base', 'waited base', 'start expert', 'start amateur']);
    expect(results.map((x) => (x.status === 'fulfilled' ? x.value : null))).toEqual(['base', 'expert', 'amateur']);
  });
  it('leadWait: returns once the counter has moved, or after its time limit when it does not', () => {
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const wait = leadWait(signal);
    Atomics.add(signal, 0, 1);
    let t = performance.now();
    wait();
    expect(performance.now() - t).toBeLessThan(2);
    t = performance.now();
    leadWait(signal)();
    expect(performance.now() - t).toBeGreaterThanOrEqual(2.5);
  });
  it('alongside: the base beside the small models, which take turns; a failing small model does not stop the other', async () => {
    const { log, results } = await trace('alongside', 'expert');
    expect(log).toEqual(['start base', 'start expert', 'end expert', 'start amateur', 'end amateur', 'end base']);
    expect(results).toEqual(['base', 'rejected: Error: expert failed', 'amateur']);
  });
});

describe('engine: every stepping order gives the same greedy tokens (tiny trio, in-thread)', () => {
  it('guided and side-by-side, α = 0.75, 12 tokens, for each order', async () => {
    const seen = new Map<string, unknown>();
    for (const stepping of ['concurrent', 'sequential', 'base-first', 'alongside', 'base-lead'] as const) {
      const engine = newEngine();
      const infos = await engine.loadTrio(tinyTrio(), { backend: 'wasm', stepping }, () => undefined);
      expect(infos.map((i) => i.schedule?.guided.stepping)).toEqual([stepping, stepping, stepping]);
      const req = request({ alpha: 0.75, maxNewTokens: 12 });
      const guided = (await collect(engine, req)).streams['guided']?.ids;
      const sbs = (await collect(engine, { ...req, mode: 'side-by-side' })).streams;
      seen.set(stepping, [guided, sbs['base']?.ids, sbs['guided']?.ids]);
      expect(guided).toHaveLength(12);
      expect(sbs['guided']?.ids).toEqual(guided);
      await engine.dispose();
    }
    const [first, ...rest] = [...seen.values()];
    for (const t of rest) expect(t).toEqual(first);
  });
});

describe('engine: the order it chose is probed against the others during runs', () => {
  it('probes show in the loop stats; the tokens equal a run in one fixed order', async () => {
    const tuned = newEngine();
    await tuned.loadTrio(tinyTrio(), { backend: 'wasm' }, () => undefined);
    const fixed = newEngine();
    await fixed.loadTrio(tinyTrio(), { backend: 'wasm', stepping: 'sequential' }, () => undefined);
    const req = request({ alpha: 0.75, maxNewTokens: 16 });
    for (const mode of ['guided', 'side-by-side'] as const) {
      const a = await collect(tuned, { ...req, mode });
      const b = await collect(fixed, { ...req, mode });
      expect(Object.fromEntries(Object.entries(a.streams).map(([k, s]) => [k, s.ids]))).toEqual(Object.fromEntries(Object.entries(b.streams).map(([k, s]) => [k, s.ids])));
      const loopOf = (events: RunEvent[]) => events.find((e): e is Extract<RunEvent, { type: 'done' }> => e.type === 'done')?.loop;
      const probed = loopOf(a.events)?.stepping;
      expect(probed?.kind).toBe(mode === 'guided' ? 'guided' : 'sideBySide');
      expect(probed?.probes).toBeGreaterThan(0);
      // A fixed order is not probed.
      expect(loopOf(b.events)?.stepping).toBeUndefined();
    }
    await tuned.dispose();
    await fixed.dispose();
  });
});
