/** The stepping orders really order the models' steps, and a failing model does not stop the others. */
import { describe, expect, it } from 'vitest';
import { MODEL_ROLES, type ModelRole } from '../../src/core/presets';
import type { Stepping } from '../../src/core/protocol';
import { stepModels } from '../coordinator/stepping';

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
});
