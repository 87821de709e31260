/**
 * Rotary embeddings: com.microsoft RotaryEmbedding (layouts, partial rotation, interleaving, packed
 * batching, a per-token cos/sin table addressed by position_ids 0..B·S−1), com.microsoft MRotaryEmbedding
 * (M-RoPE in one op) and ONNX RotaryEmbedding (opset 23), each against rotate_half in plain ops.
 */
import type { Ctx, FloatType, SurveyCase } from '../case';
import { i64, rand, range, ropeTables, floatInput } from './data';
import { applyRope } from './plain';

const N = 16;
const D = 128;
const HIDDEN = N * D;
const MAX_POS = 4096;
const SECTIONS = [16, 24, 24];

/** cos/sin [rows, D/2] for M-RoPE: frequency i takes its angle from the t, h or w position of its section. */
function mropeTables(pos: number[][], dim: number): { cos: Float32Array; sin: Float32Array } {
  const half = dim / 2;
  const rows = pos[0]?.length ?? 0;
  const cos = new Float32Array(rows * half);
  const sin = new Float32Array(rows * half);
  const sectionOf = (i: number): number =>
    i < (SECTIONS[0] ?? 0) ? 0 : i < (SECTIONS[0] ?? 0) + (SECTIONS[1] ?? 0) ? 1 : 2;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < half; i++) {
      const p = pos[sectionOf(i)]?.[r] ?? 0;
      const a = p * 1_000_000 ** ((-2 * i) / dim);
      cos[r * half + i] = Math.cos(a);
      sin[r * half + i] = Math.sin(a);
    }
  }
  return { cos, sin };
}

/** Full-width cos/sin [.., D] from half tables [.., D/2] (the halves repeated, as rotate_half needs). */
function full(c: Ctx, half: string): string {
  return c.op1('Concat', [half, half], { axis: -1 });
}

interface RopeVariant {
  id: string;
  variant: string;
  batch: number;
  seq: number;
  positions: number[];
  dtype: FloatType;
  layout: '3d' | 'bnsh';
  rotaryDim: number;
  interleaved: boolean;
  packed: boolean;
}

function ropeCase(v: RopeVariant): SurveyCase {
  const { cos, sin } = ropeTables(range(MAX_POS), v.rotaryDim);
  const half = v.rotaryDim / 2;
  const dims = v.layout === '3d' ? [v.batch, v.seq, HIDDEN] : [v.batch, N, v.seq, D];
  const count = v.batch * v.seq * HIDDEN;
  return {
    id: v.id,
    group: 'rotary',
    op: 'RotaryEmbedding',
    variant: v.variant,
    dtype: v.dtype,
    inputs: [
      { name: 'x', type: 'float', dims, data: rand(count, 1, v.id, 'x') },
      { name: 'position_ids', type: 'int64', dims: [v.batch, v.seq], data: i64(v.positions) },
    ],
    outputs: ['y'],
    tolerance: v.dtype === 'float16' ? 5e-3 : 1e-5,
    candidate: (c) => {
      const attrs: Record<string, number> = { interleaved: v.interleaved ? 1 : 0 };
      if (v.rotaryDim !== D) {
        attrs.rotary_embedding_dim = v.rotaryDim;
        attrs.num_heads = N;
      }
      if (v.packed) attrs.is_packed_batching = 1;
      const ins = [
        c.x('x'),
        'position_ids',
        c.f('cos_cache', cos, [MAX_POS, half]),
        c.f('sin_cache', sin, [MAX_POS, half]),
      ];
      c.out('y', c.ms('RotaryEmbedding', ins, attrs)[0] ?? '');
    },
    baseline: (c) => {
      // cos/sin gathered per token: [B, S, half]
      const cg = c.op1('Gather', [c.f('cos_cache', cos, [MAX_POS, half]), 'position_ids'], { axis: 0 });
      const sg = c.op1('Gather', [c.f('sin_cache', sin, [MAX_POS, half]), 'position_ids'], { axis: 0 });
      // x as [B, S, N, D] (3-D input) or [B, N, S, D]; cos/sin broadcast over the heads axis.
      const headsAxis = v.layout === '3d' ? 2 : 1;
      const x = v.layout === '3d' ? c.op1('Reshape', [c.x('x'), c.i64([0, 0, N, D])]) : c.x('x');
      let y: string;
      if (v.interleaved) {
        y = interleavedRope(
          c,
          x,
          c.op1('Unsqueeze', [cg, c.i64([headsAxis])]),
          c.op1('Unsqueeze', [sg, c.i64([headsAxis])]),
          v.rotaryDim,
        );
      } else {
        const cf = c.op1('Unsqueeze', [full(c, cg), c.i64([headsAxis])]);
        const sf = c.op1('Unsqueeze', [full(c, sg), c.i64([headsAxis])]);
        if (v.rotaryDim === D) {
          y = applyRope(c, x, cf, sf, D);
        } else {
          const xr = c.op1('Slice', [x, c.i64([0]), c.i64([v.rotaryDim]), c.i64([-1])]);
          const xp = c.op1('Slice', [x, c.i64([v.rotaryDim]), c.i64([D]), c.i64([-1])]);
          y = c.op1('Concat', [applyRope(c, xr, cf, sf, v.rotaryDim), xp], { axis: -1 });
        }
      }
      c.out('y', v.layout === '3d' ? c.op1('Reshape', [y, c.i64([0, 0, HIDDEN])]) : y);
    },
  };
}

/** Interleaved rotation: pairs (x₂ᵢ, x₂ᵢ₊₁) turn by angle i. cos/sin are half tables broadcast to x[..., D/2]. */
function interleavedRope(c: Ctx, x: string, cos: string, sin: string, dim: number): string {
  const pairs = c.op1('Reshape', [x, c.i64([0, 0, 0, dim / 2, 2])]);
  const even = c.op1('Squeeze', [c.op1('Slice', [pairs, c.i64([0]), c.i64([1]), c.i64([-1])]), c.i64([-1])]);
  const odd = c.op1('Squeeze', [c.op1('Slice', [pairs, c.i64([1]), c.i64([2]), c.i64([-1])]), c.i64([-1])]);
  const re = c.op1('Sub', [c.op1('Mul', [even, cos]), c.op1('Mul', [odd, sin])]);
  const im = c.op1('Add', [c.op1('Mul', [even, sin]), c.op1('Mul', [odd, cos])]);
  const stacked = c.op1(
    'Concat',
    [c.op1('Unsqueeze', [re, c.i64([-1])]), c.op1('Unsqueeze', [im, c.i64([-1])])],
    { axis: -1 },
  );
  return c.op1('Reshape', [stacked, c.i64([0, 0, 0, dim])]);
}

/** M-RoPE positions for a batch: an image block (t fixed, h/w a grid) followed by text. */
function mropePositions(batch: number, seq: number): number[][] {
  const t: number[] = [];
  const h: number[] = [];
  const w: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < seq; s++) {
      if (s < 4) {
        t.push(s);
        h.push(s);
        w.push(s);
      } else if (s < 4 + 36) {
        const i = s - 4;
        t.push(4);
        h.push(4 + Math.floor(i / 6));
        w.push(4 + (i % 6));
      } else {
        const p = 10 + (s - 40) + b * 3;
        t.push(p);
        h.push(p);
        w.push(p);
      }
    }
  }
  return [t, h, w];
}

/** A per-token table (M-RoPE computed elsewhere) fed to RotaryEmbedding with position_ids = 0..B·S−1 built in the graph. */
function perTokenCase(dtype: FloatType): SurveyCase {
  const id = `rope.pertoken.${dtype === 'float16' ? 'f16.' : ''}b2s64`;
  const batch = 2;
  const seq = 64;
  const { cos, sin } = mropeTables(mropePositions(batch, seq), D);
  return {
    id,
    group: 'rotary',
    op: 'RotaryEmbedding',
    variant: `[2, 64, ${HIDDEN}]; cos/sin given per token [B·S, ${D / 2}] (M-RoPE computed beforehand), position_ids = Range(0, B·S) reshaped in-graph`,
    dtype,
    inputs: [
      floatInput(id, 'x', [batch, seq, HIDDEN], ['batch', 'seq', HIDDEN]),
      { name: 'cos_tok', type: 'float', dims: [batch * seq, D / 2], graphDims: ['tokens', D / 2], data: cos },
      { name: 'sin_tok', type: 'float', dims: [batch * seq, D / 2], graphDims: ['tokens', D / 2], data: sin },
    ],
    outputs: ['y'],
    tolerance: dtype === 'float16' ? 5e-3 : 1e-5,
    candidate: (c) => {
      const shape = c.op1('Shape', [c.x('x')]);
      const bs = c.op1('Slice', [shape, c.i64([0]), c.i64([2])]);
      const tokens = c.op1('ReduceProd', [bs], { keepdims: 0 });
      const ids = c.op1('Range', [c.g.constI([0], []), tokens, c.g.constI([1], [])]);
      const pos = c.op1('Reshape', [ids, bs]);
      c.out(
        'y',
        c.ms('RotaryEmbedding', [c.x('x'), pos, c.x('cos_tok'), c.x('sin_tok')], { interleaved: 0 })[0] ?? '',
      );
    },
    baseline: (c) => {
      const x = c.op1('Reshape', [c.x('x'), c.i64([0, 0, N, D])]);
      const bsh = c.i64([batch, seq, 1, D / 2]);
      const cf = full(c, c.op1('Reshape', [c.x('cos_tok'), bsh]));
      const sf = full(c, c.op1('Reshape', [c.x('sin_tok'), bsh]));
      c.out('y', c.op1('Reshape', [applyRope(c, x, cf, sf, D), c.i64([0, 0, HIDDEN])]));
    },
    note: 'answers whether M-RoPE (positions computed in-graph) can use the fused kernel through a per-token table',
  };
}

function mropeCase(): SurveyCase {
  const id = 'mrope.s64';
  const batch = 1;
  const seq = 64;
  const pos = mropePositions(batch, seq);
  const { cos, sin } = ropeTables(range(MAX_POS), D);
  return {
    id,
    group: 'rotary',
    op: 'MRotaryEmbedding',
    variant: `[1, 64, ${HIDDEN}], position_ids [3, B, S], mrope_section [16, 24, 24] (Qwen2/2.5-VL)`,
    dtype: 'float',
    inputs: [
      floatInput(id, 'x', [batch, seq, HIDDEN], ['batch', 'seq', HIDDEN]),
      {
        name: 'position_ids',
        type: 'int64',
        dims: [3, batch, seq],
        graphDims: [3, 'batch', 'seq'],
        data: i64(pos.flat()),
      },
    ],
    outputs: ['y'],
    tolerance: 1e-5,
    candidate: (c) => {
      const ins = [
        c.x('x'),
        'position_ids',
        c.f('cos_cache', cos, [MAX_POS, D / 2]),
        c.f('sin_cache', sin, [MAX_POS, D / 2]),
      ];
      c.out(
        'y',
        c.ms('MRotaryEmbedding', ins, { mrope_section: SECTIONS, interleaved: 0, num_heads: N })[0] ?? '',
      );
    },
    baseline: (c) => {
      const gather = (table: string): string => {
        const g3 = c.op1('Gather', [table, 'position_ids'], { axis: 0 }); // [3, B, S, half]
        const parts: string[] = [];
        let at = 0;
        SECTIONS.forEach((len, row) => {
          const r = c.op1('Gather', [g3, c.g.constI([row], [])], { axis: 0 });
          parts.push(c.op1('Slice', [r, c.i64([at]), c.i64([at + len]), c.i64([-1])]));
          at += len;
        });
        return full(c, c.op1('Concat', parts, { axis: -1 }));
      };
      const cf = c.op1('Unsqueeze', [gather(c.f('cos_cache', cos, [MAX_POS, D / 2])), c.i64([2])]);
      const sf = c.op1('Unsqueeze', [gather(c.f('sin_cache', sin, [MAX_POS, D / 2])), c.i64([2])]);
      const x = c.op1('Reshape', [c.x('x'), c.i64([0, 0, N, D])]);
      c.out('y', c.op1('Reshape', [applyRope(c, x, cf, sf, D), c.i64([0, 0, HIDDEN])]));
    },
  };
}

/** ONNX RotaryEmbedding (opset 23): with position_ids and a cache, or without them and a per-token [B, S, D/2] table. */
function rope23Case(perToken: boolean): SurveyCase {
  const id = `rope23.${perToken ? 'pertoken.b2s64' : 's64'}`;
  const batch = perToken ? 2 : 1;
  const seq = 64;
  const positions = range(batch * seq, 100);
  const cache = ropeTables(range(MAX_POS), D);
  const tok = mropeTables(mropePositions(batch, seq), D);
  const inputs: SurveyCase['inputs'] = [floatInput(id, 'x', [batch, seq, HIDDEN], ['batch', 'seq', HIDDEN])];
  if (perToken) {
    inputs.push(
      {
        name: 'cos_tok',
        type: 'float',
        dims: [batch, seq, D / 2],
        graphDims: ['batch', 'seq', D / 2],
        data: tok.cos,
      },
      {
        name: 'sin_tok',
        type: 'float',
        dims: [batch, seq, D / 2],
        graphDims: ['batch', 'seq', D / 2],
        data: tok.sin,
      },
    );
  } else {
    inputs.push({
      name: 'position_ids',
      type: 'int64',
      dims: [batch, seq],
      graphDims: ['batch', 'seq'],
      data: i64(positions),
    });
  }
  const tables = (c: Ctx): [string, string] =>
    perToken
      ? [c.x('cos_tok'), c.x('sin_tok')]
      : [
          c.op1('Gather', [c.f('cos_cache', cache.cos, [MAX_POS, D / 2]), 'position_ids'], { axis: 0 }),
          c.op1('Gather', [c.f('sin_cache', cache.sin, [MAX_POS, D / 2]), 'position_ids'], { axis: 0 }),
        ];
  return {
    id,
    group: 'rotary',
    op: 'RotaryEmbedding (opset 23)',
    variant: perToken
      ? `[2, 64, ${HIDDEN}], no position_ids: cos/sin given per token [B, S, ${D / 2}] (M-RoPE-ready)`
      : `[1, 64, ${HIDDEN}], position_ids [B, S] into a [${MAX_POS}, ${D / 2}] cache`,
    dtype: 'float',
    opset: 23,
    inputs,
    outputs: ['y'],
    tolerance: 1e-5,
    candidate: (c) => {
      const ins = perToken
        ? [c.x('x'), c.x('cos_tok'), c.x('sin_tok')]
        : [
            c.x('x'),
            c.f('cos_cache', cache.cos, [MAX_POS, D / 2]),
            c.f('sin_cache', cache.sin, [MAX_POS, D / 2]),
            'position_ids',
          ];
      c.out('y', c.op1('RotaryEmbedding', ins, { interleaved: 0, num_heads: N }));
    },
    baseline: (c) => {
      const [cg, sg] = tables(c);
      const cf = c.op1('Unsqueeze', [full(c, cg), c.i64([2])]);
      const sf = c.op1('Unsqueeze', [full(c, sg), c.i64([2])]);
      const x = c.op1('Reshape', [c.x('x'), c.i64([0, 0, N, D])]);
      c.out('y', c.op1('Reshape', [applyRope(c, x, cf, sf, D), c.i64([0, 0, HIDDEN])]));
    },
  };
}

export function rotaryCases(): SurveyCase[] {
  const base = {
    batch: 1,
    dtype: 'float' as FloatType,
    layout: '3d' as const,
    rotaryDim: D,
    interleaved: false,
    packed: false,
  };
  const s64 = range(64, 100);
  return [
    ropeCase({
      ...base,
      id: 'rope.s64',
      variant: `[1, 64, ${HIDDEN}] (3-D, num_heads inferred), position_ids [B, S]`,
      seq: 64,
      positions: s64,
    }),
    ropeCase({
      ...base,
      id: 'rope.s1',
      variant: `[1, 1, ${HIDDEN}] decode at position 300`,
      seq: 1,
      positions: [300],
    }),
    ropeCase({
      ...base,
      id: 'rope.bnsh.s64',
      variant: `[1, ${N}, 64, ${D}] (4-D BNSH input)`,
      seq: 64,
      positions: s64,
      layout: 'bnsh',
    }),
    ropeCase({
      ...base,
      id: 'rope.partial.s64',
      variant: `[1, 64, ${HIDDEN}], rotary_embedding_dim 64 of ${D} (+num_heads)`,
      seq: 64,
      positions: s64,
      rotaryDim: 64,
    }),
    ropeCase({
      ...base,
      id: 'rope.interleaved.s64',
      variant: `[1, 64, ${HIDDEN}], interleaved 1`,
      seq: 64,
      positions: s64,
      interleaved: true,
    }),
    ropeCase({
      ...base,
      id: 'rope.packed.s64',
      variant: `[1, 64, ${HIDDEN}], is_packed_batching 1 (same inputs)`,
      seq: 64,
      positions: s64,
      packed: true,
    }),
    ropeCase({
      ...base,
      id: 'rope.f16.s64',
      variant: `[1, 64, ${HIDDEN}], fp16`,
      seq: 64,
      positions: s64,
      dtype: 'float16',
    }),
    perTokenCase('float'),
    perTokenCase('float16'),
    mropeCase(),
    rope23Case(false),
    rope23Case(true),
  ];
}
