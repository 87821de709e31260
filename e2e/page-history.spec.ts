/** Issue 4, the page: the run history in IndexedDB, its exports, and safe rendering of saved output. */
import { readFile } from 'node:fs/promises';
import { test, expect } from './fixtures';
import {
  loadTinyTrio,
  openApp,
  pane,
  pickSample,
  runButton,
  savedRuns,
  setMaxTokens,
  setQuestion,
  waitIdle,
} from './page-helpers';

test('a finished run survives a reload, reopens, exports both outputs, and can be deleted', async ({
  page,
}) => {
  await openApp(page);
  await pickSample(page, 'Bar chart');
  await setQuestion(page, 'How much did revenue grow from Q1 to Q4?');
  await loadTinyTrio(page);
  await setMaxTokens(page, 12);
  await runButton(page).click();
  await waitIdle(page);

  const [saved] = await savedRuns(page);
  const baseText = saved?.outputs.base?.text ?? '';
  const guidedText = saved?.outputs.guided?.text ?? '';
  expect(baseText.length).toBeGreaterThan(0);
  expect(guidedText.length).toBeGreaterThan(0);

  await page.reload();
  await openApp(page);
  const item = page.getByRole('list', { name: 'Saved runs' }).getByRole('listitem');
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('How much did revenue grow from Q1 to Q4?');
  await expect(item.getByRole('img', { name: 'Input image chart.png' })).toBeVisible();

  await item.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('note', { name: 'Saved run' })).toContainText('How much did revenue grow');
  await expect(pane(page, 'base')).toHaveAttribute('data-reason', saved?.outputs.base?.reason ?? '');
  await expect(page.getByTestId('tokens-guided')).toHaveText('12');
  // Reopened runs keep their tokens and inspector data.
  await pane(page, 'guided').getByRole('button', { name: 'Tokens' }).click();
  await pane(page, 'guided').getByRole('option').first().click();
  await expect(page.getByTestId('inspector').getByRole('table')).toHaveCount(4);

  const [md] = await Promise.all([
    page.waitForEvent('download'),
    item.getByRole('button', { name: 'Export Markdown' }).click(),
  ]);
  expect(md.suggestedFilename()).toMatch(/^proxythinker-.*\.md$/);
  const markdown = await readFile(await md.path(), 'utf8');
  expect(markdown).toContain('## Base output');
  expect(markdown).toContain('## Guided output');
  expect(markdown).toContain(baseText);
  expect(markdown).toContain(guidedText);
  expect(markdown).toContain('How much did revenue grow from Q1 to Q4?');

  const [json] = await Promise.all([
    page.waitForEvent('download'),
    item.getByRole('button', { name: 'Export JSON' }).click(),
  ]);
  expect(json.suggestedFilename()).toMatch(/^proxythinker-.*\.json$/);
  const doc = JSON.parse(await readFile(await json.path(), 'utf8')) as {
    format: string;
    entries: {
      outputs: Record<string, { text: string }>;
      tokens: Record<string, unknown[]>;
      settings: { mode: string };
    }[];
  };
  expect(doc.format).toBe('proxythinker-history');
  expect(doc.entries[0]?.outputs.base?.text).toBe(baseText);
  expect(doc.entries[0]?.outputs.guided?.text).toBe(guidedText);
  expect(doc.entries[0]?.tokens.guided).toHaveLength(12);
  expect(doc.entries[0]?.settings.mode).toBe('side-by-side');

  await item.getByRole('button', { name: 'Delete' }).click();
  await expect(item).toHaveCount(0);
  await page.reload();
  await openApp(page);
  await expect(page.getByRole('list', { name: 'Saved runs' })).toHaveCount(0);
  expect(await savedRuns(page)).toEqual([]);
});

test('model output containing HTML renders as text, never as markup', async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await openApp(page);
  const evil = '<img src=x onerror=alert(1)>';
  // A saved run whose output holds HTML, a markdown image pointing elsewhere, and some math.
  await page.evaluate(
    (text) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('proxythinker-web');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction('runs', 'readwrite');
          tx.objectStore('runs').put({
            version: 1,
            id: 'xss',
            createdAt: Date.now(),
            question: 'Is this safe?',
            image: null,
            settings: { presetId: 'tiny', mode: 'side-by-side', alpha: 0.5 },
            alphaChanges: [],
            outputs: {
              base: { text: `Base says ${text} and $x^2 + 1$.`, reason: 'eos', tokenCount: 3 },
              guided: {
                text: `Guided: ${text}\n\n![tracker](http://example.invalid/pixel.png) <script>alert(2)</script>`,
                reason: 'eos',
                tokenCount: 4,
              },
            },
          });
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    evil,
  );
  await page.reload();
  await openApp(page);
  await page.getByRole('list', { name: 'Saved runs' }).getByRole('button', { name: 'Open' }).click();

  await expect(pane(page, 'base').getByText(`Base says ${evil} and`)).toBeVisible();
  await expect(pane(page, 'guided').getByText(`Guided: ${evil}`)).toBeVisible();
  await expect(pane(page, 'guided').getByText('<script>alert(2)</script>')).toBeVisible();
  await expect(pane(page, 'base').locator('.katex')).toHaveCount(1); // math still renders
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expect(page.locator('.pane script')).toHaveCount(0);
  await expect(page.locator('.pane img')).toHaveCount(0); // markdown images are named, never fetched
  await expect(
    pane(page, 'guided').getByText('[image: tracker (http://example.invalid/pixel.png)]'),
  ).toBeVisible();
  // The token view of the same output is text too.
  expect(dialogs).toEqual([]);
});

test('the settings and the typed question are as the user left them after a reload', async ({ page }) => {
  await openApp(page);
  await page.getByLabel('Mode', { exact: true }).selectOption('guided');
  const slider = page.getByRole('slider', { name: /α/ });
  await slider.focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  await expect(slider).toHaveValue('0.65');
  await page.getByRole('radio', { name: 'Smart' }).check();
  await page.getByRole('radio', { name: 'Sample' }).check();
  await page.getByLabel('Temperature').fill('0.9');
  await setMaxTokens(page, 48);
  await setQuestion(page, 'What is the tallest bar?\nAnswer in one word.');

  await page.reload();
  await openApp(page);
  await expect(page.getByLabel('Mode', { exact: true })).toHaveValue('guided');
  await expect(page.getByRole('slider', { name: /α/ })).toHaveValue('0.65');
  await expect(page.getByRole('radio', { name: 'Smart' })).toBeChecked();
  await expect(page.getByRole('radio', { name: 'Sample' })).toBeChecked();
  await expect(page.getByLabel('Temperature')).toHaveValue('0.9');
  await expect(page.getByLabel('Max new tokens')).toHaveValue('48');
  await expect(page.getByLabel('Question')).toHaveValue('What is the tallest bar?\nAnswer in one word.');

  // A stored copy with bad fields: those take their defaults, the good ones stay, the page works.
  await page.evaluate(() =>
    localStorage.setItem(
      'proxythinker-web:settings',
      JSON.stringify({ settings: { mode: 'warp', alpha: 'lots', resolution: 'low' }, question: 42 }),
    ),
  );
  await page.reload();
  await openApp(page);
  await expect(page.getByLabel('Mode', { exact: true })).toHaveValue('side-by-side');
  await expect(page.getByRole('slider', { name: /α/ })).toHaveValue('0.5');
  await expect(page.getByRole('radio', { name: 'Low only' })).toBeChecked();
  await expect(page.getByLabel('Question')).toHaveValue('');
});
