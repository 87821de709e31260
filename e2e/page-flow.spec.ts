/** Issue 4, the page: the whole flow from a sample image to two finished panes. */
import { test, expect } from './fixtures';
import {
  expectRunning,
  loadTinyTrio,
  openApp,
  pane,
  pickSample,
  runButton,
  runControls,
  setMaxTokens,
  setQuestion,
  tokenCount,
  waitIdle,
} from './page-helpers';

test('sample image and question: Base and Guided stream side by side and finish', async ({
  page,
}, testInfo) => {
  await openApp(page);
  await expect(runButton(page), 'Run waits for the models').toBeDisabled();
  await pickSample(page, 'Geometry');
  await expect(page.getByLabel('Question'), 'a sample fills an empty question').not.toHaveValue('');
  await setQuestion(page, 'Find $x$ and the inradius $r$. Reason step by step.');
  await loadTinyTrio(page);
  await setMaxTokens(page, 24);
  await expect(page.getByLabel('Mode', { exact: true })).toHaveValue('side-by-side');

  // The tiny trio can finish before a poll sees Stop: an observer notes whether Stop was ever
  // enabled while the run was on screen.
  await page.evaluate(() => {
    const w = window as Window & { stopSeenEnabled?: boolean };
    w.stopSeenEnabled = false;
    const look = () => {
      const running = document.querySelector('[data-run-status="running"]');
      const stop = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Stop');
      if (running && stop && !stop.disabled) w.stopSeenEnabled = true;
    };
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await runButton(page).click();
  await expectRunning(page);
  await waitIdle(page);
  expect(await page.evaluate(() => (window as Window & { stopSeenEnabled?: boolean }).stopSeenEnabled), 'Stop enabled while running').toBe(true);

  for (const stream of ['base', 'guided'] as const) {
    const p = pane(page, stream);
    await expect(p).toHaveAttribute('data-reason', /^(max_tokens|eos)$/);
    const n = await tokenCount(page, stream);
    expect(n, `${stream} tokens`).toBeGreaterThan(0);
    expect(n).toBeLessThanOrEqual(24);
    await expect(p.getByText(/tok\/s$/)).toBeVisible();
    await expect(p.getByText(/^\d+(\.\d+)? (ms|s)$/)).toBeVisible(); // time to first token
    for (const counter of ['Verification', 'Backtracking', 'Sub-goals'])
      await expect(p.getByText(counter, { exact: true })).toBeVisible();
    await expect(p.locator('.markdown')).not.toBeEmpty();
  }
  await expect(runControls(page)).toContainText(/Finished in .* prefill/);

  // The finished run is in the history, with a thumbnail.
  const history = page.getByRole('list', { name: 'Saved runs' });
  await expect(history.getByRole('listitem')).toHaveCount(1);
  await expect(history.getByRole('img', { name: 'Input image geometry.png' })).toBeVisible();

  // Tall enough that the sticky settings sidebar shows all its sections too.
  await page.setViewportSize({ width: 1280, height: 1500 });
  const shot = await page.screenshot({ path: testInfo.outputPath('page-after-run.png'), fullPage: true });
  await testInfo.attach('page-after-run.png', { body: shot, contentType: 'image/png' });
});
