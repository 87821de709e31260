/**
 * Attention: com.microsoft MultiHeadAttention, com.microsoft GroupQueryAttention and ONNX Attention
 * (opset 23), each against scaled dot-product attention in plain ops (grouped KV heads without Expand).
 * Masks have holes inside a row (a padded middle, left padding) wherever the op claims to take one.
 */
import type { CaseInput, Ctx, FloatType, SurveyCase } from '../case';
import { i32, i64, range, ropeTables } from './data';
import {
  additiveBias,
  biasInput,
  boolMask,
  keyMask,
  NEG,
  qkvInputs,
  repeatKv,
  windowBias,
  type AttnShape,
} from './attention-data';
import { applyRope, attention, mergeHeads, splitHeads } from './plain';

const DEC: AttnShape = { batch: 2, seq: 1, past: 256, nq: 16, nkv: 16, dim: 128 };
const PRE: AttnShape = { batch: 2, seq: 64, past: 0, nq: 16, nkv: 16, dim: 128 };
const VISION: AttnShape = { batch: 1, seq: 256, past: 0, nq: 16, nkv: 16, dim: 80 };
const GQA = { nq: 16, nkv: 2 };
const MAX_POS = 4096;

const tol = (dtype: FloatType): number => (dtype === 'float16' ? 5e-3 : 1e-5);
const sfx = (dtype: FloatType): string => (dtype === 'float16' ? '.f16' : '');
const shapeText = (s: AttnShape): string =>
  `B=${s.batch}, S=${s.seq}, past=${s.past}, heads ${s.nq}${s.nkv !== s.nq ? `/${s.nkv} kv` : ''}, head_dim ${s.dim}`;

interface PlainOpts {
  withPast: boolean;
  /** Bias value name (additive, broadcastable to [B, 1, S, T]) or null. */
  bias: string | null;
  /** Rotary positions for q and the new k ([B, S] int64 value) with full-width tables. */
  rope?: { pos: string; cos: string; sin: string };
  /** Only the output (no present) when the candidate's cache layout differs. */
  outputOnly?: boolean;
}

/** The reference: split heads, (rotate), concat the past, attend, merge heads. */
function plain(c: Ctx, s: AttnShape, o: PlainOpts): void {
  let q = c.x('q');
  let kNew = c.x('k');
  if (o.rope) {
    const rot = (x: string, heads: number): string => {
      const x4 = c.op1('Reshape', [x, c.i64([0, 0, heads, s.dim])]);
      const gather = (t: string): string => {
        const g = c.op1('Gather', [t, o.rope?.pos ?? ''], { axis: 0 });
        return c.op1('Unsqueeze', [c.op1('Concat', [g, g], { axis: -1 }), c.i64([2])]);
      };
      const r = applyRope(c, x4, gather(o.rope?.cos ?? ''), gather(o.rope?.sin ?? ''), s.dim);
      return c.op1('Reshape', [r, c.i64([0, 0, heads * s.dim])]);
    };
    q = rot(q, s.nq);
    kNew = rot(kNew, s.nkv);
  }
  plainNamed(c, s, o, q, kNew, c.x('v'));
}

/** A constant additive bias [1 or B, 1, S, T] (causal and/or holes) for baselines of ops that build the mask themselves. */
function constBias(c: Ctx, s: AttnShape, mask: number[][], causal: boolean, perBatch: boolean): string {
  const shape: AttnShape = perBatch ? s : { ...s, batch: 1 };
  return c.f('/mask_bias', additiveBias(shape, perBatch ? mask : mask.slice(0, 1), causal), [
    shape.batch,
    1,
    s.seq,
    s.past + s.seq,
  ]);
}

const OUTS_PAST = ['output', 'present_key', 'present_value'];

/** Declares an attention op's output (and presents, when it has a cache). */
function outputs(c: Ctx, outs: string[], withPast: boolean): void {
  const [o, pk, pv] = outs;
  c.out('output', o ?? '');
  if (withPast) {
    c.out('present_key', pk ?? '');
    c.out('present_value', pv ?? '');
  }
}

// ---------------------------------------------------------------- MultiHeadAttention

interface MhaVariant {
  id: string;
  variant: string;
  s: AttnShape;
  dtype: FloatType;
  mask: 'bias' | 'key_padding_mask' | 'unidirectional' | 'none';
  withPast: boolean;
  note?: string;
}

function mhaCase(v: MhaVariant): SurveyCase {
  const { s } = v;
  const mask = keyMask(s, v.mask === 'bias' || v.mask === 'key_padding_mask');
  const causal = s.seq > 1;
  const inputs = qkvInputs(v.id, s, v.withPast);
  if (v.mask === 'bias') inputs.push(biasInput(s, additiveBias(s, mask, causal)));
  if (v.mask === 'key_padding_mask')
    inputs.push({
      name: 'key_padding_mask',
      type: 'int32',
      dims: [s.batch, s.past + s.seq],
      graphDims: ['batch', 'total'],
      data: i32(mask.flat()),
    });
  return {
    id: v.id,
    group: 'attention',
    op: 'MultiHeadAttention',
    variant: v.variant,
    dtype: v.dtype,
    inputs,
    outputs: v.withPast ? OUTS_PAST : ['output'],
    tolerance: tol(v.dtype),
    ...(v.note ? { note: v.note } : {}),
    candidate: (c) => {
      const ins = [
        c.x('q'),
        c.x('k'),
        c.x('v'),
        '',
        v.mask === 'key_padding_mask' ? 'key_padding_mask' : '',
        v.mask === 'bias' ? c.x('attention_bias') : '',
      ];
      if (v.withPast) ins.push(c.x('past_key'), c.x('past_value'));
      const attrs: Record<string, number> = { num_heads: s.nq };
      if (v.mask === 'unidirectional') attrs.unidirectional = 1;
      outputs(c, c.ms('MultiHeadAttention', ins, attrs, v.withPast ? 3 : 1), v.withPast);
    },
    baseline: (c) => {
      let bias: string | null = null;
      if (v.mask === 'bias') bias = c.x('attention_bias');
      if (v.mask === 'key_padding_mask') {
        // (m − 1)·10⁴ as [B, 1, 1, T]
        const m = c.op1('Cast', [c.x('key_padding_mask')], { to: c.castTo });
        bias = c.op1('Unsqueeze', [c.op1('Mul', [c.op1('Sub', [m, c.k([1])]), c.k([-NEG])]), c.i64([1, 2])]);
      }
      if (v.mask === 'unidirectional') bias = constBias(c, s, mask, true, false);
      plain(c, s, { withPast: v.withPast, bias });
    },
  };
}

/** GQA through MultiHeadAttention: KV heads Expand-ed to the query heads (and a cache kept expanded, 8× larger). */
function mhaExpandCase(dtype: FloatType): SurveyCase {
  const s: AttnShape = { ...DEC, ...GQA };
  const id = `mha.expand-kv.decode${sfx(dtype)}`;
  const mask = keyMask(s, true);
  const inputs: CaseInput[] = qkvInputs(id, s);
  const pk = inputs.find((i) => i.name === 'past_key')?.data;
  const pv = inputs.find((i) => i.name === 'past_value')?.data;
  if (!(pk instanceof Float32Array) || !(pv instanceof Float32Array)) throw new Error('past data');
  const expDims = [s.batch, s.nq, s.past, s.dim];
  const expGraph = ['batch', s.nq, 'past', s.dim];
  inputs.push(
    { name: 'past_key_x', type: 'float', dims: expDims, graphDims: expGraph, data: repeatKv(pk, s, s.past) },
    {
      name: 'past_value_x',
      type: 'float',
      dims: expDims,
      graphDims: expGraph,
      data: repeatKv(pv, s, s.past),
    },
    biasInput(s, additiveBias(s, mask, false)),
  );
  const g = s.nq / s.nkv;
  const expand = (c: Ctx, x: string): string => {
    // [B, S, Nkv·D] → [B, S, Nkv, 1, D] → Expand G → [B, S, Nq·D]
    const r = c.op1('Reshape', [x, c.i64([0, 0, s.nkv, 1, s.dim])]);
    const shape = c.op1(
      'Concat',
      [c.op1('Slice', [c.op1('Shape', [r]), c.i64([0]), c.i64([2])]), c.i64([s.nkv, g, s.dim])],
      { axis: 0 },
    );
    return c.op1('Reshape', [c.op1('Expand', [r, shape]), c.i64([0, 0, s.nq * s.dim])]);
  };
  return {
    id,
    group: 'attention',
    op: 'MultiHeadAttention',
    variant: `${shapeText(s)}: new k/v Expand-ed to ${s.nq} heads in-graph, cache kept expanded [B, ${s.nq}, past, D]`,
    dtype,
    inputs,
    outputs: ['output'],
    tolerance: tol(dtype),
    note: `the cost of GQA on MHA: the expanded cache is ${g}× the memory and bandwidth of the grouped one`,
    candidate: (c) => {
      const ins = [
        c.x('q'),
        expand(c, c.x('k')),
        expand(c, c.x('v')),
        '',
        '',
        c.x('attention_bias'),
        c.x('past_key_x'),
        c.x('past_value_x'),
      ];
      const [o] = c.ms('MultiHeadAttention', ins, { num_heads: s.nq }, 3);
      c.out('output', o ?? '');
    },
    baseline: (c) => plain(c, s, { withPast: true, bias: c.x('attention_bias'), outputOnly: true }),
  };
}

// ---------------------------------------------------------------- GroupQueryAttention

interface GqaVariant {
  id: string;
  variant: string;
  s: AttnShape;
  dtype: FloatType;
  /** seqlens_k per batch row (total length − 1). */
  seqlens: number[];
  /** An attention_bias input (holes) — only honoured by builds that take input 10. */
  bias?: boolean;
  rotary?: 'seqlens' | 'position_ids';
  positionIds?: number[];
  packed?: boolean;
  causal0?: boolean;
  withPast: boolean;
  outputs: string[];
  /** The baseline's mask: which keys each row sees (beyond causality). */
  baselineMask: number[][];
  note?: string;
}

function gqaCase(v: GqaVariant): SurveyCase {
  const { s } = v;
  const inputs = qkvInputs(v.id, s, v.withPast);
  if (v.packed) {
    // One packed QKV input [B, S, (Nq + 2·Nkv)·D] replacing q, k, v.
    const [q, k, vv] = inputs.splice(0, 3);
    if (
      !q ||
      !k ||
      !vv ||
      !(q.data instanceof Float32Array) ||
      !(k.data instanceof Float32Array) ||
      !(vv.data instanceof Float32Array)
    )
      throw new Error('qkv data');
    const rows = s.batch * s.seq;
    const wq = s.nq * s.dim;
    const wk = s.nkv * s.dim;
    const packed = new Float32Array(rows * (wq + 2 * wk));
    for (let r = 0; r < rows; r++) {
      packed.set(q.data.subarray(r * wq, (r + 1) * wq), r * (wq + 2 * wk));
      packed.set(k.data.subarray(r * wk, (r + 1) * wk), r * (wq + 2 * wk) + wq);
      packed.set(vv.data.subarray(r * wk, (r + 1) * wk), r * (wq + 2 * wk) + wq + wk);
    }
    inputs.unshift({
      name: 'qkv',
      type: 'float',
      dims: [s.batch, s.seq, wq + 2 * wk],
      graphDims: ['batch', 'seq', wq + 2 * wk],
      data: packed,
    });
  }
  inputs.push(
    { name: 'seqlens_k', type: 'int32', dims: [s.batch], graphDims: ['batch'], data: i32(v.seqlens) },
    { name: 'total_sequence_length', type: 'int32', dims: [], data: i32([s.past + s.seq]) },
  );
  if (v.bias) inputs.push(biasInput(s, additiveBias(s, v.baselineMask, !v.causal0 && s.seq > 1)));
  if (v.positionIds)
    inputs.push({
      name: 'position_ids',
      type: 'int64',
      dims: [s.batch, s.seq],
      graphDims: ['batch', 'seq'],
      data: i64(v.positionIds),
    });
  const rope = ropeTables(range(MAX_POS), s.dim);
  const ropePositions = v.positionIds ?? v.seqlens.flatMap((len) => range(s.seq, len + 1 - s.seq));
  return {
    id: v.id,
    group: 'attention',
    op: 'GroupQueryAttention',
    variant: v.variant,
    dtype: v.dtype,
    inputs,
    outputs: v.outputs,
    tolerance: tol(v.dtype),
    ...(v.note ? { note: v.note } : {}),
    candidate: (c) => {
      const ins = v.packed ? [c.x('qkv'), '', ''] : [c.x('q'), c.x('k'), c.x('v')];
      ins.push(
        v.withPast ? c.x('past_key') : '',
        v.withPast ? c.x('past_value') : '',
        'seqlens_k',
        'total_sequence_length',
      );
      if (v.rotary) {
        ins.push(
          c.f('cos_cache', rope.cos, [MAX_POS, s.dim / 2]),
          c.f('sin_cache', rope.sin, [MAX_POS, s.dim / 2]),
        );
      } else {
        ins.push('', '');
      }
      ins.push(v.positionIds ? 'position_ids' : '', v.bias ? c.x('attention_bias') : '');
      const attrs: Record<string, number> = { num_heads: s.nq, kv_num_heads: s.nkv };
      if (v.rotary) attrs.do_rotary = 1;
      if (v.causal0) attrs.causal = 0;
      const [o, pk, pv] = c.ms('GroupQueryAttention', ins, attrs, 3);
      c.out('output', o ?? '');
      if (v.outputs.includes('present_key')) {
        c.out('present_key', pk ?? '');
        c.out('present_value', pv ?? '');
      }
    },
    baseline: (c) => {
      let bias: string | null = null;
      const causal = !v.causal0 && s.seq > 1;
      if (v.bias) bias = c.x('attention_bias');
      else if (causal || v.baselineMask.some((row) => row.includes(0)))
        bias = constBias(c, s, v.baselineMask, causal, true);
      const ropeOpts = v.rotary
        ? {
            pos: c.init('/rope_pos', 'int64', [s.batch, s.seq], i64(ropePositions)),
            cos: c.f('cos_cache', rope.cos, [MAX_POS, s.dim / 2]),
            sin: c.f('sin_cache', rope.sin, [MAX_POS, s.dim / 2]),
          }
        : undefined;
      if (v.packed) {
        // Unpack [B, S, (Nq + 2·Nkv)·D] into q, k, v under the names plain() reads.
        const wq = s.nq * s.dim;
        const wk = s.nkv * s.dim;
        c.op('Split', [c.x('qkv'), c.i64([wq, wk, wk])], { axis: -1 }, ['/q', '/k', '/v']);
        plainNamed(
          c,
          s,
          { withPast: v.withPast, bias, outputOnly: !v.outputs.includes('present_key') },
          '/q',
          '/k',
          '/v',
        );
        return;
      }
      plain(c, s, {
        withPast: v.withPast,
        bias,
        outputOnly: !v.outputs.includes('present_key'),
        ...(ropeOpts ? { rope: ropeOpts } : {}),
      });
    },
  };
}

/** plain() from q/k/v values [B, S, N·D] (rotated or unpacked already). */
function plainNamed(c: Ctx, s: AttnShape, o: PlainOpts, q: string, k: string, v: string): void {
  const qh = splitHeads(c, q, s.nq, s.dim);
  let kh = splitHeads(c, k, s.nkv, s.dim);
  let vh = splitHeads(c, v, s.nkv, s.dim);
  if (o.withPast) {
    kh = c.op1('Concat', [c.x('past_key'), kh], { axis: 2 });
    vh = c.op1('Concat', [c.x('past_value'), vh], { axis: 2 });
  }
  c.out('output', mergeHeads(c, attention(c, qh, kh, vh, o.bias, s.nq, s.nkv, s.dim), s.nq, s.dim));
  if (o.withPast && !o.outputOnly) {
    c.out('present_key', kh);
    c.out('present_value', vh);
  }
}

function gqaCases(): SurveyCase[] {
  const dec1: AttnShape = { ...DEC, ...GQA, batch: 1 };
  const dec2: AttnShape = { ...DEC, ...GQA };
  const pre1: AttnShape = { ...PRE, ...GQA, batch: 1 };
  const pre2: AttnShape = { ...PRE, ...GQA };
  const full = (s: AttnShape): number[][] => keyMask(s, false);
  const out: SurveyCase[] = [];
  for (const dtype of ['float', 'float16'] as const) {
    out.push(
      gqaCase({
        id: `gqa.decode${sfx(dtype)}`,
        variant: `${shapeText(dec1)}, seqlens_k [256], total 257`,
        s: dec1,
        dtype,
        seqlens: [256],
        withPast: true,
        outputs: OUTS_PAST,
        baselineMask: full(dec1),
      }),
    );
  }
  // Ragged rows by right padding: row 1's cache holds 200 valid positions; its new token lands at 200.
  const ragged = keyMask(dec2, false);
  ragged[1] = range(257).map((j) => (j < 200 || j === 256 ? 1 : 0));
  out.push(
    gqaCase({
      id: 'gqa.prefill',
      variant: `${shapeText(pre1)} (empty past), causal`,
      s: pre1,
      dtype: 'float',
      seqlens: [63],
      withPast: true,
      outputs: OUTS_PAST,
      baselineMask: full(pre1),
    }),
    gqaCase({
      id: 'gqa.ragged.decode',
      variant: `${shapeText(dec2)}, seqlens_k [256, 200]: row 1 right-padded (its new k/v written at 200)`,
      s: dec2,
      dtype: 'float',
      seqlens: [256, 200],
      withPast: true,
      outputs: ['output'],
      baselineMask: ragged,
      note: 'the masks GQA builds itself: per-row length (right padding) + causal; present differs in layout, so only the output is compared',
    }),
    gqaCase({
      id: 'gqa.bias.decode',
      variant: `${shapeText(dec2)}, attention_bias [B, 1, 1, T] with a hole mid-row / left padding`,
      s: dec2,
      dtype: 'float',
      seqlens: [256, 256],
      bias: true,
      withPast: true,
      outputs: OUTS_PAST,
      baselineMask: keyMask(dec2, true),
      note: 'an arbitrary [B, T] mask through the attention_bias input (index 10)',
    }),
    gqaCase({
      id: 'gqa.bias.prefill',
      variant: `${shapeText(pre2)} (empty past), attention_bias [B, 1, S, T] causal + holes`,
      s: pre2,
      dtype: 'float',
      seqlens: [63, 63],
      bias: true,
      withPast: true,
      outputs: OUTS_PAST,
      baselineMask: keyMask(pre2, true),
    }),
    gqaCase({
      id: 'gqa.rotary.decode',
      variant: `${shapeText(dec1)}, do_rotary 1 (position = seqlens_k), cos/sin cache [${MAX_POS}, 64]`,
      s: dec1,
      dtype: 'float',
      seqlens: [256],
      rotary: 'seqlens',
      withPast: true,
      outputs: OUTS_PAST,
      baselineMask: full(dec1),
    }),
    gqaCase({
      id: 'gqa.rotary.prefill',
      variant: `${shapeText(pre1)} (empty past), do_rotary 1, positions 0..63`,
      s: pre1,
      dtype: 'float',
      seqlens: [63],
      rotary: 'seqlens',
      withPast: true,
      outputs: OUTS_PAST,
      baselineMask: full(pre1),
    }),
    gqaCase({
      id: 'gqa.rotary.posids.decode',
      variant: `${shapeText(dec1)}, do_rotary 1 with position_ids [[1000]] (an M-RoPE-style position ≠ past length)`,
      s: dec1,
      dtype: 'float',
      seqlens: [256],
      rotary: 'position_ids',
      positionIds: [1000],
      withPast: true,
      outputs: OUTS_PAST,
      baselineMask: full(dec1),
    }),
    gqaCase({
      id: 'gqa.packed.decode',
      variant: `${shapeText(dec1)}, packed QKV [B, S, ${(16 + 4) * 128}] (key/value inputs empty)`,
      s: dec1,
      dtype: 'float',
      seqlens: [256],
      packed: true,
      withPast: true,
      outputs: OUTS_PAST,
      baselineMask: full(dec1),
    }),
    gqaCase({
      id: 'gqa.vision.noncausal',
      variant: `${shapeText(VISION)}, causal 0, no past, window bias (64-token windows)`,
      s: VISION,
      dtype: 'float',
      seqlens: [255],
      causal0: true,
      bias: true,
      withPast: false,
      outputs: ['output'],
      baselineMask: keyMask(VISION, false),
      note: 'a vision encoder needs bidirectional attention; the causal attribute is recent',
    }),
  );
  // The vision case's bias is the window mask, not the key-mask pattern.
  const vision = out[out.length - 1];
  const vb = vision?.inputs.find((i) => i.name === 'attention_bias');
  if (vb) vb.data = windowBias(VISION.seq, 64);
  return out;
}

// ---------------------------------------------------------------- ONNX Attention (opset 23)

interface Att23Variant {
  id: string;
  variant: string;
  s: AttnShape;
  dtype: FloatType;
  mask: 'float' | 'bool' | 'causal' | 'window';
  withPast: boolean;
}

function att23Case(v: Att23Variant): SurveyCase {
  const { s } = v;
  const inputs = qkvInputs(v.id, s, v.withPast);
  const mask = keyMask(s, v.mask === 'float' || v.mask === 'bool');
  const causal = s.seq > 1 && v.mask !== 'window';
  const T = s.past + s.seq;
  if (v.mask === 'float') inputs.push({ ...biasInput(s, additiveBias(s, mask, causal)), name: 'attn_mask' });
  if (v.mask === 'bool')
    inputs.push({
      name: 'attn_mask',
      type: 'bool',
      dims: [s.batch, 1, s.seq, T],
      graphDims: ['batch', 1, 'seq', 'total'],
      data: boolMask(s, mask, causal),
    });
  if (v.mask === 'window')
    inputs.push({
      name: 'attn_mask',
      type: 'float',
      dims: [1, 1, s.seq, s.seq],
      graphDims: [1, 1, 'seq', 'seq'],
      data: windowBias(s.seq, 64),
    });
  return {
    id: v.id,
    group: 'attention',
    op: 'Attention (opset 23)',
    variant: v.variant,
    dtype: v.dtype,
    opset: 23,
    inputs,
    outputs: v.withPast ? OUTS_PAST : ['output'],
    tolerance: tol(v.dtype),
    candidate: (c) => {
      const ins = [
        c.x('q'),
        c.x('k'),
        c.x('v'),
        v.mask === 'causal' ? '' : v.mask === 'bool' ? 'attn_mask' : c.x('attn_mask'),
      ];
      if (v.withPast) ins.push(c.x('past_key'), c.x('past_value'));
      const attrs: Record<string, number> = { q_num_heads: s.nq, kv_num_heads: s.nkv };
      if (v.mask === 'causal') attrs.is_causal = 1;
      outputs(c, c.op('Attention', ins, attrs, v.withPast ? 3 : 1), v.withPast);
    },
    baseline: (c) => {
      let bias: string | null = null;
      if (v.mask === 'float' || v.mask === 'window') bias = c.x('attn_mask');
      if (v.mask === 'bool') bias = c.op1('Where', ['attn_mask', c.k([0]), c.k([NEG])]);
      if (v.mask === 'causal') bias = constBias(c, s, mask, true, false);
      plain(c, s, { withPast: v.withPast, bias });
    },
  };
}

export function attentionCases(): SurveyCase[] {
  const gqaDec: AttnShape = { ...DEC, ...GQA };
  const mha: SurveyCase[] = [];
  for (const dtype of ['float', 'float16'] as const) {
    mha.push(
      mhaCase({
        id: `mha.bias.decode${sfx(dtype)}`,
        variant: `${shapeText(DEC)}, BSNH q/k/v, past/present BNSH, attention_bias [B, 1, 1, T] (hole mid-row / left padding)`,
        s: DEC,
        dtype,
        mask: 'bias',
        withPast: true,
      }),
    );
  }
  mha.push(
    mhaCase({
      id: 'mha.bias.prefill',
      variant: `${shapeText(PRE)} (empty past), attention_bias [B, 1, S, T] causal + holes`,
      s: PRE,
      dtype: 'float',
      mask: 'bias',
      withPast: true,
    }),
    mhaCase({
      id: 'mha.bias.chunk',
      variant: `${shapeText({ ...PRE, batch: 1, past: 256 })}, attention_bias causal + holes (a second prefill on a cache)`,
      s: { ...PRE, batch: 1, past: 256 },
      dtype: 'float',
      mask: 'bias',
      withPast: true,
    }),
    mhaCase({
      id: 'mha.kpm.decode',
      variant: `${shapeText(DEC)}, key_padding_mask int32 [B, T] (hole mid-row / left padding), no bias`,
      s: DEC,
      dtype: 'float',
      mask: 'key_padding_mask',
      withPast: true,
    }),
    mhaCase({
      id: 'mha.unidirectional.prefill',
      variant: `${shapeText({ ...PRE, batch: 1 })} (empty past), unidirectional 1, no mask input`,
      s: { ...PRE, batch: 1 },
      dtype: 'float',
      mask: 'unidirectional',
      withPast: true,
    }),
    mhaCase({
      id: 'mha.gqa.decode',
      variant: `${shapeText(gqaDec)}: k/v and past with fewer heads than q`,
      s: gqaDec,
      dtype: 'float',
      mask: 'bias',
      withPast: true,
      note: 'does MultiHeadAttention accept grouped KV heads at all?',
    }),
    mhaExpandCase('float'),
    mhaCase({
      id: 'mha.vision.window',
      variant: `${shapeText(VISION)}, no past, window bias [1, 1, S, S] (64-token windows)`,
      s: VISION,
      dtype: 'float',
      mask: 'bias',
      withPast: false,
    }),
  );
  // The vision case's bias is the window mask.
  const vb = mha[mha.length - 1]?.inputs.find((i) => i.name === 'attention_bias');
  if (vb) {
    vb.dims = [1, 1, VISION.seq, VISION.seq];
    vb.data = windowBias(VISION.seq, 64);
  }
  const att: SurveyCase[] = [];
  for (const dtype of ['float', 'float16'] as const) {
    att.push(
      att23Case({
        id: `att23.float.decode${sfx(dtype)}`,
        variant: `${shapeText(gqaDec)}, 3-D q/k/v, float attn_mask [B, 1, 1, T] with holes, past/present`,
        s: gqaDec,
        dtype,
        mask: 'float',
        withPast: true,
      }),
    );
  }
  att.push(
    att23Case({
      id: 'att23.float.prefill',
      variant: `${shapeText({ ...PRE, ...GQA })} (empty past), float attn_mask causal + holes`,
      s: { ...PRE, ...GQA },
      dtype: 'float',
      mask: 'float',
      withPast: true,
    }),
    att23Case({
      id: 'att23.bool.decode',
      variant: `${shapeText(gqaDec)}, bool attn_mask with holes`,
      s: gqaDec,
      dtype: 'float',
      mask: 'bool',
      withPast: true,
    }),
    att23Case({
      id: 'att23.causal.prefill',
      variant: `${shapeText({ ...PRE, ...GQA, batch: 1 })} (empty past), is_causal 1, no mask`,
      s: { ...PRE, ...GQA, batch: 1 },
      dtype: 'float',
      mask: 'causal',
      withPast: true,
    }),
    att23Case({
      id: 'att23.vision.window',
      variant: `${shapeText(VISION)}, no past, float window mask`,
      s: VISION,
      dtype: 'float',
      mask: 'window',
      withPast: false,
    }),
  );
  return [...mha, ...gqaCases(), ...att];
}
