/** The decoding engine's contract on the real tiny trio (onnxruntime CPU in Node, in-thread). */
import { beforeAll, describe, expect, it } from 'vitest';
import { FAVOURED_WORDS } from '../../scripts/models/tokenizer';
import { ModelHost } from '../model/host';
import { Engine } from '../coordinator/engine';
import { collect, hostApi, newEngine, request, testImage, tinyTrio } from './trio';
import { generateGreedy } from './reference';
import type { ModelRole } from '../../src/core/presets';
import type { RunEvent } from '../../src/core/protocol';

const MAX = 24;
const favouredCount = (text: string) => FAVOURED_WORDS.reduce((n, w) => n + text.split(w).length - 1, 0);

describe('engine: parity and merge', () => {
  const hosts: ModelHost[] = [];
  const merged: Float32Array[] = [];
  let capture = false;
  const engine = newEngine(hosts, {
    onToken: (stream, _i, _id, m) => void (capture && stream === 'guided' && merged.push(m.slice())),
  });
  let tokenizerSize = 0;
  beforeAll(async () => {
    const infos = await engine.loadTrio(tinyTrio(), { backend: 'wasm' }, () => undefined);
    tokenizerSize = infos[0]?.tokenizerSize ?? 0;
  });

  it('α = 0: guided ids == base-only ids == transformers.js generate() greedy of the base', async () => {
    const req = request({ alpha: 0, maxNewTokens: MAX });
    const guided = (await collect(engine, req)).streams['guided'];
    const base = (await collect(engine, { ...req, mode: 'base' })).streams['base'];
    const reference = await generateGreedy('tiny-base', req.question, testImage(), MAX);
    expect(base?.ids).toEqual(reference.slice(0, base?.ids.length));
    expect(guided?.ids).toEqual(base?.ids);
    expect(base?.ids.length).toBeGreaterThanOrEqual(Math.min(MAX, reference.length));
  });

  it('expert mode == transformers.js generate() greedy of the expert', async () => {
    const req = request({ mode: 'expert', maxNewTokens: MAX });
    const expert = (await collect(engine, req)).streams['expert'];
    const reference = await generateGreedy('tiny-expert', req.question, testImage(), MAX);
    expect(expert?.ids).toEqual(reference.slice(0, expert?.ids.length));
  });

  it('merged logits equal z_b + α(z_e − z_a) from each model run on its own (≤ 1e-4)', async () => {
    merged.length = 0;
    capture = true;
    const alpha = 0.75;
    const req = request({ alpha, maxNewTokens: 6 });
    const guided = (await collect(engine, req)).streams['guided'];
    capture = false;
    const ids = guided?.ids ?? [];
    // Each model alone, fed the guided tokens.
    const solo = new Map<ModelRole, Float32Array[]>();
    for (const spec of tinyTrio()) {
      const host = new ModelHost();
      const info = await host.load(spec, { backend: 'wasm' }, () => undefined);
      const buf = new SharedArrayBuffer(info.vocabRows * 4);
      const view = new Float32Array(buf);
      await host.prefill({ turns: [{ role: 'user', text: req.question, withImage: true }], image: testImage(), streams: 1, logits: buf });
      const rows: Float32Array[] = [view.slice()];
      for (const id of ids.slice(0, -1)) {
        await host.step(Int32Array.from([id]));
        rows.push(view.slice());
      }
      solo.set(spec.role, rows);
      await host.dispose();
    }
    const vocab = tokenizerSize;
    expect(merged.length).toBe(ids.length);
    merged.forEach((m, t) => {
      const b = solo.get('base')?.[t];
      const e = solo.get('expert')?.[t];
      const a = solo.get('amateur')?.[t];
      let maxDiff = 0;
      for (let i = 0; i < vocab; i++) maxDiff = Math.max(maxDiff, Math.abs((m[i] ?? 0) - ((b?.[i] ?? NaN) + alpha * ((e?.[i] ?? NaN) - (a?.[i] ?? NaN)))));
      expect(maxDiff, `token ${t}`).toBeLessThanOrEqual(1e-4);
    });
  });

  it('α > 0 moves the output toward the expert’s favoured words, monotonically over α', async () => {
    const counts: number[] = [];
    for (const alpha of [0, 0.5, 1, 2]) {
      const g = (await collect(engine, request({ alpha, maxNewTokens: 32 }))).streams['guided'];
      counts.push(favouredCount(g?.text ?? ''));
    }
    console.log(`favoured-word counts over α 0, 0.5, 1, 2: ${counts}`);
    for (let i = 1; i < counts.length; i++) expect(counts[i], `counts ${counts}`).toBeGreaterThanOrEqual(counts[i - 1] ?? 0);
    expect(counts[3]).toBeGreaterThan(counts[0] ?? 0);
  });

  it('side-by-side: each stream equals its solo run; the base model does one forward per token', async () => {
    const req = request({ mode: 'side-by-side', maxNewTokens: 12, alpha: 1 });
    const before = await hosts[0]?.stats();
    const both = await collect(engine, req);
    const after = await hosts[0]?.stats();
    const soloBase = (await collect(engine, { ...req, mode: 'base' })).streams['base'];
    const soloGuided = (await collect(engine, { ...req, mode: 'guided' })).streams['guided'];
    expect(both.streams['base']?.ids).toEqual(soloBase?.ids);
    expect(both.streams['guided']?.ids).toEqual(soloGuided?.ids);
    const steps = Math.max(both.streams['base']?.ids.length ?? 0, both.streams['guided']?.ids.length ?? 0) - 1;
    expect((after?.decoderSteps ?? 0) - (before?.decoderSteps ?? 0)).toBe(steps);
    expect((after?.decoderRows ?? 0) - (before?.decoderRows ?? 0)).toBe(2 * steps);
  });
});

describe('engine: live α, sampling, prefill reuse, cancel, errors', () => {
  const hosts: ModelHost[] = [];
  let onToken: ((stream: string, index: number) => void) | null = null;
  const engine = newEngine(hosts, { onToken: (s, i) => onToken?.(s, i) });
  beforeAll(async () => {
    await engine.loadTrio(tinyTrio(), { backend: 'wasm' }, () => undefined);
  });

  it('α changed at token 10 leaves tokens 0–9 unchanged and is recorded per token', async () => {
    const req = request({ alpha: 0, maxNewTokens: 20 });
    const steady = (await collect(engine, req)).streams['guided'];
    onToken = (_s, i) => {
      if (i === 9) void engine.setAlpha(2);
    };
    const { streams, events } = await collect(engine, req);
    onToken = null;
    const changed = streams['guided'];
    expect(changed?.ids.slice(0, 10)).toEqual(steady?.ids.slice(0, 10));
    expect(changed?.alphas).toEqual([...Array(10).fill(0), ...Array((changed?.alphas.length ?? 10) - 10).fill(2)]);
    expect(changed?.ids).not.toEqual(steady?.ids);
    expect(events.find((e) => e.type === 'alpha')).toMatchObject({ alpha: 2, fromIndex: 10 });
  });

  it('stop strings end a stream and are cut from its text; EOS ids come from generation_config', async () => {
    const plain = (await collect(engine, request({ maxNewTokens: 24, alpha: 0 }))).streams['guided'];
    const text = plain?.text ?? '';
    const stop = text.slice(6, 9);
    expect(stop.length).toBe(3);
    const stopped = (await collect(engine, request({ maxNewTokens: 24, alpha: 0, stopStrings: [stop] }))).streams['guided'];
    expect(stopped?.reason).toBe('stop_string');
    expect(stopped?.text).toBe(text.slice(0, text.indexOf(stop)));
    const infos = await engine.stats();
    expect(Object.keys(infos).sort()).toEqual(['amateur', 'base', 'expert']);
  });

  it('seeded sampling reproduces exactly', async () => {
    const sampling = { temperature: 0.9, topK: 40, topP: 0.95, seed: 1234 };
    const a = (await collect(engine, request({ sampling, mode: 'side-by-side' }))).streams;
    const b = (await collect(engine, request({ sampling, mode: 'side-by-side' }))).streams;
    const c = (await collect(engine, request({ sampling: { ...sampling, seed: 99 }, mode: 'side-by-side' }))).streams;
    expect(b['guided']?.ids).toEqual(a['guided']?.ids);
    expect(b['base']?.ids).toEqual(a['base']?.ids);
    expect(c['guided']?.ids).not.toEqual(a['guided']?.ids);
  });

  it('a second run with another α or sampling reuses the prefill and matches a cold run', async () => {
    const image = testImage(120, 80, 7);
    await collect(engine, request({ image, alpha: 0.5 }));
    const before = await Promise.all(hosts.map((h) => h.stats()));
    const warm = await collect(engine, request({ image, alpha: 1.5, sampling: { temperature: 0.7, topK: 0, topP: 0.9, seed: 5 } }));
    const after = await Promise.all(hosts.map((h) => h.stats()));
    after.forEach((s, i) => {
      expect(s.visionEncoderRuns).toBe(before[i]?.visionEncoderRuns);
      expect(s.promptPrefills).toBe(before[i]?.promptPrefills);
      expect(s.prefillReuses).toBe((before[i]?.prefillReuses ?? 0) + 1);
    });
    expect(warm.events.find((e) => e.type === 'started')).toMatchObject({ reused: true });
    const cold = newEngine();
    await cold.loadTrio(tinyTrio(), { backend: 'wasm' }, () => undefined);
    const fresh = await collect(cold, request({ image, alpha: 1.5, sampling: { temperature: 0.7, topK: 0, topP: 0.9, seed: 5 } }));
    expect(warm.streams['guided']?.ids).toEqual(fresh.streams['guided']?.ids);
    await cold.dispose();
  });

  it('fault: cancel mid-decode and mid-prefill (the engine in Node) | sees: every stream ends cancelled, the prefill one with no token | kept: the tokens made before the cancel; the next run works', async () => {
    onToken = (_s, i) => {
      if (i === 3) void engine.cancel();
    };
    const mid = await collect(engine, request({ mode: 'side-by-side', maxNewTokens: 50 }));
    onToken = null;
    expect(mid.streams['guided']?.reason).toBe('cancelled');
    expect(mid.streams['base']?.reason).toBe('cancelled');
    expect(mid.streams['guided']?.ids.length).toBe(4);

    const running = collect(engine, request({ image: testImage(200, 150, 9), maxNewTokens: 50 }));
    await engine.cancel();
    const pre = await running;
    expect(pre.streams['guided']?.ids ?? []).toEqual([]);
    expect(pre.events.some((e) => e.type === 'stream-done' && e.reason === 'cancelled')).toBe(true);

    const after = await collect(engine, request({ maxNewTokens: 5 }));
    expect(after.streams['guided']?.ids.length).toBe(5);
  });

  it('fault: the expert throws mid-decode (the engine in Node) | sees: the error event names the expert, with the error name and message; later runs that need it are refused saying why | kept: the guided tokens before it, the base stream to its limit, base-only runs', async () => {
    const failing = new Engine((role) => {
      const host = new ModelHost();
      let steps = 0;
      const api = hostApi(host, {
        step: async (t) => {
          if (role === 'expert' && ++steps === 4) {
            const e = new Error('the GPU device was lost');
            e.name = 'GpuDeviceLostError';
            throw e;
          }
          return host.step(t);
        },
      });
      return { api, terminate: () => undefined };
    });
    await failing.loadTrio(tinyTrio(), { backend: 'wasm' }, () => undefined);
    const { streams, events } = await collect(failing, request({ mode: 'side-by-side', maxNewTokens: 10 }));
    const error = events.find((e) => e.type === 'error');
    expect(error).toMatchObject({ stream: 'guided', role: 'expert', error: { name: 'GpuDeviceLostError', message: 'the GPU device was lost' } });
    expect(streams['guided']?.reason).toBe('error');
    expect(streams['guided']?.ids.length).toBe(4);
    expect(streams['guided']?.text.length).toBeGreaterThan(0);
    expect(streams['base']?.reason).toBe('max_tokens');
    expect(streams['base']?.ids.length).toBe(10);
    // A lost device is fatal for that model: the next run that needs it says so; base-only still runs.
    await expect(collect(failing, request({ mode: 'guided' }))).rejects.toThrow(/expert model .* stopped during an earlier run .*load the trio again/);
    expect((await collect(failing, request({ mode: 'base', maxNewTokens: 3 }))).streams['base']?.ids.length).toBe(3);
    await failing.dispose();
  });
});

describe('engine: a model that dies during prefill', () => {
  it('fault: the amateur model dies during prefill (the engine in Node) | sees: the run fails naming the amateur and the error; later runs that need it are refused saying why | kept: base-only runs', async () => {
    const failing = new Engine((role) => {
      const host = new ModelHost();
      const api = hostApi(host, {
        prefill: async (r) => {
          if (role === 'amateur') {
            const e = new Error("the amateur model's worker stopped: out of memory");
            e.name = 'WorkerCrashedError';
            throw e;
          }
          return host.prefill(r);
        },
      });
      return { api, terminate: () => undefined };
    });
    await failing.loadTrio(tinyTrio(), { backend: 'wasm' }, () => undefined);
    const events: RunEvent[] = [];
    await expect(failing.run(request({ mode: 'guided' }), (b) => void events.push(...b))).rejects.toThrow(/out of memory/);
    expect(events.at(-1)).toMatchObject({ type: 'error', role: 'amateur', error: { name: 'WorkerCrashedError' } });
    await expect(collect(failing, request({ mode: 'guided' }))).rejects.toThrow(/amateur model .* stopped during an earlier run/);
    expect((await collect(failing, request({ mode: 'base', maxNewTokens: 2 }))).streams['base']?.ids.length).toBe(2);
    await failing.dispose();
  });
});

describe('engine on q8 files (the default on WASM: int8 MatMulInteger, inputs quantised per row)', () => {
  it('base and expert greedy ids == transformers.js generate() on the same q8 files; side-by-side rows == solo runs', async () => {
    const engine = newEngine();
    await engine.loadTrio(tinyTrio('q8'), { backend: 'wasm' }, () => undefined);
    const req = request({ maxNewTokens: MAX });
    const base = (await collect(engine, { ...req, mode: 'base' })).streams['base'];
    const expert = (await collect(engine, { ...req, mode: 'expert' })).streams['expert'];
    expect(base?.ids).toEqual((await generateGreedy('tiny-base', req.question, testImage(), MAX, 'q8')).slice(0, base?.ids.length));
    expect(expert?.ids).toEqual((await generateGreedy('tiny-expert', req.question, testImage(), MAX, 'q8')).slice(0, expert?.ids.length));
    expect(base?.ids.length).toBeGreaterThan(0);
    // Rows decoded together must not change each other: the input is quantised per row, not per tensor.
    const sbs = (await collect(engine, { ...req, mode: 'side-by-side', alpha: 3 })).streams;
    const guided = (await collect(engine, { ...req, alpha: 3 })).streams['guided'];
    expect(sbs['base']?.ids).toEqual(base?.ids);
    expect(sbs['guided']?.ids).toEqual(guided?.ids);
    expect(guided?.ids).not.toEqual(base?.ids);
    await engine.dispose();
  });
});

describe('engine: bad trios', () => {
  /** The same engine loads the right trio after a refused one and runs it. */
  async function stillWorks(engine: Engine): Promise<void> {
    await engine.loadTrio(tinyTrio('q4'), { backend: 'wasm' }, () => undefined);
    expect((await collect(engine, request({ maxNewTokens: 2 }))).streams['guided']?.ids.length).toBe(2);
    await engine.dispose();
  }

  it('fault: a trio whose tokenizers differ (the bench expert with the tiny base; the engine in Node) | sees: the load is refused naming the models | kept: the engine, which loads the right trio next and runs it', async () => {
    const engine = newEngine();
    const trio = tinyTrio('q4');
    const expert = trio[1];
    if (expert) expert.source = { kind: 'url', baseUrl: `${process.cwd()}/public/models/bench-expert`, dtype: 'q4' };
    if (expert) expert.name = 'bench-expert';
    await expect(engine.loadTrio(trio, { backend: 'wasm' }, () => undefined)).rejects.toThrow(/Tokenizers differ.*tiny-base.*bench-expert|bench-expert.*tiny-base/);
    await stillWorks(engine);
  });

  it('fault: a model folder that does not exist (the engine in Node) | sees: the load fails naming the model and its role | kept: the engine, which loads the right trio next and runs it', async () => {
    const engine = newEngine();
    const trio = tinyTrio();
    const amateur = trio[2];
    if (amateur) amateur.source = { kind: 'url', baseUrl: `${process.cwd()}/public/models/no-such-model`, dtype: 'fp32' };
    await expect(engine.loadTrio(trio, { backend: 'wasm' }, () => undefined)).rejects.toThrow(/tiny-amateur \(amateur\)/);
    await stillWorks(engine);
  });
});
