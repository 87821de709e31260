/** The generated vision encoder with ViT blocks: attention within windows of 64 patches, none across. */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { randomWeights } from '../rng';
import { buildVisionEncoder, PATCH_DIM, VISION_WINDOW } from '../vision-graph';
import { specNamed } from './helpers';

const spec = { ...specNamed('tiny-base'), visionBlocks: { layers: 2, heads: 2, intermediate: 128 } };
const H = spec.text.hidden;

async function encode(
  s: ort.InferenceSession,
  pixels: Float32Array,
  grid: [number, number, number],
): Promise<Float32Array> {
  const patches = grid[0] * grid[1] * grid[2];
  const out = await s.run({
    pixel_values: new ort.Tensor('float32', pixels.subarray(0, patches * PATCH_DIM), [patches, PATCH_DIM]),
    image_grid_thw: new ort.Tensor('int64', BigInt64Array.from(grid, BigInt), [1, 3]),
  });
  const f = out['image_features'] as ort.Tensor;
  expect(f.dims).toEqual([patches / 4, H]);
  return f.data as Float32Array;
}

const row = (f: Float32Array, token: number) => f.slice(token * H, (token + 1) * H);

describe.each(['fp32', 'q4'] as const)('vision encoder with blocks (%s)', (format) => {
  it('mixes patches within a window, never across windows, and pads a partial last window', async () => {
    const s = await ort.InferenceSession.create(buildVisionEncoder(spec, format));
    const pixels = randomWeights(120 * PATCH_DIM, 1, 91);
    // 120 patches: one whole window (64 patches = merged tokens 0–15) and one of 56 padded to 64.
    const all = await encode(s, pixels, [1, 10, 12]);
    // The first window alone gives exactly its tokens: nothing crossed over from the second.
    const first = await encode(s, pixels, [1, 8, 8]);
    expect(first).toEqual(all.slice(0, (VISION_WINDOW / 4) * H));

    const changed = pixels.slice();
    for (let i = 0; i < PATCH_DIM; i++) changed[i] = -(changed[i] ?? 0); // patch 0, merged token 0
    const after = await encode(s, changed, [1, 10, 12]);
    expect(row(after, 5)).not.toEqual(row(all, 5)); // same window, another merged token: attention saw it
    for (const t of [16, 20, 29]) expect(row(after, t)).toEqual(row(all, t)); // the other window: untouched
    await s.release();
  });
});
