/**
 * The vision encoder's in-graph layout: Qwen2.5-VL windows (112 px = 4×4 merge units per frame, cut
 * at the grid's edge) isolate patches, full-attention blocks mix a whole frame, and several images
 * in one call give each image's features as if it were alone.
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { buildVisionEncoder } from '../../../src/convert/graphs/vision';
import { gridInputName, patchDim, type ModelDesc, type WeightFormat } from '../../../src/convert/model-desc';
import { encodeGraph } from '../../../src/convert/onnx/write';
import { descOf } from '../desc';
import { randomSource } from '../random-source';
import { randomWeights } from '../rng';
import { specNamed } from './helpers';

const windowed = descOf({ ...specNamed('tiny-base'), visionBlocks: { layers: 2, heads: 2, intermediate: 128 } });
const withFull: ModelDesc = { ...windowed, vision: { ...windowed.vision, fullAttBlocks: [1] } };
const qwen2 = descOf({ ...specNamed('tiny-base'), family: 'qwen2_vl', visionBlocks: { layers: 2, heads: 2, intermediate: 256 } });
const D = patchDim(windowed.vision);
const H = windowed.text.hidden;

async function session(desc: ModelDesc, fmt: WeightFormat): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(await encodeGraph(buildVisionEncoder(desc, fmt, randomSource(desc, 11))));
}

async function encode(s: ort.InferenceSession, desc: ModelDesc, pixels: Float32Array, grids: [number, number, number][]): Promise<Float32Array> {
  const patches = grids.reduce((a, [t, h, w]) => a + t * h * w, 0);
  const out = await s.run({
    pixel_values: new ort.Tensor('float32', pixels.subarray(0, patches * D), [patches, D]),
    [gridInputName(desc.family)]: new ort.Tensor('int64', BigInt64Array.from(grids.flat(), BigInt), [grids.length, 3]),
  });
  const f = out['image_features'] as ort.Tensor;
  expect(f.dims).toEqual([patches / 4, H]);
  return f.data as Float32Array;
}

const row = (f: Float32Array, token: number) => f.slice(token * H, (token + 1) * H);
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - (b[i] ?? NaN))), 0);

describe.each(['fp32', 'q4'] as const)('vision encoder layout (%s)', (fmt) => {
  // 10×12 patches = 5×6 merge units: windows of 4×4 units → 2×2 windows, three of them cut at the edge.
  const grid: [number, number, number] = [1, 10, 12];
  const pixels = randomWeights(2 * 10 * 12 * D, 1, 91);
  const flip = (p: Float32Array) => {
    const c = p.slice();
    for (let i = 0; i < D; i++) c[i] = -(c[i] ?? 0); // patch 0 = merge unit (0, 0)
    return c;
  };
  const unit = (r: number, c: number) => r * 6 + c;

  it('windowed blocks: a patch reaches its own window only', async () => {
    const s = await session(windowed, fmt);
    const a = await encode(s, windowed, pixels, [grid]);
    const b = await encode(s, windowed, flip(pixels), [grid]);
    expect(row(b, unit(3, 3))).not.toEqual(row(a, unit(3, 3))); // same window (units 0–3 × 0–3)
    for (const [r, c] of [[0, 4], [3, 5], [4, 0], [4, 5]] as const) expect(row(b, unit(r, c)), `unit ${r},${c}`).toEqual(row(a, unit(r, c)));
    await s.release();
  });

  it('a full-attention block mixes the whole frame', async () => {
    const s = await session(withFull, fmt);
    const a = await encode(s, withFull, pixels, [grid]);
    const b = await encode(s, withFull, flip(pixels), [grid]);
    expect(maxDiff(row(a, unit(4, 5)), row(b, unit(4, 5)))).toBeGreaterThan(1e-4);
    await s.release();
  });

  it.each([
    ['Qwen2.5-VL windows + full', withFull],
    ['Qwen2-VL', qwen2],
  ] as const)('%s: two images in one call equal each image alone', async (_, desc) => {
    const s = await session(desc, fmt);
    const g2: [number, number, number] = [1, 6, 4];
    const n1 = 10 * 12;
    const both = await encode(s, desc, pixels, [grid, g2]);
    const first = await encode(s, desc, pixels, [grid]);
    const second = await encode(s, desc, pixels.subarray(n1 * D), [g2]);
    expect(maxDiff(both.subarray(0, first.length), first)).toBeLessThanOrEqual(1e-5);
    expect(maxDiff(both.subarray(first.length), second)).toBeLessThanOrEqual(1e-5);
    await s.release();
  });
});
