/**
 * Issue #13: where the models run. On WASM with few cores the engine puts the three in one worker
 * (one onnxruntime instance, every core for each in turn), else a worker each; every placement is
 * selectable, gives the same greedy tokens, and the load says which it took and why.
 */
import { test, expect } from './fixtures';
import { canvasImageUrl, GREEDY } from './helpers';
import { modelWorker } from './page-helpers';
import { ONE_WORKER_MAX_CORES } from '../src/core/schedule';

test('the placement chosen for this machine, and the same greedy tokens in every placement', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/');
  await page.waitForFunction(() => typeof window.proxyThinker === 'object');
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  const imageUrl = await canvasImageUrl(page, 120, 90);
  const req = { alpha: 0.5, sampling: GREEDY, maxNewTokens: 10, question: 'What is the tallest bar?', imageUrl };
  const tokens: Record<string, unknown> = {};
  for (const placement of [undefined, 'workers', 'one-worker', 'single-thread'] as const) {
    const infos = await page.evaluate((p) => window.proxyThinker.load({ trio: 'tiny', backend: 'wasm', dtype: 'fp32', ...(p ? { placement: p } : {}) }), placement);
    const chosen = infos[0]?.schedule?.placement;
    if (!placement) {
      const few = cores <= ONE_WORKER_MAX_CORES;
      expect(chosen?.placement).toBe(few ? 'one-worker' : 'workers');
      expect(chosen?.why).toMatch(few ? new RegExp(`^WASM on ${cores} cores?: one worker`) : new RegExp(`^WASM on ${cores} cores: a worker per model`));
    } else expect(chosen).toEqual({ placement, why: `${placement}, as the load options asked` });
    const where = chosen?.placement;
    if (where === 'one-worker') {
      // One instance: every core for each model; the three in the worker named 'models', none of their own.
      expect(infos.map((i) => i.wasmThreads)).toEqual([cores, cores, cores]);
      expect(await (await modelWorker(page, 'base')).evaluate(() => self.name)).toBe('models');
      expect(infos[0]?.schedule?.guided.stepping).toBe('concurrent');
    }
    if (where === 'workers') expect(await (await modelWorker(page, 'expert')).evaluate(() => self.name)).toBe('model-expert');
    const guided = await page.evaluate((r) => window.proxyThinker.run({ ...r, mode: 'guided' }), req);
    const sbs = await page.evaluate((r) => window.proxyThinker.run({ ...r, mode: 'side-by-side' }), req);
    expect(guided.loop?.merge).toBe('wasm-simd');
    tokens[placement ?? 'auto'] = [guided.streams.guided?.token_ids, sbs.streams.base?.token_ids, sbs.streams.guided?.token_ids];
  }
  const [first, ...rest] = Object.values(tokens);
  expect((first as number[][])[0]).toHaveLength(10);
  for (const t of rest) expect(t).toEqual(first);
});

test("where the three would not fit one worker's heap, the engine loads them a worker each and says why; the tokens are the same", async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/');
  await page.waitForFunction(() => typeof window.proxyThinker === 'object');
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  test.skip(cores > ONE_WORKER_MAX_CORES, `the engine takes a worker per model on ${cores} cores anyway`);
  const req = { mode: 'guided' as const, alpha: 0.5, sampling: GREEDY, maxNewTokens: 8, question: 'What is the tallest bar?', imageUrl: null };
  const uncapped = await page.evaluate(() => window.proxyThinker.load({ trio: 'tiny', backend: 'wasm', dtype: 'fp32' }));
  expect(uncapped[0]?.schedule?.placement.placement).toBe('one-worker');
  const heap = uncapped[0]?.memory.heapAfterLoad ?? 0;
  const whole = await page.evaluate((r) => window.proxyThinker.run(r), req);
  // A cap each model fits alone, but not the three in one heap: the base model alone takes `heap`.
  const capMB = Math.ceil((1.6 * heap) / 2 ** 20);
  const infos = await page.evaluate((mb) => window.proxyThinker.load({ trio: 'tiny', backend: 'wasm', dtype: 'fp32', memoryLimitMB: mb }), capMB);
  const placement = infos[0]?.schedule?.placement;
  expect(placement?.placement).toBe('workers');
  expect(placement?.why).toMatch(new RegExp(`^a worker per model: the three did not fit one worker's memory \\(out of memory: 1 of 3 models hold \\d+ MB of one worker's heap; with the rest, about \\d+ MB, past its ${capMB} MB\\)$`));
  expect(await (await modelWorker(page, 'expert')).evaluate(() => self.name)).toBe('model-expert');
  const capped = await page.evaluate((r) => window.proxyThinker.run(r), req);
  expect(capped.streams.guided?.token_ids).toEqual(whole.streams.guided?.token_ids);
  expect(capped.streams.guided?.token_ids).toHaveLength(8);
});
