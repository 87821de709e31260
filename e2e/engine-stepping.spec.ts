/**
 * Issue #13: with a worker per model, the engine times every stepping order at load and keeps the fastest; every order stays
 * selectable and gives the same greedy tokens; the page shows the choice and why.
 */
import { test, expect } from './fixtures';
import { canvasImageUrl, GREEDY } from './helpers';
import { loadTinyTrio, openApp } from './page-helpers';

// Every order in-thread: workers/test/stepping.test.ts. Here the real workers: the timed choice and one fixed order.
test('the stepping order timed at load is reported; a fixed order gives the same greedy tokens', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/');
  await page.waitForFunction(() => typeof window.proxyThinker === 'object');
  const imageUrl = await canvasImageUrl(page, 120, 90);
  const req = { alpha: 0.5, sampling: GREEDY, maxNewTokens: 10, question: 'What is the tallest bar?', imageUrl };
  const tokens: Record<string, unknown> = {};
  for (const stepping of [undefined, 'base-first', 'alongside'] as const) {
    // A worker per model: the placement where the order is timed and chosen (one worker steps them in turn).
    const infos = await page.evaluate((s) => window.proxyThinker.load({ trio: 'tiny', backend: 'wasm', dtype: 'fp32', placement: 'workers', ...(s ? { stepping: s } : {}) }), stepping);
    const schedule = infos[0]?.schedule;
    if (stepping) {
      expect(schedule?.guided).toEqual({ stepping, measuredMs: {}, why: `${stepping}, as the load options asked` });
    } else {
      // Timed at load: every order, and the fastest kept (side-by-side apart unless the time budget is spent).
      for (const c of [schedule?.guided, schedule?.sideBySide]) {
        expect(Object.keys(c?.measuredMs ?? {}).sort()).toEqual(['alongside', 'base-first', 'base-lead', 'concurrent', 'sequential']);
        const best = Math.min(...Object.values(c?.measuredMs ?? {}));
        expect(c?.measuredMs[c.stepping]).toBeLessThanOrEqual(best * 1.01);
        expect(c?.why).toContain(`${c?.stepping}`);
      }
      // The base worker got every core, each small model half of them.
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      const half = Math.max(1, Math.floor(cores / 2));
      expect(infos.map((i) => [i.role, i.wasmThreads])).toEqual([['base', cores], ['expert', half], ['amateur', half]]);
    }
    const guided = await page.evaluate((r) => window.proxyThinker.run({ ...r, mode: 'guided' }), req);
    const sbs = await page.evaluate((r) => window.proxyThinker.run({ ...r, mode: 'side-by-side' }), req);
    // The coordinator merges on the shared logits memory with WebAssembly SIMD; every model's messaging was timed.
    expect([guided.loop?.merge, sbs.loop?.merge]).toEqual(['wasm-simd', 'wasm-simd']);
    expect(Object.keys(guided.loop?.lagMs ?? {}).sort()).toEqual(['amateur', 'base', 'expert']);
    // The load's timed steps are not counted as the runs' work.
    const stats = await page.evaluate(() => window.proxyThinker.stats());
    expect(stats.base?.promptPrefills).toBe(1);
    tokens[stepping ?? 'auto'] = [guided.streams.guided?.token_ids, sbs.streams.base?.token_ids, sbs.streams.guided?.token_ids];
  }
  const [first, ...rest] = Object.values(tokens);
  expect((first as number[][])[0]).toHaveLength(10);
  for (const t of rest) expect(t).toEqual(first);
});

test('the page shows how the trio steps its models and why', async ({ page }) => {
  await openApp(page);
  await loadTinyTrio(page, 'tiny', 'Worker each');
  await expect(page.getByLabel('Stepping schedule')).toContainText('Placement: workers · workers, as the load options asked');
  const note = page.getByLabel('Stepping schedule');
  await expect(note).toContainText(/Stepping: guided (sequential|base-first|alongside|concurrent|base-lead), side-by-side (sequential|base-first|alongside|concurrent|base-lead)/);
  await expect(note).toContainText(/guided: \S+ measured [\d.]+ ms per step at load/);
});
