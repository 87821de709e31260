/**
 * float16 coverage: each op a transformer block uses, alone, in float16 against the same op in float32.
 * On the CPU EP a missing float16 kernel does not fail: onnxruntime inserts Casts around the node
 * (InsertCastTransformer) and runs it in float32; the Node report lists those Casts.
 */
import type { Ctx, SurveyCase } from '../case';
import { i64, rand, randInts } from './data';

const S = 64;
const H = 2048;

function opCase(
  name: string,
  build: (c: Ctx, x: string, y: string) => string,
  opts: { second?: 'same' | 'row' | 'matrix'; note?: string } = {},
): SurveyCase {
  const id = `f16.${name}`;
  const inputs: SurveyCase['inputs'] = [
    {
      name: 'x',
      type: 'float',
      dims: [1, S, H],
      graphDims: ['batch', 'seq', H],
      data: rand(S * H, 1, id, 'x').map((v) => v + 2),
    },
  ];
  if (opts.second === 'same')
    inputs.push({
      name: 'y',
      type: 'float',
      dims: [1, S, H],
      graphDims: ['batch', 'seq', H],
      data: rand(S * H, 1, id, 'y').map((v) => v + 2),
    });
  const w = rand(H * H, 0.02, id, 'w');
  return {
    id,
    group: 'fp16',
    op: name.split('.')[0] ?? name,
    variant: `[1, ${S}, ${H}] float16 vs the float32 op${opts.note ? `; ${opts.note}` : ''}`,
    dtype: 'float16',
    baselineCompute: 'float',
    inputs,
    outputs: ['out'],
    tolerance: 5e-3,
    candidate: (c) =>
      c.out(
        'out',
        build(
          c,
          c.x('x'),
          opts.second === 'same' ? c.x('y') : opts.second === 'matrix' ? c.f('w', w, [H, H]) : '',
        ),
      ),
    baseline: (c) =>
      c.out(
        'out',
        build(
          c,
          c.x('x'),
          opts.second === 'same' ? c.x('y') : opts.second === 'matrix' ? c.f('w', w, [H, H]) : '',
        ),
      ),
  };
}

export function fp16Cases(): SurveyCase[] {
  const unary = ['Sqrt', 'Reciprocal', 'Neg', 'Sigmoid', 'Tanh', 'Erf', 'Exp', 'Cos', 'Sin'];
  const binary = ['Add', 'Sub', 'Mul', 'Div'];
  const ids = randInts(S, 0, H, 'f16.gather');
  return [
    opCase('MatMul', (c, x, w) => c.op1('MatMul', [x, w]), {
      second: 'matrix',
      note: `× [${H}, ${H}] weight`,
    }),
    ...binary.map((op) => opCase(op, (c, x, y) => c.op1(op, [x, y]), { second: 'same' })),
    opCase('Pow', (c, x) => c.op1('Pow', [x, c.k([2])]), { note: 'exponent 2' }),
    ...unary.map((op) => opCase(op, (c, x) => c.op1(op, [x]))),
    opCase('ReduceMean', (c, x) => c.op1('ReduceMean', [x, c.i64([-1])], { keepdims: 1 })),
    opCase('ReduceMax', (c, x) => c.op1('ReduceMax', [x, c.i64([-1])], { keepdims: 1 })),
    opCase('ReduceSum', (c, x) => c.op1('ReduceSum', [x, c.i64([-1])], { keepdims: 1 })),
    opCase('Softmax', (c, x) => c.op1('Softmax', [x], { axis: -1 })),
    opCase('Transpose', (c, x) =>
      c.op1('Transpose', [c.op1('Reshape', [x, c.i64([0, 0, 16, 128])])], { perm: [0, 2, 1, 3] }),
    ),
    opCase('Concat', (c, x) => c.op1('Concat', [x, x], { axis: -1 })),
    opCase('Slice', (c, x) => c.op1('Slice', [x, c.i64([64]), c.i64([1024]), c.i64([-1])])),
    opCase('Gather', (c, x) => c.op1('Gather', [x, c.init('/idx', 'int64', [S], i64(ids))], { axis: 2 }), {
      note: 'float16 data, int64 indices',
    }),
    opCase('Where', (c, x) => c.op1('Where', [c.op1('Greater', [x, c.k([2])]), x, c.k([-1])])),
    opCase('Expand', (c, x) => c.op1('Expand', [c.op1('Unsqueeze', [x, c.i64([1])]), c.i64([1, 2, S, H])])),
    opCase('Cast', (c, x) => c.op1('Cast', [c.op1('Cast', [x], { to: 1 })], { to: c.castTo }), {
      note: 'to float32 and back',
    }),
    ...['LayerNormalization', 'SimplifiedLayerNormalization'].map((op) =>
      opCase(op, (c, x) =>
        c.op1(
          op,
          [
            x,
            c.f(
              'g',
              rand(H, 0.1, 'f16', op, 'g').map((v) => v + 1),
              [H],
            ),
          ],
          { axis: -1 },
        ),
      ),
    ),
  ];
}
