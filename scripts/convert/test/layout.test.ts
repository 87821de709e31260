/** What a conversion writes: the transformers.js layout, normalised configs, external data that loads. */
import { existsSync, readFileSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelFiles } from '../../../src/models/sources/files';
import { allLogits, loadConverted, prompt, textured } from './app-logits';
import { checkpoint, convert, tmp } from './helpers';

const readJson = (f: string) => JSON.parse(readFileSync(f, 'utf8')) as Record<string, unknown>;

describe('converted folder layout', () => {
  it('writes every file the app loads, per format, with the configs transformers.js needs', async () => {
    const out = join(tmp('ptw-cv-'), 'm');
    const r = await convert(await checkpoint('ck25-base'), out, { formats: ['fp32', 'q4', 'q4f16'] });
    expect(r.checkpoint.naming).toBe('published');
    expect(readdirSync(join(out, 'onnx')).sort()).toEqual(
      ['', '_q4', '_q4f16'].flatMap((s) => [`decoder_model_merged${s}.onnx`, `embed_tokens${s}.onnx`, `vision_encoder${s}.onnx`]).sort(),
    );
    const c = readJson(join(out, 'config.json'));
    expect(c['model_type']).toBe('qwen2_5_vl');
    const t = c['text_config'] as Record<string, unknown>;
    expect(t['model_type']).toBe('qwen2_5_vl_text');
    expect([t['hidden_size'], t['num_hidden_layers'], t['num_key_value_heads'], t['head_dim'], c['hidden_size']]).toEqual([96, 3, 2, 16, 96]);
    expect(c['transformers.js_config']).toBeUndefined();
    const p = readJson(join(out, 'preprocessor_config.json'));
    for (const k of ['do_resize', 'do_rescale', 'do_normalize', 'do_convert_rgb']) expect(p[k], k).toBe(true);
    expect(p['min_pixels']).toBe(3136);
    const m = readJson(join(out, 'convert-manifest.json'));
    expect([m['family'], m['formats']]).toEqual(['qwen2_5_vl', ['fp32', 'q4', 'q4f16']]);
    for (const dtype of ['fp32', 'q4'] as const) {
      for (const f of modelFiles(c, dtype, false)) expect(existsSync(join(out, f)), f).toBe(true);
    }
  });

  it('Qwen2-VL: sizes at the top level (transformers.js reads them there) and in text_config', async () => {
    const out = join(tmp('ptw-cv-'), 'm');
    await convert(await checkpoint('ck2-expert'), out); // saved with a text_config only
    const c = readJson(join(out, 'config.json'));
    expect([c['model_type'], c['hidden_size'], c['num_hidden_layers'], (c['text_config'] as Record<string, unknown>)['model_type']]).toEqual(['qwen2_vl', 64, 2, 'qwen2_vl_text']);
  });

  it('a chat template kept only in chat_template.jinja lands in tokenizer_config.json', async () => {
    const ck = await checkpoint('ck25-expert');
    const tc = readJson(join(ck, 'tokenizer_config.json'));
    const template = String(tc['chat_template']);
    delete tc['chat_template'];
    writeFileSync(join(ck, 'tokenizer_config.json'), JSON.stringify(tc));
    unlinkSync(join(ck, 'chat_template.json'));
    writeFileSync(join(ck, 'chat_template.jinja'), template);
    const out = join(tmp('ptw-cv-'), 'm');
    await convert(ck, out);
    expect(readJson(join(out, 'tokenizer_config.json'))['chat_template']).toBe(template);
    const l = await loadConverted(join(out, '..'), 'm', 'fp32');
    expect(String(l.processor.apply_chat_template([{ role: 'user', content: 'hi' }], { add_generation_prompt: true }))).toContain('<|im_start|>assistant');
  });

  it('external data: weights in chunked *.onnx_data files that transformers.js loads, same logits as inline', async () => {
    const ck = await checkpoint('ck25-base');
    const root = tmp('ptw-cv-');
    await convert(ck, join(root, 'inline'), { formats: ['fp32', 'q4'] });
    await convert(ck, join(root, 'ext'), { formats: ['fp32', 'q4'], externalAbove: 100_000, chunkBytes: 400_000 });
    const dir = join(root, 'ext', 'onnx');
    const files = readdirSync(dir).sort();
    expect(files).toContain('decoder_model_merged.onnx_data');
    expect(files).toContain('decoder_model_merged.onnx_data_1');
    const js = readJson(join(root, 'ext', 'config.json'))['transformers.js_config'] as Record<string, Record<string, number>>;
    const ext = js['use_external_data_format'] ?? {};
    for (const [file, n] of Object.entries(ext)) {
      expect(files.filter((f) => f.startsWith(`${file}_data`)), file).toHaveLength(n);
      expect(statSync(join(dir, file)).size, `${file} holds the graph only`).toBeLessThan(100_000);
    }
    expect(ext['decoder_model_merged.onnx']).toBeGreaterThan(1);
    expect(ext['embed_tokens.onnx']).toBeGreaterThanOrEqual(1);
    for (const dtype of ['fp32', 'q4'] as const) {
      const a = await loadConverted(root, 'inline', dtype);
      const b = await loadConverted(root, 'ext', dtype);
      const p = await prompt(a, textured(224, 168), 'Count the bars.');
      expect((await allLogits(b, p)).data).toEqual((await allLogits(a, p)).data);
    }
  });
});
