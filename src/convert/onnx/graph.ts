/**
 * The one ONNX graph builder of the project (model factory and converter alike): named values,
 * nodes, and initializers whose bytes are produced only when the model is written, one tensor at a
 * time, so a graph over a 15 GB checkpoint never holds more than its largest tensor.
 */
import pkg from 'onnx-proto';
import { floatToHalf } from './half';

const { onnx } = pkg;
const DT = onnx.TensorProto.DataType;

export type Dim = number | string;
export type ElemType = 'float' | 'float16' | 'int64' | 'int32' | 'uint8' | 'int8' | 'bool' | 'uint4' | 'int4';

export const ELEM: Record<ElemType, number> = {
  float: DT.FLOAT,
  float16: DT.FLOAT16,
  int64: DT.INT64,
  int32: DT.INT32,
  uint8: DT.UINT8,
  int8: DT.INT8,
  bool: DT.BOOL,
  // 4-bit types (IR 10+): two elements per byte, the first in the low nibble.
  uint4: 21,
  int4: 22,
};

export const ELEM_BYTES: Record<ElemType, number> = {
  float: 4,
  float16: 2,
  int64: 8,
  int32: 4,
  uint8: 1,
  int8: 1,
  bool: 1,
  uint4: 0.5,
  int4: 0.5,
};

/** Bytes of a tensor's raw data (4-bit tensors round up to a whole byte). */
export const tensorBytes = (type: ElemType, dims: number[]): number => Math.ceil(dims.reduce((a, b) => a * b, 1) * ELEM_BYTES[type]);

type AttrValue = number | number[] | string | { ints: number[] } | { float: number } | { floats: number[] };

/** An initializer: its bytes come from `produce`, called once, when the model is written. */
export interface Initializer {
  name: string;
  type: ElemType;
  dims: number[];
  byteLength: number;
  produce: () => Uint8Array | Promise<Uint8Array>;
}

export type TypedData = Float32Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array;

export const bytesOf = (d: TypedData): Uint8Array => new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

export class Graph {
  readonly nodes: pkg.onnx.INodeProto[] = [];
  readonly initializers: Initializer[] = [];
  readonly inputs: pkg.onnx.IValueInfoProto[] = [];
  readonly outputs: pkg.onnx.IValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private readonly constCache = new Map<string, string>();
  private counter = 0;

  constructor(readonly name: string) {}

  fresh(hint: string): string {
    this.counter += 1;
    return `/${hint}_${this.counter}`;
  }

  input(name: string, type: ElemType, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  /** A graph output; without `dims` its shape is left to the runtime's inference. */
  output(name: string, type: ElemType, dims?: Dim[]): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  /** Adds a node; returns its output names (fresh ones unless given). */
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

  /** A weight whose bytes are produced when the model is written. */
  lazy(name: string, type: ElemType, dims: number[], produce: () => Uint8Array | Promise<Uint8Array>): string {
    if (this.names.has(name)) throw new Error(`${this.name}: initializer ${name} defined twice`);
    this.names.add(name);
    const byteLength = tensorBytes(type, dims);
    this.initializers.push({ name, type, dims, byteLength, produce });
    return name;
  }

  /** An initializer from data at hand. */
  initializer(name: string, type: ElemType, dims: number[], data: TypedData): string {
    const bytes = bytesOf(data);
    const expected = tensorBytes(type, dims);
    if (bytes.byteLength !== expected) throw new Error(`${name}: ${bytes.byteLength} bytes for dims [${dims}] of ${type}`);
    return this.lazy(name, type, dims, () => bytes);
  }

  /** A small float constant, shared between uses. */
  constF(values: number[], dims: number[] = [values.length], type: 'float' | 'float16' = 'float'): string {
    return this.shared(`${type}:${dims.join(',')}:${values.join(',')}`, () =>
      this.initializer(this.fresh('const_f'), type, dims, type === 'float' ? Float32Array.from(values) : Uint16Array.from(values, floatToHalf)),
    );
  }

  constI(values: number[], dims: number[] = [values.length]): string {
    return this.shared(`i:${dims.join(',')}:${values.join(',')}`, () => this.initializer(this.fresh('const_i'), 'int64', dims, BigInt64Array.from(values, BigInt)));
  }

  /** A small uint8 constant (zero points), shared between uses. */
  constU8(values: number[], dims: number[] = [values.length]): string {
    return this.shared(`u8:${dims.join(',')}:${values.join(',')}`, () => this.initializer(this.fresh('const_u8'), 'uint8', dims, Uint8Array.from(values)));
  }

  private shared(key: string, make: () => string): string {
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const name = make();
    this.constCache.set(key, name);
    return name;
  }

  /** Total bytes of all initializers. */
  weightBytes(): number {
    return this.initializers.reduce((a, i) => a + i.byteLength, 0);
  }

  usesDomain(domain: string): boolean {
    return this.nodes.some((n) => n.domain === domain);
  }
}

export function valueInfo(name: string, type: ElemType, dims?: Dim[]): pkg.onnx.IValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: ELEM[type],
        shape: dims && onnx.TensorShapeProto.create({
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
  if ('floats' in v) return onnx.AttributeProto.create({ name, type: T.FLOATS, floats: v.floats });
  return onnx.AttributeProto.create({ name, type: T.FLOAT, f: v.float });
}
