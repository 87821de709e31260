/**
 * Memory in the page (tiny trio, WASM): a question the models cannot take is refused before
 * anything runs, saying what to shorten, and nothing on screen is lost; a model that runs out of
 * memory for real (its WebAssembly heap made unable to grow, so onnxruntime's allocation fails
 * with std::bad_alloc) is shown stopped, base-only still runs, and Load again gives it a new worker
 * while the other models, the history and the settings stay.
 */
import { test, expect } from './fixtures';
import {
  LOAD_TIMEOUT,
  loadTinyTrio,
  openApp,
  pane,
  pickSample,
  runButton,
  runControls,
  setMaxTokens,
  setQuestion,
  tokenCount,
  tokenIds,
  waitIdle,
} from './page-helpers';

/** A pasted table of 50,000 characters: its digits and separators are a token each. */
const TABLE_QUESTION = `Sum the second column of this table: ${Array.from({ length: 8000 }, (_, i) => `${i % 97},${(i * 37) % 1000}`).join(';')}`.slice(0, 50_000);

const history = (page: import('@playwright/test').Page) => page.getByRole('list', { name: 'Saved runs' }).getByRole('listitem');

test("fault: a question of 50,000 characters (a pasted table of numbers, past the models' 32,768 positions) | sees: a refusal before the run naming the model, the positions needed and how far to shorten the question | kept: the question as typed, the outputs on screen, the history; no model ran", async ({ page }) => {
  await openApp(page);
  await loadTinyTrio(page);
  await setQuestion(page, 'Which bar is the tallest?');
  await setMaxTokens(page, 4);
  await runButton(page).click();
  await waitIdle(page);
  expect(await tokenCount(page, 'guided')).toBe(4);
  const before = await tokenIds(page, 'guided');
  const stats = await page.evaluate(() => window.proxyThinker.stats());

  expect(TABLE_QUESTION.length).toBe(50_000);
  await setQuestion(page, TABLE_QUESTION);
  await runButton(page).click();
  const alert = runControls(page).getByRole('alert');
  await expect(alert).toContainText(
    /^The prompt is too long for the base model \(tiny-base, WASM\): [\d,]+ prompt tokens and 4 new tokens need [\d,]+ positions, more than the 32,768 it takes\. To fit: shorten the question to about [\d,]+ characters \(it has 50,000\)\.$/,
  );
  await expect(runControls(page)).toHaveAttribute('data-run-status', 'idle');
  // Nothing ran: no prefill in any model, the outputs and the history as they were, the question kept.
  const after = await page.evaluate(() => window.proxyThinker.stats());
  for (const role of ['base', 'expert', 'amateur'] as const) expect(after[role]?.promptPrefills, role).toBe(stats[role]?.promptPrefills);
  expect(await tokenIds(page, 'guided')).toEqual(before);
  await expect(history(page)).toHaveCount(1);
  await expect(page.getByLabel('Question')).toHaveValue(TABLE_QUESTION);
});

test("fault: the expert model runs out of memory reading the prompt (std::bad_alloc: its WebAssembly heap cannot grow) | sees: the guided pane, the expert's card and the top bar say it ran out of memory and stopped; modes that need it are refused; Load again replaces it alone | kept: the base stream to its end, base-only runs, the other models' workers, the settings, question and history", async ({ page }) => {
  test.slow(); // five runs of a ~1,000-token prompt and a reload on a shared CPU
  const question = `${'The chart shows the revenue of each quarter next to its costs. '.repeat(16)}Which bar is the tallest?`;
  await openApp(page);
  await pickSample(page, 'Bar chart');
  await setQuestion(page, question);
  // A worker (and a heap) per model: the failure stops only the expert (one shared heap: e2e/page-model-stopped.spec.ts).
  await loadTinyTrio(page, 'tiny', 'Worker each');
  await setMaxTokens(page, 6);

  // From now on the expert's WebAssembly heap cannot grow: its prefill of this prompt needs more.
  await page.evaluate(() => window.proxyThinker.injectFault('expert', 'out-of-memory'));
  await runButton(page).click();
  await waitIdle(page);

  // The guided stream ends with the expert's error in plain words; the base stream runs to its limit.
  const guided = pane(page, 'guided');
  await expect(guided.getByRole('alert')).toContainText(
    'OutOfMemoryError: The expert model (tiny-expert) ran out of memory while reading the prompt and was stopped',
  );
  await expect(guided.getByRole('alert')).toContainText('(onnxruntime: std::bad_alloc)');
  await expect(guided).toHaveAttribute('data-reason', 'error');
  await expect(pane(page, 'base')).toHaveAttribute('data-reason', 'max_tokens');
  expect(await tokenCount(page, 'base')).toBe(6);
  const baseTokens = await tokenIds(page, 'base');

  // Its card and the top bar say so; the other cards stay ready.
  const expert = page.getByRole('listitem', { name: 'Expert model' });
  await expect(expert.getByText('stopped', { exact: true })).toBeVisible();
  await expect(expert.getByRole('alert')).toContainText('Stopped — The expert model (tiny-expert) ran out of memory');
  await expect(page.getByRole('banner').getByRole('status')).toContainText('the expert model stopped');
  for (const role of ['Base', 'Amateur']) await expect(page.getByRole('listitem', { name: `${role} model` }).getByText('ready', { exact: true })).toBeVisible();

  // Modes that need the expert are refused; base-only runs.
  await runButton(page).click();
  await expect(runControls(page).getByRole('alert')).toContainText('The expert model (tiny-expert) stopped during an earlier run');
  await page.getByLabel('Mode', { exact: true }).selectOption('base');
  await runButton(page).click();
  await waitIdle(page);
  expect(await tokenIds(page, 'base')).toEqual(baseTokens);

  // Load again replaces the expert's worker only: the base model keeps its counters (same worker).
  const stats = await page.evaluate(() => window.proxyThinker.stats());
  await expert.getByRole('button', { name: 'Load again' }).click();
  await expect(expert.getByText('ready', { exact: true })).toBeVisible({ timeout: LOAD_TIMEOUT });
  await expect(expert.getByRole('alert')).toHaveCount(0);
  await expect(page.getByRole('banner').getByRole('status')).not.toContainText('stopped');
  const reloaded = await page.evaluate(() => window.proxyThinker.stats());
  expect(reloaded.base?.promptPrefills).toBe(stats.base?.promptPrefills);
  expect(reloaded.base?.decoderSteps).toBe(stats.base?.decoderSteps);
  expect(reloaded.expert?.promptPrefills).toBe(0);

  // The settings are as they were, and the trio runs the same prompt side by side.
  await expect(page.getByLabel('Mode', { exact: true })).toHaveValue('base');
  await expect(page.getByLabel('Max new tokens')).toHaveValue('6');
  await expect(page.getByLabel('Question')).toHaveValue(question);
  await page.getByLabel('Mode', { exact: true }).selectOption('side-by-side');
  await runButton(page).click();
  await waitIdle(page);
  await expect(guided).toHaveAttribute('data-reason', 'max_tokens');
  await expect(guided.getByRole('alert')).toHaveCount(0);
  expect(await tokenCount(page, 'guided')).toBe(6);
  expect(await tokenIds(page, 'base')).toEqual(baseTokens);
  await expect(history(page)).toHaveCount(3);
});
