/** The generated decoder is a correct decoder: incremental logits over the KV cache equal a full recompute. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { randomWeights } from '../rng';
import { buildDecoder } from '../../../src/convert/graphs/decoder';
import { encodeGraph } from '../../../src/convert/onnx/write';
import { descOf } from '../desc';
import { randomSource } from '../random-source';
import { MODELS_DIR, specNamed } from './helpers';

type Feeds = Record<string, ort.Tensor>;

async function decoder(name: string, sfx: string) {
  return ort.InferenceSession.create(join(MODELS_DIR, name, 'onnx', `decoder_model_merged${sfx}.onnx`));
}

function positions(from: number, to: number, swapHW = false): ort.Tensor {
  const n = to - from;
  const data = new BigInt64Array(3 * n);
  for (let i = 0; i < n; i++) {
    const p = from + i;
    const h = p + (p % 3);
    const w = 2 * p;
    data[i] = BigInt(p);
    data[n + i] = BigInt(swapHW ? w : h);
    data[2 * n + i] = BigInt(swapHW ? h : w);
  }
  return new ort.Tensor('int64', data, [3, 1, n]);
}

function feeds(
  name: string,
  embeds: Float32Array,
  from: number,
  to: number,
  past: Feeds | null,
  swapHW = false,
): Feeds {
  const { hidden: H, layers, kvHeads, headDim } = specNamed(name).text;
  const f: Feeds = {
    inputs_embeds: new ort.Tensor('float32', embeds.slice(from * H, to * H), [1, to - from, H]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(to).fill(1n), [1, to]),
    position_ids: positions(from, to, swapHW),
  };
  for (let l = 0; l < layers; l++) {
    for (const kv of ['key', 'value']) {
      f[`past_key_values.${l}.${kv}`] =
        past?.[`present.${l}.${kv}`] ??
        new ort.Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]);
    }
  }
  return f;
}

const rowOf = (logits: ort.Tensor, pos: number): Float32Array => {
  const v = logits.dims[2] ?? 0;
  return (logits.data as Float32Array).slice(pos * v, (pos + 1) * v);
};
const maxDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, x, i) => Math.max(m, Math.abs(x - (b[i] ?? NaN))), 0);

describe.each([
  ['tiny-base', ''],
  ['tiny-base', '_q4'],
  ['tiny-amateur', ''],
  ['tiny-expert', '_q4'],
])('%s decoder%s', (name, sfx) => {
  const S = 12;
  const embeds = randomWeights(S * specNamed(name).text.hidden, 1, 77);

  it('logits of each new token over the KV cache equal a full recompute (≤ 1e-4)', async () => {
    const s = await decoder(name, sfx);
    const full = await s.run(feeds(name, embeds, 0, S, null));
    let out = await s.run(feeds(name, embeds, 0, 8, null));
    expect(
      maxDiff(rowOf(out['logits'] as ort.Tensor, 7), rowOf(full['logits'] as ort.Tensor, 7)),
    ).toBeLessThanOrEqual(1e-4);
    for (let p = 8; p < S; p++) {
      out = await s.run(feeds(name, embeds, p, p + 1, out));
      expect((out['present.0.key'] as ort.Tensor).dims[2]).toBe(p + 1);
      const d = maxDiff(rowOf(out['logits'] as ort.Tensor, 0), rowOf(full['logits'] as ort.Tensor, p));
      expect(d, `position ${p}`).toBeLessThanOrEqual(1e-4);
    }
    await s.release();
  });

  it('M-RoPE reads the t, h and w rows separately (swapping h and w changes the logits)', async () => {
    const s = await decoder(name, sfx);
    const a = await s.run(feeds(name, embeds, 0, S, null));
    const b = await s.run(feeds(name, embeds, 0, S, null, true));
    expect(
      maxDiff(rowOf(a['logits'] as ort.Tensor, S - 1), rowOf(b['logits'] as ort.Tensor, S - 1)),
    ).toBeGreaterThan(1e-3);
    await s.release();
  });
});

describe('num_logits_to_keep (declared by the bench models only)', () => {
  it('k = 1 gives exactly the last row of k = 0 (all rows); the tiny models do not declare it', async () => {
    const spec = { ...specNamed('tiny-base'), logitsToKeep: true };
    const desc = descOf(spec);
    const graph = buildDecoder(desc.text, 'fp32', randomSource(desc, spec.weightSeed), { logitsToKeep: true });
    const s = await ort.InferenceSession.create(await encodeGraph(graph));
    expect(s.inputNames).toContain('num_logits_to_keep');
    const S = 9;
    const embeds = randomWeights(S * spec.text.hidden, 1, 78);
    const keep = (k: bigint) => ({ ...feeds('tiny-base', embeds, 0, S, null), num_logits_to_keep: new ort.Tensor('int64', new BigInt64Array([k]), []) });
    const all = (await s.run(keep(0n)))['logits'] as ort.Tensor;
    const one = (await s.run(keep(1n)))['logits'] as ort.Tensor;
    expect(all.dims[1]).toBe(S);
    expect(one.dims[1]).toBe(1);
    expect(maxDiff(rowOf(one, 0), rowOf(all, S - 1))).toBeLessThanOrEqual(1e-5);
    await s.release();
    const tiny = await decoder('tiny-base', '');
    expect(tiny.inputNames).not.toContain('num_logits_to_keep');
    await tiny.release();
  });
});
