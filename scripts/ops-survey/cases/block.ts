/**
 * One Qwen2-style decoder layer, as a converter would emit it, decoding one token on a 256-token cache:
 * the recommended fused form (MatMulNBits, SimplifiedLayerNormalization / SkipSimplifiedLayerNormalization,
 * RotaryEmbedding on a per-token table, then MultiHeadAttention on expanded KV heads or
 * GroupQueryAttention with an attention_bias) against the same layer in plain ops on the dequantized
 * weights. Checks that the pieces compose and what they save together.
 */
import type { Ctx, SurveyCase } from '../case';
import { dequantize4, quantize4, type Q4Blocks } from '../quant';
import { additiveBias, keyMask, repeatKv, type AttnShape } from './attention-data';
import { rand, range, ropeTables, floatInput } from './data';
import { applyRope, attention, mergeHeads, rmsNorm, splitHeads } from './plain';

const HID = 1024;
const NQ = 8;
const NKV = 1;
const D = 128;
const FF = 2816;
const EPS = 1e-6;
const SHAPE: AttnShape = { batch: 2, seq: 1, past: 256, nq: NQ, nkv: NKV, dim: D };

interface Lin {
  name: string;
  k: number;
  n: number;
  q: Q4Blocks;
  wdq: Float32Array;
  bias: Float32Array | null;
}

function lin(name: string, k: number, n: number, bias: boolean): Lin {
  const q = quantize4(rand(k * n, 0.03, 'block', name), k, n, { block: 32, zeroPoints: false });
  return { name, k, n, q, wdq: dequantize4(q), bias: bias ? rand(n, 0.1, 'block', name, 'bias') : null };
}

const LAYER = {
  q: lin('q', HID, NQ * D, true),
  k: lin('k', HID, NKV * D, true),
  v: lin('v', HID, NKV * D, true),
  o: lin('o', NQ * D, HID, false),
  gate: lin('gate', HID, FF, false),
  up: lin('up', HID, FF, false),
  down: lin('down', FF, HID, false),
};

const norm1 = rand(HID, 0.2, 'block', 'norm1').map((x) => x + 1);
const norm2 = rand(HID, 0.2, 'block', 'norm2').map((x) => x + 1);

function q4(c: Ctx, x: string, l: Lin): string {
  const ins = [
    x,
    c.init(`${l.name}.q4`, 'uint8', [l.n, l.q.blocks, 16], l.q.packed),
    c.f(`${l.name}.scales`, l.q.scales, [l.n * l.q.blocks]),
  ];
  if (l.bias) ins.push('', '', c.f(`${l.name}.bias`, l.bias, [l.n]));
  return c.ms('MatMulNBits', ins, { K: l.k, N: l.n, bits: 4, block_size: 32 })[0] ?? '';
}

function dense(c: Ctx, x: string, l: Lin): string {
  const y = c.op1('MatMul', [x, c.f(`${l.name}.w`, l.wdq, [l.k, l.n])]);
  return l.bias ? c.op1('Add', [y, c.f(`${l.name}.bias`, l.bias, [l.n])]) : y;
}

function inputs(id: string, expanded: boolean): SurveyCase['inputs'] {
  const tokens = SHAPE.batch * SHAPE.seq;
  const pastN = SHAPE.batch * NKV * SHAPE.past * D;
  const pk = rand(pastN, 1, id, 'past_key');
  const pv = rand(pastN, 1, id, 'past_value');
  const positions = range(tokens, 300);
  const { cos, sin } = ropeTables(positions, D);
  const out: SurveyCase['inputs'] = [
    floatInput(id, 'x', [SHAPE.batch, SHAPE.seq, HID], ['batch', 'seq', HID]),
    {
      name: 'past_key',
      type: 'float',
      dims: [SHAPE.batch, NKV, SHAPE.past, D],
      graphDims: ['batch', NKV, 'past', D],
      data: pk,
    },
    {
      name: 'past_value',
      type: 'float',
      dims: [SHAPE.batch, NKV, SHAPE.past, D],
      graphDims: ['batch', NKV, 'past', D],
      data: pv,
    },
    { name: 'cos_tok', type: 'float', dims: [tokens, D / 2], graphDims: ['tokens', D / 2], data: cos },
    { name: 'sin_tok', type: 'float', dims: [tokens, D / 2], graphDims: ['tokens', D / 2], data: sin },
    {
      name: 'attention_bias',
      type: 'float',
      dims: [SHAPE.batch, 1, SHAPE.seq, SHAPE.past + SHAPE.seq],
      graphDims: ['batch', 1, 'seq', 'total'],
      data: additiveBias(SHAPE, keyMask(SHAPE, true), false),
    },
  ];
  if (expanded) {
    const dims = [SHAPE.batch, NQ, SHAPE.past, D];
    const graphDims = ['batch', NQ, 'past', D];
    out.push(
      { name: 'past_key_x', type: 'float', dims, graphDims, data: repeatKv(pk, SHAPE, SHAPE.past) },
      { name: 'past_value_x', type: 'float', dims, graphDims, data: repeatKv(pv, SHAPE, SHAPE.past) },
    );
  }
  return out;
}

/** The plain layer (rotate_half RoPE, grouped attention, RMSNorm patterns, SiLU as Sigmoid·x). */
function plainLayer(c: Ctx): void {
  const x = c.x('x');
  const h = rmsNorm(c, x, c.f('norm1', norm1, [HID]), EPS);
  const bsh = c.i64([SHAPE.batch, SHAPE.seq, 1, D / 2]);
  const cf = c.op1('Reshape', [c.x('cos_tok'), bsh]);
  const sf = c.op1('Reshape', [c.x('sin_tok'), bsh]);
  const cosF = c.op1('Concat', [cf, cf], { axis: -1 });
  const sinF = c.op1('Concat', [sf, sf], { axis: -1 });
  const rot = (t: string, heads: number): string =>
    c.op1('Reshape', [
      applyRope(c, c.op1('Reshape', [t, c.i64([0, 0, heads, D])]), cosF, sinF, D),
      c.i64([0, 0, heads * D]),
    ]);
  const q = splitHeads(c, rot(dense(c, h, LAYER.q), NQ), NQ, D);
  const k = c.op1('Concat', [c.x('past_key'), splitHeads(c, rot(dense(c, h, LAYER.k), NKV), NKV, D)], {
    axis: 2,
  });
  const v = c.op1('Concat', [c.x('past_value'), splitHeads(c, dense(c, h, LAYER.v), NKV, D)], { axis: 2 });
  const a = mergeHeads(c, attention(c, q, k, v, c.x('attention_bias'), NQ, NKV, D), NQ, D);
  const r1 = c.op1('Add', [x, dense(c, a, LAYER.o)]);
  const h2 = rmsNorm(c, r1, c.f('norm2', norm2, [HID]), EPS);
  const g = dense(c, h2, LAYER.gate);
  const act = c.op1('Mul', [c.op1('Mul', [g, c.op1('Sigmoid', [g])]), dense(c, h2, LAYER.up)]);
  c.out('y', c.op1('Add', [r1, dense(c, act, LAYER.down)]));
}

function fusedLayer(c: Ctx, attn: 'mha' | 'gqa'): void {
  const x = c.x('x');
  const h = c.op1('SimplifiedLayerNormalization', [x, c.f('norm1', norm1, [HID])], {
    axis: -1,
    epsilon: { float: EPS },
  });
  // position_ids 0..B·S−1 address the per-token table.
  const shape = c.op1('Shape', [x]);
  const bs = c.op1('Slice', [shape, c.i64([0]), c.i64([2])]);
  const pos = c.op1('Reshape', [
    c.op1('Range', [c.g.constI([0], []), c.op1('ReduceProd', [bs], { keepdims: 0 }), c.g.constI([1], [])]),
    bs,
  ]);
  const rope = (t: string): string =>
    c.ms('RotaryEmbedding', [t, pos, c.x('cos_tok'), c.x('sin_tok')])[0] ?? '';
  const q = rope(q4(c, h, LAYER.q));
  const k = rope(q4(c, h, LAYER.k));
  const v = q4(c, h, LAYER.v);
  let a: string;
  if (attn === 'mha') {
    const expand = (t: string): string => {
      const r = c.op1('Reshape', [t, c.i64([0, 0, NKV, 1, D])]);
      const target = c.op1('Concat', [bs, c.i64([NKV, NQ / NKV, D])], { axis: 0 });
      return c.op1('Reshape', [c.op1('Expand', [r, target]), c.i64([0, 0, NQ * D])]);
    };
    a =
      c.ms(
        'MultiHeadAttention',
        [q, expand(k), expand(v), '', '', c.x('attention_bias'), c.x('past_key_x'), c.x('past_value_x')],
        { num_heads: NQ },
        3,
      )[0] ?? '';
  } else {
    const seqlens = c.init(
      '/seqlens_k',
      'int32',
      [SHAPE.batch],
      Int32Array.from({ length: SHAPE.batch }, () => SHAPE.past + SHAPE.seq - 1),
    );
    const total = c.init('/total_len', 'int32', [], Int32Array.from([SHAPE.past + SHAPE.seq]));
    a =
      c.ms(
        'GroupQueryAttention',
        [q, k, v, c.x('past_key'), c.x('past_value'), seqlens, total, '', '', '', c.x('attention_bias')],
        { num_heads: NQ, kv_num_heads: NKV },
        3,
      )[0] ?? '';
  }
  const o = q4(c, a, LAYER.o);
  c.ms('SkipSimplifiedLayerNormalization', [x, o, c.f('norm2', norm2, [HID])], { epsilon: { float: EPS } }, [
    '/h2',
    '',
    '',
    '/r1',
  ]);
  const g = q4(c, '/h2', LAYER.gate);
  const act = c.op1('Mul', [c.op1('Mul', [g, c.op1('Sigmoid', [g])]), q4(c, '/h2', LAYER.up)]);
  c.out('y', c.op1('Add', ['/r1', q4(c, act, LAYER.down)]));
}

export function blockCases(): SurveyCase[] {
  const variant = (attn: string): string =>
    `hidden ${HID}, heads ${NQ}/${NKV} kv, head_dim ${D}, MLP ${FF}; B=2 decoding on a 256-token cache, mask with holes; q4 weights (block 32); ${attn}`;
  return (['gqa', 'mha'] as const).map((attn) => {
    const id = `block.${attn}.decode`;
    return {
      id,
      group: 'block' as const,
      op: 'decoder layer',
      variant: variant(
        attn === 'gqa'
          ? 'GroupQueryAttention with attention_bias'
          : 'MultiHeadAttention on KV heads Expand-ed, cache kept expanded',
      ),
      dtype: 'float' as const,
      inputs: inputs(id, attn === 'mha'),
      outputs: ['y'],
      tolerance: 1e-5,
      candidate: (c: Ctx) => fusedLayer(c, attn),
      baseline: plainLayer,
      note: 'fused ops vs the same layer in plain ops on the dequantized weights (fp32 MatMul: the plain graph also holds 8× the weight bytes)',
    };
  });
}
