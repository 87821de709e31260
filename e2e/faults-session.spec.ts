/**
 * The fault suite, the session (issue 16): a new version of the app deployed while the page runs, the
 * app open in two tabs that run at once, and a model worker killed while VisionThink extends the
 * prompt with the full image. Each case checks what the user sees, that the page still runs, and
 * that the question, settings, history and models are kept.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import {
  expectRunning,
  LOAD_TIMEOUT,
  loadTinyTrio,
  modelWorker,
  openApp,
  pane,
  pickSample,
  runButton,
  savedRuns,
  setMaxTokens,
  setQuestion,
  tokenCount,
  tokenIds,
  waitIdle,
} from './page-helpers';

const QUESTION = 'How much did revenue grow from Q1 to Q4?';
const saved = (page: Page) => page.getByRole('list', { name: 'Saved runs' }).getByRole('listitem');
const updateNotice = (page: Page) => page.getByRole('region', { name: 'App update' });

test('fault: a new version of the app deployed mid-run (its service worker updated) | sees: a notice that a new version is ready, whose Reload is held back while the run goes on; the reload brings the new version | kept: the run (stopped by the user, saved), the question and settings across the reload, the models (loaded again from browser storage)', async ({
  page,
}) => {
  await openApp(page);
  // The first visit's service worker, in control (clientsClaim).
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await pickSample(page, 'Bar chart');
  await setQuestion(page, QUESTION);
  await loadTinyTrio(page);
  await setMaxTokens(page, 600);
  await page.getByRole('slider', { name: /α/ }).fill('0.75');

  // The server now has another build: the same service worker script, one byte-different line on.
  // (The browser fetches service worker scripts itself, past Playwright's routing: the file the
  // preview server reads from disk changes, and is put back afterwards.)
  const sw = join(process.cwd(), 'dist', 'sw.js');
  const original = readFileSync(sw, 'utf8');
  try {
    writeFileSync(sw, `${original}\n// deployed: build 2\n`);
    // The bar chart runs 600 tokens without an end: the run is still going when the update is found.
    await runButton(page).click();
    await expectRunning(page);
    await expect.poll(() => tokenCount(page, 'guided'), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
    // Browsers check for a new worker on navigations and every 24 hours; update() is that check, now.
    await page.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())?.update();
    });
    await expect(updateNotice(page)).toContainText('A new version of the app is ready');
    // Mid-run the reload is held back, and the run goes on.
    await expect(updateNotice(page).getByRole('button', { name: 'Reload to update' })).toBeDisabled();
    await expect(updateNotice(page)).toContainText('a reload now would cut it short');
    await expectRunning(page);
    const made = await tokenCount(page, 'guided');
    await page.keyboard.press('Escape');
    await waitIdle(page);
    await expect(pane(page, 'guided')).toHaveAttribute('data-reason', 'cancelled');
    expect(await tokenCount(page, 'guided')).toBeGreaterThanOrEqual(made);
    await expect(saved(page)).toHaveCount(1);
    expect(
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting !== null),
      'the new worker waits for the user',
    ).toBe(true);

    // The waiting worker takes over and the page reloads under it.
    await Promise.all([
      page.waitForEvent('load'),
      updateNotice(page).getByRole('button', { name: 'Reload to update' }).click(),
    ]);
    await expect(page.getByRole('heading', { level: 1, name: 'ProxyThinker Web' })).toBeVisible();
    await expect(updateNotice(page)).toHaveCount(0);
    expect(
      await page.evaluate(async () => {
        const reg = await navigator.serviceWorker.getRegistration();
        return { waiting: reg?.waiting ?? null, controlled: navigator.serviceWorker.controller !== null };
      }),
    ).toEqual({ waiting: null, controlled: true });
  } finally {
    writeFileSync(sw, original);
  }

  // Kept: the run, the question and the settings; the models load again from browser storage.
  await expect(saved(page)).toHaveCount(1);
  await expect(saved(page)).toContainText(QUESTION);
  await expect(page.getByLabel('Question')).toHaveValue(QUESTION);
  await expect(page.getByLabel('Max new tokens')).toHaveValue('600');
  await expect(page.getByRole('slider', { name: /α/ })).toHaveValue('0.75');
  await pickSample(page, 'Bar chart');
  await loadTinyTrio(page);
  await setMaxTokens(page, 3);
  await runButton(page).click();
  await waitIdle(page);
  await expect(pane(page, 'guided')).toHaveAttribute('data-reason', 'max_tokens');
  await expect(saved(page)).toHaveCount(2);
});

test('fault: two tabs running at once | sees: both runs finish, each with the tokens the question gives in one tab alone | kept: both runs in the history (each tab lists both after a reload), each tab its own question and models', async ({
  context,
  page,
}) => {
  const other = await context.newPage();
  const tabs = [page, other] as const;
  const questions = [QUESTION, 'Which bar is the tallest?'] as const;
  for (const [i, tab] of tabs.entries()) {
    await openApp(tab);
    await pickSample(tab, 'Bar chart');
    await setQuestion(tab, questions[i] ?? '');
    await loadTinyTrio(tab);
    await setMaxTokens(tab, 12);
  }
  // Both Run buttons at once, then both tabs work side by side (six model workers in all).
  await Promise.all(tabs.map((tab) => runButton(tab).click()));
  await Promise.all(tabs.map((tab) => waitIdle(tab)));
  const together: number[][] = [];
  for (const tab of tabs) {
    await expect(pane(tab, 'guided')).toHaveAttribute('data-reason', 'max_tokens');
    await expect(pane(tab, 'base')).toHaveAttribute('data-reason', 'max_tokens');
    expect(await tokenCount(tab, 'guided')).toBe(12);
    together.push(await tokenIds(tab, 'guided'));
  }
  // The same questions again, one tab at a time: the same tokens (greedy), so nothing was mixed up.
  for (const [i, tab] of tabs.entries()) {
    await pane(tab, 'guided').getByRole('button', { name: 'Text' }).click();
    await runButton(tab).click();
    await waitIdle(tab);
    expect(await tokenIds(tab, 'guided'), `tab ${i + 1}`).toEqual(together[i]);
  }
  // Each tab still has its own question; four runs saved, by two tabs into one history.
  for (const [i, tab] of tabs.entries())
    await expect(tab.getByLabel('Question')).toHaveValue(questions[i] ?? '');
  expect(await savedRuns(page)).toHaveLength(4);
  for (const tab of tabs) {
    await tab.reload();
    await openApp(tab);
    await expect(saved(tab)).toHaveCount(4);
    for (const q of questions) await expect(saved(tab).filter({ hasText: q })).toHaveCount(2);
  }
  await other.close();
});

test("fault: the expert's worker killed during VisionThink's extension (the full image asked for, being read) | sees: the guided pane and the expert's card say the worker stopped; Load again brings it back | kept: the guided tokens up to the tool call, the base stream to its end, the run in the history; the next smart run escalates again", async ({
  page,
}) => {
  await openApp(page);
  await pickSample(page, 'Bar chart');
  await setQuestion(page, 'Which bar is the tallest?');
  // A worker per model: only the expert's dies.
  await loadTinyTrio(page, 'tiny-escalate', 'Worker each');
  await page.getByRole('radio', { name: 'Smart' }).check();
  await page.getByRole('slider', { name: /α/ }).fill('1');
  await setMaxTokens(page, 16);

  // The expert's worker dies as soon as it is asked to extend its prompt with the full image.
  const expert = await modelWorker(page, 'expert');
  await expert.evaluate(() => {
    self.addEventListener('message', (ev: MessageEvent<unknown>) => {
      const d = ev.data;
      const path = typeof d === 'object' && d !== null && 'path' in d ? d.path : null;
      if (Array.isArray(path) && path.at(-1) === 'extend')
        setTimeout(() => {
          throw new Error('killed during the extension');
        });
    });
  });
  await runButton(page).click();
  await waitIdle(page);

  const guided = pane(page, 'guided');
  await expect(guided).toHaveAttribute('data-reason', 'error');
  await expect(guided.getByRole('alert')).toContainText(
    "WorkerCrashedError: the expert model's worker stopped",
  );
  const text = (await guided.getByRole('region', { name: /text$/ }).textContent()) ?? '';
  expect(text, 'the tokens up to the tool call are kept').toContain('resize_image');
  await expect(pane(page, 'base')).toHaveAttribute('data-reason', /^(max_tokens|eos)$/);
  const card = page.getByRole('listitem', { name: 'Expert model' });
  await expect(card.getByRole('alert')).toContainText("Stopped — the expert model's worker stopped");
  await expect(saved(page)).toHaveCount(1);
  const [run] = await savedRuns(page);
  expect(run?.outputs.guided?.reason).toBe('error');

  // Load again: the expert comes back, and the next smart run escalates and finishes.
  await card.getByRole('button', { name: 'Load again' }).click();
  await expect(card.getByText('ready', { exact: true })).toBeVisible({ timeout: LOAD_TIMEOUT });
  await runButton(page).click();
  await waitIdle(page);
  await expect(guided).toHaveAttribute('data-reason', /^(max_tokens|eos)$/);
  await expect(guided.getByText(/^Asked for the full-resolution image at token \d+/)).toHaveCount(1);
  await expect(saved(page)).toHaveCount(2);
  await expect(page.getByLabel('Question')).toHaveValue('Which bar is the tallest?');
});
