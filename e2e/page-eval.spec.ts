/**
 * The Evaluate view in Chromium on the tiny trio (WASM): the demo set with two α values, stopped
 * midway, kept in IndexedDB across a reload, resumed to the end; one item opened as a normal run
 * (same greedy tokens as the evaluation recorded, with the inspector); JSON / Markdown / CSV exports.
 */
import { readFile } from 'node:fs/promises';
import AxeBuilder from '@axe-core/playwright';
import type { Download, Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { loadTinyTrio, openApp, pane, tokenIds, waitIdle } from './page-helpers';

interface ExportedRecord {
  id: string;
  results: { mode: string; alpha: number | null; correct: boolean; token_ids?: number[] }[];
}
interface Exported {
  summary: {
    results: { mode: string; alpha: number | null; n: number; correct: number; accuracy: number }[];
  };
  items: { done: number; valid: number };
  records: ExportedRecord[];
}

const controls = (page: Page): Locator => page.getByRole('group', { name: 'Evaluation controls' });
const accuracy = (page: Page): Locator => page.getByRole('table', { name: 'Accuracy per mode and α' });

async function openEvaluate(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Evaluate' }).click();
  await expect(page.getByRole('heading', { name: 'Evaluation set' })).toBeVisible();
}

/** n of each accuracy row, by its label. */
async function tableCounts(page: Page): Promise<Record<string, number>> {
  const rows = accuracy(page).locator('tbody tr');
  const out: Record<string, number> = {};
  for (let i = 0; i < (await rows.count()); i++) {
    const cells = await rows.nth(i).locator('th, td').allTextContents();
    out[cells[0] ?? ''] = Number(cells[1]);
  }
  return out;
}

async function download(page: Page, name: string): Promise<string> {
  const pending: Promise<Download> = page.waitForEvent('download');
  await page.getByRole('button', { name }).click();
  return readFile(await (await pending).path(), 'utf8');
}

test('demo set with two α values: stop, reload, resume, drill down, export', async ({ page }) => {
  test.slow(); // two trio loads and 12 items × 3 outputs on a CPU shared with other suites
  await openApp(page);
  await loadTinyTrio(page);
  await openEvaluate(page);

  await page.getByRole('button', { name: 'Demo set' }).click();
  await expect(page.getByTestId('eval-set-valid')).toHaveText('12');
  await page.getByLabel('Guided α values').fill('0, 1');
  await page.getByLabel('Tokens per output').fill('6');
  await page.getByRole('button', { name: 'Run evaluation' }).click();
  await expect(controls(page)).toHaveAttribute('data-eval-status', 'running');

  // Stop once a few items are done: the live table already counts them.
  await expect(page.getByTestId('eval-progress')).toHaveText(/^([2-9]|1[01]) \/ 12 items$/, {
    timeout: 120_000,
  });
  await page.getByRole('button', { name: 'Stop' }).click();
  await expect(controls(page)).toHaveAttribute('data-eval-status', 'idle');
  const stoppedAt = Number((await page.getByTestId('eval-progress').textContent())?.split('/')[0]);
  expect(stoppedAt).toBeGreaterThanOrEqual(2);
  expect(stoppedAt).toBeLessThan(12);
  expect(await tableCounts(page)).toEqual({
    base: stoppedAt,
    'guided α=0': stoppedAt,
    'guided α=1': stoppedAt,
  });
  await expect(page.getByRole('table', { name: 'Items' }).locator('tbody tr[data-item-id]')).toHaveCount(
    stoppedAt,
  );

  // A reload keeps the evaluation (IndexedDB); it resumes after the models are loaded again.
  await page.reload();
  await openApp(page);
  await loadTinyTrio(page);
  await openEvaluate(page);
  const saved = page.getByRole('list', { name: 'Saved evaluations' }).getByRole('listitem');
  await expect(saved).toHaveCount(1);
  await expect(saved.first()).toContainText(`${stoppedAt} / 12 items`);
  await saved.first().getByRole('button', { name: 'Open' }).click();
  // Opening reads the evaluation from IndexedDB: the table fills in after the click.
  await expect.poll(() => tableCounts(page)).toEqual({
    base: stoppedAt,
    'guided α=0': stoppedAt,
    'guided α=1': stoppedAt,
  });
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByTestId('eval-progress')).toHaveText('12 / 12 items', { timeout: 150_000 });
  await expect(controls(page)).toHaveAttribute('data-eval-status', 'idle');
  await expect.poll(() => tableCounts(page)).toEqual({ base: 12, 'guided α=0': 12, 'guided α=1': 12 });
  await expect(page.getByRole('button', { name: 'Resume' })).toBeDisabled();
  await expect(page.getByRole('img', { name: /Accuracy over α/ })).toBeVisible();

  // Exports: JSON (every item, the summary), Markdown, CSV.
  const json = JSON.parse(await download(page, 'Export JSON')) as Exported;
  expect(json.items).toMatchObject({ done: 12, valid: 12 });
  expect(json.records.map((r) => r.id)).toHaveLength(12);
  expect(new Set(json.records.map((r) => r.id)).size).toBe(12);
  expect(json.summary.results.map((r) => [r.mode, r.alpha, r.n])).toEqual([
    ['base', null, 12],
    ['guided', 0, 12],
    ['guided', 1, 12],
  ]);
  for (const r of json.summary.results) {
    const correct = json.records.filter((rec) =>
      rec.results.some((s) => s.mode === r.mode && s.alpha === r.alpha && s.correct),
    ).length;
    expect(r.correct, `${r.mode} ${r.alpha}`).toBe(correct);
  }
  const md = await download(page, 'Export Markdown');
  expect(md).toContain('| base | – | 12 |');
  expect(md).toContain('| guided | 1 | 12 |');
  const csv = (await download(page, 'Export CSV')).trimEnd().split('\r\n');
  expect(csv[0]).toBe('id,mode,alpha,correct,extracted,method,answer,answer_type,tokens,ms,reason,error');
  expect(csv).toHaveLength(1 + 36);

  // Drill down: an item's outputs, then the item as a normal run at α = 1 — the same greedy tokens.
  await page.getByRole('button', { name: 'Details of dots-red' }).click();
  const detail = page.getByTestId('eval-item-dots-red');
  await expect(detail).toContainText('How many red dots are there?');
  await expect(detail).toContainText('guided α=1');

  // The Evaluate view with results, items and an item's details open: no serious accessibility issue.
  const axe = await new AxeBuilder({ page })
    .include('#view-evaluate')
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    serious.map(
      (v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    ),
  ).toEqual([]);
  await detail.getByRole('button', { name: 'Open dots-red as a run at guided α=1' }).click();
  await expect(page.getByRole('tab', { name: 'Run' })).toHaveAttribute('aria-selected', 'true');
  const recorded = json.records
    .find((r) => r.id === 'dots-red')
    ?.results.find((s) => s.mode === 'guided' && s.alpha === 1)?.token_ids;
  const recordedBase = json.records
    .find((r) => r.id === 'dots-red')
    ?.results.find((s) => s.mode === 'base')?.token_ids;
  expect(recorded?.length).toBeGreaterThan(0);
  await expect(page.getByTestId('tokens-guided')).toHaveText(String(recorded?.length), { timeout: 60_000 });
  await waitIdle(page);
  expect(await tokenIds(page, 'guided')).toEqual(recorded);
  expect(await tokenIds(page, 'base')).toEqual(recordedBase);
  await expect(page.getByLabel('Question')).toHaveValue(/^How many red dots are there\?/);
  // With the token inspector, as any run.
  await pane(page, 'guided').getByRole('listbox').getByRole('option').nth(1).click();
  await expect(page.getByTestId('inspector').getByRole('table')).toHaveCount(4);
});

test('a set folder with broken rows: each reported with its line, the rest usable', async ({
  page,
}, testInfo) => {
  const { mkdir, writeFile, copyFile } = await import('node:fs/promises');
  const dir = testInfo.outputPath('myset');
  await mkdir(`${dir}/img`, { recursive: true });
  await copyFile('public/eval/demo/images/bars-height.png', `${dir}/img/a.png`);
  await writeFile(`${dir}/img/text.png`, 'not an image');
  await writeFile(
    `${dir}/set.jsonl`,
    [
      JSON.stringify({ id: 'a', image: 'img/a.png', question: 'Height of C?', answer: '7' }),
      JSON.stringify({ id: 'b', image: 'img/missing.png', question: 'q', answer: '1' }),
      JSON.stringify({ id: 'c', image: 'img/text.png', question: 'q', answer: '1' }),
      JSON.stringify({ id: 'a', image: 'img/a.png', question: 'again', answer: '7' }),
      '{oops',
    ].join('\n'),
  );
  await openApp(page);
  await openEvaluate(page);
  await page.getByLabel('Set folder (the JSONL and its images)').setInputFiles(dir);
  await expect(page.getByTestId('eval-set-valid')).toHaveText('1');
  await expect(page.getByTestId('eval-set-skipped')).toHaveText('4');
  await page.getByText('Skipped rows').click();
  const problems = page.getByRole('list', { name: 'Skipped rows' }).getByRole('listitem');
  await expect(problems).toHaveText([
    "line 2 (id b): image 'img/missing.png' not found in the folder",
    "line 3 (id c): image 'img/text.png' is not an image (expected PNG, JPEG, GIF, WebP or BMP)",
    "line 4 (id a): duplicate id 'a' (first on line 1)",
    /^line 5: not valid JSON/,
  ]);
  // Without models, Run evaluation waits for them.
  await expect(page.getByRole('button', { name: 'Run evaluation' })).toBeDisabled();
  // A URL that is not there is an error, and the open set stays.
  await page.getByLabel('Set URL or server path').fill('/eval/nope.jsonl');
  await page.getByRole('button', { name: 'Open URL' }).click();
  await expect(page.getByRole('alert')).toContainText('/eval/nope.jsonl');
  await expect(page.getByRole('alert')).toContainText(/HTTP 404|a web page, not a set file/);
  await expect(page.getByTestId('eval-set-valid')).toHaveText('1');
});
