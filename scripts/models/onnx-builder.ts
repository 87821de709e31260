/**
 * A small ONNX graph builder over onnx-proto: named values, typed initializers stored as raw bytes,
 * and helpers for the handful of ops a Qwen-style transformer needs.
 */
import pkg from 'onnx-proto';
import { quantizeQ4 } from './quantize';

const { onnx } = pkg;
const DT = onnx.TensorProto.DataType;

export type Dim = number | string;
export type ElemType = 'float' | 'int64' | 'uint8' | 'int32' | 'bool';

const ELEM: Record<ElemType, number> = {
  float: DT.FLOAT,
  int64: DT.INT64,
  uint8: DT.UINT8,
  int32: DT.INT32,
  bool: DT.BOOL,
};

type AttrValue = number | number[] | string | { ints: number[] } | { float: number };

/** Weight storage of a builder: fp32 MatMul, or 4-bit MatMulNBits (block 32) as onnx-community's q4 files. */
export type WeightFormat = 'fp32' | 'q4';

export class GraphBuilder {
  private readonly nodes: pkg.onnx.INodeProto[] = [];
  private readonly inits: pkg.onnx.ITensorProto[] = [];
  private readonly inputs: pkg.onnx.IValueInfoProto[] = [];
  private readonly outputs: pkg.onnx.IValueInfoProto[] = [];
  private readonly constCache = new Map<string, string>();
  private counter = 0;

  constructor(
    private readonly name: string,
    readonly format: WeightFormat,
  ) {}

  private fresh(hint: string): string {
    this.counter += 1;
    return `/${hint}_${this.counter}`;
  }

  input(name: string, type: ElemType, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  output(name: string, type: ElemType, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  /** Adds a node; returns its output names (one fresh name per requested output unless given). */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outs: number | string[] = 1, domain = ''): string[] {
    const outputNames = typeof outs === 'number' ? Array.from({ length: outs }, () => this.fresh(opType)) : outs;
    this.nodes.push(
      onnx.NodeProto.create({
        opType,
        domain,
        name: this.fresh(`${opType}_node`),
        input: inputs,
        output: outputNames,
        attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      }),
    );
    return outputNames;
  }

  /** Single-output op. */
  op1(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, out?: string, domain = ''): string {
    const [o] = this.op(opType, inputs, attrs, out === undefined ? 1 : [out], domain);
    if (o === undefined) throw new Error('op produced no output');
    return o;
  }

  initializer(name: string, type: ElemType, dims: number[], data: Float32Array | BigInt64Array | Uint8Array | Int32Array): string {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.inits.push(onnx.TensorProto.create({ name, dataType: ELEM[type], dims, rawData: bytes }));
    return name;
  }

  /** A small constant, shared between uses. */
  constF(values: number[], dims: number[] = [values.length]): string {
    const key = `f:${dims.join(',')}:${values.join(',')}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.initializer(this.fresh('const_f'), 'float', dims, Float32Array.from(values));
    this.constCache.set(key, name);
    return name;
  }

  constI(values: number[], dims: number[] = [values.length]): string {
    const key = `i:${dims.join(',')}:${values.join(',')}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = this.initializer(this.fresh('const_i'), 'int64', dims, BigInt64Array.from(values, BigInt));
    this.constCache.set(key, name);
    return name;
  }

  /**
   * x @ W (+ bias) with W given as [K, N] row-major. fp32 stores W as an initializer;
   * q4 stores it as com.microsoft MatMulNBits (bits 4, block 32, zero point 8).
   */
  linear(x: string, weightName: string, w: Float32Array, k: number, n: number, bias?: Float32Array, out?: string): string {
    if (this.format === 'fp32') {
      const wName = this.initializer(weightName, 'float', [k, n], w);
      if (!bias) return this.op1('MatMul', [x, wName], {}, out);
      const y = this.op1('MatMul', [x, wName]);
      return this.op1('Add', [y, this.initializer(`${weightName}.bias`, 'float', [n], bias)], {}, out);
    }
    const q = quantizeQ4(w, k, n);
    const b = this.initializer(`${weightName}_Q4`, 'uint8', [n, q.blocks, 16], q.packed);
    const s = this.initializer(`${weightName}_scales`, 'float', [n * q.blocks], q.scales);
    const ins = [x, b, s];
    if (bias) ins.push('', '', this.initializer(`${weightName}.bias`, 'float', [n], bias));
    return this.op1('MatMulNBits', ins, { K: k, N: n, bits: 4, block_size: 32 }, out, 'com.microsoft');
  }

  encode(opsetVersion = 17): Uint8Array {
    const graph = onnx.GraphProto.create({
      name: this.name,
      node: this.nodes,
      initializer: this.inits,
      input: this.inputs,
      output: this.outputs,
    });
    const opsetImport = [onnx.OperatorSetIdProto.create({ domain: '', version: opsetVersion })];
    if (this.nodes.some((n) => n.domain === 'com.microsoft')) {
      opsetImport.push(onnx.OperatorSetIdProto.create({ domain: 'com.microsoft', version: 1 }));
    }
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'proxythinker-web model factory',
      producerVersion: '1',
      opsetImport,
      graph,
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, type: ElemType, dims: Dim[]): pkg.onnx.IValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: ELEM[type],
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) =>
            typeof d === 'number'
              ? onnx.TensorShapeProto.Dimension.create({ dimValue: d })
              : onnx.TensorShapeProto.Dimension.create({ dimParam: d }),
          ),
        }),
      }),
    }),
  });
}

function attribute(name: string, v: AttrValue): pkg.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return onnx.AttributeProto.create({ name, type: T.INT, i: v });
  if (typeof v === 'string') return onnx.AttributeProto.create({ name, type: T.STRING, s: new TextEncoder().encode(v) });
  if (Array.isArray(v)) return onnx.AttributeProto.create({ name, type: T.INTS, ints: v });
  if ('ints' in v) return onnx.AttributeProto.create({ name, type: T.INTS, ints: v.ints });
  return onnx.AttributeProto.create({ name, type: T.FLOAT, f: v.float });
}
