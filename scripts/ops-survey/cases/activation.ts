/** Gelu family (com.microsoft Gelu/FastGelu/QuickGelu/BiasGelu, ONNX Gelu opset 20) and Softmax over a large last axis. */
import type { Ctx, FloatType, SurveyCase } from '../case';
import { rand, floatInput } from './data';

const ROWS = 64;
const WIDTH = 5120;

/** 0.5·x·(1 + erf(x/√2)) */
function erfGelu(c: Ctx, x: string): string {
  const e = c.op1('Erf', [c.op1('Mul', [x, c.k([Math.SQRT1_2])])]);
  return c.op1('Mul', [c.op1('Mul', [x, c.k([0.5])]), c.op1('Add', [e, c.k([1])])]);
}

/** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) */
function tanhGelu(c: Ctx, x: string): string {
  const x3 = c.op1('Mul', [c.op1('Mul', [x, x]), x]);
  const inner = c.op1('Mul', [
    c.op1('Add', [x, c.op1('Mul', [x3, c.k([0.044715])])]),
    c.k([Math.sqrt(2 / Math.PI)]),
  ]);
  return c.op1('Mul', [c.op1('Mul', [x, c.k([0.5])]), c.op1('Add', [c.op1('Tanh', [inner]), c.k([1])])]);
}

function actCase(
  id: string,
  op: string,
  variant: string,
  dtype: FloatType,
  withBias: boolean,
  candidate: (c: Ctx, x: string, b: string) => string,
  baseline: (c: Ctx, x: string) => string,
  opset?: number,
): SurveyCase {
  const bias = rand(WIDTH, 0.5, id, 'bias');
  return {
    id,
    group: 'activation',
    op,
    variant: `[1, ${ROWS}, ${WIDTH}]${dtype === 'float16' ? ', fp16' : ''}${variant ? `, ${variant}` : ''}`,
    dtype,
    ...(opset ? { opset } : {}),
    inputs: [floatInput(id, 'x', [1, ROWS, WIDTH], ['batch', 'seq', WIDTH], 2)],
    outputs: ['y'],
    tolerance: dtype === 'float16' ? 5e-3 : 1e-5,
    candidate: (c) => c.out('y', candidate(c, c.x('x'), withBias ? c.f('bias', bias, [WIDTH]) : '')),
    baseline: (c) =>
      c.out('y', baseline(c, withBias ? c.op1('Add', [c.x('x'), c.f('bias', bias, [WIDTH])]) : c.x('x'))),
  };
}

function softmaxCase(
  id: string,
  dims: number[],
  graphDims: (number | string)[],
  dtype: FloatType,
  std: number,
): SurveyCase {
  const count = dims.reduce((a, b) => a * b, 1);
  return {
    id,
    group: 'activation',
    op: 'Softmax',
    variant: `[${dims.join(', ')}] over the last axis, logits std ${std}${dtype === 'float16' ? ', fp16' : ''}`,
    dtype,
    inputs: [{ name: 'x', type: 'float', dims, graphDims, data: rand(count, std, id, 'x') }],
    outputs: ['y'],
    // Probabilities over 150k entries: summation order alone moves the largest by ~1e−5 relative.
    tolerance: dtype === 'float16' ? 5e-3 : 1e-4,
    candidate: (c) => c.out('y', c.op1('Softmax', [c.x('x')], { axis: -1 })),
    baseline: (c) => {
      // exp(x − max) / Σ exp(x − max)
      const m = c.op1('ReduceMax', [c.x('x'), c.i64([-1])], { keepdims: 1 });
      const e = c.op1('Exp', [c.op1('Sub', [c.x('x'), m])]);
      c.out('y', c.op1('Div', [e, c.op1('ReduceSum', [e, c.i64([-1])], { keepdims: 1 })]));
    },
  };
}

export function activationCases(): SurveyCase[] {
  const out: SurveyCase[] = [];
  for (const dtype of ['float', 'float16'] as const) {
    const f = dtype === 'float16' ? '.f16' : '';
    out.push(
      actCase(
        `gelu.ms${f}`,
        'Gelu (com.microsoft)',
        'erf form',
        dtype,
        false,
        (c, x) => c.ms('Gelu', [x])[0] ?? '',
        erfGelu,
      ),
      actCase(
        `quickgelu${f}`,
        'QuickGelu',
        'alpha 1.702 (Qwen2-VL vision MLP)',
        dtype,
        false,
        (c, x) => c.ms('QuickGelu', [x], { alpha: { float: 1.702 } })[0] ?? '',
        (c, x) => c.op1('Mul', [x, c.op1('Sigmoid', [c.op1('Mul', [x, c.k([1.702])])])]),
      ),
    );
  }
  out.push(
    actCase(
      'gelu.onnx20',
      'Gelu (opset 20)',
      'approximate none',
      'float',
      false,
      (c, x) => c.op1('Gelu', [x]),
      erfGelu,
      20,
    ),
    actCase(
      'gelu.onnx20.tanh',
      'Gelu (opset 20)',
      'approximate tanh',
      'float',
      false,
      (c, x) => c.op1('Gelu', [x], { approximate: 'tanh' }),
      tanhGelu,
      20,
    ),
    actCase(
      'fastgelu.bias',
      'FastGelu',
      'with bias input (tanh form)',
      'float',
      true,
      (c, x, b) => c.ms('FastGelu', [x, b])[0] ?? '',
      tanhGelu,
    ),
    actCase(
      'biasgelu',
      'BiasGelu',
      'erf form',
      'float',
      true,
      (c, x, b) => c.ms('BiasGelu', [x, b])[0] ?? '',
      erfGelu,
    ),
    actCase(
      'quickgelu.silu',
      'QuickGelu',
      'alpha 1 = SiLU (Qwen2.5 MLP)',
      'float',
      false,
      (c, x) => c.ms('QuickGelu', [x], { alpha: { float: 1 } })[0] ?? '',
      (c, x) => c.op1('Mul', [x, c.op1('Sigmoid', [x])]),
    ),
    softmaxCase('softmax.vocab', [2, 151936], ['batch', 151936], 'float', 4),
    softmaxCase('softmax.vocab.f16', [2, 151936], ['batch', 151936], 'float16', 4),
    softmaxCase('softmax.attn', [1, 16, 64, 4096], [1, 16, 'seq', 'total'], 'float', 3),
  );
  return out;
}
