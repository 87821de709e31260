/**
 * The fault suite, models (issue 16): bad model files and bad trios, tried one after another in one
 * page through the Models section. Each is refused with a message naming the model and the file or
 * sizes at fault; the models not at fault stay loaded for the retry, and the question, the settings
 * and the history stay as they were.
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { makeBrokenModels, MISSING_FILE, type BrokenModels } from './broken-models';
import { customTrioForm, loadCustomHubTrio, loadWithExpert } from './custom-trio';
import { MODELS_DIR, ROLES } from './models-helpers';
import {
  LOAD_TIMEOUT,
  modelWorker,
  openApp,
  pickSample,
  runButton,
  setMaxTokens,
  setQuestion,
  waitIdle,
} from './page-helpers';
import { sharedPage } from './shared-page';
import { startHubServer, type HubServer } from '../scripts/hub-server/server';

test.describe.configure({ mode: 'serial' });
const shared = sharedPage();
const QUESTION = 'What does the chart show? (this question must survive every fault)';
let hub: HubServer;
let broken: BrokenModels;

const custom = customTrioForm;
const loadAlert = (page: Page) => page.getByLabel('Load progress').getByRole('alert');
const history = (page: Page) => page.getByRole('list', { name: 'Saved runs' }).getByRole('listitem');

/** The question, the settings, the history and the models not at fault are as before the fault. */
async function expectKept(page: Page): Promise<void> {
  await expect(page.getByLabel('Question')).toHaveValue(QUESTION);
  await expect(page.getByLabel('Max new tokens')).toHaveValue('3');
  await expect(page.getByRole('radio', { name: 'WASM' })).toBeChecked();
  await expect(history(page)).toHaveCount(1);
  await expect(history(page)).toContainText(QUESTION);
  for (const role of ['Base', 'Amateur']) {
    await expect(
      page.getByRole('listitem', { name: `${role} model` }).getByText('ready', { exact: true }),
    ).toBeVisible();
  }
}

test.beforeAll(async () => {
  broken = makeBrokenModels();
  const repos: Record<string, string> = {
    'test-org/tiny-expert-narrow': join(MODELS_DIR, 'tiny-expert-narrow'),
  };
  for (const r of ROLES) repos[`test-org/tiny-${r}`] = join(MODELS_DIR, `tiny-${r}`);
  for (const [name, path] of Object.entries(broken.paths)) repos[`test-org/${name}`] = path;
  hub = await startHubServer({ repos });
});

test.afterAll(async () => {
  await hub?.close();
  broken?.remove();
});

test('a custom trio from the hub (mirror) loads and runs once, so there is something to keep', async () => {
  const { page } = shared;
  await openApp(page);
  await pickSample(page, 'Bar chart');
  await setQuestion(page, QUESTION);
  await setMaxTokens(page, 3);
  await loadCustomHubTrio(page, hub.url, {
    base: 'test-org/tiny-base',
    expert: 'test-org/tiny-expert',
    amateur: 'test-org/tiny-amateur',
  });
  await expect(runButton(page)).toBeEnabled({ timeout: LOAD_TIMEOUT });
  await runButton(page).click();
  await waitIdle(page);
  await expect(history(page)).toHaveCount(1);
});

test("fault: a model whose config.json does not parse | sees: the load fails naming the model, config.json, the parser's line and column and the URL | kept: the base and amateur models loaded, the question, settings and history", async () => {
  const { page } = shared;
  await loadWithExpert(page, 'test-org/bad-config');
  const alert = loadAlert(page);
  await expect(alert).toContainText(
    /bad-config \(expert\): config\.json is not valid JSON \(.*line \d+ column \d+\)/,
    {
      timeout: LOAD_TIMEOUT,
    },
  );
  await expect(alert).toContainText(`${hub.url}test-org/bad-config/resolve/main/config.json`);
  await expect(runButton(page)).toBeDisabled();
  await expectKept(page);
  // Mark the workers of the models kept for the retry: the later faults and the retry must keep them.
  for (const role of ['base', 'amateur'] as const)
    await (await modelWorker(page, role)).evaluate(() => ((self as { kept?: boolean }).kept = true));
});

test('fault: a trio whose expert has another tokenizer (one token more) | sees: the trio is refused naming both models and their tokenizer sizes | kept: the base and amateur models loaded (the retry loads only the expert), the question, settings and history', async () => {
  const { page } = shared;
  await loadWithExpert(page, 'test-org/other-tokenizer');
  const alert = loadAlert(page);
  await expect(alert).toContainText(
    /TokenizerMismatchError: Tokenizers differ: tiny-base \((\w+, )?size \d+, .*\) vs other-tokenizer \((\w+, )?size \d+/,
    {
      timeout: LOAD_TIMEOUT,
    },
  );
  await expect(alert).toContainText('A trio must share one tokenizer.');
  await expectKept(page);
});

test('fault: a decoder with fewer logits (1040) than its tokenizer has ids | sees: the trio is refused naming the model, its lm_head rows and the tokenizer size | kept: the base and amateur models loaded, the question, settings and history', async () => {
  const { page } = shared;
  await loadWithExpert(page, 'test-org/tiny-expert-narrow');
  await expect(loadAlert(page)).toContainText(
    /lm_head too small for the tokenizer's \d+ ids: tiny-expert-narrow \(1040 rows\)\. Every model must produce a logit for every token id\./,
    { timeout: LOAD_TIMEOUT },
  );
  await expectKept(page);
});

test(`fault: a model folder on disk without ${MISSING_FILE} | sees: the file is named as missing from the picked folder | kept: the base and amateur models loaded, the question, settings and history`, async () => {
  const { page } = shared;
  await custom(page).getByLabel('Expert model source').selectOption('local-folder');
  await custom(page).getByLabel('Expert model folder (files)').setInputFiles(broken.paths['missing-file']);
  await custom(page).getByLabel('Expert model precision').selectOption('q4');
  await custom(page).getByRole('button', { name: 'Load trio' }).click();
  await expect(loadAlert(page)).toContainText(
    `${MISSING_FILE} is missing from the picked folder "missing-file"`,
    {
      timeout: LOAD_TIMEOUT,
    },
  );
  await expectKept(page);
});

test("fault: a hub host that the page's Content-Security-Policy does not allow | sees: the host field says the policy refuses the host and how to allow it; Load is disabled and nothing is fetched | kept: the base and amateur models loaded, the question, settings and history", async () => {
  const { page } = shared;
  await custom(page).getByLabel('Expert model source').selectOption('hub');
  await custom(page).getByLabel('Expert model repo').fill('test-org/tiny-expert');
  await custom(page)
    .getByLabel(/^Hub host/)
    .fill('https://mirror.example.org/');
  const refusal = custom(page).getByRole('alert');
  await expect(refusal).toContainText(
    "The hub host https://mirror.example.org is not allowed by this page's Content-Security-Policy (connect-src 'self'",
  );
  await expect(refusal).toContainText(
    'add https://mirror.example.org to connect-src in the header the server sends (docs/hosting.md)',
  );
  await expect(custom(page).getByRole('button', { name: 'Load trio' })).toBeDisabled();
  await expect(custom(page).getByRole('button', { name: 'Check download size' })).toBeDisabled();
  // Loads that do not go through the form (the automation handle) are refused the same way, before any request.
  const viaApi = await page.evaluate(async () => {
    try {
      const source = {
        kind: 'hub',
        repo: 'o/m',
        revision: 'main',
        dtype: 'q4',
        host: 'https://mirror.example.org/',
      } as const;
      await window.proxyThinker.load({
        trio: (['base', 'expert', 'amateur'] as const).map((role) => ({ role, name: 'm', source })),
        backend: 'wasm',
      });
      return 'loaded';
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  });
  expect(viaApi).toMatch(
    /^ContentSecurityPolicyError: m \(base\): the host https:\/\/mirror\.example\.org is not allowed/,
  );
  await custom(page)
    .getByLabel(/^Hub host/)
    .fill(hub.url);
  await expect(refusal).toHaveCount(0);
  await expectKept(page);
});

test('after every model fault the good trio loads reading only the expert, keeps the base and amateur workers, and runs', async () => {
  const { page } = shared;
  hub.hits.length = 0;
  await loadWithExpert(page, 'test-org/tiny-expert');
  await expect(runButton(page)).toBeEnabled({ timeout: LOAD_TIMEOUT });
  const read = hub.hits.filter((h) => h.method === 'GET').map((h) => h.path);
  expect(
    read.filter((p) => !p.startsWith('test-org/tiny-expert/')),
    'nothing of the kept models is read again',
  ).toEqual([]);
  // The very workers kept since the first fault (marked then), not new ones loaded from storage.
  for (const role of ['base', 'amateur'] as const)
    expect(
      await (await modelWorker(page, role)).evaluate(() => (self as { kept?: boolean }).kept),
      role,
    ).toBe(true);
  await runButton(page).click();
  await waitIdle(page);
  await expect(page.getByTestId('tokens-guided')).toHaveText('3');
  await expect(history(page)).toHaveCount(2);
});
