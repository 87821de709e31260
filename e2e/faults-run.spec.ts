/**
 * The fault suite, runs (issue 16): what users do to a run — stop it before its first token, press
 * Run twice, drag α a thousand times, hide the tab, feed odd images, run 100 times in a row — tried
 * one after another in one page with the tiny trio loaded once (WASM). Each case checks what the user
 * sees, that the page still runs, and that the question, settings, history and models are kept. (A
 * question of 50,000 characters: e2e/page-memory.spec.ts, with the pre-run memory check of #18.)
 */
import type { Page } from '@playwright/test';
import { PNG } from 'pngjs';
import { expect, test } from './fixtures';
import {
  expectRunning,
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
  tokenIds,
  waitIdle,
} from './page-helpers';
import { sharedPage } from './shared-page';
import { Cdp, targetMemory } from '../scripts/bench/memory';

test.describe.configure({ mode: 'serial' });
const shared = sharedPage();
const QUESTION = 'How much did revenue grow from Q1 to Q4?';
const history = (page: Page) => page.getByRole('list', { name: 'Saved runs' }).getByRole('listitem');
/** The reference run: greedy, α 0.5, 24 tokens, the bar chart (no end-of-sequence before 600 tokens). */
let reference: { base: number[]; guided: number[] };
let saved = 0;

/** The question, the settings, the history so far and the three loaded models are all still there. */
async function expectKept(page: Page, question = QUESTION): Promise<void> {
  await expect(page.getByLabel('Question')).toHaveValue(question);
  await expect(history(page)).toHaveCount(saved);
  await expect(page.getByRole('radio', { name: 'WASM' })).toBeChecked();
  for (const role of ['Base', 'Expert', 'Amateur'])
    await expect(
      page.getByRole('listitem', { name: `${role} model` }).getByText('ready', { exact: true }),
    ).toBeVisible();
  await expect(runButton(page)).toBeEnabled();
}

/** A short run works: the page and the engine are alive. */
async function expectLiving(page: Page): Promise<void> {
  await setMaxTokens(page, 3);
  await runButton(page).click();
  await waitIdle(page);
  await expect(pane(page, 'guided')).toHaveAttribute('data-reason', 'max_tokens');
  expect(await tokenCount(page, 'guided')).toBe(3);
  saved += 1;
  await expect(history(page)).toHaveCount(saved);
}

const pngOf = (w: number, h: number): Buffer => {
  const png = new PNG({ width: w, height: h });
  for (let i = 0; i < png.data.length; i++) png.data[i] = i % 4 === 3 ? 255 : (i * 37 + (i >> 6)) % 256;
  return PNG.sync.write(png);
};

test('the tiny trio loads and a reference run is kept', async () => {
  const { page } = shared;
  await openApp(page);
  await pickSample(page, 'Bar chart');
  await setQuestion(page, QUESTION);
  await loadTinyTrio(page);
  await setMaxTokens(page, 24);
  await runButton(page).click();
  await waitIdle(page);
  reference = { base: await tokenIds(page, 'base'), guided: await tokenIds(page, 'guided') };
  expect(reference.guided).toHaveLength(24);
  saved = 1;
  await expect(history(page)).toHaveCount(1);
});

test('fault: Stop pressed before the first token — during the pre-run memory check, and while the prompt is being read (prefill) | sees: stopped in the check, the run does not start and the panes keep the last run; stopped in prefill, both panes end "stopped" with no tokens; Run is ready at once | kept: the question, image, settings, history and the loaded models', async () => {
  const { page } = shared;
  // A new image, so the run starts with the vision encoder and the prompt prefill.
  await pickSample(page, 'Geometry');
  await setQuestion(page, QUESTION);
  const runAndStop = (when: 'checking' | 'running') =>
    page.evaluate((at) => {
      const controls = document.querySelector('[aria-label="Run controls"]');
      const run = controls?.querySelector<HTMLButtonElement>('button[aria-keyshortcuts="Control+Enter"]');
      if (!controls || !run) throw new Error('no Run button');
      const esc = () => window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
      if (at === 'checking') {
        // Run and Esc in one task: Esc comes while the models measure the prompt.
        run.click();
        esc();
        return;
      }
      // Esc as soon as the run has started: the models are still reading the prompt.
      const seen = new MutationObserver(() => {
        if (controls.getAttribute('data-run-status') !== 'running') return;
        seen.disconnect();
        esc();
      });
      seen.observe(controls, { attributes: true, attributeFilter: ['data-run-status'] });
      run.click();
    }, when);

  await runAndStop('checking');
  await waitIdle(page);
  for (const stream of ['base', 'guided'] as const)
    expect(await tokenIds(page, stream), `${stream}: the last run still shown`).toEqual(reference[stream]);
  await expectKept(page);

  await runAndStop('running');
  await waitIdle(page);
  for (const stream of ['base', 'guided'] as const) {
    await expect(pane(page, stream)).toHaveAttribute('data-reason', 'cancelled');
    expect(await tokenCount(page, stream)).toBe(0);
  }
  await expect(
    page.getByRole('region', { name: 'Input' }).getByRole('img', { name: /^Input image .*geometry/i }),
  ).toBeVisible();
  saved += 1; // a stopped run is a finished run: it is saved, with what it had (nothing)
  await expectKept(page);
  await expectLiving(page);
});

test('fault: Run pressed twice (two clicks and Ctrl+Enter at once, and a second run from the automation handle once it runs) | sees: one run, the same tokens as before; the handle is told a run is in progress | kept: the question, settings, history (one entry more) and the loaded models', async () => {
  const { page } = shared;
  await pickSample(page, 'Bar chart');
  await setMaxTokens(page, 24);
  const before = await page.evaluate(() => window.proxyThinker.stats());
  const second = await page.evaluate(async () => {
    const run = document.querySelector<HTMLButtonElement>(
      '[aria-label="Run controls"] button[aria-keyshortcuts="Control+Enter"]',
    );
    if (!run) throw new Error('no Run button');
    run.click();
    run.click();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true }));
    // The page checks the run against the models' memory first (#18); once it runs, a run from the
    // automation handle must be told that one is in progress.
    const controls = document.querySelector('[aria-label="Run controls"]');
    for (let i = 0; i < 3000 && controls?.getAttribute('data-run-status') !== 'running'; i++)
      await new Promise((r) => setTimeout(r, 10));
    try {
      await window.proxyThinker.run({
        mode: 'guided',
        alpha: 0.5,
        sampling: { temperature: 0, topK: 0, topP: 1, seed: 0 },
        maxNewTokens: 2,
        question: 'Another question',
        imageUrl: null,
      });
      return 'a second run started';
    } catch (e) {
      return (e as Error).message;
    }
  });
  expect(second).toContain('a run is already in progress');
  await waitIdle(page);
  expect(await tokenIds(page, 'guided')).toEqual(reference.guided);
  expect(await tokenIds(page, 'base')).toEqual(reference.base);
  const after = await page.evaluate(() => window.proxyThinker.stats());
  // One run: 23 decode steps after the (reused) prefill, both streams in the base model's one batch.
  expect((after.base?.decoderSteps ?? 0) - (before.base?.decoderSteps ?? 0)).toBe(23);
  expect((after.base?.prefillReuses ?? 0) + (after.base?.promptPrefills ?? 0)).toBe(
    (before.base?.prefillReuses ?? 0) + (before.base?.promptPrefills ?? 0) + 1,
  );
  saved += 1;
  await expectKept(page);
});

test('fault: α dragged 1,000 times during one run | sees: every token carries the α in force when it was made, the timeline lists the changes, tokens before the first change equal the reference run | kept: the run (saved with its α changes), the question, settings, history and models', async () => {
  const { page } = shared;
  await setMaxTokens(page, 600);
  await runButton(page).click();
  await expectRunning(page);
  await expect.poll(() => tokenCount(page, 'guided'), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
  const VALUES = [0, 2, 1, 0.25, 1.5];
  const stillRunning = await page.evaluate(async (values) => {
    const input = document.getElementById('alpha');
    if (!(input instanceof HTMLInputElement)) throw new Error('no α slider');
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
    for (let i = 0; i < 1000; i++) {
      setValue?.call(input, String(values[i % values.length]));
      input.dispatchEvent(new Event('input', { bubbles: true }));
      // Let tokens and renders in between, as a hand on the slider would.
      if (i % 20 === 19) await new Promise((r) => setTimeout(r, 0));
    }
    return (
      document.querySelector('[aria-label="Run controls"]')?.getAttribute('data-run-status') === 'running'
    );
  }, VALUES);
  expect(stillRunning, 'all 1,000 changes came during the run').toBe(true);
  await page.keyboard.press('Escape');
  await waitIdle(page);
  await expect(page.getByRole('slider', { name: /α/ })).toHaveValue('1.5');

  const list = pane(page, 'guided');
  await list.getByRole('button', { name: 'Tokens' }).click();
  const options = list.getByRole('listbox').getByRole('option');
  const tokens = await options.evaluateAll((els) =>
    els.map((e) => ({
      id: Number((e as HTMLElement).dataset.tokenId),
      alpha: Number((e as HTMLElement).dataset.alpha),
    })),
  );
  const marks = await page
    .getByRole('list', { name: 'α changes' })
    .getByRole('button')
    .evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.fromIndex)));
  expect(marks.length, 'α changed while tokens came').toBeGreaterThan(1);
  // Each token's α is the one set last before it: constant between two marks, changing at a mark.
  const first = marks[0] ?? 0;
  expect(tokens.slice(0, first).every((t) => t.alpha === 0.5)).toBe(true);
  for (let i = 1; i < tokens.length; i++) {
    const changed = tokens[i]?.alpha !== tokens[i - 1]?.alpha;
    if (changed) expect(marks, `token ${i}'s α changed, so a mark is there`).toContain(i);
  }
  expect(tokens.every((t) => VALUES.includes(t.alpha) || t.alpha === 0.5)).toBe(true);
  expect(tokens.slice(0, Math.min(first, 24)).map((t) => t.id)).toEqual(
    reference.guided.slice(0, Math.min(first, 24)),
  );
  saved += 1;
  await expectKept(page);
  const [latest] = (await savedRuns<{ createdAt: number; alphaChanges: unknown[] }>(page)).sort(
    (a, b) => b.createdAt - a.createdAt,
  );
  expect(latest?.alphaChanges.length ?? 0).toBeGreaterThanOrEqual(marks.length);
  await page.getByRole('slider', { name: /α/ }).fill('0.5');
  await expectLiving(page);
});

test('fault: the tab hidden and frozen mid-run (visibilitychange, then the page frozen as Chrome freezes background tabs) | sees: when the tab is back, the run ends with every token, the same as the reference | kept: the run in the history, the question, settings and models', async () => {
  const { page, context } = shared;
  await setMaxTokens(page, 24);
  await runButton(page).click();
  await expectRunning(page);
  await expect.poll(() => tokenCount(page, 'guided'), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
  const cdp = await context.newCDPSession(page);
  try {
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
    await new Promise((r) => setTimeout(r, 1500));
    await cdp.send('Page.setWebLifecycleState', { state: 'active' });
    await page.evaluate(() => {
      Reflect.deleteProperty(document, 'visibilityState');
      Reflect.deleteProperty(document, 'hidden');
      document.dispatchEvent(new Event('visibilitychange'));
    });
  } finally {
    await cdp.detach().catch(() => undefined);
  }
  await waitIdle(page);
  expect(await page.evaluate(() => document.visibilityState)).toBe('visible');
  await expect(pane(page, 'guided')).toHaveAttribute('data-reason', 'max_tokens');
  expect(await tokenIds(page, 'guided')).toEqual(reference.guided);
  expect(await tokenIds(page, 'base')).toEqual(reference.base);
  saved += 1;
  await expectKept(page);
});

test('fault: a 1×1 image | sees: it is taken and the run finishes; the panes show the 1×1 image and the visual tokens the processor made of it | kept: the question, settings, history and models', async () => {
  const { page } = shared;
  await page
    .getByLabel('Choose image file')
    .setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: pngOf(1, 1) });
  await expect(page.getByText('dot.png · 1×1')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Input' }).getByRole('alert')).toHaveCount(0);
  await expectLiving(page);
  await expect(runControls(page)).toContainText(/\d+ visual tokens/);
  await expectKept(page);
});

test('fault: a corrupt PNG (a real PNG cut in half) | sees: "could not be decoded as an image" naming the file, with the formats to choose | kept: the previous image, the question, settings, history and models', async () => {
  const { page } = shared;
  const whole = pngOf(64, 64);
  await page
    .getByLabel('Choose image file')
    .setInputFiles({ name: 'cut.png', mimeType: 'image/png', buffer: whole.subarray(0, whole.length >> 1) });
  await expect(page.getByRole('region', { name: 'Input' }).getByRole('alert')).toHaveText(
    '"cut.png" could not be decoded as an image. Choose a PNG, JPEG, WebP or GIF image.',
  );
  await expect(page.getByText('dot.png · 1×1')).toBeVisible();
  await expectKept(page);
  await expectLiving(page);
});

/**
 * Page and workers, JS and WebAssembly memory, in bytes: each one's V8 heap after a full garbage
 * collection (through DevTools, as the bench does) plus each model worker's WebAssembly heap. Not
 * measureUserAgentSpecificMemory(): it waits for Chromium's next scheduled GC, 45–60 s a call here.
 */
async function appMemory(page: Page): Promise<number> {
  const browser = page.context().browser();
  if (!browser) throw new Error('no browser for the DevTools session');
  const cdp = await Cdp.open(browser);
  try {
    const heaps = await targetMemory(cdp, await Cdp.contextIdOf(page), page);
    const titles = heaps.map((h) => h.title).sort();
    // The engine's placement: one worker for the three (WASM, few cores) or a worker each.
    const oneWorker = titles.includes('models');
    expect(titles).toEqual(oneWorker ? ['coordinator', 'models', 'page'] : ['coordinator', 'model-amateur', 'model-base', 'model-expert', 'page']);
    const stats = await page.evaluate(() => window.proxyThinker.stats());
    const wasm = (['base', 'expert', 'amateur'] as const).map((r) => stats[r]?.heapBytes ?? Number.NaN);
    expect(wasm.every((b) => b > 0), 'every model reports its WebAssembly heap').toBe(true);
    // In one worker the three report the same heap: counted once.
    const heapBytes = oneWorker ? Math.max(...wasm) : wasm.reduce((a, b) => a + b, 0);
    return heaps.reduce((sum, h) => sum + h.js_heap, 0) + heapBytes;
  } finally {
    await cdp.close();
  }
}

test('fault: 100 runs in a row | sees: every run finishes with the same tokens as the first | kept: memory flat (page and workers, JS and WebAssembly: after run 100 within 16 MiB of after run 10), all 100 runs in the history, the question, settings and models', async () => {
  test.slow(); // 100 runs on a shared CPU
  const { page } = shared;
  await pickSample(page, 'Bar chart');
  await setMaxTokens(page, 2);
  let first: number[] = [];
  let warm = 0;
  for (let i = 1; i <= 100; i++) {
    await runButton(page).click();
    await waitIdle(page);
    await expect(pane(page, 'guided')).toHaveAttribute('data-reason', 'max_tokens');
    const ids = await tokenIds(page, 'guided');
    if (i === 1) first = ids;
    else expect(ids, `run ${i}`).toEqual(first);
    if (i === 10) warm = await appMemory(page);
  }
  saved += 100;
  await expect(history(page)).toHaveCount(saved);
  const after = await appMemory(page);
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  const figure = `after run 10: ${mib(warm)} MiB; after run 100: ${mib(after)} MiB (${after >= warm ? '+' : ''}${mib(after - warm)} MiB)`;
  test.info().annotations.push({ type: 'memory', description: figure });
  console.log(`100 runs in a row, page and workers: ${figure}`);
  expect(after - warm, `memory grew from ${mib(warm)} to ${mib(after)} MiB over 90 runs`).toBeLessThan(
    16 * 2 ** 20,
  );
  await expectKept(page);
});
