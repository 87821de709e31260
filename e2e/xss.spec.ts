/**
 * XSS probes (issue 16): markup and script through every way text reaches the page — a typed
 * question, a history import, a model's chat template, and a model's own output (live, from the
 * generated tiny-expert-markup; a saved output full of markup: e2e/page-history.spec.ts) — is shown
 * as text. Nothing runs: no element is made of it, no dialog opens, no worker is touched, and the
 * Content-Security-Policy reports nothing (the guard fails the test on any report).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { HOSTILE_TEMPLATE_MESSAGE, makeBrokenModels } from './broken-models';
import { loadCustomHubTrio } from './custom-trio';
import { MODELS_DIR } from './models-helpers';
import {
  LOAD_TIMEOUT,
  loadTinyTrio,
  modelWorker,
  openApp,
  pane,
  pickSample,
  runButton,
  setMaxTokens,
  setQuestion,
  showTokens,
  waitIdle,
} from './page-helpers';
import { startHubServer } from '../scripts/hub-server/server';
import { MARKUP_OUTPUT } from '../scripts/models/catalog';

const EVIL =
  '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script><b>bold</b> [click](javascript:window.pwned=3)';
const history = (page: Page) => page.getByRole('list', { name: 'Saved runs' }).getByRole('listitem');

/** Nothing of the probe became markup or ran. */
async function expectInert(page: Page, dialogs: string[]): Promise<void> {
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expect(page.locator('main script, #root script')).toHaveCount(0);
  await expect(page.locator('a[href^="javascript:"]')).toHaveCount(0);
  await expect(page.locator('#root b', { hasText: 'bold' })).toHaveCount(0);
  expect(await page.evaluate(() => (window as Window & { pwned?: number }).pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
}

function watchDialogs(page: Page): string[] {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return dialogs;
}

test('a question holding markup and script is shown as text in the history, after a reload too', async ({
  page,
}) => {
  const dialogs = watchDialogs(page);
  await openApp(page);
  await pickSample(page, 'Bar chart');
  await loadTinyTrio(page);
  await setMaxTokens(page, 2);
  await setQuestion(page, EVIL);
  await runButton(page).click();
  await waitIdle(page);
  await expect(history(page).locator('.history-item__question')).toHaveText(EVIL);
  await expectInert(page, dialogs);
  await page.reload();
  await openApp(page);
  await expect(page.getByLabel('Question')).toHaveValue(EVIL);
  await expect(history(page).locator('.history-item__question')).toHaveText(EVIL);
  await history(page).getByRole('button', { name: 'Open' }).click();
  await expect(page.getByTestId('tokens-guided')).toHaveText('2');
  await expectInert(page, dialogs);
});

test('a history import with markup in every field is shown as text; a second import and a bad file change nothing', async ({
  page,
}, testInfo) => {
  const dialogs = watchDialogs(page);
  await openApp(page);
  const exportFile = {
    format: 'proxythinker-history',
    version: 2,
    exportedAt: new Date().toISOString(),
    entries: [
      {
        version: 2,
        id: 'xss-import',
        createdAt: Date.now(),
        question: EVIL,
        image: { name: EVIL, width: 1, height: 1, thumbnail: 'javascript:window.pwned=4' },
        settings: {
          presetId: EVIL,
          trioLabel: EVIL,
          models: { base: EVIL },
          mode: 'side-by-side',
          alpha: 0.5,
        },
        alphaChanges: [],
        outputs: {
          base: { text: `Base: ${EVIL} and $x^2$`, reason: 'eos', tokenCount: 2 },
          guided: {
            text: `Guided: ${EVIL}`,
            reason: 'error',
            error: { name: EVIL, message: EVIL },
            tokenCount: 1,
          },
        },
        tokens: { guided: [{ index: 0, id: 5, text: EVIL, alpha: 0.5 }] },
      },
      { id: 'not-a-run' },
    ],
  };
  const file = testInfo.outputPath('evil-history.json');
  writeFileSync(file, JSON.stringify(exportFile));
  const importer = page.getByLabel('Import history file');
  await importer.setInputFiles(file);
  const notice = page.getByRole('region', { name: 'History' }).getByRole('status');
  await expect(notice).toHaveText(
    'Imported 1 run from "evil-history.json"; skipped entry 2: not a saved run (it needs an id and at least one output with text).',
  );
  await expect(history(page)).toHaveCount(1);
  await expect(history(page).locator('.history-item__question')).toHaveText(EVIL);
  await history(page).getByRole('button', { name: 'Open' }).click();
  await expect(pane(page, 'guided').getByRole('alert')).toContainText(EVIL);
  await expect(pane(page, 'guided').getByText(`Guided: <img src=x`)).toBeVisible();
  await expect(pane(page, 'base').locator('.katex')).toHaveCount(1); // math still renders
  const tokens = await showTokens(page, 'guided');
  await expect(tokens.getByRole('option')).toHaveText([EVIL]);
  await expectInert(page, dialogs);

  // The same file again: nothing is added or overwritten.
  await importer.setInputFiles(file);
  await expect(notice).toContainText(
    'Imported 0 runs from "evil-history.json"; 1 already in the history (kept as they were)',
  );
  await expect(history(page)).toHaveCount(1);
  // A file that is not an export: refused with its name, the history as it was.
  await importer.setInputFiles({
    name: 'notes.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"notes": ['),
  });
  await expect(page.getByRole('region', { name: 'History' }).getByRole('alert')).toHaveText(
    /^"notes\.json" is not valid JSON \(.+\)\. Nothing was imported\.$/,
  );
  await expect(history(page)).toHaveCount(1);
  await expectInert(page, dialogs);
});

test("a model's chat template that reaches for JavaScript and refuses with markup: the refusal is shown as text, nothing runs", async ({
  page,
}) => {
  const dialogs = watchDialogs(page);
  const broken = makeBrokenModels();
  const hub = await startHubServer({
    repos: {
      'test-org/tiny-base': join(MODELS_DIR, 'tiny-base'),
      'test-org/tiny-amateur': join(MODELS_DIR, 'tiny-amateur'),
      'test-org/hostile-template': broken.paths['hostile-template'],
    },
  });
  try {
    await openApp(page);
    await pickSample(page, 'Bar chart');
    await setQuestion(page, 'What does the chart show?');
    await setMaxTokens(page, 2);
    await loadCustomHubTrio(page, hub.url, {
      base: 'test-org/tiny-base',
      expert: 'test-org/hostile-template',
      amateur: 'test-org/tiny-amateur',
    });
    await expect(runButton(page)).toBeEnabled({ timeout: LOAD_TIMEOUT });
    await runButton(page).click();
    await waitIdle(page);
    const alert = page.getByRole('main').getByRole('alert').filter({ hasText: 'roles must alternate' });
    await expect(alert).toContainText(HOSTILE_TEMPLATE_MESSAGE);
    await expectInert(page, dialogs);
    expect(
      await (await modelWorker(page, 'expert')).evaluate(() => (self as { pwned?: number }).pwned),
    ).toBeUndefined();
    // The template failed, not the model: base-only still runs.
    await page.getByLabel('Mode', { exact: true }).selectOption('base');
    await runButton(page).click();
    await waitIdle(page);
    await expect(pane(page, 'base')).toHaveAttribute('data-reason', 'max_tokens');
  } finally {
    await hub.close();
    broken.remove();
  }
});

test('model output that is markup (the expert writes <img src=x> token by token) streams, renders and is saved as text', async ({
  page,
}) => {
  const dialogs = watchDialogs(page);
  const hub = await startHubServer({
    repos: Object.fromEntries(
      ['tiny-base', 'tiny-expert-markup', 'tiny-amateur'].map((m) => [`test-org/${m}`, join(MODELS_DIR, m)]),
    ),
  });
  try {
    await openApp(page);
    await pickSample(page, 'Bar chart');
    await setQuestion(page, 'What does the chart show?');
    await setMaxTokens(page, 16);
    await page.getByRole('slider', { name: /α/ }).fill('1');
    await loadCustomHubTrio(page, hub.url, {
      base: 'test-org/tiny-base',
      expert: 'test-org/tiny-expert-markup',
      amateur: 'test-org/tiny-amateur',
    });
    await expect(runButton(page)).toBeEnabled({ timeout: LOAD_TIMEOUT });
    await runButton(page).click();
    await waitIdle(page);
    const guided = pane(page, 'guided');
    await expect(guided).toHaveAttribute('data-reason', 'eos');
    // The markup, then the end-of-turn token the page shows as it is.
    const said = `${MARKUP_OUTPUT}<|im_end|>`;
    await expect(guided.getByRole('region', { name: /text$/ })).toHaveText(said);
    const tokens = await showTokens(page, 'guided');
    // One token per character (each marked as guidance's doing: the base model alone says otherwise).
    const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await expect(tokens.getByRole('option')).toHaveText(
      [...MARKUP_OUTPUT, '<|im_end|>'].map((t) => new RegExp(`^${escape(t)}`)),
    );
    await expectInert(page, dialogs);
    await expect(page.locator('#root img[src="x"], #root img[src$="/x"]')).toHaveCount(0);

    // Saved and reopened after a reload: text still.
    await page.reload();
    await openApp(page);
    await history(page).getByRole('button', { name: 'Open' }).click();
    await expect(pane(page, 'guided').getByRole('region', { name: /text$/ })).toHaveText(said);
    await expectInert(page, dialogs);
    await expect(page.locator('#root img[src="x"], #root img[src$="/x"]')).toHaveCount(0);
  } finally {
    await hub.close();
  }
});
