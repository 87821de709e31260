/**
 * The memory plan in the browser (WASM, tiny trio): a model whose heap is capped (memoryLimitMB —
 * the cap is real: onnxruntime cannot grow its WebAssembly memory past it) reads a prompt it could
 * not hold in one piece in pieces, with the tokens of an unchunked run and of transformers.js'
 * own generate(); a run that no piece size fits is refused before any model runs.
 */
import { test, expect } from './fixtures';
import { GREEDY } from './helpers';

const QUESTION = `${'Each bar shows the revenue of one quarter, and the line shows the costs of the same quarter. '.repeat(36)}Which bar is the tallest?`;
const LIMIT_MB = 48;

test('a prompt a capped model cannot hold in one piece is prefilled in pieces, with the tokens of an unchunked run', async ({ page }) => {
  test.slow(); // three prefills of ~1,700 tokens per model on a shared CPU
  await page.goto('/');
  await page.waitForFunction(() => typeof window.proxyThinker === 'object');
  const req = { mode: 'side-by-side' as const, alpha: 1, sampling: GREEDY, maxNewTokens: 8, question: QUESTION, imageUrl: null };

  // Unchunked: the whole prompt in one forward per model.
  await page.evaluate(() => window.proxyThinker.load({ trio: 'tiny', backend: 'wasm', dtype: 'fp32' }));
  const whole = await page.evaluate((r) => window.proxyThinker.run(r), req);
  const tokens = whole.prompt_ids.base?.length ?? 0;
  expect(tokens).toBeGreaterThan(1300);
  expect(whole.memory.base?.chunkTokens).toBeNull();
  // One piece needs the base model's scores [4 heads, S, S] in float32 twice: more than the cap.
  expect(2 * 4 * tokens * tokens * 4).toBeGreaterThan(LIMIT_MB * 2 ** 20);

  // The same trio with each heap capped (a worker and a heap per model; one shared heap: workers/test/memory.test.ts).
  await page.evaluate((mb) => window.proxyThinker.load({ trio: 'tiny', backend: 'wasm', dtype: 'fp32', memoryLimitMB: mb, placement: 'workers' }), LIMIT_MB);
  const before = await page.evaluate(() => window.proxyThinker.stats());
  const pieces = await page.evaluate((r) => window.proxyThinker.run(r), req);
  const after = await page.evaluate(() => window.proxyThinker.stats());
  for (const role of ['base', 'expert', 'amateur'] as const) {
    const plan = pieces.memory[role];
    const chunk = plan?.chunkTokens ?? 0;
    expect(chunk, role).toBeGreaterThan(0);
    expect(chunk, role).toBeLessThan(tokens);
    expect((after[role]?.prefillForwards ?? 0) - (before[role]?.prefillForwards ?? 0), role).toBe(Math.ceil(tokens / chunk));
    expect(after[role]?.heapBytes ?? Infinity, role).toBeLessThanOrEqual(LIMIT_MB * 2 ** 20);
  }
  for (const stream of ['base', 'guided'] as const) {
    expect(pieces.streams[stream]?.error, stream).toBeNull();
    expect(pieces.streams[stream]?.token_ids, stream).toEqual(whole.streams[stream]?.token_ids);
  }
  expect(pieces.streams.guided?.token_ids).toHaveLength(8);

  // The reference: transformers.js generate() on the base model, one unchunked prefill. Every core,
  // as the engine's workers get: with onnxruntime's default here (1 thread) its load took 45 s.
  const reference = await page.evaluate(
    (q) => window.proxyThinker.referenceGenerate({ modelUrl: '/models/tiny-base/', backend: 'wasm', dtype: 'fp32', wasmThreads: navigator.hardwareConcurrency, question: q, imageUrl: null, maxNewTokens: 8 }),
    QUESTION,
  );
  expect(reference.prompt_ids).toEqual(pieces.prompt_ids.base);
  expect(pieces.streams.base?.token_ids).toEqual(reference.token_ids);

  // A run no piece size fits (its KV cache alone) is refused before any model runs.
  const check = await page.evaluate((r) => window.proxyThinker.checkRun({ ...r, maxNewTokens: 8192 }), req);
  expect(check.ok).toBe(false);
  expect(check.ok ? '' : check.error.message).toMatch(/^This run does not fit the memory of the base model \(tiny-base, WASM\): the KV cache of [\d,]+ prompt tokens and 8,192 new tokens for 2 streams needs about \d+ MB, and \d+ MB are free\. To fit: .*lower Max new tokens to [\d,]+ \(it is 8,192\)\.$/);
  const refused = await page.evaluate((r) => window.proxyThinker.run({ ...r, maxNewTokens: 8192 }).then(
    () => 'ran',
    (e: unknown) => String(e),
  ), req);
  expect(refused).toContain('PromptTooLargeError');
  const last = await page.evaluate(() => window.proxyThinker.stats());
  for (const role of ['base', 'expert', 'amateur'] as const) expect(last[role]?.promptPrefills, role).toBe(after[role]?.promptPrefills);
});
