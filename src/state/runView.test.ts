import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../core/protocol';
import { applyRunEvents, emptyRunView, runVisionOf, visionFields, type TimedEvent } from './runView';

const batch = (t: number, ...events: RunEvent[]): TimedEvent[] => events.map((event) => ({ event, at: t }));
const started: RunEvent = {
  type: 'started',
  runId: 1,
  streams: ['base', 'guided'],
  promptIds: {},
  prefillMs: 40,
  reused: false,
  resolution: 'full',
  visualTokens: {},
  image: [96, 64],
  memory: {},
};
const tok = (stream: 'base' | 'guided', index: number, delta: string, alpha = 0.5): RunEvent => ({
  type: 'token',
  runId: 1,
  stream,
  index,
  id: 100 + index,
  delta,
  alpha,
  timings: {},
});

describe('applyRunEvents', () => {
  it('creates the streams on start and appends tokens in order', () => {
    let v = applyRunEvents(emptyRunView(0.5, 0), batch(1, started));
    expect(v.streams).toEqual(['base', 'guided']);
    expect(v.prefillMs).toBe(40);
    expect(v.imageSize).toEqual([96, 64]);
    v = applyRunEvents(v, batch(10, tok('base', 0, 'He'), tok('guided', 0, 'Wa'), tok('base', 1, 'llo')));
    v = applyRunEvents(v, batch(30, tok('guided', 1, 'it')));
    expect(v.byName.base?.text).toBe('Hello');
    expect(v.byName.base?.tokens.map((t) => t.index)).toEqual([0, 1]);
    expect(v.byName.guided?.text).toBe('Wait');
    expect(v.byName.guided?.firstTokenAt).toBe(10);
    expect(v.byName.guided?.lastTokenAt).toBe(30);
  });

  it('keeps the reference of a stream the batch did not touch', () => {
    const v1 = applyRunEvents(emptyRunView(), batch(1, started, tok('base', 0, 'a'), tok('guided', 0, 'b')));
    const v2 = applyRunEvents(v1, batch(2, tok('guided', 1, 'c')));
    expect(v2.byName.base).toBe(v1.byName.base);
    expect(v2.byName.guided).not.toBe(v1.byName.guided);
    expect(v1.byName.guided?.text).toBe('b'); // the earlier view is not mutated
  });

  it('takes the final text and reason from stream-done', () => {
    const v = applyRunEvents(
      emptyRunView(),
      batch(1, started, tok('base', 0, 'a'), {
        type: 'stream-done',
        runId: 1,
        stream: 'base',
        reason: 'cancelled',
        text: 'a!',
      }),
    );
    expect(v.byName.base?.text).toBe('a!');
    expect(v.byName.base?.reason).toBe('cancelled');
  });

  it('puts a stream error in that stream only, a run error on the run', () => {
    const err = { name: 'WorkerCrashedError', message: 'the expert model worker stopped' };
    let v = applyRunEvents(emptyRunView(), batch(1, started, tok('base', 0, 'kept'), tok('guided', 0, 'x')));
    v = applyRunEvents(v, batch(2, { type: 'error', runId: 1, stream: 'guided', error: err }));
    expect(v.byName.guided?.error).toEqual(err);
    expect(v.byName.base?.error).toBeNull();
    expect(v.byName.base?.text).toBe('kept');
    expect(v.error).toBeNull();
    v = applyRunEvents(v, batch(3, { type: 'error', runId: 1, error: { name: 'Error', message: 'boom' } }));
    expect(v.error?.message).toBe('boom');
  });

  it('collects α changes, the last per index', () => {
    const v = applyRunEvents(
      emptyRunView(0.5),
      batch(
        1,
        started,
        { type: 'alpha', runId: 1, alpha: 0.7, fromIndex: 3 },
        { type: 'alpha', runId: 1, alpha: 0.9, fromIndex: 3 },
      ),
    );
    expect(v.alphaChanges).toEqual([{ fromIndex: 3, alpha: 0.9 }]);
  });

  it('ignores events of another run', () => {
    const v = applyRunEvents(emptyRunView(), batch(1, started, { ...tok('base', 0, 'zzz'), runId: 7 }));
    expect(v.byName.base?.text).toBe('');
  });

  it('records totals on done', () => {
    const loop = { steps: 3, coordinatorMs: 1, stepWaitMs: 2, prefillMs: 3 };
    const v = applyRunEvents(emptyRunView(), batch(1, started, { type: 'done', runId: 1, ms: 123, loop }));
    expect(v.totalMs).toBe(123);
    expect(v.loop).toEqual(loop);
  });
});

describe('applyRunEvents, VisionThink notes', () => {
  it('notes an escalation on its stream', () => {
    const v = applyRunEvents(
      emptyRunView(),
      batch(1, started, {
        type: 'escalated',
        runId: 1,
        stream: 'guided',
        atIndex: 3,
        visualTokens: {},
        image: { low: [48, 32], full: [96, 64] },
        extensionIds: {},
      }),
    );
    expect(v.byName.guided?.notes).toEqual([
      'Asked for the full-resolution image at token 3 (48×32 → 96×64)',
    ]);
    expect(v.byName.base?.notes).toEqual([]);
  });

  it('keeps the resolution, the prompt image and the escalation, and rebuilds them from a saved record', () => {
    const smart: RunEvent = {
      ...started,
      resolution: 'smart',
      image: [112, 112],
      visualTokens: { base: 16, expert: 16, amateur: 16 },
    };
    const visualTokens = { base: { low: 16, full: 64 }, expert: { low: 16, full: 64 } };
    let v = applyRunEvents(emptyRunView(), batch(1, smart, tok('guided', 0, 'x')));
    expect(runVisionOf(v)).toEqual({
      resolution: 'smart',
      image: [112, 112],
      visualTokens: { base: 16, expert: 16, amateur: 16 },
      escalation: null,
    });
    v = applyRunEvents(
      v,
      batch(2, {
        type: 'escalated',
        runId: 1,
        stream: 'guided',
        atIndex: 4,
        visualTokens,
        image: { low: [112, 112], full: [224, 224] },
        extensionIds: { base: [1, 2] },
      }),
    );
    const vision = runVisionOf(v);
    expect(vision?.escalation).toEqual({
      stream: 'guided',
      atIndex: 4,
      image: { low: [112, 112], full: [224, 224] },
      visualTokens,
    });
    expect({ ...emptyRunView(), ...visionFields(vision) }).toMatchObject({
      resolution: 'smart',
      imageSize: [112, 112],
      escalation: vision?.escalation,
    });
  });

  it('has no vision record before the run started, nor for a saved run without one', () => {
    expect(runVisionOf(emptyRunView())).toBeNull();
    expect(visionFields(null)).toEqual({
      visualTokens: null,
      imageSize: null,
      resolution: null,
      escalation: null,
    });
  });
});
