/** Every generated model loads in transformers.js and generate() returns tokens for an image + question. */
import { AutoModelForImageTextToText, AutoProcessor, AutoTokenizer, RawImage, Tensor, env } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { buildTokenizer, FAVOURED_WORDS } from '../tokenizer';
import { MODELS_DIR } from './helpers';
import { readFileSync } from 'node:fs';

/** Ids the tokenizer defines: its last added token's id + 1. */
const tokenizerIds = (name: string): number => {
  const tj = JSON.parse(readFileSync(`${MODELS_DIR}/${name}/tokenizer.json`, 'utf8')) as { added_tokens: { id: number }[] };
  return Math.max(...tj.added_tokens.map((t) => t.id)) + 1;
};

env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = `${MODELS_DIR}/`;

function testImage(w: number, h: number): RawImage {
  const data = new Uint8ClampedArray(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i >> 7)) % 256;
  return new RawImage(data, w, h, 3);
}

const cases: [string, 'fp32' | 'q4'][] = [
  ['tiny-base', 'fp32'],
  ['tiny-base', 'q4'],
  ['tiny-amateur', 'fp32'],
  ['tiny-amateur', 'q4'],
  ['tiny-expert', 'fp32'],
  ['tiny-expert', 'q4'],
  ['tiny-expert-escalate', 'fp32'],
  ['tiny-expert-escalate', 'q4'],
  ['tiny2-base', 'fp32'],
  ['tiny2-expert', 'q4'],
  ['tiny3-base', 'fp32'],
  ['tiny3-base', 'q4'],
  ['tiny3-expert', 'fp32'],
  ['bench-base', 'q4'],
  ['bench-amateur', 'q4'],
  ['bench-expert', 'q4'],
];

describe('transformers.js loads the generated models', () => {
  it.each(cases)('%s (%s): processor + generate()', async (name, dtype) => {
    const processor = await AutoProcessor.from_pretrained(name);
    const model = await AutoModelForImageTextToText.from_pretrained(name, { dtype });
    const messages = [{ role: 'user', content: [{ type: 'image' }, { type: 'text', text: 'How many sides?' }] }];
    const text = processor.apply_chat_template(messages, { add_generation_prompt: true });
    const inputs = await processor(text, testImage(90, 60));
    // 90×60 → smart-resized to 84×56 → 6×4 patches of 14 → 3×2 merged tokens = 6 image tokens (tiny: ≥ min_pixels 3136).
    const grid = inputs.image_grid_thw.tolist()[0].map(Number);
    const imageTokens = (grid[0] * grid[1] * grid[2]) / 4;
    const ids: bigint[] = inputs.input_ids.tolist()[0];
    const config = model.config as unknown as { image_token_id: number; text_config: { vocab_size: number } };
    expect(ids.filter((x) => Number(x) === config.image_token_id).length).toBe(imageTokens);
    const out = await model.generate({ ...inputs, max_new_tokens: 8, do_sample: false, repetition_penalty: 1 });
    if (!(out instanceof Tensor)) throw new Error('generate() returned no tensor');
    const generated: bigint[] = out.tolist()[0].slice(ids.length);
    expect(generated.length).toBeGreaterThan(0);
    const tokenizerSize = tokenizerIds(name);
    expect(generated.every((x) => Number(x) < Math.min(tokenizerSize, config.text_config.vocab_size))).toBe(true);
    await model.dispose();
  });

  it('the tokenizer round-trips any UTF-8 text and the favoured words are single tokens', async () => {
    const tok = await AutoTokenizer.from_pretrained('tiny-base');
    for (const s of ['Wait, let me verify: 3 × 4 = 12 ✓', '三角形の面積 🙂👍🏽 naïve café', '\u0000\t\n  $\\frac{1}{2}$']) {
      expect(tok.decode(tok.encode(s, { add_special_tokens: false }))).toBe(s.normalize('NFC'));
    }
    const built = buildTokenizer({ regularVocab: 1024 });
    for (const w of FAVOURED_WORDS) expect(tok.encode(w, { add_special_tokens: false })).toEqual([built.idOf(w)]);
    expect(tok.encode('<|im_start|>', { add_special_tokens: false })).toEqual([1025]);
  });
});
