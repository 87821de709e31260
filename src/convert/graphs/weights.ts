/**
 * Weights for the graph builders: a WeightSource gives tensors in PyTorch layout (a checkpoint, or
 * the factory's seeded generator); the helpers here turn them into initializers of the requested
 * format lazily, so each tensor is read, transformed and written once, when the model is written.
 */
import { f32ToF16 } from '../onnx/half';
import { bytesOf, type Graph } from '../onnx/graph';
import { computeType, type WeightFormat } from '../model-desc';
import { quantizeRowsQ4, quantizeRowsQ8, type Q4, type Q8 } from '../quantize';

export interface WeightSource {
  /** Shape in PyTorch layout, or null when the checkpoint has no such tensor. */
  shape(name: string): number[] | null;
  /** The tensor as float32, PyTorch layout (row-major). */
  read(name: string): Promise<Float32Array>;
}

/** How graphs are built: 4-bit quantisation, and fused contrib ops or plain ONNX ops. */
export interface QuantOptions {
  /**
   * 'fused' (default): onnxruntime's SimplifiedLayerNormalization, SkipSimplifiedLayerNormalization,
   * RotaryEmbedding, Gelu and QuickGelu where the survey (docs/onnx-ops.md) found them exact on every
   * backend; 'plain': the same maths in standard ONNX ops (the bench compares the two).
   */
  ops?: 'fused' | 'plain';
  /**
   * Asymmetric blocks with zero points (more accurate), or symmetric ones without (the default:
   * onnxruntime-web's WASM MatMulNBits runs several times slower with zero points; docs/onnx-ops.md).
   */
  zeroPoints?: boolean;
}

/** Everything a graph function needs: the graph, the weight format and where weights come from. */
export class Ctx {
  readonly ct: 'float' | 'float16';
  readonly zeroPoints: boolean;
  readonly fused: boolean;
  /** q8: each linear input's per-row uint8 codes and scales, made once for every linear that reads it. */
  readonly rowCodes = new Map<string, { codes: string; scale: string }>();
  private readonly memo4: Memo<Q4> = new Map();
  private readonly memo8: Memo<Q8> = new Map();

  constructor(
    readonly g: Graph,
    readonly fmt: WeightFormat,
    readonly src: WeightSource,
    q: QuantOptions = {},
  ) {
    this.ct = computeType(fmt);
    this.zeroPoints = q.zeroPoints ?? false;
    this.fused = (q.ops ?? 'fused') === 'fused';
  }

  /** 4-bit formats (MatMulNBits); q8 is separate (`fmt === 'q8'`), its linears are MatMulInteger on per-row codes. */
  get quantized(): boolean {
    return this.fmt === 'q4' || this.fmt === 'q4f16';
  }

  /** Checks a tensor's shape against what the config implies, naming both when they differ. */
  expect(name: string, dims: number[], why: string): void {
    const got = this.src.shape(name);
    if (!got) throw new WeightError(name, `is missing (needed for ${why})`);
    const n = (a: number[]) => a.reduce((x, y) => x * y, 1);
    const same = got.length === dims.length ? got.every((d, i) => d === dims[i]) : n(got) === n(dims) && isFlattening(got, dims);
    if (!same) throw new WeightError(name, `has shape [${got.join(', ')}], but ${why} implies [${dims.join(', ')}]`);
  }

  /** A float vector (norm weight, bias) in the compute type. */
  vector(name: string, n: number, why: string): string {
    this.expect(name, [n], why);
    return this.g.lazy(name, this.ct, [n], async () => this.floatBytes(await this.src.read(name)));
  }

  /** Float data at hand (constants, factory extras) as an initializer in the compute type. */
  data(name: string, dims: number[], data: Float32Array): string {
    return this.g.lazy(name, this.ct, dims, () => this.floatBytes(data));
  }

  floatBytes(v: Float32Array): Uint8Array {
    return this.ct === 'float' ? bytesOf(v) : bytesOf(f32ToF16(v));
  }

  /** [n, k] weight as a MatMul right-hand side [k, n] (transposed), float or float16. */
  matmulWeight(name: string, n: number, k: number): string {
    return this.g.lazy(name, this.ct, [k, n], async () => this.floatBytes(transpose(await this.src.read(name), n, k)));
  }

  /** One quantisation per tensor, shared by its packed/scales/zeros initializers, dropped after the last. */
  q4(name: string, n: number, k: number, uses: number): () => Promise<Q4> {
    return shared(this.memo4, name, uses, () => this.src.read(name).then((w) => quantizeRowsQ4(w, n, k, this.zeroPoints)));
  }

  /** The same for 8-bit rows (values and scales). */
  q8(name: string, n: number, k: number, uses: number): () => Promise<Q8> {
    return shared(this.memo8, name, uses, () => this.src.read(name).then((w) => quantizeRowsQ8(w, n, k)));
  }
}

type Memo<T> = Map<string, { value: Promise<T>; uses: number }>;

/** One promise per name until its last use, so a tensor is read and quantised once. */
function shared<T>(memo: Memo<T>, name: string, uses: number, make: () => Promise<T>): () => Promise<T> {
  return () => {
    let m = memo.get(name);
    if (!m) {
      m = { value: make(), uses };
      memo.set(name, m);
    }
    m.uses -= 1;
    if (m.uses === 0) memo.delete(name);
    return m.value;
  };
}

export class WeightError extends Error {
  constructor(
    readonly tensor: string,
    detail: string,
  ) {
    super(`tensor ${tensor} ${detail}`);
    this.name = 'WeightError';
  }
}

/** [a, b, c, …] may stand for [a, b·c·…] (a Conv3d patch embedding read as a Linear). */
function isFlattening(got: number[], want: number[]): boolean {
  return want.length === 2 && got[0] === want[0];
}

export function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  return transposeInto(w, rows, cols, new Float32Array(rows * cols));
}

/** Row-major [rows, cols] → [cols, rows] into `out` (any numeric typed array), in cache-sized tiles. */
export function transposeInto<T extends Float32Array | Int8Array>(w: T, rows: number, cols: number, out: T): T {
  const B = 64;
  for (let r0 = 0; r0 < rows; r0 += B) {
    for (let c0 = 0; c0 < cols; c0 += B) {
      const r1 = Math.min(rows, r0 + B);
      const c1 = Math.min(cols, c0 + B);
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out[c * rows + r] = w[r * cols + c] ?? 0;
    }
  }
  return out;
}
