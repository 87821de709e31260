/** RMSNorm / LayerNorm fused ops (and their Skip variants) against the plain-op patterns. */
import type { FloatType, SurveyCase } from '../case';
import { rand } from './data';
import { layerNorm, rmsNorm } from './plain';

const EPS = 1e-6;

interface NormVariant {
  seq: number;
  hidden: number;
  dtype: FloatType;
}

function common(id: string, v: NormVariant, names: string[]) {
  return {
    dtype: v.dtype,
    tolerance: v.dtype === 'float16' ? 5e-3 : 1e-5,
    inputs: names.map((name) => ({
      name,
      type: 'float' as const,
      dims: [1, v.seq, v.hidden],
      graphDims: ['batch', 'seq', v.hidden],
      data: rand(v.seq * v.hidden, 1, id, name),
    })),
  };
}

const suffix = (v: NormVariant): string => `${v.dtype === 'float16' ? 'f16.' : ''}s${v.seq}`;
const shape = (v: NormVariant): string =>
  `[1, ${v.seq}, ${v.hidden}]${v.dtype === 'float16' ? ', fp16' : ''}`;

function sln(v: NormVariant): SurveyCase {
  const id = `sln.${suffix(v)}`;
  const w = rand(v.hidden, 0.5, id, 'w').map((x) => x + 1);
  return {
    id,
    group: 'norm',
    op: 'SimplifiedLayerNormalization',
    variant: `${shape(v)}, ONNX domain (an ORT contrib schema), axis −1`,
    ...common(id, v, ['x']),
    outputs: ['y'],
    candidate: (c) =>
      c.out(
        'y',
        c.op1('SimplifiedLayerNormalization', [c.x('x'), c.f('w', w, [v.hidden])], {
          axis: -1,
          epsilon: { float: EPS },
        }),
      ),
    baseline: (c) => c.out('y', rmsNorm(c, c.x('x'), c.f('w', w, [v.hidden]), EPS)),
  };
}

function rms23(v: NormVariant): SurveyCase {
  const id = `rmsnorm23.${suffix(v)}`;
  const w = rand(v.hidden, 0.5, id, 'w').map((x) => x + 1);
  return {
    id,
    group: 'norm',
    op: 'RMSNormalization (opset 23)',
    variant: `${shape(v)}, axis −1`,
    opset: 23,
    ...common(id, v, ['x']),
    outputs: ['y'],
    candidate: (c) =>
      c.out(
        'y',
        c.op1('RMSNormalization', [c.x('x'), c.f('w', w, [v.hidden])], { axis: -1, epsilon: { float: EPS } }),
      ),
    baseline: (c) => c.out('y', rmsNorm(c, c.x('x'), c.f('w', w, [v.hidden]), EPS)),
  };
}

function ssln(v: NormVariant, withBias: boolean): SurveyCase {
  const id = `ssln.${withBias ? 'bias.' : ''}${suffix(v)}`;
  const w = rand(v.hidden, 0.5, id, 'w').map((x) => x + 1);
  const bias = rand(v.hidden, 0.1, id, 'bias');
  return {
    id,
    group: 'norm',
    op: 'SkipSimplifiedLayerNormalization',
    variant: `${shape(v)}, outputs y and input_skip_bias_sum${withBias ? ', bias input' : ''}`,
    ...common(id, v, ['x', 'skip']),
    outputs: ['y', 'sum'],
    candidate: (c) => {
      const ins = [c.x('x'), c.x('skip'), c.f('w', w, [v.hidden])];
      if (withBias) ins.push(c.f('bias', bias, [v.hidden]));
      // Outputs 1 and 2 (mean, inv_std_var) left out, as a decoder would.
      c.ms('SkipSimplifiedLayerNormalization', ins, { epsilon: { float: EPS } }, ['/y', '', '', '/sum']);
      c.out('y', '/y');
      c.out('sum', '/sum');
    },
    baseline: (c) => {
      let s = c.op1('Add', [c.x('x'), c.x('skip')]);
      if (withBias) s = c.op1('Add', [s, c.f('bias', bias, [v.hidden])]);
      c.out('y', rmsNorm(c, s, c.f('w', w, [v.hidden]), EPS));
      c.out('sum', s);
    },
  };
}

function ln(v: NormVariant): SurveyCase {
  const id = `ln.${suffix(v)}`;
  const g = rand(v.hidden, 0.5, id, 'g').map((x) => x + 1);
  const b = rand(v.hidden, 0.1, id, 'b');
  return {
    id,
    group: 'norm',
    op: 'LayerNormalization',
    variant: `${shape(v)}, ONNX opset 17+ op, scale and bias`,
    ...common(id, v, ['x']),
    outputs: ['y'],
    candidate: (c) =>
      c.out(
        'y',
        c.op1('LayerNormalization', [c.x('x'), c.f('g', g, [v.hidden]), c.f('b', b, [v.hidden])], {
          axis: -1,
          epsilon: { float: EPS },
        }),
      ),
    baseline: (c) =>
      c.out('y', layerNorm(c, c.x('x'), c.f('g', g, [v.hidden]), c.f('b', b, [v.hidden]), EPS)),
  };
}

function skipLn(v: NormVariant): SurveyCase {
  const id = `skipln.${suffix(v)}`;
  const g = rand(v.hidden, 0.5, id, 'g').map((x) => x + 1);
  const b = rand(v.hidden, 0.1, id, 'b');
  const bias = rand(v.hidden, 0.1, id, 'bias');
  return {
    id,
    group: 'norm',
    op: 'SkipLayerNormalization',
    variant: `${shape(v)}, beta and bias inputs, outputs y and input_skip_bias_sum`,
    ...common(id, v, ['x', 'skip']),
    outputs: ['y', 'sum'],
    candidate: (c) => {
      const ins = [
        c.x('x'),
        c.x('skip'),
        c.f('g', g, [v.hidden]),
        c.f('b', b, [v.hidden]),
        c.f('bias', bias, [v.hidden]),
      ];
      c.ms('SkipLayerNormalization', ins, { epsilon: { float: EPS } }, ['/y', '', '', '/sum']);
      c.out('y', '/y');
      c.out('sum', '/sum');
    },
    baseline: (c) => {
      const s = c.op1('Add', [c.op1('Add', [c.x('x'), c.x('skip')]), c.f('bias', bias, [v.hidden])]);
      c.out('y', layerNorm(c, s, c.f('g', g, [v.hidden]), c.f('b', b, [v.hidden]), EPS));
      c.out('sum', s);
    },
  };
}

export function normCases(): SurveyCase[] {
  const out: SurveyCase[] = [];
  const H = 2048;
  for (const seq of [1, 64]) {
    const v = { seq, hidden: H, dtype: 'float' as FloatType };
    out.push(sln(v), ssln(v, false), ln(v), skipLn(v));
  }
  const p = { seq: 64, hidden: H, dtype: 'float' as FloatType };
  out.push(rms23(p), ssln(p, true));
  const h = { seq: 64, hidden: H, dtype: 'float16' as FloatType };
  out.push(sln(h), ssln(h, false), ln(h), skipLn(h), rms23(h));
  return out;
}
