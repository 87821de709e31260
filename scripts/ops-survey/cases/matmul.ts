/**
 * com.microsoft MatMulNBits (4-bit weights) against MatMul on the dequantized weights, and the plain-ONNX
 * way to store 4-bit weights (DequantizeLinear with uint4 blocks, opset 21) + MatMul.
 */
import type { FloatType, SurveyCase } from '../case';
import { halfToFloat } from '../../../src/core/half';
import { floatToHalf } from '../../../src/convert/onnx/half';
import { dequantize4, quantize4, uint4RowMajor } from '../quant';
import { rand, range, floatInput } from './data';

interface MnbVariant {
  k: number;
  n: number;
  m: number;
  block: number;
  zp: boolean;
  bias: boolean;
  dtype: FloatType;
  accuracy?: number;
}

const roundHalf = (s: number): number => halfToFloat(floatToHalf(s));

function mnbCase(v: MnbVariant): SurveyCase {
  const tag = [
    v.dtype === 'float16' ? 'q4f16' : 'q4',
    `b${v.block}`,
    v.zp ? 'zp' : '',
    v.bias ? 'bias' : '',
    v.accuracy !== undefined ? `acc${v.accuracy}` : '',
    v.n !== 2048 ? `n${v.n}` : '',
    `m${v.m}`,
  ].filter(Boolean);
  const id = `mnb.${tag.join('.')}`;
  const w = rand(v.k * v.n, 0.02, id, 'w');
  const q = quantize4(w, v.k, v.n, {
    block: v.block,
    zeroPoints: v.zp,
    ...(v.dtype === 'float16' ? { roundScale: roundHalf } : {}),
  });
  const wdq = dequantize4(q);
  const bias = v.bias ? rand(v.n, 0.1, id, 'bias') : null;
  const parts = [
    `${v.k}→${v.n}, M=${v.m}`,
    `block ${v.block}`,
    v.zp ? 'uint8 zero points' : 'no zero points',
    ...(v.bias ? ['bias input'] : []),
    v.dtype === 'float16' ? 'fp16 activations+scales' : 'fp32',
    ...(v.accuracy !== undefined ? [`accuracy_level ${v.accuracy}`] : []),
  ];
  return {
    id,
    group: 'matmul',
    op: 'MatMulNBits',
    variant: parts.join(', '),
    dtype: v.dtype,
    inputs: [floatInput(id, 'x', [1, v.m, v.k], ['batch', 'seq', v.k])],
    outputs: ['y'],
    // int8 activations (accuracy_level 4) trade accuracy for speed by design.
    tolerance: v.accuracy === 4 ? 2e-2 : v.dtype === 'float16' ? 5e-3 : 1e-5,
    candidate: (c) => {
      const ins = [
        c.x('x'),
        c.init('B', 'uint8', [v.n, q.blocks, v.block / 2], q.packed),
        c.f('scales', q.scales, [v.n * q.blocks]),
        v.zp ? c.init('zero_points', 'uint8', [v.n * Math.ceil(q.blocks / 2)], q.zerosPacked) : '',
        '',
        bias ? c.f('bias', bias, [v.n]) : '',
      ];
      const attrs: Record<string, number> = { K: v.k, N: v.n, bits: 4, block_size: v.block };
      if (v.accuracy !== undefined) attrs.accuracy_level = v.accuracy;
      c.out('y', c.ms('MatMulNBits', ins, attrs)[0] ?? '');
    },
    baseline: (c) => {
      let y = c.op1('MatMul', [c.x('x'), c.f('W', wdq, [v.k, v.n])]);
      if (bias) y = c.op1('Add', [y, c.f('bias', bias, [v.n])]);
      c.out('y', y);
    },
    ...(v.accuracy === 4
      ? { note: 'accuracy_level 4 lets the CPU kernel quantize activations to int8 per block' }
      : {}),
  };
}

/** 4-bit weights in plain ONNX: DequantizeLinear (uint4, blocked along K, opset 21) feeding MatMul. */
function dqlCase(m: number, k: number, n: number, block: number): SurveyCase {
  const id = `dql.u4.b${block}.m${m}`;
  const w = rand(k * n, 0.02, id, 'w');
  const q = quantize4(w, k, n, { block, zeroPoints: true });
  const wdq = dequantize4(q);
  const u4 = uint4RowMajor(q);
  return {
    id,
    group: 'matmul',
    op: 'DequantizeLinear(uint4)+MatMul',
    variant: `${k}→${n}, M=${m}, block ${block} along K, uint4 zero points (ONNX opset 21, no contrib op)`,
    dtype: 'float',
    inputs: [floatInput(id, 'x', [1, m, k], ['batch', 'seq', k])],
    outputs: ['y'],
    tolerance: 1e-5,
    candidate: (c) => {
      const wq = c.init('Wq', 'uint4', [k, n], u4.data);
      const s = c.f('Ws', u4.scales, [k / block, n]);
      const z = c.init('Wz', 'uint4', [k / block, n], u4.zeros);
      const wf = c.op1('DequantizeLinear', [wq, s, z], { axis: 0, block_size: block });
      c.out('y', c.op1('MatMul', [c.x('x'), wf]));
    },
    baseline: (c) => c.out('y', c.op1('MatMul', [c.x('x'), c.f('W', wdq, [k, n])])),
    note: 'plain ONNX 4-bit weights; onnxruntime may rewrite the pair into its own kernels (see the ops it ran)',
  };
}

/** 8-bit weights: MatMulNBits bits 8 (block-wise, zero point 128) or DynamicQuantizeMatMul (int8 per column, activations to uint8). */
function q8Case(kind: 'mnb8' | 'dqmm', m: number, k: number, n: number): SurveyCase {
  const id = `${kind === 'mnb8' ? 'mnb.q8.b32' : 'dqmm.int8'}.m${m}`;
  const w = rand(k * n, 0.02, id, 'w');
  const block = 32;
  const blocks = k / block;
  const codes = new Uint8Array(n * k);
  const scales = new Float32Array(kind === 'mnb8' ? n * blocks : n);
  const wdq = new Float32Array(k * n);
  for (let col = 0; col < n; col++) {
    for (let b = 0; b < (kind === 'mnb8' ? blocks : 1); b++) {
      const rows = kind === 'mnb8' ? range(block, b * block) : range(k);
      const scale = Math.max(...rows.map((r) => Math.abs(w[r * n + col] ?? 0))) / 127 || 1;
      scales[kind === 'mnb8' ? col * blocks + b : col] = scale;
      for (const r of rows) {
        const q = Math.max(-127, Math.min(127, Math.round((w[r * n + col] ?? 0) / scale)));
        // MatMulNBits: uint8 [N, blocks, 32] with zero point 128; DynamicQuantizeMatMul: int8 [K, N].
        if (kind === 'mnb8') codes[col * k + r] = q + 128;
        else codes[r * n + col] = q & 255;
        wdq[r * n + col] = q * scale;
      }
    }
  }
  return {
    id,
    group: 'matmul',
    op: kind === 'mnb8' ? 'MatMulNBits' : 'DynamicQuantizeMatMul',
    variant:
      kind === 'mnb8'
        ? `${k}→${n}, M=${m}, bits 8, block 32, fp32`
        : `${k}→${n}, M=${m}, int8 weights with per-column scales, activations quantized to uint8 per tensor at run time`,
    dtype: 'float',
    inputs: [floatInput(id, 'x', [1, m, k], ['batch', 'seq', k])],
    outputs: ['y'],
    tolerance: kind === 'mnb8' ? 1e-5 : 2e-2,
    candidate: (c) => {
      if (kind === 'mnb8') {
        const ins = [
          c.x('x'),
          c.init('B', 'uint8', [n, blocks, block], codes),
          c.f('scales', scales, [n * blocks]),
        ];
        c.out('y', c.ms('MatMulNBits', ins, { K: k, N: n, bits: 8, block_size: block })[0] ?? '');
      } else {
        const ins = [c.x('x'), c.init('B', 'int8', [k, n], codes), c.f('b_scale', scales, [n])];
        c.out('y', c.ms('DynamicQuantizeMatMul', ins)[0] ?? '');
      }
    },
    baseline: (c) => c.out('y', c.op1('MatMul', [c.x('x'), c.f('W', wdq, [k, n])])),
    ...(kind === 'dqmm'
      ? {
          note: 'the int8 path of transformers.js "quantized" exports (their MatMulInteger pattern fuses to this)',
        }
      : {}),
  };
}

export function matmulCases(): SurveyCase[] {
  const K = 2048;
  const N = 2048;
  const base = { k: K, n: N, zp: false, bias: false, dtype: 'float' as FloatType };
  const out: SurveyCase[] = [];
  for (const m of [1, 64]) {
    out.push(mnbCase({ ...base, m, block: 32 }));
    out.push(mnbCase({ ...base, m, block: 128 }));
    out.push(mnbCase({ ...base, m, block: 32, zp: true }));
    out.push(mnbCase({ ...base, m, block: 128, zp: true, bias: true }));
    out.push(mnbCase({ ...base, m, block: 32, accuracy: 4 }));
    out.push(mnbCase({ ...base, m, block: 32, dtype: 'float16' }));
    out.push(mnbCase({ ...base, m, block: 128, zp: true, bias: true, dtype: 'float16' }));
    out.push(dqlCase(m, K, N, 32));
    out.push(q8Case('mnb8', m, K, N), q8Case('dqmm', m, K, N));
  }
  // An MLP-sized projection (Qwen2.5-VL-3B gate/up: 2048→11008), decode.
  out.push(mnbCase({ ...base, n: 11008, m: 1, block: 32 }));
  out.push(mnbCase({ ...base, n: 11008, m: 1, block: 32, accuracy: 4 }));
  return out;
}
