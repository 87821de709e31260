/**
 * Issue: the generated tiny trio loads in the page from localhost and runs, here on WASM. The same
 * checks on WebGPU open the GPU-lost case in engine.spec.ts (one WebGPU load instead of two: shader
 * compilation on SwiftShader costs ~40 s a load).
 */
import { test, expect } from './fixtures';
import { canvasImageUrl, GREEDY } from './helpers';

test('tiny trio loads and runs a forward on each model (wasm)', async ({ page }) => {
  await page.goto('/');
  await page.waitForFunction(() => typeof window.proxyThinker === 'object');
  const infos = await page.evaluate(() => window.proxyThinker.load({ trio: 'tiny', backend: 'wasm', dtype: 'fp32' }));
  expect(infos.map((i) => [i.role, i.name, i.backend, i.kvLocation, i.vocabRows])).toEqual([
    ['base', 'tiny-base', 'wasm', 'cpu', 1152],
    ['expert', 'tiny-expert', 'wasm', 'cpu', 1088],
    ['amateur', 'tiny-amateur', 'wasm', 'cpu', 1088],
  ]);

  const imageUrl = await canvasImageUrl(page);
  const result = await page.evaluate(
    ([url, sampling]) =>
      window.proxyThinker.run({ mode: 'guided', alpha: 0.5, sampling, maxNewTokens: 4, question: 'What does the chart show?', imageUrl: url }),
    [imageUrl, GREEDY] as const,
  );
  expect(result.streams.guided?.token_ids).toHaveLength(4);
  expect(result.streams.guided?.reason).toBe('max_tokens');
  const stats = await page.evaluate(() => window.proxyThinker.stats());
  for (const role of ['base', 'expert', 'amateur'] as const) {
    expect(stats[role]?.visionEncoderRuns, role).toBe(1);
    expect(stats[role]?.decoderSteps, role).toBe(3);
  }
});
