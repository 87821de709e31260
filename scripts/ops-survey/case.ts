/**
 * A survey case: one operator variant as a tiny graph (the candidate: the fused/contrib op, or an fp16 op)
 * beside a baseline graph of the same computation in plain ONNX ops (or in float32), the inputs both take,
 * and the outputs to compare. The accuracy oracle is the baseline built in float32 and run on
 * onnxruntime-node's CPU EP.
 */
import { Graph, type ElemType, type TypedData } from '../../src/convert/onnx/graph';
import { f16ToF32, f32ToF16 } from '../../src/convert/onnx/half';
import { encodeGraph } from '../../src/convert/onnx/write';
import type { WireTensor, WireType } from './wire';

export type FloatType = 'float' | 'float16';
export type Group = 'matmul' | 'gather' | 'norm' | 'rotary' | 'attention' | 'activation' | 'fp16' | 'block';

/** An input; `float` inputs take the case's float type (data given in float32, rounded for fp16). */
export interface CaseInput {
  name: string;
  type: 'float' | 'int64' | 'int32' | 'bool';
  dims: number[];
  /** Symbolic dims for the graph's input declaration (e.g. ['batch', 'seq', 2048]); defaults to dims. */
  graphDims?: (number | string)[];
  data: Float32Array | BigInt64Array | Int32Array | Uint8Array;
}

export interface SurveyCase {
  id: string;
  group: Group;
  /** The operator under test, as the table names it. */
  op: string;
  /** What this variant exercises (shapes, attributes, layout). */
  variant: string;
  dtype: FloatType;
  /** ONNX-domain opset of both graphs (default 21). */
  opset?: number;
  inputs: CaseInput[];
  /** Outputs produced by both graphs and compared. */
  outputs: string[];
  candidate: (c: Ctx) => void;
  baseline: (c: Ctx) => void;
  /** The baseline's compute type when it is not the case's (fp16 coverage: float16 op vs the float32 op). */
  baselineCompute?: FloatType;
  /** Largest relative error (max|Δ| / max|ref|) still called exact for this case. */
  tolerance: number;
  /** A known limit or the question the case answers, shown in the report. */
  note?: string;
}

export const DEFAULT_OPSET = 21;

const CAST_TO: Record<FloatType, number> = { float: 1, float16: 10 };

/**
 * One graph being built: `x()` reads an input in the compute type (casting when the graph's inputs are in
 * another float type), `f()` makes a float initializer in the compute type, `out()` names an output (cast
 * back to the io type).
 */
export class Ctx {
  readonly g: Graph;
  private readonly seen = new Map<string, string>();

  constructor(
    readonly kase: SurveyCase,
    /** Float type of the graph's inputs and outputs. */
    readonly io: FloatType,
    /** Float type the graph computes in. */
    readonly dt: FloatType,
  ) {
    this.g = new Graph(kase.id);
    for (const i of kase.inputs) {
      this.g.input(i.name, i.type === 'float' ? io : i.type, i.graphDims ?? i.dims);
    }
  }

  get castTo(): number {
    return CAST_TO[this.dt];
  }

  /** An input by name, in the compute type. */
  x(name: string): string {
    const spec = this.kase.inputs.find((i) => i.name === name);
    if (!spec) throw new Error(`${this.kase.id}: no input ${name}`);
    if (spec.type !== 'float' || this.io === this.dt) return name;
    const hit = this.seen.get(name);
    if (hit) return hit;
    const cast = this.g.op1('Cast', [name], { to: this.castTo });
    this.seen.set(name, cast);
    return cast;
  }

  /**
   * A float initializer in the compute type. In an fp16 case the values are first rounded to float16, so a
   * float32 oracle computes with exactly the weights the fp16 graphs hold.
   */
  f(name: string, data: Float32Array, dims: number[]): string {
    if (this.dt === 'float16') return this.g.initializer(name, 'float16', dims, f32ToF16(data));
    return this.g.initializer(name, 'float', dims, asDtype(this.kase.dtype, data));
  }

  private consts = 0;

  /** A small float constant in the compute type (a scalar for one value unless dims say otherwise). */
  k(values: number[], dims?: number[]): string {
    this.consts += 1;
    return this.f(
      `/k${this.consts}`,
      Float32Array.from(values),
      dims ?? (values.length === 1 ? [] : [values.length]),
    );
  }

  init(name: string, type: ElemType, dims: number[], data: TypedData): string {
    return this.g.initializer(name, type, dims, data);
  }

  i64(values: number[]): string {
    return this.g.constI(values);
  }

  op(
    opType: string,
    inputs: string[],
    attrs: Parameters<Graph['op']>[2] = {},
    outs: number | string[] = 1,
    domain = '',
  ): string[] {
    // Trailing empty names are omitted optional inputs; onnxruntime wants them left off, not named ''.
    const ins = [...inputs];
    while (ins.length && ins[ins.length - 1] === '') ins.pop();
    return this.g.op(opType, ins, attrs, outs, domain);
  }

  op1(opType: string, inputs: string[], attrs: Parameters<Graph['op']>[2] = {}, domain = ''): string {
    return this.g.op1(opType, inputs, attrs, undefined, domain);
  }

  ms(
    opType: string,
    inputs: string[],
    attrs: Parameters<Graph['op']>[2] = {},
    outs: number | string[] = 1,
  ): string[] {
    return this.op(opType, inputs, attrs, outs, 'com.microsoft');
  }

  /** Declares output `name` with the value `v` (computed in the compute type). */
  out(name: string, v: string): void {
    if (this.io === this.dt) {
      this.g.op1('Identity', [v], {}, name);
    } else {
      this.g.op1('Cast', [v], { to: CAST_TO[this.io] }, name);
    }
    this.g.output(name, this.io);
  }

  /** Declares an output of a non-float type (indices, masks) as is. */
  outRaw(name: string, v: string, type: ElemType): void {
    this.g.op1('Identity', [v], {}, name);
    this.g.output(name, type);
  }

  encode(): Promise<Uint8Array> {
    const opset = this.kase.opset ?? DEFAULT_OPSET;
    return encodeGraph(this.g, { opset, irVersion: opset >= 23 ? 11 : 10 });
  }
}

export type GraphKind = 'candidate' | 'baseline' | 'oracle';

export function buildGraph(kase: SurveyCase, kind: GraphKind): Promise<Uint8Array> {
  if (kind === 'candidate') {
    const c = new Ctx(kase, kase.dtype, kase.dtype);
    kase.candidate(c);
    return c.encode();
  }
  const compute = kind === 'oracle' ? 'float' : (kase.baselineCompute ?? kase.dtype);
  const c = new Ctx(kase, kase.dtype, compute);
  kase.baseline(c);
  return c.encode();
}

/** The case's inputs as onnxruntime tensors (float data rounded to float16 for fp16 cases). */
export function caseFeeds(kase: SurveyCase): WireTensor[] {
  return kase.inputs.map((i) => {
    if (i.type === 'float') {
      if (!(i.data instanceof Float32Array))
        throw new Error(`${kase.id}: float input ${i.name} needs Float32Array data`);
      return kase.dtype === 'float16'
        ? { name: i.name, type: 'float16', dims: i.dims, data: f32ToF16(i.data) }
        : { name: i.name, type: 'float32', dims: i.dims, data: i.data };
    }
    const type: WireType = i.type;
    return { name: i.name, type, dims: i.dims, data: i.data };
  });
}

/** Float data as the case's float type holds it (so fp32 oracles see exactly the fp16 values). */
export function asDtype(dtype: FloatType, data: Float32Array): Float32Array {
  return dtype === 'float16' ? f16ToF32(f32ToF16(data)) : data;
}
