/**
 * G5 (VisionThink): time to first token with a new prompt (cold prefill of all three models) at
 * resolution 'low' (half width and height: ¼ of the visual tokens) against 'full', on an image at
 * the processor's max_pixels so that full resolution has its most visual tokens.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import { median } from '../cli/generate';
import { run, stats } from './measure';

export const G5_IMAGE_URL = '/input/image-max';

/** The largest square image (multiple of 28 px: patch 14 × merge 2) within the folder's max_pixels. */
export function maxSide(modelFolder: string): number {
  const pre = JSON.parse(readFileSync(join(modelFolder, 'preprocessor_config.json'), 'utf8')) as {
    max_pixels?: number;
    size?: { longest_edge?: number };
  };
  const maxPixels = pre.max_pixels ?? pre.size?.longest_edge ?? 448 * 448;
  return Math.max(56, Math.floor(Math.sqrt(maxPixels) / 28) * 28);
}

/** A deterministic chart-like picture with detail at every scale (so low and full differ). */
export function writeDetailedImage(path: string, side: number): void {
  const png = new PNG({ width: side, height: side });
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const i = (y * side + x) * 4;
      const bar = Math.floor((x * 8) / side);
      const inBar = y > side - ((bar + 2) * side) / 11 && x % (side / 8) > side / 40;
      const grid = x % 16 === 0 || y % 16 === 0;
      png.data[i] = inBar ? 40 + bar * 25 : grid ? 200 : 244;
      png.data[i + 1] = inBar ? 110 : grid ? 200 : 241;
      png.data[i + 2] = inBar ? 220 - bar * 20 : grid ? 210 : 232;
      png.data[i + 3] = 255;
    }
  }
  writeFileSync(path, PNG.sync.write(png));
}

export interface G5Figures {
  image_px: [number, number];
  runs: number;
  ttft_low_ms: ReturnType<typeof stats>;
  ttft_full_ms: ReturnType<typeof stats>;
  prefill_low_ms: number | null;
  prefill_full_ms: number | null;
  /** Median over pairs (low and full back to back) of ttft_low / ttft_full. */
  ratio: number | null;
  /** Per model: visual tokens at low and at full resolution. */
  visual_tokens: Record<string, { low: number; full: number }>;
  visual_token_ratio: number | null;
  /** Prompt tokens (text + visual) of the base model at low / at full: the ratio if cost were linear in tokens. */
  prompt_tokens: { low: number | null; full: number | null; ratio: number | null };
}

/** `runs` pairs of cold first-token runs, low and full back to back (order alternating per pair). */
export async function measureG5(
  page: Page,
  question: string,
  runs: number,
  imageUrl: string,
): Promise<G5Figures> {
  const low: number[] = [];
  const full: number[] = [];
  const preLow: number[] = [];
  const preFull: number[] = [];
  const ratios: number[] = [];
  const visual: Record<string, { low: number; full: number }> = {};
  const promptTokens: { low: number | null; full: number | null } = { low: null, full: null };
  let image: [number, number] = [0, 0];
  for (let i = 0; i < runs; i++) {
    const pair: Partial<Record<'low' | 'full', number>> = {};
    const order = i % 2 === 0 ? (['low', 'full'] as const) : (['full', 'low'] as const);
    for (const resolution of order) {
      // A question never asked before: every model prefills from scratch (no prompt cache).
      const f = await run(page, {
        mode: 'guided',
        tokens: 1,
        question: `${question} [G5 ${i + 1} ${resolution}]`,
        imageUrl,
        resolution,
      });
      if (f.prefill_reused) throw new Error('G5: the prompt cache was reused; the run is not cold');
      const ttft = f.first_token_ms ?? NaN;
      pair[resolution] = ttft;
      (resolution === 'low' ? low : full).push(ttft);
      (resolution === 'low' ? preLow : preFull).push(f.prefill_ms);
      for (const [role, v] of Object.entries(f.resolution?.visual_tokens ?? {})) {
        const row = (visual[role] ??= { low: 0, full: 0 });
        row[resolution] = resolution === 'low' ? v.low : v.full;
      }
      promptTokens[resolution] = f.prompt_tokens;
      const px = f.resolution?.image.full;
      if (px) image = px;
    }
    if (pair.low !== undefined && pair.full !== undefined) ratios.push(pair.low / pair.full);
  }
  const base = visual.base;
  return {
    image_px: image,
    runs,
    ttft_low_ms: stats(low),
    ttft_full_ms: stats(full),
    prefill_low_ms: median(preLow),
    prefill_full_ms: median(preFull),
    ratio: median(ratios.filter(Number.isFinite)),
    visual_tokens: visual,
    visual_token_ratio: base && base.full > 0 ? base.low / base.full : null,
    prompt_tokens: {
      ...promptTokens,
      ratio: promptTokens.low && promptTokens.full ? promptTokens.low / promptTokens.full : null,
    },
  };
}
