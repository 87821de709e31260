/**
 * Issue 4, the page: its Models section is the one place for models. A custom trio (here: folders on
 * this server) with its download size, load progress and model status, the preset's download size,
 * and the model cache — the shared components of src/ui/models, mounted in the main page.
 */
import { test, expect } from './fixtures';
import { formatBytes } from '../src/models/sources/bytes';
import { fileSize, Q4_FILES, ROLES } from './models-helpers';
import {
  openApp,
  pane,
  pickSample,
  runButton,
  setMaxTokens,
  setQuestion,
  waitIdle,
  LOAD_TIMEOUT,
} from './page-helpers';

const LABEL = { base: 'Base', expert: 'Expert', amateur: 'Amateur' } as const;
const sizeOf = (role: string) => Q4_FILES.reduce((a, f) => a + fileSize(`tiny-${role}`, f), 0);

test('the main page loads a custom trio from folders on this server with its download size, runs it, and lists it in the model cache', async ({
  page,
  consoleErrors,
}) => {
  await openApp(page);
  const models = page.getByRole('region', { name: 'Models' });

  // The preset's download size, before anything is stored.
  await page.getByLabel('Model trio').selectOption('tiny');
  await page.getByRole('radio', { name: 'WASM' }).check();
  await page.getByRole('radio', { name: 'q4', exact: true }).check();
  await models.getByRole('button', { name: 'Check download size' }).click();
  const total = ROLES.reduce((a, r) => a + sizeOf(r), 0);
  await expect(models.getByTestId('plan-download')).toHaveText(formatBytes(total));
  await expect(models.getByLabel('Download size')).toContainText('Browser storage:');

  // A custom trio: the same models as folders on this server.
  await page.getByRole('radio', { name: 'Custom' }).check();
  await expect(page.getByLabel('Model trio')).toHaveCount(0);
  const custom = models.getByRole('form', { name: 'Custom trio' });
  for (const role of ROLES) {
    await custom.getByLabel(`${LABEL[role]} model source`).selectOption('url');
    await custom.getByLabel(`${LABEL[role]} model URL`).fill(`/models/tiny-${role}/`);
    await expect(custom.getByLabel(`${LABEL[role]} model precision`)).toHaveValue('q4');
  }
  await custom.getByRole('button', { name: 'Check download size' }).click();
  await expect(custom.getByTestId('plan-download')).toHaveText(formatBytes(total));
  await custom.getByRole('button', { name: 'Load trio' }).click();
  await expect(runButton(page)).toBeEnabled({ timeout: LOAD_TIMEOUT });
  for (const role of ROLES) {
    const card = page.getByRole('listitem', { name: `${LABEL[role]} model` });
    await expect(card.getByText('ready', { exact: true })).toBeVisible();
    await expect(card).toContainText(`tiny-${role}`);
    await expect(card.getByText('WASM', { exact: true })).toBeVisible();
  }
  // The shared load progress counted every byte of the download.
  await expect(models.getByTestId('overall-bytes')).toHaveText(
    `${formatBytes(total)} of ${formatBytes(total)}`,
  );

  // The custom trio runs from the main page.
  await pickSample(page, 'Bar chart');
  await setQuestion(page, 'What does the chart show?');
  await setMaxTokens(page, 4);
  await runButton(page).click();
  await waitIdle(page);
  await expect(page.getByTestId('tokens-guided')).toHaveText('4');
  await expect(pane(page, 'guided')).toHaveAttribute('data-reason', 'max_tokens');

  // The model cache, from the same section: the three folders with their sizes.
  await models.getByText('Models in browser storage').click();
  const cache = models.getByLabel('Model cache');
  for (const role of ROLES) {
    const row = cache.getByRole('row', { name: new RegExp(`tiny-${role}`) });
    await expect(row).toContainText(formatBytes(sizeOf(role)));
  }
  await expect(cache.getByTestId('storage-status')).toContainText('This site uses');
  expect(consoleErrors).toEqual([]);
});
