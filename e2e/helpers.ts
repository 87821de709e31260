import type { Page } from '@playwright/test';

/** Draws a small test picture in the page and returns a blob: URL for it (no network involved). */
export async function canvasImageUrl(page: Page, width = 96, height = 64): Promise<string> {
  return page.evaluate(
    async ([w, h]) => {
      const c = new OffscreenCanvas(w, h);
      const ctx = c.getContext('2d');
      if (!ctx) throw new Error('no 2d context');
      ctx.fillStyle = '#f4f1e8';
      ctx.fillRect(0, 0, w, h);
      ctx.fillStyle = '#2a6fdb';
      for (let i = 0; i < 5; i++) ctx.fillRect(8 + i * 16, h - 8 - (i + 1) * 9, 10, (i + 1) * 9);
      ctx.strokeStyle = '#222';
      ctx.beginPath();
      ctx.moveTo(4, 4);
      ctx.lineTo(4, h - 4);
      ctx.lineTo(w - 4, h - 4);
      ctx.stroke();
      return URL.createObjectURL(await c.convertToBlob({ type: 'image/png' }));
    },
    [width, height] as const,
  );
}

export const GREEDY = { temperature: 0, topK: 0, topP: 1, seed: 0 };
