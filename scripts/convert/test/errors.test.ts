/** Every bad input the converter meets gets a clear message naming the file, tensor or key; nothing half-written looks like a model. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkpoint, convert, tmp } from './helpers';

const editJson = (file: string, f: (j: Record<string, unknown>) => void) => {
  const j = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  f(j);
  writeFileSync(file, JSON.stringify(j));
};

/** Rewrites one tensor's dtype in a single-file checkpoint's header (same byte size: BF16 → I16). */
function retypeTensor(file: string, name: string, dtype: string): void {
  const b = readFileSync(file);
  const len = Number(b.readBigUInt64LE(0));
  const header = JSON.parse(b.subarray(8, 8 + len).toString('utf8')) as Record<string, { dtype: string }>;
  const t = header[name];
  if (!t) throw new Error(`no ${name}`);
  t.dtype = dtype;
  let json = JSON.stringify(header);
  json += ' '.repeat(len - json.length);
  b.write(json, 8, 'utf8');
  writeFileSync(file, b);
}

describe('converter: bad input', () => {
  let sharded = ''; // ck25-base: four shards + index
  let single = ''; // ck25-expert: one model.safetensors
  beforeAll(async () => {
    sharded = await checkpoint('ck25-base');
    single = await checkpoint('ck25-expert');
  });
  const copyOf = async (name: string) => checkpoint(name);

  it('an unsupported model_type', async () => {
    const ck = await copyOf('ck25-expert');
    editJson(join(ck, 'config.json'), (j) => (j['model_type'] = 'llava'));
    await expect(convert(ck, tmp('o-'))).rejects.toThrow(/config\.json: unsupported model_type "llava"; supported: qwen2_vl, qwen2_5_vl, qwen3_vl/);
  });

  it('unsupported config keys: sliding-window attention, another rope type', async () => {
    const ck = await copyOf('ck25-expert');
    editJson(join(ck, 'config.json'), (j) => (j['use_sliding_window'] = true));
    await expect(convert(ck, tmp('o-'))).rejects.toThrow(/config\.use_sliding_window is true: sliding-window attention is not supported/);
    editJson(join(ck, 'config.json'), (j) => {
      j['use_sliding_window'] = false;
      j['rope_scaling'] = { type: 'yarn', factor: 4 };
    });
    await expect(convert(ck, tmp('o-'))).rejects.toThrow(/rope_scaling type "yarn" is not supported/);
  });

  it('a config.json that does not parse, or no config.json at all', async () => {
    const ck = await copyOf('ck25-expert');
    writeFileSync(join(ck, 'config.json'), '{"model_type": "qwen2_5_vl",');
    await expect(convert(ck, tmp('o-'))).rejects.toThrow(/config\.json is not valid JSON/);
    unlinkSync(join(ck, 'config.json'));
    await expect(convert(ck, tmp('o-'))).rejects.toThrow(/no config\.json/);
  });

  it('a missing shard', async () => {
    const ck = await copyOf('ck25-base');
    unlinkSync(join(ck, 'model-00002-of-00004.safetensors'));
    await expect(convert(ck, tmp('o-'))).rejects.toThrow(/shard model-00002-of-00004\.safetensors listed in model\.safetensors\.index\.json is missing/);
  });

  it('a truncated shard names the file and the first tensor past its end', async () => {
    const ck = await copyOf('ck25-base');
    const f = join(ck, 'model-00003-of-00004.safetensors');
    truncateSync(f, readFileSync(f).length - 1000);
    await expect(convert(ck, tmp('o-'))).rejects.toThrow(/model-00003-of-00004\.safetensors: tensor \S+ ends at byte \d+, past the end of the file \(\d+ bytes\): the file is truncated/);
    truncateSync(f, 5);
    await expect(convert(ck, tmp('o-'))).rejects.toThrow(/model-00003-of-00004\.safetensors: 5 bytes is too short/);
  });

  it('a tensor whose shape disagrees with the config', async () => {
    const ck = await copyOf('ck25-expert');
    editJson(join(ck, 'config.json'), (j) => (j['intermediate_size'] = 192));
    await expect(convert(ck, tmp('o-'))).rejects.toThrow(
      /tensor model\.layers\.0\.mlp\.gate_proj\.weight has shape \[160, 64\], but text config hidden_size \/ intermediate_size implies \[192, 64\]/,
    );
  });

  it('a missing tensor', async () => {
    const ck = await copyOf('ck25-base');
    editJson(join(ck, 'config.json'), (j) => (j['num_hidden_layers'] = 4));
    await expect(convert(ck, tmp('o-'))).rejects.toThrow(/tensor model\.layers\.3\.input_layernorm\.weight is missing from the checkpoint/);
  });

  it('a dtype it cannot read', async () => {
    const ck = await copyOf('ck25-expert');
    retypeTensor(join(ck, 'model.safetensors'), 'model.layers.1.mlp.up_proj.weight', 'I16');
    await expect(convert(ck, tmp('o-'))).rejects.toThrow(/model\.safetensors: tensor model\.layers\.1\.mlp\.up_proj\.weight has dtype I16, which cannot be read as weights \(readable: BF16, F16, F32, F64\)/);
  });

  it('missing tokenizer or processor files', async () => {
    const ck = await copyOf('ck25-expert');
    unlinkSync(join(ck, 'tokenizer.json'));
    await expect(convert(ck, tmp('o-'), { name: 'my-model' })).rejects.toThrow(/my-model: tokenizer\.json is missing/);
  });

  it('an output folder that holds another model: refused, then replaced with force', async () => {
    const out = tmp('o-');
    await convert(single, out);
    await convert(single, out, { formats: ['q4'] }); // the same checkpoint may add formats
    expect(existsSync(join(out, 'onnx/decoder_model_merged.onnx'))).toBe(true);
    expect(existsSync(join(out, 'onnx/decoder_model_merged_q4.onnx'))).toBe(true);
    await expect(convert(sharded, out)).rejects.toThrow(/the output folder already holds a conversion of another checkpoint \(config\.json, convert-manifest\.json, onnx\/decoder_model_merged\.onnx, …\); pass --force to replace it/);
    const other = tmp('o-');
    writeFileSync(join(other, 'config.json'), '{}');
    await expect(convert(single, other)).rejects.toThrow(/already holds a model that was not converted from this checkpoint/);
    await convert(sharded, out, { force: true });
    expect(existsSync(join(out, 'onnx/decoder_model_merged_q4.onnx'))).toBe(false);
    expect(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'))['hidden_size']).toBe(96);
  });

  it('an interrupted conversion leaves nothing that looks like a model, and the next run completes', async () => {
    const out = tmp('o-');
    const abort = new AbortController();
    let n = 0;
    const run = convert(sharded, out, {
      formats: ['fp32', 'q4'],
      signal: abort.signal,
      onProgress: () => {
        if (++n === 40) abort.abort(new Error('stop here'));
      },
    });
    await expect(run).rejects.toThrow(/stop here/);
    const left = readdirSync(out, { recursive: true }).map(String);
    expect(left.filter((f) => f.endsWith('.onnx') || f === 'config.json' || f.includes('partial'))).toEqual([]);
    await convert(sharded, out, { formats: ['fp32', 'q4'] });
    expect(existsSync(join(out, 'convert-manifest.json'))).toBe(true);
  });

  it('the CLI names bad arguments', () => {
    const cli = (...args: string[]) => {
      try {
        execFileSync('npx', ['tsx', 'scripts/convert/main.ts', ...args], { stdio: 'pipe', encoding: 'utf8' });
        return '';
      } catch (e) {
        return String((e as { stderr: string }).stderr);
      }
    };
    expect(cli('--to', '/tmp/x')).toMatch(/convert: --from is required/);
    expect(cli('--from', single, '--to', tmp('o-'), '--dtype', 'q3')).toMatch(/--dtype: unknown dtype "q3" \(known: fp32, fp16, q4, q4f16, q8\)/);
    expect(cli('--from', '/nonexistent/ck', '--to', tmp('o-'))).toMatch(/convert: .*\/nonexistent\/ck/);
  });
});
