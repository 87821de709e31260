/** Issue 4, the page: the token inspector over the guided stream, and accessibility of the loaded page. */
import { writeFile } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import { test, expect } from './fixtures';
import {
  loadTinyTrio,
  openApp,
  pickSample,
  runButton,
  setMaxTokens,
  showTokens,
  waitIdle,
} from './page-helpers';

test('the inspector shows base, expert, amateur and merged top-5 for a chosen token; axe finds no serious issues', async ({
  page,
}, testInfo) => {
  test.slow(); // two runs (or a run and axe) on a CPU shared with other suites: allow for load
  await openApp(page);
  await pickSample(page, 'Geometry');
  await loadTinyTrio(page);
  await setMaxTokens(page, 16);
  await runButton(page).click();
  await waitIdle(page);

  const tokens = await showTokens(page, 'guided');
  const inspector = page.getByTestId('inspector');
  const token = tokens.getByRole('option').nth(3);
  const chosenId = await token.getAttribute('data-token-id');
  await token.click();
  await expect(token).toHaveAttribute('aria-selected', 'true');

  const tables = inspector.getByRole('table');
  await expect(tables).toHaveCount(4);
  for (const [i, caption] of ['Base', 'Expert', 'Amateur', 'Merged (guided)'].entries()) {
    const table = tables.nth(i);
    await expect(table.locator('caption')).toHaveText(caption);
    await expect(table.locator('tbody tr')).toHaveCount(5);
    const probs = await table.locator('.prob__text').allTextContents();
    const values = probs.map((p) => Number(p.replace('%', '')));
    expect(
      values.every((v) => v > 0 && v <= 100),
      `${caption} probabilities`,
    ).toBe(true);
    expect(
      [...values].sort((a, b) => b - a),
      `${caption} sorted`,
    ).toEqual(values);
  }
  await expect(inspector).toContainText('guided token 3');
  // Greedy decoding: the chosen token is the merged distribution's favourite, highlighted there.
  await expect(tables.nth(3).locator('tbody tr').first()).toHaveClass(/dist__chosen/);
  await expect(tables.nth(3).locator('tbody tr').first()).toContainText(String(chosenId));

  // Keyboard: the arrow keys move the selection, the inspector follows.
  await tokens.focus();
  await page.keyboard.press('ArrowRight');
  await expect(tokens.getByRole('option').nth(4)).toHaveAttribute('aria-selected', 'true');
  await expect(inspector).toContainText('guided token 4');

  // Hover previews another token without losing the selection.
  await tokens.getByRole('option').nth(0).hover();
  await expect(inspector).toContainText('guided token 0');
  await page.mouse.move(0, 0);
  await expect(inspector).toContainText('guided token 4');

  // Tokens where guidance changed the base model's choice are marked; the toggle colours every token.
  const flipped = await tokens.locator('.tok--flipped').count();
  const options = await tokens.getByRole('option').count();
  expect(flipped).toBeLessThanOrEqual(options);
  await page.getByLabel('Colour by guidance strength').check();
  await expect(tokens.locator('[class*="tok--s"]')).toHaveCount(options);

  // Accessibility of the loaded page after a run, with the token view, the inspector and the
  // sampling fields showing.
  await page.getByRole('radio', { name: 'Sample' }).check();
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const report = JSON.stringify(results.violations, null, 2);
  await writeFile(testInfo.outputPath('axe-violations.json'), report);
  await testInfo.attach('axe-violations.json', { body: report, contentType: 'application/json' });
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    'serious or critical axe violations',
  ).toEqual([]);
});
