import { describe, expect, it } from 'vitest';
import { EventBatcher } from '../coordinator/event-batcher';
import type { RunEvent } from '../../src/core/protocol';

const alpha = (a: number): RunEvent => ({ type: 'alpha', runId: 1, alpha: a, fromIndex: 0 });
const later = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('EventBatcher', () => {
  it('batches pushes into one delivery per interval', async () => {
    const got: RunEvent[][] = [];
    const b = new EventBatcher((batch) => void got.push(batch), 10);
    b.push(alpha(1));
    b.push(alpha(2));
    expect(got).toEqual([]);
    await later(30);
    expect(got.map((x) => x.length)).toEqual([2]);
  });

  it('drain() resolves only after a slow receiver has handled the last batch', async () => {
    const handled: number[] = [];
    // Like a comlink proxy: the call returns at once, the page handles the batch later.
    const b = new EventBatcher((batch) => later(40).then(() => void handled.push(batch.length)), 1000);
    b.push(alpha(1));
    b.flush();
    b.push(alpha(2));
    b.push(alpha(3));
    await b.drain();
    expect(handled).toEqual([1, 2]);
  });

  it('a receiver that fails does not fail drain()', async () => {
    const b = new EventBatcher(() => Promise.reject(new Error('page closed')));
    b.push(alpha(1));
    await expect(b.drain()).resolves.toBeUndefined();
  });
});
