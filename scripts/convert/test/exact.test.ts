/**
 * Converted models compute what Hugging Face transformers computes: the app's path through
 * transformers.js on converted fp32 files against the independent oracle (scripts/convert/oracle,
 * ported from modeling_qwen2_vl.py / modeling_qwen2_5_vl.py), at every position of prompts with an
 * image, for both families, both namings, bf16/f16/f32 checkpoints, tied and untied, sharded or not,
 * square and non-square images whose grid the 112-px windows do not divide.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { agreement } from './agreement';
import { allLogits, imageFeatures, loadConverted, prompt, textured, type Loaded } from './app-logits';
import { checkpoint, convert, tmp } from './helpers';
import { expandImagePads } from '../../../src/core/pixels';
import { cat, Tensor } from '@huggingface/transformers';
import { oracle, oracleAvailable, tensorOf, type OracleRequest } from './oracle';

const SIZES: [number, number][] = [
  [224, 224], // 16×16 patches: 2×2 windows exactly
  [280, 196], // 20×14 patches: windows cut at the edge
  [84, 392], // 6×28 patches: one window row, seven windows
];
const SIZES3: [number, number][] = [
  [256, 256],
  [320, 224],
  [96, 448],
];
const SHARED = 1051; // the synthetic tokenizer's ids

const maxDiff = (a: Float32Array, b: Float32Array) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? 0) - (b[i] ?? NaN)));
  return m;
};

it('the oracle runs here (Debian python3-torch; .ci/run installs it)', () => {
  expect(oracleAvailable()).toBe(true);
});

const models = [
  ['ck25-base', 'Qwen2.5-VL, published naming, bf16, 4 shards, untied'],
  ['ck25-expert', 'Qwen2.5-VL, published naming, bf16, one file, tied'],
  ['ck2-base', 'Qwen2-VL, published naming, bf16, one file, tied'],
  ['ck2-expert', 'Qwen2-VL, transformers ≥ 4.52 naming + text_config, bf16, 3 shards, tied'],
  ['ck25-base-f32-t5', 'Qwen2.5-VL, transformers ≥ 4.52 naming + text_config, f32'],
  ['ck25-expert-f16-lmhead', 'Qwen2.5-VL, f16, 6 shards, tied with an lm_head.weight present'],
  ['ck3-base', 'Qwen3-VL, as released (model.language_model.*), bf16, sharded, untied, DeepStack'],
  ['ck3-expert', 'Qwen3-VL, bf16, one file, tied, DeepStack'],
] as const;

describe.each(models)('%s (%s): converted fp32 = oracle', (name) => {
  let ck = '';
  let model: Loaded;
  beforeAll(async () => {
    ck = await checkpoint(name);
    const out = tmp('ptw-cv-');
    await convert(ck, join(out, name));
    model = await loadConverted(out, name, 'fp32');
  });

  // Qwen3-VL's processor works in 32-px units; these sizes keep the shapes of the ones above.
  const sizes = name.startsWith('ck3') ? SIZES3 : SIZES;
  it(`three image sizes: vision features (DeepStack levels too) ≤ 1e-4, logits at every position ≤ 1e-3`, async () => {
    const prompts = await Promise.all(sizes.map(([w, h]) => prompt(model, textured(w, h), 'How many bars are taller than the red one?')));
    const requests = prompts.flatMap((p): OracleRequest[] => [
      { task: 'vision', model: ck, prompt: p },
      { task: 'logits', model: ck, prompt: p },
    ]);
    const results = oracle(requests);
    for (const [i, p] of prompts.entries()) {
      const size = sizes[i]?.join('×');
      const f = await imageFeatures(model, p);
      const of = tensorOf(results[2 * i]);
      expect(f.dims, size).toEqual(of.dims);
      expect(maxDiff(f.data as Float32Array, of.data), size).toBeLessThanOrEqual(1e-4);
      const a = await allLogits(model, p);
      const o = tensorOf(results[2 * i + 1]);
      expect(a.dims, size).toEqual(o.dims);
      expect(maxDiff(a.data, o.data), size).toBeLessThanOrEqual(1e-3);
    }
  });
});

describe('more than one image in a prompt (as after a VisionThink escalation)', () => {
  it('two images of different sizes: logits ≤ 1e-3 at every position', async () => {
    const ck = await checkpoint('ck25-base');
    const out = tmp('ptw-cv-');
    await convert(ck, join(out, 'm'));
    const l = await loadConverted(out, 'm', 'fp32');
    const messages = [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'Compare' }, { type: 'image' }, { type: 'text', text: 'these.' }] }];
    const text = l.processor.apply_chat_template(messages, { add_generation_prompt: true });
    if (typeof text !== 'string') throw new Error('no text');
    // One image processor call per image (as the app does), then one prompt holding both.
    const ip = l.processor.image_processor;
    const tok = l.processor.tokenizer;
    if (!ip || !tok) throw new Error('no processor');
    const images = [await ip(textured(112, 168, 2)), await ip(textured(224, 140, 3))];
    const grids = images.map((x) => Array.from(x.image_grid_thw.data, Number));
    const { input_ids } = tok([expandImagePads(text, grids, 2)]);
    if (!(input_ids instanceof Tensor)) throw new Error('no ids');
    const p = { input_ids, pixel_values: cat(images.map((x) => x.pixel_values), 0), image_grid_thw: cat(images.map((x) => x.image_grid_thw), 0) };
    expect(p.image_grid_thw.dims).toEqual([2, 3]);
    const o = tensorOf(oracle([{ task: 'logits', model: ck, prompt: p }])[0]);
    expect(maxDiff((await allLogits(l, p)).data, o.data)).toBeLessThanOrEqual(1e-3);
  });
});

describe('the same weights in another published layout convert to the same files', () => {
  it('transformers ≥ 4.52 naming, text_config and other sharding give byte-identical ONNX', async () => {
    const a = tmp('ptw-cv-');
    const b = tmp('ptw-cv-');
    await convert(await checkpoint('ck25-base'), a, { formats: ['fp32', 'q4'] });
    await convert(await checkpoint('ck25-base', { layout: 'transformers5', shardBytes: 10 ** 9 }), b, { formats: ['fp32', 'q4'] });
    const files = readdirSync(join(a, 'onnx')).sort();
    expect(files).toEqual(readdirSync(join(b, 'onnx')).sort());
    for (const f of files) expect(readFileSync(join(b, 'onnx', f)).equals(readFileSync(join(a, 'onnx', f))), f).toBe(true);
  });
});

describe('fp16, q4, q4f16 and q8 against fp32 (reported, not assumed)', () => {
  it.each(['ck25-base', 'ck2-base', 'ck3-base'])('%s: top-1 agreement and mean KL over every prompt position', async (name) => {
    const out = tmp('ptw-cv-');
    await convert(await checkpoint(name), join(out, 'm'), { formats: ['fp32', 'fp16', 'q4', 'q4f16', 'q8'] });
    const ref = await loadConverted(out, 'm', 'fp32');
    const p = await prompt(ref, textured(280, 196), 'What is the total of the bars?');
    const a = await allLogits(ref, p);
    const [rows = 0, vocab = 0] = a.dims;
    const report: Record<string, { top1: number; meanKl: number; positions: number }> = {};
    for (const d of ['fp16', 'q4', 'q4f16', 'q8'] as const) {
      const r = agreement(a.data, (await allLogits(await loadConverted(out, 'm', d), p)).data, rows, vocab, SHARED);
      report[d] = { top1: Number(r.top1.toFixed(3)), meanKl: Number(r.meanKl.toExponential(2)), positions: r.positions };
      // Random weights are 4-bit quantisation's worst case (no structure); trained weights agree far more.
      if (d === 'fp16') expect(r.top1).toBeGreaterThanOrEqual(0.98);
      else expect(r.top1).toBeGreaterThanOrEqual(0.5);
    }
    // 8 bits per weight (and per activation) sit far closer to fp32 than 4-bit blocks do.
    expect(report.q8?.top1).toBeGreaterThanOrEqual(0.8);
    expect(report.q8?.meanKl).toBeLessThan((report.q4?.meanKl ?? 0) / 4);
    console.log(`${name} agreement with fp32: ${JSON.stringify(report)}`);
  });
});

