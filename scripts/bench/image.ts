/** The bench's question image. */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

export function writeImage(path: string): void {
  // A bar chart on a light background, 224×224 (64 visual tokens after the 2×2 merge of 14-px patches).
  const w = 224;
  const h = 224;
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const bar = Math.floor((x - 16) / 40);
      const top = h - 20 - (bar + 1) * 32;
      const inBar = x >= 16 && (x - 16) % 40 < 28 && bar < 5 && y >= top && y < h - 20;
      const axis = x === 10 || y === h - 14;
      const [r, g, b] = axis ? [30, 30, 30] : inBar ? [42 + bar * 30, 111, 219 - bar * 25] : [244, 241, 232];
      png.data[i] = r;
      png.data[i + 1] = g;
      png.data[i + 2] = b;
      png.data[i + 3] = 255;
    }
  }
  writeFileSync(path, PNG.sync.write(png));
}
