/**
 * Issues 4 and 7, the page: VisionThink's Resolution control. Smart mode starts from the half-size
 * image; the escalating tiny expert asks for the full one, and the guided pane shows where.
 */
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import {
  loadTinyTrio,
  openApp,
  pane,
  runButton,
  savedRuns,
  setMaxTokens,
  setQuestion,
  showTokens,
  waitIdle,
} from './page-helpers';

/** A 224×224 PNG (the tiny models' max_pixels: 64 visual tokens, 16 at half size), picked like a file. */
async function pick224Image(page: Page): Promise<void> {
  const base64 = await page.evaluate(async () => {
    const c = new OffscreenCanvas(224, 224);
    const ctx = c.getContext('2d');
    if (!ctx) throw new Error('no 2d context');
    ctx.fillStyle = '#fafafa';
    ctx.fillRect(0, 0, 224, 224);
    ctx.fillStyle = '#2a6fdb';
    for (let i = 0; i < 4; i++) ctx.fillRect(20 + i * 50, 200 - (i + 1) * 40, 36, (i + 1) * 40);
    const bytes = new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer());
    let s = '';
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  });
  await page
    .getByLabel('Choose image file')
    .setInputFiles({ name: 'bars-224.png', mimeType: 'image/png', buffer: Buffer.from(base64, 'base64') });
  await expect(page.getByText('bars-224.png · 224×224')).toBeVisible();
}

interface SavedVision {
  settings: { resolution: string };
  vision: {
    resolution: string;
    image: [number, number] | null;
    visualTokens: Record<string, number>;
    escalation: {
      stream: string;
      atIndex: number;
      image: { low: [number, number]; full: [number, number] };
      visualTokens: Record<string, { low: number; full: number }>;
    } | null;
  } | null;
}

const savedVision = (page: Page) => savedRuns<SavedVision>(page);

test('smart resolution with the escalating expert: one escalation, marked at its token, both sizes and token counts shown and saved', async ({
  page,
  consoleErrors,
}) => {
  await openApp(page);
  await pick224Image(page);
  await setQuestion(page, 'Which bar is the tallest?');
  await loadTinyTrio(page, 'tiny-escalate');
  await page.getByRole('radio', { name: 'Smart' }).check();
  await expect(page.getByRole('radio', { name: 'Smart' })).toHaveAccessibleDescription(
    /may ask for the full one once/,
  );
  await page.getByRole('slider', { name: /α/ }).fill('1');
  await expect(page.getByRole('slider', { name: /α/ })).toHaveValue('1');
  await setMaxTokens(page, 16);
  await runButton(page).click();
  await waitIdle(page);

  const guided = pane(page, 'guided');
  await expect(guided.getByTestId('vision-guided')).toHaveText(
    'Smart resolution: 112×112 → 224×224, 16 + 64 visual tokens',
  );
  const note = guided.getByText(/^Asked for the full-resolution image at token \d+ \(112×112 → 224×224\)$/);
  await expect(note).toHaveCount(1);
  const atIndex = Number(/token (\d+)/.exec((await note.textContent()) ?? '')?.[1]);
  // The base-only stream sat the extension out: it kept the half-size image.
  await expect(pane(page, 'base').getByTestId('vision-base')).toHaveText(
    'Smart resolution: image 112×112 (16 visual tokens)',
  );

  // The token view marks the escalation once, after the token that closed the tool call.
  const tokens = await showTokens(page, 'guided');
  const marks = tokens.locator('.escalation-mark');
  await expect(marks).toHaveCount(1);
  await expect(marks).toHaveAttribute('data-at-index', String(atIndex));
  const marked = tokens.getByRole('option', { name: /Switched to the full-resolution image/ });
  await expect(marked).toHaveCount(1);
  await expect(marked).toHaveAttribute('data-index', String(atIndex));
  await expect(marked).toHaveAccessibleName(
    new RegExp(`Switched to the full-resolution image at token ${atIndex} \\(112×112 → 224×224\\)`),
  );
  // The resize_image call closed at that token.
  const before = await tokens.getByRole('option').evaluateAll(
    (els, n) =>
      els
        .slice(0, n + 1)
        .map((e) => e.textContent ?? '')
        .join(''),
    atIndex,
  );
  expect(before).toContain('</tool_call>');

  const [run] = await savedVision(page);
  expect(run?.settings.resolution).toBe('smart');
  expect(run?.vision).toEqual({
    resolution: 'smart',
    image: [112, 112],
    visualTokens: { base: 16, expert: 16, amateur: 16 },
    escalation: {
      stream: 'guided',
      atIndex,
      image: { low: [112, 112], full: [224, 224] },
      visualTokens: {
        base: { low: 16, full: 64 },
        expert: { low: 16, full: 64 },
        amateur: { low: 16, full: 64 },
      },
    },
  });
  expect(consoleErrors).toEqual([]);
});

test('smart resolution with the plain tiny trio and default α: no escalation, only the half-size image', async ({
  page,
}) => {
  await openApp(page);
  await pick224Image(page);
  await setQuestion(page, 'Which bar is the tallest?');
  await loadTinyTrio(page);
  await page.getByRole('radio', { name: 'Smart' }).check();
  await expect(page.getByRole('slider', { name: /α/ })).toHaveValue('0.5');
  await setMaxTokens(page, 16);
  await runButton(page).click();
  await waitIdle(page);

  for (const stream of ['base', 'guided'] as const)
    await expect(pane(page, stream).getByTestId(`vision-${stream}`)).toHaveText(
      'Smart resolution: image 112×112 (16 visual tokens)',
    );
  const guided = pane(page, 'guided');
  await expect(guided.getByText(/full-resolution image/)).toHaveCount(0);
  const tokens = await showTokens(page, 'guided');
  await expect(tokens.getByRole('option')).toHaveCount(16);
  await expect(tokens.locator('.escalation-mark')).toHaveCount(0);
  const [run] = await savedVision(page);
  expect(run?.vision?.escalation).toBeNull();
  expect(run?.vision?.image).toEqual([112, 112]);
});

test('a saved smart run reopened after a reload shows its resolution, sizes and escalation marker', async ({
  page,
}) => {
  await openApp(page);
  await pick224Image(page);
  await setQuestion(page, 'Which bar is the tallest?');
  await loadTinyTrio(page, 'tiny-escalate');
  await page.getByRole('radio', { name: 'Smart' }).check();
  await page.getByRole('slider', { name: /α/ }).fill('1');
  await setMaxTokens(page, 12);
  await runButton(page).click();
  await waitIdle(page);
  const atIndex = (await savedVision(page))[0]?.vision?.escalation?.atIndex;
  expect(typeof atIndex).toBe('number');

  // The live setting moves on; the saved run keeps its own.
  await page.getByRole('radio', { name: 'Full' }).check();
  await page.reload();
  await openApp(page);
  await expect(page.getByRole('radio', { name: 'Full' })).toBeChecked();
  const item = page.getByRole('list', { name: 'Saved runs' }).getByRole('listitem');
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('Smart resolution (escalated)');
  await item.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByRole('note', { name: 'Saved run' }).getByTestId('saved-resolution')).toHaveText(
    'Smart resolution',
  );
  await expect(pane(page, 'guided').getByTestId('vision-guided')).toHaveText(
    'Smart resolution: 112×112 → 224×224, 16 + 64 visual tokens',
  );
  const tokens = await showTokens(page, 'guided');
  await expect(tokens.locator('.escalation-mark')).toHaveCount(1);
  await expect(tokens.locator('.escalation-mark')).toHaveAttribute('data-at-index', String(atIndex));
});
