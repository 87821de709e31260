/**
 * The engine's contract on the Qwen2-VL and Qwen3-VL generated trios (the Qwen2.5-VL trio has its
 * own suite in engine.test.ts): α = 0 equals base equals transformers.js generate(), side-by-side
 * equals solo runs, a second run reuses the prefill and equals a cold one, a live α change keeps
 * the tokens before it. Also: trios mixing families are loaded only when their tokenizers match.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelHost } from '../model/host';
import { collect, familyTrio, newEngine, request, testImage } from './trio';
import { generateGreedy } from './reference';

const MAX = 16;

describe.each([
  ['Qwen2-VL', 'tiny2'],
  ['Qwen3-VL', 'tiny3'],
] as const)('engine on the %s trio', (_, family) => {
  const hosts: ModelHost[] = [];
  let onToken: ((i: number) => void) | null = null;
  // The hook runs inside the decode loop, so a live α change lands at an exact token, whatever the load.
  const engine = newEngine(hosts, { onToken: (_s, i) => onToken?.(i) });
  beforeAll(async () => {
    await engine.loadTrio(familyTrio(family), { backend: 'wasm' }, () => undefined);
  });
  const run = (over: Parameters<typeof request>[0]) => collect(engine, request({ maxNewTokens: MAX, ...over }));

  it('α = 0: guided == base-only == transformers.js generate() greedy of the base', async () => {
    const guided = (await run({ alpha: 0 })).streams['guided'];
    const base = (await run({ alpha: 0, mode: 'base' })).streams['base'];
    const reference = await generateGreedy(`${family}-base`, request().question, testImage(), MAX);
    expect(base?.ids).toEqual(reference.slice(0, base?.ids.length));
    expect(guided?.ids).toEqual(base?.ids);
  });

  it('side-by-side: each stream equals its solo run', async () => {
    const both = (await run({ mode: 'side-by-side', alpha: 1 })).streams;
    expect(both['base']?.ids).toEqual((await run({ mode: 'base' })).streams['base']?.ids);
    expect(both['guided']?.ids).toEqual((await run({ alpha: 1 })).streams['guided']?.ids);
  });

  it('a second run with another α reuses the prefill and equals a cold run', async () => {
    const q = `Which shape is largest? (${family})`;
    await run({ question: q, alpha: 0.2 });
    const before = await engine.stats();
    const warm = (await run({ question: q, alpha: 1.5 })).streams['guided'];
    const after = await engine.stats();
    for (const role of ['base', 'expert', 'amateur'] as const) {
      expect(after[role]?.prefillReuses, role).toBe((before[role]?.prefillReuses ?? 0) + 1);
      expect(after[role]?.visionEncoderRuns, role).toBe(before[role]?.visionEncoderRuns);
    }
    const coldEngine = newEngine();
    await coldEngine.loadTrio(familyTrio(family), { backend: 'wasm' }, () => undefined);
    const cold = (await collect(coldEngine, request({ maxNewTokens: MAX, question: q, alpha: 1.5 }))).streams['guided'];
    expect(warm?.ids).toEqual(cold?.ids);
    await coldEngine.dispose();
  });

  it('α changed mid-run leaves the tokens before the change unchanged', async () => {
    const steady = (await run({ alpha: 0 })).streams['guided'];
    onToken = (i) => {
      if (i === 2) void engine.setAlpha(3);
    };
    const { streams, events } = await run({ alpha: 0 });
    onToken = null;
    const changed = streams['guided'];
    expect(changed?.ids.length).toBeGreaterThan(3);
    expect(changed?.alphas).toEqual([0, 0, 0, ...Array((changed?.alphas.length ?? 3) - 3).fill(3)]);
    expect(changed?.ids.slice(0, 3)).toEqual(steady?.ids.slice(0, 3));
    expect(events.find((e) => e.type === 'alpha')).toMatchObject({ alpha: 3, fromIndex: 3 });
  });
});

describe('trios across families', () => {
  it('a Qwen2.5-VL base with a Qwen3-VL pair loads when the tokenizers match exactly, and runs', async () => {
    const engine = newEngine();
    const [base] = familyTrio('tiny');
    const [, expert, amateur] = familyTrio('tiny3');
    if (!base || !expert || !amateur) throw new Error('no trio');
    const infos = await engine.loadTrio([base, expert, amateur], { backend: 'wasm' }, () => undefined);
    expect(new Set(infos.map((i) => i.tokenizerFingerprint)).size).toBe(1);
    const guided = (await collect(engine, request({ maxNewTokens: 4 }))).streams['guided'];
    expect(guided?.ids).toHaveLength(4);
    await engine.dispose();
  });

  it('a family mix whose tokenizers differ is refused, naming the models and their families', async () => {
    const engine = newEngine();
    const trio = familyTrio('tiny3', 'q4');
    const expert = trio[1];
    if (!expert) throw new Error('no expert');
    expert.source = { kind: 'url', baseUrl: `${process.cwd()}/public/models/bench-expert`, dtype: 'q4' };
    expert.name = 'bench-expert';
    await expect(engine.loadTrio(trio, { backend: 'wasm' }, () => undefined)).rejects.toThrow(/Tokenizers differ: tiny3-base \(qwen3_vl, size .*bench-expert \(qwen2_5_vl, size /);
  });
});
