/**
 * The engine's memory plan on the real tiny trio (onnxruntime CPU in Node, in-thread): prefills in
 * pieces when a model's budget (memoryLimitMB) calls for it, with the tokens of an unchunked run;
 * refusals before any model runs; a model whose prefill fails with a fatal runtime error stops
 * alone, and Load again replaces only it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Engine } from '../coordinator/engine';
import { ModelHost } from '../model/host';
import { PROMPT_TOO_LARGE, type ModelStats, type RunEvent } from '../../src/core/protocol';
import { runtimeFailureError } from '../../src/core/runtimeErrors';
import { collect, hostApi, newEngine, request, tinyTrio } from './trio';

const LONG = `${'Each bar shows the revenue of one quarter, and the line shows the costs. '.repeat(50)}Which bar is the tallest?`;

function started(events: RunEvent[]) {
  const e = events.find((x) => x.type === 'started');
  if (e?.type !== 'started') throw new Error('no started event');
  return e;
}

describe('memory plan: pieces and refusals', () => {
  const plain = newEngine();
  const limited = newEngine();
  beforeAll(async () => {
    await plain.loadTrio(tinyTrio('q4'), { backend: 'wasm' }, () => undefined);
    // 40 MiB per model: the base model's scores for this prompt in one piece (≈ 3 × 4 heads × S² × 4 B) do not fit.
    await limited.loadTrio(tinyTrio('q4'), { backend: 'wasm', memoryLimitMB: 40 }, () => undefined);
  });

  it('a prompt too large for one piece is prefilled in pieces, with the tokens of an unchunked run', async () => {
    const req = request({ mode: 'side-by-side', question: LONG, maxNewTokens: 12, alpha: 1 });
    const whole = await collect(plain, req);
    const pieces = await collect(limited, req);
    const w = started(whole.events);
    const p = started(pieces.events);
    expect(w.promptIds.base?.length).toBeGreaterThan(1400);
    expect(w.memory.base?.chunkTokens).toBeNull();
    expect(w.memory.base?.availableBytes).toBeNull(); // no cap in Node: nothing to plan against
    const chunk = p.memory.base?.chunkTokens ?? 0;
    expect(chunk).toBeGreaterThan(0);
    expect(chunk).toBeLessThan(w.promptIds.base?.length ?? 0);
    expect(p.memory.base?.peakBytes).toBeLessThanOrEqual(p.memory.base?.availableBytes ?? 0);
    expect(pieces.streams['base']?.ids).toEqual(whole.streams['base']?.ids);
    expect(pieces.streams['guided']?.ids).toEqual(whole.streams['guided']?.ids);
    expect(pieces.streams['guided']?.ids.length).toBe(12);
  });

  it('refuses a run that no piece size fits, before any model runs, saying what to shorten', async () => {
    const before = await limited.stats();
    const req = request({ mode: 'side-by-side', question: LONG, maxNewTokens: 8192 });
    const check = await limited.checkRun(req);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.role).toBe('base');
    expect(check.error.name).toBe(PROMPT_TOO_LARGE);
    expect(check.error.message).toMatch(/^This run does not fit the memory of the base model \(tiny-base, WASM\): the KV cache of [\d,]+ prompt tokens and 8,192 new tokens for 2 streams needs about \d+ MB, and \d+ MB are free\. To fit: .*lower Max new tokens to [\d,]+ \(it is 8,192\)\.$/);
    const seen: RunEvent[] = [];
    await expect(limited.run(req, (b) => void seen.push(...b))).rejects.toMatchObject({ name: PROMPT_TOO_LARGE });
    expect(seen.map((e) => e.type)).toEqual(['error']);
    const after = await limited.stats();
    for (const role of ['base', 'expert', 'amateur'] as const) {
      expect(after[role]?.promptPrefills).toBe(before[role]?.promptPrefills);
      expect(after[role]?.prefillForwards).toBe(before[role]?.prefillForwards);
    }
  });

  it('models sharing one heap (one-worker placement) are planned against what the others may take', async () => {
    const shared = newEngine();
    await shared.loadTrio(tinyTrio('q4'), { backend: 'wasm', memoryLimitMB: 40, placement: 'one-worker' }, () => undefined);
    const req = (maxNewTokens: number) => request({ mode: 'guided', question: 'Which bar is the tallest?', maxNewTokens });
    // A run every model fits: each later model's free bytes are its own less the earlier models' peaks.
    const own = await limited.checkRun(req(64));
    const one = await shared.checkRun(req(64));
    if (!own.ok || !one.ok) throw new Error('a short run should fit');
    const free = (c: typeof own, r: 'base' | 'expert' | 'amateur') => c.memory[r]?.availableBytes ?? NaN;
    const peak = (c: typeof own, r: 'base' | 'expert' | 'amateur') => c.memory[r]?.peakBytes ?? NaN;
    expect(free(one, 'base')).toBe(free(own, 'base'));
    expect(free(one, 'expert')).toBe(free(own, 'expert') - peak(one, 'base'));
    expect(free(one, 'amateur')).toBe(free(own, 'amateur') - peak(one, 'base') - peak(one, 'expert'));
    // The longest run the base model fits alone (its refusal says how long): each model fits a heap of
    // its own, but the small pair no longer fits beside the base model in one heap.
    const longest = await limited.checkRun(req(16_384));
    if (longest.ok) throw new Error('16,384 new tokens should not fit 40 MB');
    const n = Number(/lower Max new tokens to ([\d,]+)/.exec(longest.error.message)?.[1]?.replace(/,/g, ''));
    expect((await limited.checkRun(req(n))).ok).toBe(true);
    const together = await shared.checkRun(req(n));
    expect(together).toMatchObject({ ok: false, role: expect.stringMatching(/^(expert|amateur)$/), error: { name: PROMPT_TOO_LARGE } });
    if (!together.ok) expect(together.error.message).toMatch(/^This run does not fit the memory of the (expert|amateur) model \(tiny-(expert|amateur), WASM\)/);
    await shared.dispose();
  });

  it('refuses a question longer than the models’ positions (max_position_embeddings), whatever the memory', async () => {
    // A pasted table: digits and separators are a token each in Qwen's tokenizer.
    const question = `Sum the second column: ${Array.from({ length: 6000 }, (_, i) => `${i % 97},${(i * 37) % 1000}`).join(';')}`.slice(0, 50_000);
    const check = await plain.checkRun(request({ question, image: null, maxNewTokens: 512 }));
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.error.message).toMatch(/^The prompt is too long for the base model \(tiny-base, WASM\): [\d,]+ prompt tokens and 512 new tokens need [\d,]+ positions, more than the 32,768 it takes\. To fit: shorten the question to about [\d,]+ characters \(it has [\d,]+\)\.$/);
  });
});

describe('a model whose prefill fails with a fatal runtime error', () => {
  const hosts: { role: string; host: ModelHost }[] = [];
  let failExpert = true;
  const engine = new Engine((role) => {
    const host = new ModelHost();
    hosts.push({ role, host });
    const oom = role === 'expert' && failExpert;
    failExpert = failExpert && role !== 'expert';
    // As the model worker reports onnxruntime's std::bad_alloc (model.worker.ts → runtimeFailureError).
    const prefill: typeof host.prefill = async () => {
      throw runtimeFailureError(new Error('failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc'), 'expert', 'tiny-expert', 'prompt');
    };
    return { api: hostApi(host, oom ? { prefill } : {}), terminate: () => undefined };
  });
  beforeAll(async () => {
    await engine.loadTrio(tinyTrio(), { backend: 'wasm' }, () => undefined);
  });

  it('ends only the streams that need it, marks it stopped; Load again replaces it alone', async () => {
    const req = request({ mode: 'side-by-side', maxNewTokens: 8 });
    const { streams, events } = await collect(engine, req);
    expect(streams['base']?.ids.length).toBe(8);
    expect(streams['base']?.reason).toBe('max_tokens');
    const error = events.find((e) => e.type === 'error');
    expect(error).toMatchObject({ stream: 'guided', role: 'expert', error: { name: 'OutOfMemoryError' } });
    expect(events.find((e) => e.type === 'stream-done' && e.stream === 'guided')).toMatchObject({ reason: 'error' });

    // Runs that need it are refused; base-only runs.
    await expect(collect(engine, { ...req, mode: 'guided' })).rejects.toThrow(/the expert model \(tiny-expert\) stopped during an earlier run \(The expert model \(tiny-expert\) ran out of memory/);
    expect((await collect(engine, { ...req, mode: 'base' })).streams['base']?.ids).toEqual(streams['base']?.ids);

    const base = hosts.find((h) => h.role === 'base')?.host;
    const baseStats: ModelStats | undefined = await base?.stats();
    const infos = await engine.reloadStopped(() => undefined);
    expect(infos.map((i) => i.role).sort()).toEqual(['amateur', 'base', 'expert']);
    expect(hosts.filter((h) => h.role === 'expert')).toHaveLength(2);
    expect(hosts.filter((h) => h.role === 'base')).toHaveLength(1);
    expect((await base?.stats())?.promptPrefills).toBe(baseStats?.promptPrefills);

    const again = await collect(engine, req);
    expect(again.streams['guided']?.ids.length).toBe(8);
    expect(again.streams['base']?.ids).toEqual(streams['base']?.ids);
    expect(again.events.some((e) => e.type === 'error')).toBe(false);
  });
});

describe('a fatal error in one onnxruntime instance shared by the three (one-worker placement)', () => {
  const hosts: { role: string; host: ModelHost }[] = [];
  const ended: string[] = [];
  let failExpert = true;
  // The shared worker's handles: once ended (terminate), a model's calls fail as the worker's would.
  const engine = new Engine((role) => {
    const host = new ModelHost();
    hosts.push({ role, host });
    const oom = role === 'expert' && failExpert;
    failExpert = failExpert && role !== 'expert';
    let why: string | null = null;
    const gone = () => Object.assign(new Error(why ?? ''), { name: 'WorkerCrashedError' });
    const prefill: typeof host.prefill = async () => {
      throw runtimeFailureError(new Error('failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc'), 'expert', 'tiny-expert', 'prompt');
    };
    const step: typeof host.step = (t) => (why ? Promise.reject(gone()) : host.step(t));
    return {
      api: hostApi(host, { step, ...(oom ? { prefill } : {}) }),
      terminate: (w) => {
        why = w ?? 'terminated';
        ended.push(role);
      },
      stopped: () => (why ? gone() : null),
    };
  });
  beforeAll(async () => {
    await engine.loadTrio(tinyTrio(), { backend: 'wasm', placement: 'one-worker' }, () => undefined);
  });

  it('stops all three models, names each for the page, and Load again loads all three afresh', async () => {
    const req = request({ mode: 'side-by-side', maxNewTokens: 8 });
    const { streams, events } = await collect(engine, req);
    expect(streams['guided']?.reason).toBe('error');
    // The base stream's next step fails: its runtime was the expert's.
    expect(streams['base']?.reason).toBe('error');
    expect(ended.sort()).toEqual(['amateur', 'base', 'expert']);
    const stopped = events.filter((e) => e.type === 'stopped');
    expect(stopped.map((e) => e.type === 'stopped' && e.role).sort()).toEqual(['amateur', 'base', 'expert']);
    expect(stopped.find((e) => e.type === 'stopped' && e.role === 'expert')).toMatchObject({ error: { name: 'OutOfMemoryError' } });
    expect(stopped.find((e) => e.type === 'stopped' && e.role === 'amateur')).toMatchObject({
      error: { name: 'WorkerCrashedError', message: expect.stringContaining('the amateur model stopped with the expert model: the three share one onnxruntime instance (one-worker placement)') },
    });
    // The page hears of them before the run's end.
    expect(events.findIndex((e) => e.type === 'stopped')).toBeLessThan(events.findIndex((e) => e.type === 'done'));

    // Every mode is refused now, base-only too.
    await expect(collect(engine, { ...req, mode: 'base' })).rejects.toThrow(/the base model \(tiny-base\) stopped during an earlier run \(the base model stopped with the expert model/);
    const infos = await engine.reloadStopped(() => undefined);
    expect(infos.map((i) => i.role).sort()).toEqual(['amateur', 'base', 'expert']);
    for (const role of ['base', 'expert', 'amateur']) expect(hosts.filter((h) => h.role === role)).toHaveLength(2);
    const again = await collect(engine, req);
    expect(again.events.some((e) => e.type === 'error' || e.type === 'stopped')).toBe(false);
    const fresh = newEngine();
    await fresh.loadTrio(tinyTrio(), { backend: 'wasm' }, () => undefined);
    const reference = await collect(fresh, req);
    expect(again.streams['base']?.ids).toEqual(reference.streams['base']?.ids);
    expect(again.streams['guided']?.ids).toEqual(reference.streams['guided']?.ids);
    expect(again.streams['guided']?.ids.length).toBe(8);
    await fresh.dispose();
  });
});

describe('the engine’s one-worker choice when the three do not fit one heap', () => {
  // As in a browser worker on a 2-core machine (trio.ts reads the cores only there).
  beforeAll(() => {
    vi.stubGlobal('WorkerGlobalScope', function WorkerGlobalScope() {});
    vi.stubGlobal('navigator', { hardwareConcurrency: 2 });
  });
  afterAll(() => {
    vi.unstubAllGlobals();
  });

  it('loads them again in a worker each, and says why', async () => {
    const loads: { role: string; placement: string | undefined }[] = [];
    const ended: string[] = [];
    const engine = new Engine((role, options) => {
      const host = new ModelHost();
      loads.push({ role, placement: options.placement });
      // The third model of the shared heap finds it full, as onnxruntime reports it.
      const load: typeof host.load = async (spec, o, onProgress) => {
        if (o.placement === 'one-worker' && role === 'amateur') throw new Error('failed to allocate a buffer of size 31457280: std::bad_alloc');
        return host.load(spec, o, onProgress);
      };
      return { api: hostApi(host, { load }), terminate: () => void ended.push(`${role}/${options.placement}`) };
    });
    const infos = await engine.loadTrio(tinyTrio(), { backend: 'wasm' }, () => undefined);
    expect(loads.map((l) => `${l.role}/${l.placement}`)).toEqual([
      'base/one-worker',
      'expert/one-worker',
      'amateur/one-worker',
      'base/workers',
      'expert/workers',
      'amateur/workers',
    ]);
    // The shared worker's models were let go before the three loaded apart.
    expect(ended.sort()).toEqual(['amateur/one-worker', 'base/one-worker', 'expert/one-worker']);
    const placement = infos[0]?.schedule?.placement;
    expect(placement?.placement).toBe('workers');
    expect(placement?.why).toMatch(/^a worker per model: the three did not fit one worker's memory \(tiny-amateur \(amateur\): failed to allocate .*bad_alloc\)$/);
    // A worker each: base every core, the small pair half of them.
    expect(infos.map((i) => i.wasmThreads)).toEqual([2, 1, 1]);
    const run = await collect(engine, request({ mode: 'guided', maxNewTokens: 4 }));
    expect(run.streams['guided']?.ids).toHaveLength(4);
    await engine.dispose();
  });
});
