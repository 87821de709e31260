/**
 * α sweeps in the engine (real tiny trio, onnxruntime CPU, in-thread): every α a guided stream with
 * its own row in each model's batch; greedy tokens per α equal a separate single-α run's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent, RunRequest } from '../../src/core/protocol';
import type { ModelHost } from '../model/host';
import type { Engine } from '../coordinator/engine';
import { collect, newEngine, request, testImage, tinyTrio } from './trio';

/** Runs a sweep and collects ids per stream: 'base', and 'α=<value>' for each guided stream. */
async function sweep(
  engine: Engine,
  req: RunRequest,
): Promise<{ ids: Record<string, number[]>; texts: Record<string, string>; events: RunEvent[] }> {
  const alphas = req.alphas ?? [];
  const key = (e: { stream: string; sweep?: number }) =>
    e.sweep === undefined ? e.stream : `α=${alphas[e.sweep]}`;
  const ids: Record<string, number[]> = {};
  const texts: Record<string, string> = {};
  const events: RunEvent[] = [];
  await engine.run(req, (batch) => {
    for (const e of batch) {
      events.push(e);
      if (e.type === 'token') (ids[key(e)] ??= []).push(e.id);
      if (e.type === 'stream-done') texts[key(e)] = e.text;
    }
  });
  return { ids, texts, events };
}

const ALPHAS = [0, 0.5, 1, 2];
const MAX = 16;

describe('α sweep at full resolution', () => {
  const hosts: ModelHost[] = [];
  const engine = newEngine(hosts);
  beforeAll(async () => {
    await engine.loadTrio(tinyTrio(), { backend: 'wasm' }, () => undefined);
  });

  it('each α stream equals a single-α guided run; the base-only stream equals a base run', async () => {
    const req = request({ mode: 'side-by-side', alphas: ALPHAS, maxNewTokens: MAX });
    const before = await Promise.all(hosts.map((h) => h.stats()));
    const got = await sweep(engine, req);
    const after = await Promise.all(hosts.map((h) => h.stats()));
    for (const alpha of ALPHAS) {
      const single = (await collect(engine, request({ mode: 'guided', alpha, maxNewTokens: MAX }))).streams[
        'guided'
      ];
      expect(got.ids[`α=${alpha}`], `α ${alpha}`).toEqual(single?.ids);
      expect(got.texts[`α=${alpha}`]).toBe(single?.text);
    }
    const base = (await collect(engine, request({ mode: 'base', maxNewTokens: MAX }))).streams['base'];
    expect(got.ids['base']).toEqual(base?.ids);
    // α = 0 merges nothing into the base logits: its stream is the base stream.
    expect(got.ids['α=0']).toEqual(got.ids['base']);
    // The streams differ (the sweep is not one stream copied k times).
    expect(new Set(ALPHAS.map((a) => JSON.stringify(got.ids[`α=${a}`]))).size).toBeGreaterThan(1);
    // One forward per model and token: base batch k + 1, expert and amateur batch k.
    const steps = Math.max(...Object.values(got.ids).map((x) => x.length)) - 1;
    const rows = [ALPHAS.length + 1, ALPHAS.length, ALPHAS.length];
    hosts.slice(0, 3).forEach((h, i) => {
      expect((after[i]?.decoderSteps ?? 0) - (before[i]?.decoderSteps ?? 0)).toBe(steps);
      expect((after[i]?.decoderRows ?? 0) - (before[i]?.decoderRows ?? 0)).toBe(steps * (rows[i] ?? 0));
      expect(
        (after[i]?.promptPrefills ?? 0) +
          (after[i]?.prefillReuses ?? 0) -
          (before[i]?.promptPrefills ?? 0) -
          (before[i]?.prefillReuses ?? 0),
      ).toBe(1);
    });
  });

  it('events: every guided token carries its sweep index and its own fixed α; the live α does not move them', async () => {
    const req = request({ mode: 'guided', alphas: [0.25, 1.5], maxNewTokens: 6 });
    const events: RunEvent[] = [];
    await engine.run(req, (batch) => {
      for (const e of batch) {
        events.push(e);
        if (e.type === 'token' && e.index === 1) void engine.setAlpha(9);
      }
    });
    const tokens = events.filter((e) => e.type === 'token');
    expect(
      tokens.every(
        (e) => e.type === 'token' && e.stream === 'guided' && e.alpha === [0.25, 1.5][e.sweep ?? -1],
      ),
    ).toBe(true);
    expect(new Set(tokens.map((e) => e.type === 'token' && e.sweep))).toEqual(new Set([0, 1]));
    const done = events.filter((e) => e.type === 'stream-done');
    expect(done.map((e) => e.type === 'stream-done' && e.sweep).sort()).toEqual([0, 1]);
  });

  it('refuses sweeps it cannot run, with a clear message', async () => {
    await expect(engine.run(request({ mode: 'base', alphas: [0.5] }), () => undefined)).rejects.toThrow(
      /side-by-side or guided mode, not "base"/,
    );
    await expect(engine.run(request({ alphas: [0.5, 0.5] }), () => undefined)).rejects.toThrow(/must differ/);
    await expect(engine.run(request({ alphas: [] }), () => undefined)).rejects.toThrow(/at least one/);
    await expect(
      engine.run(request({ alphas: [1, 2, 3, 4, 5, 6, 7, 8, 9] }), () => undefined),
    ).rejects.toThrow(/at most 8/);
    await expect(engine.run(request({ alphas: [Number.NaN] }), () => undefined)).rejects.toThrow(/finite/);
  });
});

describe('α sweep with VisionThink (smart resolution, escalating expert)', () => {
  const engine = newEngine();
  const IMAGE = testImage(224, 224, 3);
  beforeAll(async () => {
    await engine.loadTrio(tinyTrio('fp32', 'tiny-expert-escalate'), { backend: 'wasm' }, () => undefined);
  });

  it('each stream escalates on its own, and still equals its single-α run', async () => {
    const alphas = [0, 1, 2];
    const req = request({
      mode: 'side-by-side',
      alphas,
      image: IMAGE,
      resolution: 'smart',
      maxNewTokens: 14,
    });
    const got = await sweep(engine, req);
    const escalated = got.events.filter((e) => e.type === 'escalated');
    // α 1 and 2 ask for the full image (the expert's pull); α 0 and the base-only stream never do.
    expect(new Set(escalated.map((e) => e.type === 'escalated' && e.sweep))).toEqual(new Set([1, 2]));
    for (const alpha of alphas) {
      const single = (
        await collect(
          engine,
          request({ mode: 'guided', alpha, image: IMAGE, resolution: 'smart', maxNewTokens: 14 }),
        )
      ).streams['guided'];
      expect(got.ids[`α=${alpha}`], `α ${alpha}`).toEqual(single?.ids);
    }
    const base = (
      await collect(engine, request({ mode: 'base', image: IMAGE, resolution: 'smart', maxNewTokens: 14 }))
    ).streams['base'];
    expect(got.ids['base']).toEqual(base?.ids);
  });
});
