/**
 * A prompt prefilled in pieces on the KV cache of the pieces before gives the logits of one
 * unchunked prefill (≤ 1e-4) and the same greedy tokens after — pieces that cut through the image's
 * placeholders included (real tiny models, onnxruntime CPU in Node).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelHost } from '../model/host';
import type { PrefillRequest } from '../../src/core/protocol';
import { testImage, tinyTrio } from './trio';

const QUESTION = `${'The chart shows revenue for each quarter and the costs beside it. '.repeat(6)}Which bar is the tallest?`;

function maxDiff(a: Float32Array, b: Float32Array, n: number): number {
  let d = 0;
  for (let i = 0; i < n; i++) d = Math.max(d, Math.abs((a[i] ?? NaN) - (b[i] ?? NaN)));
  return d;
}

describe.each(['fp32', 'q4'] as const)('chunked prefill (tiny-base, %s)', (dtype) => {
  const host = new ModelHost();
  let vocabRows = 0;
  beforeAll(async () => {
    const spec = tinyTrio(dtype)[0];
    if (!spec) throw new Error('no base model');
    vocabRows = (await host.load(spec, { backend: 'wasm' }, () => undefined)).vocabRows;
  });
  afterAll(() => host.dispose());

  /** Prefill (in pieces of `chunk`, or one) then `steps` greedy steps: every position's logits. */
  async function run(chunk: number | null, steps: number): Promise<{ logits: Float32Array[]; ids: number[]; forwards: number; promptTokens: number }> {
    await host.reset();
    const buf = new SharedArrayBuffer(vocabRows * 4);
    const view = new Float32Array(buf);
    const before = (await host.stats()).prefillForwards;
    const req: PrefillRequest = {
      turns: [{ role: 'user', text: QUESTION, withImage: true }],
      image: testImage(120, 90),
      streams: 1,
      logits: buf,
      ...(chunk ? { chunkTokens: chunk } : {}),
    };
    const { promptIds } = await host.prefill(req);
    const forwards = (await host.stats()).prefillForwards - before;
    const logits = [view.slice()];
    const ids: number[] = [];
    for (let t = 0; t < steps; t++) {
      let best = 0;
      for (let i = 1; i < vocabRows; i++) if ((view[i] ?? -Infinity) > (view[best] ?? -Infinity)) best = i;
      ids.push(best);
      await host.step(Int32Array.from([best]));
      logits.push(view.slice());
    }
    return { logits, ids, forwards, promptTokens: promptIds.length };
  }

  it('pieces of 64 and of 37 tokens (cutting the image placeholders) give the unchunked logits and tokens', async () => {
    const whole = await run(null, 8);
    expect(whole.forwards).toBe(1);
    expect(whole.promptTokens).toBeGreaterThan(150);
    for (const chunk of [64, 37]) {
      const pieces = await run(chunk, 8);
      expect(pieces.forwards, `chunk ${chunk}`).toBe(Math.ceil(whole.promptTokens / chunk));
      expect(pieces.ids, `chunk ${chunk}`).toEqual(whole.ids);
      pieces.logits.forEach((l, t) => {
        expect(maxDiff(l, whole.logits[t] ?? new Float32Array(0), vocabRows), `chunk ${chunk}, position ${t}`).toBeLessThanOrEqual(1e-4);
      });
    }
  });

  it('a piece as long as the prompt is one forward', async () => {
    const whole = await run(null, 0);
    const one = await run(whole.promptTokens, 0);
    expect(one.forwards).toBe(1);
    expect(maxDiff(one.logits[0] ?? new Float32Array(0), whole.logits[0] ?? new Float32Array(0), vocabRows)).toBe(0);
  });
});
