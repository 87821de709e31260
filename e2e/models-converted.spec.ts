/**
 * A checkpoint converted with `npm run convert` (here a synthetic one, weights past the threshold in
 * chunked *.onnx_data files) loads in the page from a picked folder, next to two generated models that
 * share its tokenizer, and runs: the external data files are read from disk like the rest.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertCheckpoint } from '../src/convert/from-checkpoint';
import { nodeInputFolder, nodeOutputFolder } from '../scripts/convert/node-io';
import { writeSyntheticCheckpoint } from '../scripts/convert/synthetic';
import { syntheticNamed } from '../scripts/convert/synthetic-catalog';
import { test, expect } from './fixtures';
import { canvasImageUrl, GREEDY } from './helpers';
import { MODELS_DIR } from './models-helpers';

test('a converted checkpoint with external data loads from a picked folder and runs', async ({ page }) => {
  const root = mkdtempSync(join(tmpdir(), 'ptw-e2e-convert-'));
  const ck = join(root, 'checkpoint');
  const out = join(root, 'ck25-base');
  await writeSyntheticCheckpoint(syntheticNamed('ck25-base'), ck);
  await convertCheckpoint(nodeInputFolder(ck), nodeOutputFolder(out), { formats: ['q4'], externalAbove: 50_000, chunkBytes: 150_000 });

  await page.goto('/src/ui/models/page.html');
  await page.getByLabel('WASM').check();
  const folders = { base: out, expert: join(MODELS_DIR, 'tiny-expert'), amateur: join(MODELS_DIR, 'tiny-amateur') };
  for (const [role, label] of [['base', 'Base'], ['expert', 'Expert'], ['amateur', 'Amateur']] as const) {
    await page.getByLabel(`${label} model source`).selectOption('local-folder');
    await page.getByLabel(`${label} model folder (files)`).setInputFiles(folders[role]);
  }
  await expect(page.getByTestId('picked-folder').first()).toContainText('ck25-base');
  await page.getByRole('button', { name: 'Load trio' }).click();
  const status = page.getByTestId('load-status');
  await expect(status).toHaveAttribute('data-status', 'loaded', { timeout: 120_000 });
  // Its decoder's weights came from two data files (read from disk like the rest).
  expect(readdirSync(join(out, 'onnx'))).toContain('decoder_model_merged_q4.onnx_data_1');
  await expect(page.getByLabel('Load progress')).toContainText('ck25-base base ready');

  const imageUrl = await canvasImageUrl(page);
  const result = await page.evaluate(
    ([url, sampling]) => window.proxyThinker.run({ mode: 'side-by-side', alpha: 0.5, sampling, maxNewTokens: 4, question: 'What does the chart show?', imageUrl: url }),
    [imageUrl, GREEDY] as const,
  );
  expect(result.streams.base?.token_ids).toHaveLength(4);
  expect(result.streams.guided?.token_ids).toHaveLength(4);
});
