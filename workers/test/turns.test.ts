import { describe, expect, it } from 'vitest';
import { Turns } from '../model/turns';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('Turns (the one-worker placement: three models on one onnxruntime instance)', () => {
  it('runs calls one at a time in the order they came, however long each takes', async () => {
    const turns = new Turns();
    const log: string[] = [];
    const call = (name: string, awaits: number) =>
      turns.take(async () => {
        log.push(`${name} start`);
        for (let i = 0; i < awaits; i++) await tick();
        log.push(`${name} end`);
        return name;
      });
    const results = await Promise.all([call('base', 3), call('expert', 1), call('amateur', 0)]);
    expect(results).toEqual(['base', 'expert', 'amateur']);
    expect(log).toEqual(['base start', 'base end', 'expert start', 'expert end', 'amateur start', 'amateur end']);
  });

  it('a failed call fails alone; the next one still runs', async () => {
    const turns = new Turns();
    const failed = turns.take(async () => {
      throw new RangeError('bad step');
    });
    const next = turns.take(async () => 'ok');
    await expect(failed).rejects.toThrow('bad step');
    await expect(next).resolves.toBe('ok');
  });
});
