/**
 * α sweeps in the real page (workers, comlink, shared logits): every α of a sweep decodes the
 * tokens a separate single-α run decodes (greedy), the base-only stream those of a base run, and
 * each model steps once per token for all of them.
 */
import { test, expect } from './fixtures';
import { canvasImageUrl, GREEDY } from './helpers';

// WebGPU gives the same equality (checked by hand: 2 min on SwiftShader, too slow for every CI run).
for (const backend of ['wasm'] as const) {
  test(`α sweep on ${backend}: tokens per α equal single-α runs, one forward per model and token`, async ({
    page,
  }) => {
    await page.goto('/');
    await page.waitForFunction(() => typeof window.proxyThinker === 'object');
    await page.evaluate(
      (b) => window.proxyThinker.load({ trio: 'tiny', backend: b, dtype: 'fp32' }),
      backend,
    );
    const imageUrl = await canvasImageUrl(page, 120, 90);
    const alphas = [0, 0.5, 1.5];
    const req = {
      alpha: 0,
      sampling: GREEDY,
      maxNewTokens: 12,
      question: 'How many bars are there?',
      imageUrl,
    };

    const before = await page.evaluate(() => window.proxyThinker.stats());
    const sweep = await page.evaluate(
      (r) => window.proxyThinker.run({ ...r, mode: 'side-by-side', alphas: r.alphas }),
      { ...req, alphas },
    );
    const after = await page.evaluate(() => window.proxyThinker.stats());
    expect(sweep.sweep.map((s) => s.alpha[0])).toEqual(alphas);
    expect(sweep.sweep.every((s) => s.reason === 'max_tokens')).toBe(true);
    const steps = Math.max(...sweep.sweep.map((s) => s.token_ids.length)) - 1;
    expect((after.base?.decoderRows ?? 0) - (before.base?.decoderRows ?? 0)).toBe(
      steps * (alphas.length + 1),
    );
    expect((after.expert?.decoderSteps ?? 0) - (before.expert?.decoderSteps ?? 0)).toBe(steps);

    for (const [i, alpha] of alphas.entries()) {
      const single = await page.evaluate((r) => window.proxyThinker.run({ ...r, mode: 'guided' }), {
        ...req,
        alpha,
      });
      expect(sweep.sweep[i]?.token_ids, `α ${alpha}`).toEqual(single.streams.guided?.token_ids);
      expect(sweep.sweep[i]?.text).toBe(single.streams.guided?.text);
    }
    const base = await page.evaluate((r) => window.proxyThinker.run({ ...r, mode: 'base' }), req);
    expect(sweep.streams.base?.token_ids).toEqual(base.streams.base?.token_ids);
    expect(sweep.sweep[0]?.token_ids).toEqual(sweep.streams.base?.token_ids);
    expect(sweep.sweep[2]?.token_ids).not.toEqual(sweep.streams.base?.token_ids);
  });
}
