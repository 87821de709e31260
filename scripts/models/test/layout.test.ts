/** The factory's output: files, config keys, ONNX I/O names, determinism, and bad input. */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { writeModel } from '../factory';
import { parseCustomSpec } from '../custom-spec';
import { specNamed, tmp } from './helpers';

const read = (dir: string, f: string) =>
  JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>;
const hashDir = (dir: string) =>
  Object.fromEntries(
    [...readdirSync(dir), ...readdirSync(join(dir, 'onnx')).map((f) => `onnx/${f}`)]
      .filter((f) => f !== 'onnx')
      .sort()
      .map((f) => [
        f,
        createHash('sha256')
          .update(readFileSync(join(dir, f)))
          .digest('hex'),
      ]),
  );

describe('model factory layout', () => {
  const out = tmp('ptw-models-');
  const spec = specNamed('tiny-base');
  let files: string[] = [];
  const dir = join(out, spec.name);
  beforeAll(async () => {
    files = await writeModel(spec, out);
  });

  it('writes the onnx-community Qwen2.5-VL file set', () => {
    expect(files.sort()).toEqual(
      [
        'chat_template.json',
        'config.json',
        'generation_config.json',
        'preprocessor_config.json',
        'tokenizer.json',
        'tokenizer_config.json',
        'onnx/vision_encoder.onnx',
        'onnx/embed_tokens.onnx',
        'onnx/decoder_model_merged.onnx',
        'onnx/vision_encoder_q4.onnx',
        'onnx/embed_tokens_q4.onnx',
        'onnx/decoder_model_merged_q4.onnx',
        'onnx/vision_encoder_quantized.onnx',
        'onnx/embed_tokens_quantized.onnx',
        'onnx/decoder_model_merged_quantized.onnx',
      ].sort(),
    );
  });

  it('config.json has the real key names', () => {
    const c = read(dir, 'config.json');
    expect(c['model_type']).toBe('qwen2_5_vl');
    const t = c['text_config'] as Record<string, unknown>;
    expect(t['model_type']).toBe('qwen2_5_vl_text');
    for (const k of [
      'hidden_size',
      'num_hidden_layers',
      'num_attention_heads',
      'num_key_value_heads',
      'head_dim',
      'vocab_size',
      'rope_theta',
    ]) {
      expect(typeof t[k], k).toBe('number');
    }
    expect((t['rope_scaling'] as Record<string, unknown>)['mrope_section']).toEqual([4, 6, 6]);
    const v = c['vision_config'] as Record<string, unknown>;
    expect([v['patch_size'], v['temporal_patch_size'], v['spatial_merge_size']]).toEqual([14, 2, 2]);
    // Special ids sit right after the 1024 regular ids, in Qwen's order.
    expect([c['vision_start_token_id'], c['image_token_id'], c['video_token_id']]).toEqual([
      1024 + 9,
      1024 + 12,
      1024 + 13,
    ]);
    const g = read(dir, 'generation_config.json');
    expect(g['eos_token_id']).toEqual([1024 + 2, 1024]);
    const p = read(dir, 'preprocessor_config.json');
    for (const k of ['do_resize', 'do_rescale', 'do_normalize']) expect(p[k], k).toBe(true);
    expect([p['patch_size'], p['merge_size'], p['temporal_patch_size']]).toEqual([14, 2, 2]);
    expect(p['min_pixels']).toBeLessThan(p['max_pixels'] as number);
  });

  it('tokenizer files carry Qwen special tokens and chat template', () => {
    const tj = read(dir, 'tokenizer.json');
    const added = (tj['added_tokens'] as { content: string; id: number }[]).map((a) => a.content);
    for (const s of [
      '<|im_start|>',
      '<|im_end|>',
      '<|endoftext|>',
      '<|vision_start|>',
      '<|vision_end|>',
      '<|image_pad|>',
      '<tool_call>',
      '</tool_call>',
      '<think>',
      '</think>',
    ]) {
      expect(added, s).toContain(s);
    }
    expect((tj['model'] as Record<string, unknown>)['type']).toBe('BPE');
    const tc = read(dir, 'tokenizer_config.json');
    expect(String(tc['chat_template'])).toContain('<|vision_start|><|image_pad|><|vision_end|>');
  });

  it.each(['', '_q4', '_quantized'])('ONNX files%s have the real input and output names', async (sfx) => {
    const session = async (f: string) => ort.InferenceSession.create(join(dir, 'onnx', `${f}${sfx}.onnx`));
    const vision = await session('vision_encoder');
    expect(vision.inputNames).toEqual(['pixel_values', 'image_grid_thw']);
    expect(vision.outputNames).toEqual(['image_features']);
    const embed = await session('embed_tokens');
    expect(embed.inputNames).toEqual(['input_ids']);
    expect(embed.outputNames).toEqual(['inputs_embeds']);
    const dec = await session('decoder_model_merged');
    const pkv = Array.from({ length: 4 }, (_, i) => [
      `past_key_values.${i}.key`,
      `past_key_values.${i}.value`,
    ]).flat();
    expect(dec.inputNames).toEqual(['inputs_embeds', 'attention_mask', 'position_ids', ...pkv]);
    expect([...dec.outputNames].sort()).toEqual(
      ['logits', ...pkv.map((n) => n.replace('past_key_values', 'present'))].sort(),
    );
    await Promise.all([vision.release(), embed.release(), dec.release()]);
  });

  it('q4 files use 4-bit MatMulNBits weights', () => {
    const bytes = readFileSync(join(dir, 'onnx', 'decoder_model_merged_q4.onnx'));
    expect(bytes.includes(Buffer.from('MatMulNBits'))).toBe(true);
    expect(bytes.length).toBeLessThan(
      readFileSync(join(dir, 'onnx', 'decoder_model_merged.onnx')).length / 3,
    );
  });

  it('q8 (_quantized) files use int8 MatMulInteger weights, no 4-bit ones, except the patch embedding', () => {
    const bytes = readFileSync(join(dir, 'onnx', 'decoder_model_merged_quantized.onnx'));
    expect(bytes.includes(Buffer.from('MatMulInteger'))).toBe(true);
    expect(bytes.includes(Buffer.from('MatMulNBits'))).toBe(false);
    const vision = readFileSync(join(dir, 'onnx', 'vision_encoder_quantized.onnx'));
    expect(vision.includes(Buffer.from('MatMulInteger'))).toBe(true);
    // The raw pixels must not be quantised to 8 bits per tensor: the patch embedding stays a float MatMul.
    expect(vision.includes(Buffer.from('visual.patch_embed.proj.weight_quantized'))).toBe(false);
    expect(vision.includes(Buffer.from('visual.patch_embed.proj.weight'))).toBe(true);
  });

  it('two runs give identical bytes', async () => {
    const again = tmp('ptw-models-again-');
    for (const name of ['tiny-base', 'tiny-amateur', 'tiny-expert']) {
      const a = tmp('ptw-a-');
      await writeModel(specNamed(name), a);
      await writeModel(specNamed(name), again);
      expect(hashDir(join(again, name))).toEqual(hashDir(join(a, name)));
    }
  });
});

describe('model factory: bad input', () => {
  const base = {
    name: 'x',
    weightSeed: 1,
    regularVocab: 1024,
    visionDim: 32,
    minPixels: 3136,
    maxPixels: 50176,
    text: {
      hidden: 64,
      layers: 1,
      heads: 2,
      kvHeads: 1,
      headDim: 32,
      intermediate: 64,
      ropeTheta: 1e6,
      mropeSection: [4, 6, 6],
      vocabRows: 1088,
      logitScale: 3,
    },
  };
  const withText = (t: Record<string, unknown>) => JSON.stringify({ ...base, text: { ...base.text, ...t } });

  const withBlocks = (b: Record<string, unknown>) =>
    JSON.stringify({ ...base, visionBlocks: { layers: 1, heads: 2, intermediate: 64, ...b } });

  it('accepts a valid custom spec, with or without vision blocks', () => {
    expect(parseCustomSpec(JSON.stringify(base), 'spec.json').name).toBe('x');
    expect(parseCustomSpec(withBlocks({}), 'spec.json').visionBlocks).toEqual({
      layers: 1,
      heads: 2,
      intermediate: 64,
    });
  });
  it.each([
    [withText({ heads: 3, kvHeads: 2 }), /heads \(3\) must be a multiple of kvHeads/],
    [withText({ hidden: 100 }), /hidden \(100\) must be a multiple of 32/],
    [withText({ mropeSection: [1, 1, 1] }), /mropeSection .* must sum to headDim\/2 = 16/],
    [withText({ vocabRows: 10 }), /vocabRows 10 is below the vocabulary/],
    [withText({ layers: 0 }), /layers must be a positive integer/],
    [withText({ depth: 3 }), /unknown text option\(s\) depth/],
    [JSON.stringify({ ...base, colour: 'red' }), /unknown option\(s\) colour/],
    [withBlocks({ heads: 3 }), /visionDim \(32\) must be a multiple of visionBlocks.heads \(3\)/],
    [withBlocks({ intermediate: 50 }), /visionBlocks.intermediate \(50\) must be a multiple of 32/],
    [withBlocks({ layers: 'two' }), /"layers" must be a number/],
  ])('rejects %s', (json, message) => {
    expect(() => parseCustomSpec(json, 'spec.json')).toThrow(message);
  });

  const cli = (...args: string[]) => {
    try {
      execFileSync('npx', ['tsx', 'scripts/models/cli.ts', ...args], { stdio: 'pipe', encoding: 'utf8' });
      return { code: 0, stderr: '' };
    } catch (e) {
      const err = e as { status: number; stderr: string };
      return { code: err.status, stderr: err.stderr };
    }
  };
  it('the CLI rejects unknown options and models with a clear message', () => {
    const a = cli('--bogus');
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/models: Unknown option '--bogus'/);
    const b = cli('--only', 'tiny-huge');
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/unknown model\(s\): tiny-huge; known: tiny-base/);
  });
});
