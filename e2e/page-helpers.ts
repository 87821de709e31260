/** Shared steps of the page specs (e2e/page-*.spec.ts): the real UI, the tiny trio, WASM. */
import type { Locator, Page, Worker } from '@playwright/test';
import { expect } from './fixtures';

export const LOAD_TIMEOUT = 120_000;
export const RUN_TIMEOUT = 120_000;

export async function openApp(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'ProxyThinker Web' })).toBeVisible();
  // The history is read at start-up; wait for it so later lists are stable.
  await expect(page.getByRole('region', { name: 'History' }).getByText('Reading saved runs…')).toHaveCount(0);
}

export const runButton = (page: Page): Locator => page.getByRole('button', { name: 'Run', exact: true });
export const runControls = (page: Page): Locator => page.getByRole('region', { name: 'Run controls' });
export const pane = (page: Page, stream: 'base' | 'guided' | 'expert'): Locator =>
  page.getByTestId(`pane-${stream}`);

/**
 * Loads the tiny trio (or its escalating variant) on WASM in fp32 through the Models panel and
 * waits until Run is enabled.
 */
/** `placement`: the Placement control's choice (default Auto: the engine's, one worker on WASM with few cores). */
export async function loadTinyTrio(
  page: Page,
  preset: 'tiny' | 'tiny-escalate' | 'tiny-qwen2' | 'tiny-qwen3' = 'tiny',
  placement: 'Auto' | 'Worker each' | 'One worker' = 'Auto',
): Promise<void> {
  await page.getByLabel('Model trio').selectOption(preset);
  await page.getByRole('radio', { name: 'WASM' }).check();
  await page.getByRole('group', { name: 'Placement' }).getByRole('radio', { name: placement, exact: true }).check();
  await page.getByRole('radio', { name: 'fp32' }).check();
  await page.getByRole('button', { name: 'Load models' }).click();
  await expect(runButton(page)).toBeEnabled({ timeout: LOAD_TIMEOUT });
  for (const role of ['Base', 'Expert', 'Amateur']) {
    const card = page.getByRole('listitem', { name: `${role} model` });
    await expect(card.getByText('ready', { exact: true })).toBeVisible();
    await expect(card.getByText('WASM', { exact: true })).toBeVisible();
  }
}

export async function pickSample(page: Page, label: 'Bar chart' | 'Geometry' | 'Lake scene'): Promise<void> {
  const file = { 'Bar chart': 'chart.png', Geometry: 'geometry.png', 'Lake scene': 'scene.png' }[label];
  await page.getByRole('button', { name: label }).click();
  // This sample's own preview (another image may be on show until it is decoded; saved runs in the
  // history show their thumbnails under the same kind of name).
  await expect(
    page.getByRole('region', { name: 'Input' }).getByRole('img', { name: `Input image ${file}` }),
  ).toBeVisible();
}

export async function setQuestion(page: Page, text: string): Promise<void> {
  await page.getByLabel('Question').fill(text);
}

export async function setMaxTokens(page: Page, n: number): Promise<void> {
  await page.getByLabel('Max new tokens').fill(String(n));
}

export async function expectRunning(page: Page): Promise<void> {
  await expect(runControls(page)).toHaveAttribute('data-run-status', /running|stopping/);
}

export async function waitIdle(page: Page): Promise<void> {
  await expect(runControls(page)).toHaveAttribute('data-run-status', 'idle', { timeout: RUN_TIMEOUT });
}

/** Number of tokens a pane reports. */
export async function tokenCount(page: Page, stream: 'base' | 'guided'): Promise<number> {
  return Number(await page.getByTestId(`tokens-${stream}`).textContent());
}

export async function showTokens(page: Page, stream: 'base' | 'guided'): Promise<Locator> {
  await pane(page, stream).getByRole('button', { name: 'Tokens' }).click();
  const list = pane(page, stream).getByRole('listbox');
  await expect(list).toBeVisible();
  return list;
}

/** The token ids shown in a pane's token view, in order. */
export async function tokenIds(page: Page, stream: 'base' | 'guided'): Promise<number[]> {
  const list = await showTokens(page, stream);
  return list
    .getByRole('option')
    .evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.tokenId)));
}

export interface SavedRunOutputs {
  id: string;
  outputs: Record<string, { text: string; reason: string | null }>;
}

/** The raw history records, straight from IndexedDB, typed as the caller reads them. */
export async function savedRuns<T = SavedRunOutputs>(page: Page): Promise<T[]> {
  return page.evaluate(
    () =>
      new Promise<T[]>((resolve, reject) => {
        const open = indexedDB.open('proxythinker-web');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const req = db.transaction('runs').objectStore('runs').getAll();
          req.onsuccess = () => {
            resolve(req.result);
            db.close();
          };
          req.onerror = () => reject(req.error);
        };
      }),
  );
}

/**
 * The dedicated worker of one model (nested in the coordinator's worker), found by its name; in the
 * one-worker placement, the worker that holds all three ('models').
 */
export async function modelWorker(page: Page, role: 'base' | 'expert' | 'amateur'): Promise<Worker> {
  const found: Worker[] = [];
  const shared: Worker[] = [];
  // onnxruntime's thread-pool workers (WASM threads) sit blocked in Atomics.wait and never answer:
  // they are skipped by their script (ort-wasm-*.mjs), and any other worker that does not say its
  // name within a second is not a model worker.
  const nameOf = (w: Worker) =>
    Promise.race([
      w.evaluate(() => self.name).catch(() => ''),
      new Promise<string>((done) => setTimeout(() => done(''), 1000)),
    ]);
  for (const w of page.workers().filter((x) => !/\/ort-wasm[^/]*$/.test(x.url()))) {
    const name = await nameOf(w);
    if (name === `model-${role}`) found.push(w);
    else if (name === 'models') shared.push(w);
  }
  if (found.length === 1 && found[0]) return found[0];
  if (found.length === 0 && shared.length === 1 && shared[0]) return shared[0];
  throw new Error(
    `${found.length} model-${role} workers among ${page
      .workers()
      .map((w) => w.url())
      .join(', ')}`,
  );
}
