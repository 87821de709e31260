/**
 * The engine's memory plan on the real tiny trio (onnxruntime CPU in Node, in-thread): prefills in
 * pieces when a model's budget (memoryLimitMB) calls for it, with the tokens of an unchunked run;
 * refusals before any model runs; a model whose prefill fails with a fatal runtime error stops
 * alone, and Load again replaces only it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
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
