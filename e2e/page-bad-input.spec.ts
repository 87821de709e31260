/** Issue 4, the page: bad input gets a clear message, the page stays usable, nothing typed is lost. */
import { test, expect } from './fixtures';
import { loadTinyTrio, openApp, pane, runButton, setMaxTokens, setQuestion, waitIdle } from './page-helpers';

test('fault: an 8000×8000 image, and before it a text file, an empty file and a file that is no PNG, then an empty question and a top-p of 1.5 | sees: each file named with what is wrong with it; the huge image scaled to 4096×4096 with a note saying so, and it runs; the empty question and the top-p explained at Run | kept: the question and the top-p as typed, the loaded models', async ({
  page,
}) => {
  await openApp(page);
  const question = 'What is drawn here? Think step by step.';
  await setQuestion(page, question);
  const picker = page.getByLabel('Choose image file');
  const imageAlert = page.getByRole('region', { name: 'Input' }).getByRole('alert');

  // Not an image.
  await picker.setInputFiles({
    name: 'notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('just some text'),
  });
  await expect(imageAlert).toHaveText(
    /"notes\.txt" is not an image \(text\/plain\)\. Choose a PNG, JPEG, WebP or GIF image\./,
  );
  await expect(page.getByLabel('Question')).toHaveValue(question);

  // Claims to be a PNG but holds no bytes.
  await picker.setInputFiles({ name: 'empty.png', mimeType: 'image/png', buffer: Buffer.alloc(0) });
  await expect(imageAlert).toHaveText(/"empty\.png" is empty \(0 bytes\)/);

  // Claims to be a PNG but is not one.
  await picker.setInputFiles({
    name: 'broken.png',
    mimeType: 'image/png',
    buffer: Buffer.from('not really a png'),
  });
  await expect(imageAlert).toHaveText(/"broken\.png" could not be decoded as an image/);
  await expect(page.getByLabel('Question')).toHaveValue(question);

  // 8000×8000, dropped on the drop zone: accepted, scaled to 4096 with a note saying so.
  await page.evaluate(async () => {
    const c = new OffscreenCanvas(8000, 8000);
    const ctx = c.getContext('2d');
    if (!ctx) throw new Error('no 2d context');
    ctx.fillStyle = '#fafafa';
    ctx.fillRect(0, 0, 8000, 8000);
    ctx.fillStyle = '#2a6fdb';
    for (let i = 0; i < 8; i++) ctx.fillRect(400 + i * 900, 7600 - (i + 1) * 800, 600, (i + 1) * 800);
    const file = new File([await c.convertToBlob({ type: 'image/png' })], 'huge.png', { type: 'image/png' });
    const dt = new DataTransfer();
    dt.items.add(file);
    const zone = document.querySelector('[data-testid="dropzone"]');
    if (!zone) throw new Error('no drop zone');
    zone.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }));
    zone.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
  });
  await expect(page.getByRole('img', { name: 'Input image huge.png' })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText('huge.png · 4096×4096')).toBeVisible();
  await expect(page.getByText(/"huge\.png" is 8000×8000 px: it was scaled to 4096×4096/)).toBeVisible();
  await expect(imageAlert).toHaveCount(0);

  // Empty question: Run explains instead of running.
  await loadTinyTrio(page);
  await setMaxTokens(page, 4);
  await setQuestion(page, '   ');
  await runButton(page).click();
  await expect(page.getByRole('region', { name: 'Run controls' }).getByRole('alert')).toHaveText(
    /The question is empty/,
  );
  await expect(pane(page, 'guided')).toHaveAttribute('data-reason', '');

  // Still usable: the huge image runs.
  await setQuestion(page, question);
  await expect(page.getByRole('region', { name: 'Run controls' }).getByRole('alert')).toHaveCount(0);
  await runButton(page).click();
  await waitIdle(page);
  await expect(pane(page, 'guided')).toHaveAttribute('data-reason', /^(max_tokens|eos)$/);
  await expect(page.getByLabel('Question')).toHaveValue(question);

  // Bad sampling values are explained too, and what was typed stays.
  await page.getByRole('radio', { name: 'Sample' }).check();
  await page.getByLabel(/Top-p/).fill('1.5');
  await runButton(page).click();
  await expect(page.getByRole('region', { name: 'Run controls' }).getByRole('alert')).toHaveText(
    /Sampling: topP must be in \(0, 1\]/,
  );
  await expect(page.getByLabel(/Top-p/)).toHaveValue('1.5');
});

test('an image pasted anywhere on the page becomes the input', async ({ page }) => {
  await openApp(page);
  await page.evaluate(async () => {
    const blob = await (await fetch('/samples/scene.png')).blob();
    const dt = new DataTransfer();
    dt.items.add(new File([blob], 'pasted.png', { type: 'image/png' }));
    document.body.dispatchEvent(
      new ClipboardEvent('paste', { bubbles: true, cancelable: true, clipboardData: dt }),
    );
  });
  await expect(page.getByRole('img', { name: 'Input image pasted.png' })).toBeVisible();
  await expect(page.getByText('pasted.png · 480×320')).toBeVisible();
});
