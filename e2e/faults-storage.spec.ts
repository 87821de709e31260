/**
 * The fault suite, storage (issue 16): IndexedDB, where the history lives, refused outright (as in a
 * private window or with site data blocked) or full. Runs still work and stay on screen, the page
 * says why they are not kept, and nothing already kept is lost.
 */
import { writeFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import {
  loadTinyTrio,
  openApp,
  pane,
  pickSample,
  runButton,
  setMaxTokens,
  setQuestion,
  tokenCount,
  waitIdle,
} from './page-helpers';

const QUESTION = 'What does the chart show? (kept in localStorage)';
const EARLIER = 'A run saved before the disk filled up';
const history = (page: Page) => page.getByRole('region', { name: 'History' });
const saved = (page: Page) => history(page).getByRole('list', { name: 'Saved runs' }).getByRole('listitem');

/** Whether IndexedDB refuses a 64 KiB write now (a probe database, removed after). */
async function writeRefused(): Promise<boolean> {
  const db = await new Promise<IDBDatabase>((ok, fail) => {
    const open = indexedDB.open('e2e-quota-probe');
    open.onupgradeneeded = () => open.result.createObjectStore('probe');
    open.onsuccess = () => ok(open.result);
    open.onerror = () => fail(open.error ?? new Error('open failed'));
  });
  const refused = await new Promise<boolean>((ok) => {
    const tx = db.transaction('probe', 'readwrite');
    tx.objectStore('probe').put(new Uint8Array(64 * 1024).fill(1), 'x');
    tx.oncomplete = () => ok(false);
    tx.onabort = () => ok(tx.error?.name === 'QuotaExceededError');
  });
  db.close();
  await new Promise((ok) => {
    const del = indexedDB.deleteDatabase('e2e-quota-probe');
    del.onsuccess = del.onerror = del.onblocked = () => ok(undefined);
  });
  return refused;
}

/** Adds 1 MiB to the site's own filler cache (other data of the site, as downloaded models are). */
async function growFiller(): Promise<void> {
  const filler = await caches.open('e2e-filler');
  const n = (await filler.keys()).length;
  // Refused once the quota is counted: then the probe write is refused too.
  await filler.put(`/e2e-filler-${n}`, new Response(new Uint8Array(2 ** 20).fill(7))).catch(() => undefined);
}

/** The bar chart, the question, the tiny trio loaded and 3 tokens: ready to run. */
async function prepareRun(page: Page): Promise<void> {
  await pickSample(page, 'Bar chart');
  await setQuestion(page, QUESTION);
  await loadTinyTrio(page);
  await setMaxTokens(page, 3);
}

async function runOnce(page: Page): Promise<void> {
  await runButton(page).click();
  await waitIdle(page);
  await expect(pane(page, 'guided')).toHaveAttribute('data-reason', 'max_tokens');
  expect(await tokenCount(page, 'guided')).toBe(3);
}

test('fault: IndexedDB refused outright (a private window, or site data blocked) | sees: the History says the browser does not let the page keep data here, with its error; runs still work | kept: the run on screen, the question and settings (after a reload too), the loaded models', async ({
  page,
}) => {
  // As Firefox does with IndexedDB disabled: open() throws.
  await page.addInitScript(() => {
    IDBFactory.prototype.open = function open(): IDBOpenDBRequest {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    };
  });
  await openApp(page);
  await expect(history(page).getByRole('alert')).toHaveText(
    'The history could not be read from IndexedDB: this browser does not let the page keep data here (a private window, or site data blocked); runs still work but are not kept (SecurityError: The operation is insecure.)',
  );
  await prepareRun(page);
  await runOnce(page);
  await expect(history(page).getByRole('alert')).toHaveText(
    /^This run could not be saved to the history: this browser does not let the page keep data here .*\(SecurityError: The operation is insecure\.\)$/,
  );
  await expect(pane(page, 'guided').getByRole('region', { name: /text$/ })).not.toBeEmpty();
  await runOnce(page); // and again: the engine and the page are fine
  await page.reload();
  await openApp(page);
  await expect(page.getByLabel('Question')).toHaveValue(QUESTION);
  await expect(page.getByLabel('Max new tokens')).toHaveValue('3');
});

test("fault: IndexedDB full (the origin over its storage quota) | sees: the History says storage is full and what to delete, with the browser's error; once there is room, runs are saved again | kept: the runs saved before, the run on screen, the question, settings and models", async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  await openApp(page);
  // A run saved before, brought in with the History's Import (the trio is loaded once only: in this
  // Chromium a trio loaded a second time in one page can stall the next request for minutes).
  const before = {
    format: 'proxythinker-history',
    version: 2,
    exportedAt: new Date().toISOString(),
    entries: [
      {
        version: 2,
        id: 'saved-before',
        createdAt: Date.now() - 60_000,
        question: EARLIER,
        image: null,
        settings: { presetId: 'tiny', mode: 'side-by-side', alpha: 0.5 },
        alphaChanges: [],
        outputs: { guided: { text: 'An earlier answer.', reason: 'eos', tokenCount: 3 } },
      },
    ],
  };
  const file = testInfo.outputPath('history.json');
  writeFileSync(file, JSON.stringify(before));
  await page.getByLabel('Import history file').setInputFiles(file);
  await expect(saved(page)).toHaveCount(1);

  // Other data of the site fills its storage (as downloaded models do): 2 MiB in a cache of its own.
  await page.evaluate(growFiller);
  await page.evaluate(growFiller);
  const cdp = await context.newCDPSession(page);
  const origin = new URL(baseURL ?? '').origin;
  // No room for anything more; the page is reloaded, as a user coming back to a full disk would.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 2 ** 20 });
  await page.reload();
  await openApp(page);
  await expect(saved(page)).toHaveCount(1);
  // Chromium counts usage lazily and, once in a while, not the filler at all: until a write of
  // 64 KiB is refused, the quota is set again and the filler grows by 1 MiB (for up to a minute).
  await expect
    .poll(
      async () => {
        if (await page.evaluate(writeRefused)) return true;
        await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 2 ** 20 });
        await page.evaluate(growFiller);
        return false;
      },
      { timeout: 60_000, intervals: [250, 500, 1000] },
    )
    .toBe(true);
  await prepareRun(page);
  await runOnce(page);
  await expect(history(page).getByRole('alert')).toHaveText(
    /^This run could not be saved to the history: browser storage is full; delete saved runs or models \(Models → Models in browser storage\) to make room \(QuotaExceededError(: .+)?\)$/,
  );
  await expect(saved(page)).toHaveCount(1);
  await expect(saved(page)).toContainText(EARLIER);
  await expect(pane(page, 'guided').getByRole('region', { name: /text$/ })).not.toBeEmpty();

  // Room again: the next run is saved, and the message goes.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  await runOnce(page);
  await expect(history(page).getByRole('alert')).toHaveCount(0);
  await expect(saved(page)).toHaveCount(2);
  await expect(saved(page).filter({ hasText: QUESTION })).toHaveCount(1);
  await expect(page.getByLabel('Question')).toHaveValue(QUESTION);
});
