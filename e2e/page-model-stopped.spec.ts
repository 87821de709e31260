/**
 * A model whose worker dies mid-run: the page shows it stopped, keeps the run's outputs and history,
 * refuses modes that need it with a clear message, still runs base-only, and loads it again.
 * The crash is real: an uncaught error thrown inside the expert's model worker.
 */
import { test, expect } from './fixtures';
import {
  LOAD_TIMEOUT,
  expectRunning,
  modelWorker,
  loadTinyTrio,
  openApp,
  pane,
  pickSample,
  runButton,
  runControls,
  savedRuns,
  setMaxTokens,
  setQuestion,
  tokenCount,
  waitIdle,
} from './page-helpers';

test("fault: the expert model's worker crashes mid-run | sees: the guided pane and the expert's card say the worker stopped; modes that need it are refused naming it; Load again brings it back | kept: the tokens written, the run in the history, base-only runs, the question", async ({
  page,
}) => {
  test.slow(); // a 600-token run, a base-only run, a reload and a guided run on a shared CPU
  const question = 'How much did revenue grow from Q1 to Q4?';
  await openApp(page);
  // The bar chart goes 600 tokens without EOS: the run is still going when the expert crashes.
  await pickSample(page, 'Bar chart');
  await setQuestion(page, question);
  // A worker per model: a crash stops only its model (one worker for all three: the test below).
  await loadTinyTrio(page, 'tiny', 'Worker each');
  await setMaxTokens(page, 600);
  await runButton(page).click();
  await expectRunning(page);
  await expect.poll(() => tokenCount(page, 'guided'), { timeout: 60_000 }).toBeGreaterThanOrEqual(3);

  const expert = await modelWorker(page, 'expert');
  await expert.evaluate(() => {
    setTimeout(() => {
      throw new Error('test crash');
    });
  });

  // The guided stream ends with the crash and keeps what it had written.
  const guided = pane(page, 'guided');
  await expect(guided.getByRole('alert')).toContainText(
    "WorkerCrashedError: the expert model's worker stopped",
  );
  await expect(guided).toHaveAttribute('data-reason', 'error');
  const guidedTokens = await tokenCount(page, 'guided');
  expect(guidedTokens).toBeGreaterThanOrEqual(3);
  expect(guidedTokens).toBeLessThan(600);
  const guidedText = (await guided.getByRole('region', { name: /text$/ }).textContent()) ?? '';
  expect(guidedText.trim().length).toBeGreaterThan(0);

  // The card and the top bar say so while the base stream goes on to its token limit.
  const card = page.getByRole('listitem', { name: 'Expert model' });
  await expect(card.getByText('stopped', { exact: true })).toBeVisible();
  await expect(card.getByRole('alert')).toContainText("Stopped — the expert model's worker stopped");
  await expect(card.getByRole('button', { name: 'Load again' })).toBeDisabled(); // the run still goes on
  await expect(page.getByRole('banner').getByRole('status')).toContainText('the expert model stopped');
  await waitIdle(page);
  await expect(pane(page, 'base')).toHaveAttribute('data-reason', 'max_tokens');
  expect(await tokenCount(page, 'base')).toBe(600);
  // Nothing of the run was lost: same guided tokens, and the run is in the history.
  expect(await tokenCount(page, 'guided')).toBe(guidedTokens);
  const history = page.getByRole('list', { name: 'Saved runs' }).getByRole('listitem');
  await expect(history).toHaveCount(1);
  await expect(history).toContainText(question);
  const [saved] = await savedRuns(page);
  expect(saved?.outputs.guided?.reason).toBe('error');
  expect(saved?.outputs.guided?.text.length).toBeGreaterThan(0);
  expect(saved?.outputs.base?.reason).toBe('max_tokens');

  // A mode that needs the expert is refused before anything is sent, and the outputs stay.
  await runButton(page).click();
  await expect(runControls(page).getByRole('alert')).toContainText(
    'The expert model (tiny-expert) stopped during an earlier run',
  );
  await expect(runControls(page).getByRole('alert')).toContainText('Load again');
  await expect(runControls(page)).toHaveAttribute('data-run-status', 'idle');
  expect(await tokenCount(page, 'guided')).toBe(guidedTokens);
  await page.getByLabel('Mode', { exact: true }).selectOption('guided');
  await runButton(page).click();
  await expect(runControls(page).getByRole('alert')).toContainText(
    '“Guided: base + α·(expert − amateur)” needs it',
  );

  // Base-only still runs.
  await page.getByLabel('Mode', { exact: true }).selectOption('base');
  await expect(runControls(page).getByRole('alert')).toHaveCount(0);
  await setMaxTokens(page, 5);
  await runButton(page).click();
  await waitIdle(page);
  await expect(pane(page, 'base')).toHaveAttribute('data-reason', 'max_tokens');
  expect(await tokenCount(page, 'base')).toBe(5);

  // Load again: the same trio, every model ready, and a guided run works.
  await card.getByRole('button', { name: 'Load again' }).click();
  await expect(card.getByText('ready', { exact: true })).toBeVisible({ timeout: LOAD_TIMEOUT });
  await expect(card.getByRole('alert')).toHaveCount(0);
  await expect(page.getByRole('banner').getByRole('status')).not.toContainText('stopped');
  await page.getByLabel('Mode', { exact: true }).selectOption('side-by-side');
  await setMaxTokens(page, 8);
  await runButton(page).click();
  await waitIdle(page);
  await expect(guided).toHaveAttribute('data-reason', 'max_tokens');
  await expect(guided.getByRole('alert')).toHaveCount(0);
  expect(await tokenCount(page, 'guided')).toBe(8);
  await expect(history).toHaveCount(3);
  await expect(history.last()).toContainText(question);
});

test("fault: the one worker that holds all three models crashes mid-run (one-worker placement) | sees: the panes say the models' worker stopped, all three cards say stopped, every mode is refused; Load again brings the three back in a new worker | kept: the tokens written, the run in the history, the question", async ({
  page,
}) => {
  test.slow(); // a long run, a reload and a second run on a shared CPU
  const question = 'How much did revenue grow from Q1 to Q4?';
  await openApp(page);
  await pickSample(page, 'Bar chart');
  await setQuestion(page, question);
  await loadTinyTrio(page, 'tiny', 'One worker');
  await expect(page.getByLabel('Stepping schedule')).toContainText('Placement: one-worker');
  await setMaxTokens(page, 600);
  await runButton(page).click();
  await expectRunning(page);
  await expect.poll(() => tokenCount(page, 'guided'), { timeout: 60_000 }).toBeGreaterThanOrEqual(3);

  const models = await modelWorker(page, 'expert');
  expect(await models.evaluate(() => self.name)).toBe('models');
  await models.evaluate(() => {
    setTimeout(() => {
      throw new Error('test crash');
    });
  });

  // Both streams end with the crash and keep what they had written.
  const guided = pane(page, 'guided');
  for (const p of [guided, pane(page, 'base')]) {
    await expect(p.getByRole('alert')).toContainText("WorkerCrashedError: the models' worker stopped");
    await expect(p).toHaveAttribute('data-reason', 'error');
  }
  await waitIdle(page);
  const guidedTokens = await tokenCount(page, 'guided');
  expect(guidedTokens).toBeGreaterThanOrEqual(3);
  expect(await tokenCount(page, 'base')).toBeLessThan(600);
  for (const role of ['Base', 'Expert', 'Amateur']) {
    const card = page.getByRole('listitem', { name: `${role} model` });
    await expect(card.getByText('stopped', { exact: true })).toBeVisible();
  }
  const history = page.getByRole('list', { name: 'Saved runs' }).getByRole('listitem');
  await expect(history).toHaveCount(1);
  await expect(history).toContainText(question);

  // Every mode needs a stopped model now, base-only too.
  await page.getByLabel('Mode', { exact: true }).selectOption('base');
  await runButton(page).click();
  await expect(runControls(page).getByRole('alert')).toContainText('The base model (tiny-base) stopped during an earlier run');
  expect(await tokenCount(page, 'guided')).toBe(guidedTokens);

  // Load again: the three in a new worker, and a side-by-side run works.
  const card = page.getByRole('listitem', { name: 'Expert model' });
  await card.getByRole('button', { name: 'Load again' }).click();
  for (const role of ['Base', 'Expert', 'Amateur'])
    await expect(page.getByRole('listitem', { name: `${role} model` }).getByText('ready', { exact: true })).toBeVisible({ timeout: LOAD_TIMEOUT });
  await expect(page.getByRole('banner').getByRole('status')).not.toContainText('stopped');
  await page.getByLabel('Mode', { exact: true }).selectOption('side-by-side');
  await setMaxTokens(page, 8);
  await runButton(page).click();
  await waitIdle(page);
  await expect(guided).toHaveAttribute('data-reason', 'max_tokens');
  await expect(guided.getByRole('alert')).toHaveCount(0);
  expect(await tokenCount(page, 'guided')).toBe(8);
  await expect(history).toHaveCount(2);
});
