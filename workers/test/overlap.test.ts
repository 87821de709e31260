/**
 * The coordinator does a token's text, events and stop checks while the models step, when nothing
 * about the next step depends on them: the same events, tokens and stops as doing them first.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, RunRequest } from '../../src/core/protocol';
import { collect, newEngine, request, tinyTrio } from './trio';

/** What the page reads of a run, without timings. */
function seen(events: RunEvent[]) {
  return events.flatMap((e) => {
    if (e.type === 'token') return [[e.type, e.stream, e.index, e.id, e.delta, e.alpha]];
    if (e.type === 'stream-done') return [[e.type, e.stream, e.reason, e.text]];
    if (e.type === 'done') return [[e.type]];
    return [];
  });
}

function loopOf(events: RunEvent[]) {
  const done = events.find((e) => e.type === 'done');
  if (done?.type !== 'done') throw new Error('no done event');
  return done.loop;
}

describe('a token’s text and events while the models step', () => {
  const overlapping = newEngine();
  // A hook reads each token as it is made: the engine then does the text first, as before.
  const inOrder = newEngine([], { onToken: () => undefined });
  beforeAll(async () => {
    await overlapping.loadTrio(tinyTrio(), { backend: 'wasm' }, () => undefined);
    await inOrder.loadTrio(tinyTrio(), { backend: 'wasm' }, () => undefined);
  });

  it('gives the events of doing them first, in guided and side-by-side runs, and says how long it overlapped', async () => {
    for (const mode of ['guided', 'side-by-side'] as const) {
      const req: RunRequest = request({ mode, maxNewTokens: 12 });
      const steps = async (e: typeof inOrder) => (await e.stats()).base?.decoderSteps ?? NaN;
      const [a0, b0] = [await steps(overlapping), await steps(inOrder)];
      const a = await collect(overlapping, req);
      const b = await collect(inOrder, req);
      expect(seen(a.events)).toEqual(seen(b.events));
      // No step is sent for a token that ends every stream.
      expect((await steps(overlapping)) - a0).toBe((await steps(inOrder)) - b0);
      expect(a.streams['guided']?.ids).toHaveLength(12);
      expect(loopOf(a.events).overlapMs).toBeGreaterThan(0);
      expect(loopOf(b.events).overlapMs).toBeUndefined();
    }
  });

  it('does them first when a stop string may end a stream', async () => {
    const free = await collect(overlapping, request({ mode: 'side-by-side', maxNewTokens: 12 }));
    const text = free.streams['guided']?.text ?? '';
    // A stop string from the middle of the guided text: the stream stops there in both engines.
    const stop = text.slice(Math.floor(text.length / 2), Math.floor(text.length / 2) + 2);
    expect(stop.trim().length).toBeGreaterThan(0);
    const req = request({ mode: 'side-by-side', maxNewTokens: 12, stopStrings: [stop] });
    const a = await collect(overlapping, req);
    const b = await collect(inOrder, req);
    expect(seen(a.events)).toEqual(seen(b.events));
    expect(a.events.find((e) => e.type === 'stream-done' && e.stream === 'guided')).toMatchObject({ reason: 'stop_string' });
    expect(loopOf(a.events).overlapMs).toBeUndefined();
  });
});
