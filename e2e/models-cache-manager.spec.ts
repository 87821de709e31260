/**
 * Issue 5: the size of a trio is known before it loads; the model cache lists what was downloaded
 * with its size, and deleting a model frees it: the next load downloads exactly that model again.
 */
import { test, expect } from './fixtures';
import { formatBytes } from '../src/models/sources/bytes';
import { downloads, fileSize, Q4_FILES, ROLES, startTinyHub } from './models-helpers';

const LABEL = { base: 'Base', expert: 'Expert', amateur: 'Amateur' } as const;
const sizeOf = (role: string) => Q4_FILES.reduce((a, f) => a + fileSize(`tiny-${role}`, f), 0);

test('download size before loading; the cache manager lists the models with their sizes; delete frees one and the next load downloads it again', async ({
  page,
}) => {
  const hub = await startTinyHub();
  try {
    const host = new URL(hub.url).host;
    await page.goto('/src/ui/models/page.html');
    await page.getByLabel('WASM').check();
    await page.getByLabel(/^Hub host/).fill(hub.url);
    for (const role of ROLES) {
      await page.getByLabel(`${LABEL[role]} model repo`).fill(`test-org/tiny-${role}`);
      await page.getByLabel(`${LABEL[role]} model precision`).selectOption('q4');
    }
    const total = ROLES.reduce((a, r) => a + sizeOf(r), 0);
    await page.getByRole('button', { name: 'Check download size' }).click();
    await expect(page.getByTestId('plan-download')).toHaveText(formatBytes(total));
    // Sizing reads each config.json (to know the files) and sizes the rest with one-byte range requests.
    expect(downloads(hub).sort(), 'sizing downloads only config.json').toEqual(
      ROLES.map((r) => `test-org/tiny-${r}/resolve/main/config.json`).sort(),
    );

    await page.getByRole('button', { name: 'Load trio' }).click();
    const status = page.getByTestId('load-status');
    await expect(status).toHaveAttribute('data-status', 'loaded', { timeout: 120_000 });
    await expect(page.getByLabel('Overall download')).toHaveAttribute('value', String(total));
    await expect(page.getByTestId('overall-bytes')).toHaveText(
      `${formatBytes(total)} of ${formatBytes(total)}`,
    );

    // The cache manager lists the three models with the bytes of their files.
    const cache = page.getByLabel('Model cache');
    for (const role of ROLES) {
      const row = cache.getByRole('row', {
        name: new RegExp(`test-org/tiny-${role}@main \\(${host.replace('.', '\\.')}\\)`),
      });
      await expect(row).toContainText(formatBytes(sizeOf(role)));
      await expect(row.getByRole('cell').nth(1)).toHaveText(String(Q4_FILES.length));
    }
    await expect(page.getByTestId('storage-status')).toContainText('This site uses');

    // Save the trio (IndexedDB); it can be picked again like a preset.
    await page.getByLabel('Trio name').fill('Tiny trio on the local hub');
    await page.getByRole('button', { name: 'Save trio' }).click();
    await expect(
      page.getByRole('status').filter({ hasText: 'Saved "Tiny trio on the local hub".' }),
    ).toBeVisible();
    await page.getByLabel('Base model repo').fill('');
    await page.getByLabel('Saved trios').selectOption({ label: 'Tiny trio on the local hub' });
    await expect(page.getByLabel('Base model repo')).toHaveValue('test-org/tiny-base');
    await expect(page.getByLabel('Base model precision')).toHaveValue('q4');
    await expect(page.getByLabel(/^Hub host/)).toHaveValue(hub.url);

    // Delete the base model: its entry goes, the others stay.
    await cache.getByRole('button', { name: `Delete test-org/tiny-base@main (${host})` }).click();
    await expect(cache.getByRole('button', { name: /^Delete test-org\/tiny-/ })).toHaveCount(2);
    await expect(cache.getByRole('button', { name: `Delete test-org/tiny-base@main (${host})` })).toHaveCount(
      0,
    );
    const stored = await page.evaluate(async () =>
      (await (await caches.open('transformers-cache')).keys()).map((r) => r.url),
    );
    expect(stored.filter((u) => u.includes('tiny-base'))).toEqual([]);
    expect(stored).toHaveLength(2 * Q4_FILES.length);

    // The size check now counts only the base model, and the next load downloads exactly its files.
    await page.getByRole('button', { name: 'Check download size' }).click();
    await expect(page.getByTestId('plan-download')).toHaveText(formatBytes(sizeOf('base')));
    hub.hits.length = 0;
    await page.getByRole('button', { name: 'Load trio' }).click();
    await expect(status).toHaveAttribute('data-status', 'loading');
    await expect(status).toHaveAttribute('data-status', 'loaded', { timeout: 120_000 });
    expect(downloads(hub).sort()).toEqual(Q4_FILES.map((f) => `test-org/tiny-base/resolve/main/${f}`).sort());
    await expect(cache.getByRole('button', { name: /^Delete test-org\/tiny-/ })).toHaveCount(3);
  } finally {
    await hub.close();
  }
});
