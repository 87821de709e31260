/**
 * safetensors: an 8-byte little-endian header length, a JSON header (per tensor `dtype`, `shape`,
 * `data_offsets` relative to the end of the header; optional `__metadata__`), then raw tensors.
 */
import type { ByteSource } from '../io';
import { bf16ToF32, f16ToF32 } from '../onnx/half';

export interface TensorEntry {
  file: string;
  dtype: string;
  shape: number[];
  /** Absolute byte range in the file. */
  begin: number;
  end: number;
}

const ELEMENT_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
export const READABLE_DTYPES = ['BF16', 'F16', 'F32', 'F64'] as const;

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads and checks one file's header: every tensor's bytes must lie inside the file. */
export async function readHeader(src: ByteSource): Promise<Map<string, TensorEntry>> {
  const fail = (why: string): never => {
    throw new CheckpointError(`${src.name}: ${why}`);
  };
  if (src.size < 8) return fail(`${src.size} bytes is too short for a safetensors file (truncated?)`);
  const lenBytes = await src.read(0, 8);
  const len = Number(new DataView(lenBytes.buffer, lenBytes.byteOffset, 8).getBigUint64(0, true));
  if (len <= 0 || len > 100 * 2 ** 20 || 8 + len > src.size) {
    fail(`header length ${len} does not fit a file of ${src.size} bytes (not a safetensors file, or truncated)`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(await src.read(8, len)));
  } catch (e) {
    fail(`header is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isRecord(header)) return fail('header is not a JSON object');
  const dataStart = 8 + len;
  const out = new Map<string, TensorEntry>();
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (!isRecord(v)) return fail(`tensor ${name}: header entry is not an object`);
    const entry = v;
    const dtype = entry['dtype'];
    const shape = entry['shape'];
    const offsets = entry['data_offsets'];
    if (typeof dtype !== 'string') return fail(`tensor ${name}: no dtype`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) return fail(`tensor ${name}: bad shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isInteger(d) && d >= 0)) {
      return fail(`tensor ${name}: bad data_offsets`);
    }
    const [b = 0, e = 0] = offsets as number[];
    const dims = shape as number[];
    const bytes = ELEMENT_BYTES[dtype];
    if (bytes !== undefined && e - b !== dims.reduce((a, d) => a * d, 1) * bytes) {
      fail(`tensor ${name}: ${e - b} bytes for shape [${dims.join(', ')}] of ${dtype}`);
    }
    if (dataStart + e > src.size) {
      fail(`tensor ${name} ends at byte ${dataStart + e}, past the end of the file (${src.size} bytes): the file is truncated`);
    }
    out.set(name, { file: src.name, dtype, shape: dims, begin: dataStart + b, end: dataStart + e });
  }
  return out;
}

/** A tensor as float32 (BF16, F16, F32 and F64 are read; other dtypes are refused by name). */
export async function readFloat(src: ByteSource, name: string, t: TensorEntry): Promise<Float32Array> {
  if (!(READABLE_DTYPES as readonly string[]).includes(t.dtype)) {
    throw new CheckpointError(`${t.file}: tensor ${name} has dtype ${t.dtype}, which cannot be read as weights (readable: ${READABLE_DTYPES.join(', ')})`);
  }
  const raw = await src.read(t.begin, t.end - t.begin);
  // Typed views need aligned offsets; copy when the source handed out an unaligned slice.
  const bytes = raw.byteOffset % 8 === 0 ? raw : raw.slice();
  const n = bytes.byteLength;
  switch (t.dtype) {
    case 'BF16':
      return bf16ToF32(new Uint16Array(bytes.buffer, bytes.byteOffset, n / 2));
    case 'F16':
      return f16ToF32(new Uint16Array(bytes.buffer, bytes.byteOffset, n / 2));
    case 'F32':
      return new Float32Array(bytes.buffer, bytes.byteOffset, n / 4);
    default:
      return Float32Array.from(new Float64Array(bytes.buffer, bytes.byteOffset, n / 8));
  }
}
