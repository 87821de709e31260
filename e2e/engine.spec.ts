/** The decoding engine in the real page: workers, comlink, SharedArrayBuffer logits, on WASM and a WebGPU subset. */
import { test, expect } from './fixtures';
import { canvasImageUrl, GREEDY } from './helpers';

test.describe('engine in the browser (WASM)', () => {
  test('α = 0 parity, side-by-side == solo, prefill reuse, seeded sampling, live α, cancel', async ({ page }) => {
    await page.goto('/');
    await page.waitForFunction(() => typeof window.proxyThinker === 'object');
    await page.evaluate(() => window.proxyThinker.load({ trio: 'tiny', backend: 'wasm', dtype: 'fp32' }));
    const imageUrl = await canvasImageUrl(page, 120, 90);
    const base = { alpha: 0, sampling: GREEDY, maxNewTokens: 16, question: 'What is the tallest bar?', imageUrl };

    const s0 = await page.evaluate(() => window.proxyThinker.stats());
    const sbs = await page.evaluate((r) => window.proxyThinker.run({ ...r, mode: 'side-by-side' }), base);
    expect(sbs.streams.guided?.token_ids).toEqual(sbs.streams.base?.token_ids);
    expect(sbs.streams.guided?.token_ids.length).toBeGreaterThan(0);
    expect(sbs.prefill_reused).toBe(false);

    // Another α on the same image and question: no vision encoder, no prompt prefill.
    const before = await page.evaluate(() => window.proxyThinker.stats());
    // The image processor ran once for all three workers (its pixels shared through shared memory).
    const processed = (s: typeof before) => Object.values(s).reduce((n, x) => n + (x?.imagesProcessed ?? 0), 0);
    expect(processed(before) - processed(s0)).toBe(1);
    const guided = await page.evaluate((r) => window.proxyThinker.run({ ...r, mode: 'side-by-side', alpha: 2 }), base);
    const after = await page.evaluate(() => window.proxyThinker.stats());
    expect(guided.prefill_reused).toBe(true);
    for (const role of ['base', 'expert', 'amateur'] as const) {
      expect(after[role]?.visionEncoderRuns).toBe(before[role]?.visionEncoderRuns);
      expect(after[role]?.promptPrefills).toBe(before[role]?.promptPrefills);
    }
    // The base model served both streams in one batched forward per token.
    const steps = Math.max(guided.streams.base?.token_ids.length ?? 0, guided.streams.guided?.token_ids.length ?? 0) - 1;
    expect((after.base?.decoderSteps ?? 0) - (before.base?.decoderSteps ?? 0)).toBe(steps);
    expect((after.base?.decoderRows ?? 0) - (before.base?.decoderRows ?? 0)).toBe(2 * steps);
    const solo = await page.evaluate((r) => window.proxyThinker.run({ ...r, mode: 'guided', alpha: 2 }), base);
    expect(guided.streams.guided?.token_ids).toEqual(solo.streams.guided?.token_ids);
    expect(guided.streams.base?.token_ids).toEqual(sbs.streams.base?.token_ids);

    // Seeded sampling reproduces exactly.
    const sampled = { ...base, alpha: 0.5, sampling: { temperature: 0.9, topK: 40, topP: 0.95, seed: 42 } };
    const s1 = await page.evaluate((r) => window.proxyThinker.run({ ...r, mode: 'guided' }), sampled);
    const s2 = await page.evaluate((r) => window.proxyThinker.run({ ...r, mode: 'guided' }), sampled);
    expect(s2.streams.guided?.token_ids).toEqual(s1.streams.guided?.token_ids);

    // α changed during the run: tokens before the change are those of the steady run; α is recorded per token.
    const steady = await page.evaluate((r) => window.proxyThinker.run({ ...r, mode: 'guided', maxNewTokens: 24 }), base);
    const live = await page.evaluate((r) => window.proxyThinker.run({ ...r, mode: 'guided', maxNewTokens: 24, alphaAt: { index: 3, alpha: 2 } }), base);
    const alphas = live.streams.guided?.alpha ?? [];
    const k = alphas.indexOf(2);
    expect(k).toBeGreaterThan(3);
    expect(alphas.slice(k).every((a) => a === 2)).toBe(true);
    expect(live.streams.guided?.token_ids.slice(0, k)).toEqual(steady.streams.guided?.token_ids.slice(0, k));

    // Cancel mid-decode; the next run works.
    const cancelled = await page.evaluate((r) => window.proxyThinker.run({ ...r, mode: 'side-by-side', maxNewTokens: 200, cancelAt: 2 }), base);
    expect(cancelled.streams.guided?.reason).toBe('cancelled');
    expect(cancelled.streams.base?.reason).toBe('cancelled');
    expect(cancelled.streams.guided?.token_ids.length).toBeLessThan(200);
    const again = await page.evaluate((r) => window.proxyThinker.run({ ...r, mode: 'guided', maxNewTokens: 4 }), base);
    expect(again.streams.guided?.token_ids).toHaveLength(4);
  });

  test('a model worker that dies surfaces its error; the other stream keeps its text', async ({ page }) => {
    await page.goto('/');
    await page.waitForFunction(() => typeof window.proxyThinker === 'object');
    // A worker per model: only the expert's dies (one worker for all three: e2e/page-model-stopped.spec.ts).
    await page.evaluate(() => window.proxyThinker.load({ trio: 'tiny', backend: 'wasm', dtype: 'fp32', placement: 'workers' }));
    const imageUrl = await canvasImageUrl(page);
    const result = await page.evaluate(
      (url) => window.proxyThinker.run({ mode: 'side-by-side', alpha: 0.5, sampling: { temperature: 0, topK: 0, topP: 1, seed: 0 }, maxNewTokens: 12, question: 'Describe it.', imageUrl: url, faultAt: { role: 'expert', step: 3 } }),
      imageUrl,
    );
    expect(result.streams.guided?.reason).toBe('error');
    expect(result.streams.guided?.error?.name).toBe('WorkerCrashedError');
    expect(result.streams.guided?.error?.message).toMatch(/expert model's worker stopped/);
    expect(result.streams.guided?.token_ids.length).toBeGreaterThanOrEqual(3);
    expect(result.streams.base?.reason).toBe('max_tokens');
    expect(result.streams.base?.token_ids).toHaveLength(12);
  });
});

test('fault: the expert\'s GPU device lost mid-run (WebGPU; α = 0 parity and batching checked first) | sees: the guided stream ends with GpuDeviceLostError naming the expert model; runs that need it are refused until the trio is loaded again | kept: the tokens before the loss, the base stream to its end (equal to the run without the loss), base-only runs', async ({ page }) => {
  await page.goto('/');
  await page.waitForFunction(() => typeof window.proxyThinker === 'object');
  const adapter = await page.evaluate(async () => {
    const a = await navigator.gpu.requestAdapter();
    return a ? `${a.info.vendor} ${a.info.architecture} ${a.info.description}` : null;
  });
  expect(adapter, 'a WebGPU adapter').not.toBeNull();
  test.info().annotations.push({ type: 'webgpu-adapter', description: String(adapter) });
  const infos = await page.evaluate(() => window.proxyThinker.load({ trio: 'tiny', backend: 'webgpu', dtype: 'fp32' }));
  expect(infos.map((i) => [i.role, i.name, i.backend, i.vocabRows])).toEqual([
    ['base', 'tiny-base', 'webgpu', 1152],
    ['expert', 'tiny-expert', 'webgpu', 1088],
    ['amateur', 'tiny-amateur', 'webgpu', 1088],
  ]);
  // The warm-up forward's KV cache stays on the GPU only when the WebGPU provider really ran it.
  expect(infos.every((i) => i.kvLocation === 'gpu-buffer')).toBe(true);
  const imageUrl = await canvasImageUrl(page);
  const r = await page.evaluate(
    (url) => window.proxyThinker.run({ mode: 'side-by-side', alpha: 0, sampling: { temperature: 0, topK: 0, topP: 1, seed: 0 }, maxNewTokens: 6, question: 'What is it?', imageUrl: url }),
    imageUrl,
  );
  expect(r.streams.guided?.token_ids).toHaveLength(6);
  expect(r.streams.guided?.token_ids).toEqual(r.streams.base?.token_ids);
  const stats = await page.evaluate(() => window.proxyThinker.stats());
  for (const role of ['base', 'expert', 'amateur'] as const) {
    expect(stats[role]?.visionEncoderRuns, role).toBe(1);
    expect(stats[role]?.decoderSteps, role).toBe(5);
  }
  expect(stats.base?.decoderRows).toBe(2 * (stats.base?.decoderSteps ?? 0));

  // The expert's GPU device is lost mid-run (destroyed, as a driver reset would): the guided stream
  // ends with a clear error and keeps its tokens; the base stream, on its own device, finishes.
  const lost = await page.evaluate(
    (url) => window.proxyThinker.run({ mode: 'side-by-side', alpha: 0.5, sampling: { temperature: 0, topK: 0, topP: 1, seed: 0 }, maxNewTokens: 6, question: 'What is it?', imageUrl: url, faultAt: { role: 'expert', step: 2, kind: 'device-lost' } }),
    imageUrl,
  );
  expect(lost.streams.guided?.reason).toBe('error');
  expect(lost.streams.guided?.error?.name).toBe('GpuDeviceLostError');
  expect(lost.streams.guided?.error?.message).toMatch(/GPU device of the expert model was lost \(destroyed/);
  expect(lost.streams.guided?.token_ids.length).toBeGreaterThanOrEqual(2);
  expect(lost.streams.base?.reason).toBe('max_tokens');
  expect(lost.streams.base?.token_ids).toEqual(r.streams.base?.token_ids);
  // Until the trio is loaded again, runs that need the expert are refused with the reason; base-only runs.
  const refused = await page.evaluate(async (url) => {
    try {
      await window.proxyThinker.run({ mode: 'guided', alpha: 0.5, sampling: { temperature: 0, topK: 0, topP: 1, seed: 0 }, maxNewTokens: 2, question: 'What is it?', imageUrl: url });
      return null;
    } catch (e) {
      return String(e);
    }
  }, imageUrl);
  expect(refused).toMatch(/expert model .* stopped during an earlier run .*GPU device .*load the trio again/);
  const baseOnly = await page.evaluate(
    (url) => window.proxyThinker.run({ mode: 'base', alpha: 0.5, sampling: { temperature: 0, topK: 0, topP: 1, seed: 0 }, maxNewTokens: 6, question: 'What is it?', imageUrl: url }),
    imageUrl,
  );
  expect(baseOnly.streams.base?.token_ids).toEqual(r.streams.base?.token_ids);
});
