/**
 * q4 linears too large for one dequantisation scratch buffer are written as several MatMulNBits
 * along N (src/convert/graphs/ops.ts). The pieces must cover every output column with its own
 * rows' packed weights and scales: checked on a Qwen2.5-VL checkpoint whose lm_head is made wide
 * enough to be split, against the same checkpoint in fp32, over every vocabulary column.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEQUANT_CHUNK_BYTES, rowChunks } from '../../../src/convert/graphs/ops';
import { syntheticNamed } from '../synthetic-catalog';
import { agreement } from './agreement';
import { allLogits, loadConverted, prompt, textured } from './app-logits';
import { checkpoint, convert, tmp } from './helpers';

describe('rowChunks', () => {
  it.each([
    [151936, 512],
    [45056, 96],
    [7, 3],
    [1, 10_000_000],
  ])('[%i, %i]: contiguous pieces that cover every row, each within the scratch limit', (n, k) => {
    const c = rowChunks(n, k);
    expect(c[0]?.[0]).toBe(0);
    expect(c.at(-1)?.[1]).toBe(n);
    c.forEach(([from, to], i) => {
      expect(to).toBeGreaterThan(from);
      if (i > 0) expect(from).toBe(c[i - 1]?.[1]);
      if (to - from > 1) expect(4 * (to - from) * k).toBeLessThanOrEqual(DEQUANT_CHUNK_BYTES);
    });
  });
});

describe('a split q4 lm_head', () => {
  it('agrees with fp32 over every column, as an unsplit one does', async () => {
    const base = syntheticNamed('ck25-base').desc;
    const vocabRows = 45056; // 45,056 × 96 float32 = 17.3 MB: two pieces
    expect(rowChunks(vocabRows, base.text.hidden).length).toBe(2);
    const ck = await checkpoint('ck25-base', { desc: { ...base, text: { ...base.text, vocabRows } } });
    const out = tmp('ptw-split-');
    await convert(ck, join(out, 'm'), { formats: ['fp32', 'q4'] });
    const onnx = readFileSync(join(out, 'm', 'onnx', 'decoder_model_merged_q4.onnx')).toString('latin1');
    expect(onnx).toContain('lm_head.weight_1_Q4');
    const ref = await loadConverted(out, 'm', 'fp32');
    const p = await prompt(ref, textured(224, 224), 'What is the total of the bars?');
    const a = await allLogits(ref, p);
    const [rows = 0, vocab = 0] = a.dims;
    expect(vocab).toBe(vocabRows);
    const q = await allLogits(await loadConverted(out, 'm', 'q4'), p);
    // Over every column, the second piece's included; a misplaced piece sends KL far past this.
    const r = agreement(a.data, q.data, rows, vocab, vocab);
    expect(r.top1).toBeGreaterThanOrEqual(0.5);
    expect(r.meanKl).toBeLessThanOrEqual(0.6);
    console.log(
      `split lm_head, q4 vs fp32: top-1 ${r.top1.toFixed(3)}, mean KL ${r.meanKl.toExponential(2)}`,
    );
  });
});
