/**
 * The app on converted checkpoints gives what Hugging Face computes: the CLI (the real engine in
 * headless Chromium, WASM) decodes greedily, base and guided, on converted Qwen2.5-VL and Qwen2-VL
 * trios at three image sizes (square and not, windows cut at the edge), and its tokens equal the
 * oracle's greedy tokens from the checkpoints; transformers.js generate() on the converted base gives
 * the base tokens too.
 */
import { join } from 'node:path';
import { RawImage, Tensor } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { cliJson, writePng } from '../../cli/spawn-cli';
import type { CliOutput } from '../../cli/generate';
import { loadConverted, type Prompt } from './app-logits';
import { checkpoint, convert, tmp } from './helpers';
import { oracle, tokensOf } from './oracle';

/** Multiples of 28 inside the synthetic processors' pixel bounds: no resizing, so Node and the browser see the same pixels. */
const SIZES: [number, number][] = [
  [224, 224],
  [280, 196],
  [84, 392],
];
const ALPHA = 0.5;
const TOKENS = 10;
const SHARED = 1051;

/**
 * Qwen2.5-VL at all three sizes; Qwen2-VL and Qwen3-VL (whose processor works in 32-px units) at one
 * non-square size each — their logits are checked at three sizes in exact.test.ts, and each CLI run
 * costs a browser and a trio load.
 */
const ONE_SIZE: [number, number][] = [[280, 196]];
const SIZES3: [number, number][] = [[320, 224]];

describe.each([
  ['Qwen2.5-VL', 'ck25', SIZES],
  ['Qwen2-VL', 'ck2', ONE_SIZE],
  ['Qwen3-VL', 'ck3', SIZES3],
] as const)('%s trio converted from checkpoints', (_, prefix, sizes) => {
  const dirs = { base: '', expert: '', amateur: '' };
  const cks = { base: '', expert: '', amateur: '' };
  const images = sizes.map(([w, h]) => join(tmp('ptw-img-'), `${w}x${h}.png`));
  const runs: CliOutput[] = [];

  beforeAll(async () => {
    const out = tmp('ptw-trio-');
    for (const role of ['base', 'expert', 'amateur'] as const) {
      cks[role] = await checkpoint(`${prefix}-${role}`);
      dirs[role] = join(out, `${prefix}-${role}`);
      await convert(cks[role], dirs[role]);
    }
    sizes.forEach(([w, h], i) => writePng(images[i] ?? '', w, h, (x, y) => [(x * 7 + y * 3) % 256, (x * y + 17) % 256, ((x ^ y) * 5) % 256]));
    for (const image of images) {
      runs.push(
        await cliJson([
          'generate',
          ...['--base', dirs.base, '--expert', dirs.expert, '--amateur', dirs.amateur],
          ...['--image', image, '--question', 'Which bar is the tallest?', '--mode', 'side-by-side'],
          ...['--alpha', String(ALPHA), '--max-new-tokens', String(TOKENS), '--backend', 'wasm', '--dtype', 'fp32', '--json'],
        ]),
      );
    }
  }, 900_000);

  it.each(sizes.map((s, i) => [`${s[0]}×${s[1]}`, i] as const))('%s: CLI base and guided tokens = the oracle’s greedy tokens', async (_, i) => {
    const run = runs[i];
    if (!run) throw new Error('no CLI run');
    const l = await loadConverted(join(dirs.base, '..'), `${prefix}-base`, 'fp32');
    const image = await RawImage.read(images[i] ?? '');
    const ip = l.processor.image_processor;
    if (!ip) throw new Error('no image processor');
    const px = await ip(image);
    const ids = run.prompt_ids.base ?? [];
    const p: Prompt = {
      input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
      pixel_values: px.pixel_values,
      image_grid_thw: px.image_grid_thw,
    };
    const generation = { eos: [1026, 1024], sharedVocab: SHARED, maxNewTokens: TOKENS, alpha: ALPHA };
    const [base, guided] = oracle([
      { task: 'generate', prompt: p, generate: { ...generation, models: { base: cks.base }, mode: 'base' } },
      { task: 'generate', prompt: p, generate: { ...generation, models: cks, mode: 'guided' } },
    ]);
    expect(run.streams.base?.token_ids).toEqual(tokensOf(base));
    expect(run.streams.guided?.token_ids).toEqual(tokensOf(guided));
    expect(run.streams.guided?.token_ids, 'α = 0.5 should steer away from base here, else the guided check proves little').not.toEqual(run.streams.base?.token_ids);

    // transformers.js generate() on the converted base model, same prompt: the same tokens.
    const out = await l.model.generate({ ...p, attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]), max_new_tokens: TOKENS, do_sample: false, repetition_penalty: 1 });
    if (!(out instanceof Tensor)) throw new Error('generate() returned no tensor');
    expect(Array.from(out.data, Number).slice(ids.length)).toEqual(run.streams.base?.token_ids);
  });
});
