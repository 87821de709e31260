/** Issue: the generated tiny trio loads in the page from localhost and runs on WebGPU and on WASM. */
import { test, expect } from './fixtures';
import { canvasImageUrl, GREEDY } from './helpers';

for (const backend of ['webgpu', 'wasm'] as const) {
  test(`tiny trio loads and runs a forward on each model (${backend})`, async ({ page }) => {
    await page.goto('/');
    await page.waitForFunction(() => typeof window.proxyThinker === 'object');
    if (backend === 'webgpu') {
      const adapter = await page.evaluate(async () => {
        const a = await navigator.gpu.requestAdapter();
        return a ? `${a.info.vendor} ${a.info.architecture} ${a.info.description}` : null;
      });
      expect(adapter, 'a WebGPU adapter').not.toBeNull();
      test.info().annotations.push({ type: 'webgpu-adapter', description: String(adapter) });
    }
    const infos = await page.evaluate((b) => window.proxyThinker.load({ trio: 'tiny', backend: b, dtype: 'fp32' }), backend);
    expect(infos.map((i) => [i.role, i.name, i.backend])).toEqual([
      ['base', 'tiny-base', backend],
      ['expert', 'tiny-expert', backend],
      ['amateur', 'tiny-amateur', backend],
    ]);
    // The warm-up forward's KV cache stays on the GPU only when the WebGPU provider really ran it.
    for (const i of infos) expect(i.kvLocation).toBe(backend === 'webgpu' ? 'gpu-buffer' : 'cpu');
    expect(infos.map((i) => i.vocabRows)).toEqual([1152, 1088, 1088]);

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
}
