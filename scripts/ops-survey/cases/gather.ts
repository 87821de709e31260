/** com.microsoft GatherBlockQuantized (4-bit embedding table) against Gather on the dequantized table. */
import type { FloatType, SurveyCase } from '../case';
import { halfToFloat } from '../../../src/core/half';
import { floatToHalf } from '../../../src/convert/onnx/half';
import { dequantize4, quantize4, signedNibbles, transpose } from '../quant';
import { i64, rand, randInts } from './data';

interface GbqVariant {
  seq: number;
  block: number;
  layout: 'uint8' | 'int4';
  zp: boolean;
  dtype: FloatType;
}

export function gbqCase(v: GbqVariant, vocab = 4096, hidden = 2048): SurveyCase {
  const id = [
    'gbq',
    v.layout,
    `b${v.block}`,
    v.zp ? 'zp' : '',
    v.dtype === 'float16' ? 'f16' : '',
    `s${v.seq}`,
  ]
    .filter(Boolean)
    .join('.');
  // E [V, H] quantized per row along H: the MatMulNBits layout of Eᵀ (K = H, N = V).
  const table = rand(vocab * hidden, 0.05, id, 'table');
  const q = quantize4(transpose(table, vocab, hidden), hidden, vocab, {
    block: v.block,
    zeroPoints: v.zp,
    ...(v.dtype === 'float16' ? { roundScale: (s: number) => halfToFloat(floatToHalf(s)) } : {}),
  });
  const deq = transpose(dequantize4(q), hidden, vocab);
  const ids = randInts(v.seq, 0, vocab, id, 'ids');
  return {
    id,
    group: 'gather',
    op: 'GatherBlockQuantized',
    variant: [
      `table ${vocab}×${hidden}, ${v.seq} ids`,
      v.layout === 'uint8' ? `uint8 data [V, H/2] bits 4` : 'int4 data [V, H]',
      `block ${v.block} along H`,
      v.zp ? 'zero points' : 'no zero points',
      v.dtype === 'float16' ? 'fp16 scales/output' : 'fp32 scales',
    ].join(', '),
    dtype: v.dtype,
    inputs: [{ name: 'ids', type: 'int64', dims: [1, v.seq], graphDims: ['batch', 'seq'], data: i64(ids) }],
    outputs: ['y'],
    tolerance: v.dtype === 'float16' ? 1e-3 : 1e-6,
    candidate: (c) => {
      const blocksPerRow = hidden / v.block;
      const data =
        v.layout === 'uint8'
          ? c.init('E_q', 'uint8', [vocab, hidden / 2], q.packed)
          : c.init('E_q', 'int4', [vocab, hidden], signedNibbles(q));
      const ins = [data, 'ids', c.f('E_scales', q.scales, [vocab, blocksPerRow])];
      if (v.zp) ins.push(c.init('E_zp', 'uint8', [vocab, Math.ceil(blocksPerRow / 2)], q.zerosPacked));
      const attrs: Record<string, number> = { block_size: v.block, gather_axis: 0, quantize_axis: 1 };
      if (v.layout === 'uint8') attrs.bits = 4;
      c.out('y', c.ms('GatherBlockQuantized', ins, attrs)[0] ?? '');
    },
    baseline: (c) => c.out('y', c.op1('Gather', [c.f('E', deq, [vocab, hidden]), 'ids'], { axis: 0 })),
  };
}

export function gatherCases(): SurveyCase[] {
  const out: SurveyCase[] = [];
  for (const seq of [1, 64]) {
    out.push(gbqCase({ seq, block: 32, layout: 'uint8', zp: false, dtype: 'float' }));
    out.push(gbqCase({ seq, block: 128, layout: 'uint8', zp: true, dtype: 'float' }));
    out.push(gbqCase({ seq, block: 32, layout: 'uint8', zp: false, dtype: 'float16' }));
    out.push(gbqCase({ seq, block: 32, layout: 'int4', zp: false, dtype: 'float' }));
  }
  return out;
}
