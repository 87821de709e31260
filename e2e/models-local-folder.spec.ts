/**
 * Issue 5: a trio loads from folders the user picks on disk (the directory input, as in browsers
 * without the File System Access API): the files are read in the page's workers, never fetched,
 * uploaded or copied into browser storage.
 */
import { join } from 'node:path';
import { test, expect } from './fixtures';
import { canvasImageUrl, GREEDY } from './helpers';
import { MODELS_DIR, ROLES } from './models-helpers';

const LABEL = { base: 'Base', expert: 'Expert', amateur: 'Amateur' } as const;

test('a trio from three folders on disk loads with the folder picker and runs; no model file is fetched or stored', async ({
  page,
  context,
}) => {
  const modelRequests: string[] = [];
  context.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/models/') || /\/resolve\/|\.onnx$|\/(config|tokenizer)\.json$/.test(path))
      modelRequests.push(r.url());
  });
  await page.goto('/src/ui/models/page.html');
  await page.getByLabel('WASM').check();
  for (const role of ROLES) {
    await page.getByLabel(`${LABEL[role]} model source`).selectOption('local-folder');
    await expect(page.getByLabel(`${LABEL[role]} model precision`)).toHaveValue('q4');
    await page
      .getByLabel(`${LABEL[role]} model folder (files)`)
      .setInputFiles(join(MODELS_DIR, `tiny-${role}`));
  }
  await expect(page.getByTestId('picked-folder')).toHaveCount(3);
  await expect(page.getByTestId('picked-folder').first()).toContainText('tiny-base');
  await expect(page.getByTestId('picked-folder').first()).toContainText('precisions: fp32, q4');

  // Nothing to download: every file is on disk.
  await page.getByRole('button', { name: 'Check download size' }).click();
  await expect(page.getByTestId('plan-download')).toHaveText('0 B');

  await page.getByRole('button', { name: 'Load trio' }).click();
  const status = page.getByTestId('load-status');
  await expect(status).toHaveAttribute('data-status', 'loaded', { timeout: 120_000 });
  await expect(status).toContainText('Loaded tiny-base, tiny-expert, tiny-amateur (wasm)');
  // Every file was read from disk.
  const progress = page.getByLabel('Load progress');
  await expect(progress.getByText(/^disk · /)).toHaveCount(24);
  await expect(progress.getByText(/^(download|cached) · /)).toHaveCount(0);

  // The trio the page loaded runs (window.proxyThinker drives the same coordinator).
  const imageUrl = await canvasImageUrl(page);
  const result = await page.evaluate(
    ([url, sampling]) =>
      window.proxyThinker.run({
        mode: 'guided',
        alpha: 0.5,
        sampling,
        maxNewTokens: 4,
        question: 'What does the chart show?',
        imageUrl: url,
      }),
    [imageUrl, GREEDY] as const,
  );
  expect(result.streams.guided?.token_ids).toHaveLength(4);
  expect(result.streams.guided?.reason).toBe('max_tokens');

  expect(modelRequests, 'no model file went over the network').toEqual([]);
  const stored = await page.evaluate(async () =>
    (await (await caches.open('transformers-cache')).keys()).map((r) => r.url),
  );
  expect(stored, 'picked files are not copied into browser storage').toEqual([]);
  await expect(page.getByTestId('cache-empty')).toBeVisible();
});
