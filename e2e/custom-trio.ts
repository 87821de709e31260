/** The Models section's custom trio form, driven as a user would: hub repos on a (local) hub host. */
import type { Locator, Page } from '@playwright/test';
import type { ModelRole } from '../src/core/presets';

const LABEL: Record<ModelRole, string> = { base: 'Base', expert: 'Expert', amateur: 'Amateur' };

export const customTrioForm = (page: Page): Locator =>
  page.getByRole('region', { name: 'Models' }).getByRole('form', { name: 'Custom trio' });

/** Custom trio, WASM, the hub host, one q4 repo per role; then Load trio (the caller waits for the outcome). */
export async function loadCustomHubTrio(
  page: Page,
  host: string,
  repos: Record<ModelRole, string>,
): Promise<void> {
  await page.getByRole('radio', { name: 'Custom' }).check();
  await page.getByRole('radio', { name: 'WASM' }).check();
  const form = customTrioForm(page);
  await form.getByLabel(/^Hub host/).fill(host);
  for (const role of ['base', 'expert', 'amateur'] as const) {
    await form.getByLabel(`${LABEL[role]} model source`).selectOption('hub');
    await form.getByLabel(`${LABEL[role]} model repo`).fill(repos[role]);
    await form.getByLabel(`${LABEL[role]} model precision`).selectOption('q4');
  }
  await form.getByRole('button', { name: 'Load trio' }).click();
}

/** Another expert (a hub repo) in the same form; Load trio. */
export async function loadWithExpert(page: Page, repo: string): Promise<void> {
  const form = customTrioForm(page);
  await form.getByLabel('Expert model source').selectOption('hub');
  await form.getByLabel('Expert model repo').fill(repo);
  await form.getByLabel('Expert model precision').selectOption('q4');
  await form.getByRole('button', { name: 'Load trio' }).click();
}
