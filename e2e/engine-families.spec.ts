/**
 * The Qwen2-VL and Qwen3-VL generated trios (the converter's graphs for those families) in the real
 * page: the engine's invariants on WASM for both, on WebGPU for Qwen3-VL, and the page end to end.
 */
import { test, expect } from './fixtures';
import { canvasImageUrl, GREEDY } from './helpers';
import { loadTinyTrio, openApp, pane, pickSample, runButton, setMaxTokens, setQuestion, waitIdle } from './page-helpers';

for (const trio of ['tiny-qwen3', 'tiny-qwen2'] as const) {
  test(`${trio} on WASM: α = 0 parity, prefill reuse, side-by-side == solo, live α`, async ({ page }) => {
    await page.goto('/');
    await page.waitForFunction(() => typeof window.proxyThinker === 'object');
    await page.evaluate((t) => window.proxyThinker.load({ trio: t, backend: 'wasm', dtype: 'fp32' }), trio);
    const imageUrl = await canvasImageUrl(page, 128, 96);
    const base = { alpha: 0, sampling: GREEDY, maxNewTokens: 10, question: 'What is the tallest bar?', imageUrl };

    const sbs = await page.evaluate((r) => window.proxyThinker.run({ ...r, mode: 'side-by-side' }), base);
    expect(sbs.streams.guided?.token_ids.length).toBeGreaterThan(0);
    expect(sbs.streams.guided?.token_ids).toEqual(sbs.streams.base?.token_ids);

    const before = await page.evaluate(() => window.proxyThinker.stats());
    const steered = await page.evaluate((r) => window.proxyThinker.run({ ...r, mode: 'side-by-side', alpha: 2 }), base);
    const after = await page.evaluate(() => window.proxyThinker.stats());
    expect(steered.prefill_reused).toBe(true);
    for (const role of ['base', 'expert', 'amateur'] as const) expect(after[role]?.visionEncoderRuns).toBe(before[role]?.visionEncoderRuns);
    const solo = await page.evaluate((r) => window.proxyThinker.run({ ...r, mode: 'guided', alpha: 2 }), base);
    expect(steered.streams.guided?.token_ids).toEqual(solo.streams.guided?.token_ids);
    expect(steered.streams.base?.token_ids).toEqual(sbs.streams.base?.token_ids);

    const live = await page.evaluate((r) => window.proxyThinker.run({ ...r, mode: 'guided', maxNewTokens: 16, alphaAt: { index: 2, alpha: 2 } }), base);
    const steady = await page.evaluate((r) => window.proxyThinker.run({ ...r, mode: 'guided', maxNewTokens: 16 }), base);
    const alphas = live.streams.guided?.alpha ?? [];
    const k = alphas.indexOf(2);
    expect(k).toBeGreaterThan(2);
    expect(live.streams.guided?.token_ids.slice(0, k)).toEqual(steady.streams.guided?.token_ids.slice(0, k));
  });
}

test('tiny-qwen3 on WebGPU: α = 0 side-by-side streams agree; the KV cache stays on the GPU', async ({ page }) => {
  await page.goto('/');
  await page.waitForFunction(() => typeof window.proxyThinker === 'object');
  const infos = await page.evaluate(() => window.proxyThinker.load({ trio: 'tiny-qwen3', backend: 'webgpu', dtype: 'fp32' }));
  expect(infos.every((i) => i.backend === 'webgpu' && i.kvLocation === 'gpu-buffer')).toBe(true);
  const imageUrl = await canvasImageUrl(page);
  const r = await page.evaluate((url) => window.proxyThinker.run({ mode: 'side-by-side', alpha: 0, sampling: { temperature: 0, topK: 0, topP: 1, seed: 0 }, maxNewTokens: 5, question: 'What is it?', imageUrl: url }), imageUrl);
  expect(r.streams.guided?.token_ids).toHaveLength(5);
  expect(r.streams.guided?.token_ids).toEqual(r.streams.base?.token_ids);
  const stats = await page.evaluate(() => window.proxyThinker.stats());
  expect(stats.base?.decoderRows).toBe(2 * (stats.base?.decoderSteps ?? 0));
});

test('the page runs the Qwen2-VL trio end to end (preset, sample image, both panes)', async ({ page }) => {
  await openApp(page);
  await loadTinyTrio(page, 'tiny-qwen2');
  await pickSample(page, 'Bar chart');
  await setQuestion(page, 'Which bar is the tallest?');
  await setMaxTokens(page, 6);
  await runButton(page).click();
  await waitIdle(page);
  for (const s of ['base', 'guided'] as const) await expect(page.getByTestId(`tokens-${s}`)).toHaveText('6');
  await expect(pane(page, 'guided')).toBeVisible();
});
