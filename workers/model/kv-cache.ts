/**
 * The per-stream KV cache of one model. The prompt's cache is kept on the CPU (downloaded once from
 * the GPU after prefill), so a run with another α or sampling starts from it without any prefill,
 * and it is tiled to the batch of streams (base-only + guided share one prompt prefill).
 */
import { Tensor } from '@huggingface/transformers';

type CacheArray = Float32Array | Uint16Array | Float16ArrayLike;
/** Float16Array where the runtime has it; typed loosely because lib.dom may not declare it. */
interface Float16ArrayLike {
  readonly length: number;
  readonly BYTES_PER_ELEMENT: number;
  readonly buffer: ArrayBufferLike;
}

export interface HostTensor {
  type: string;
  dims: number[];
  data: CacheArray;
}

/** Reads a tensor's data to the CPU (GPU tensors are downloaded and released). */
export async function toHost(t: Tensor): Promise<HostTensor> {
  if (t.location === 'gpu-buffer') {
    const data = await t.ort_tensor.getData(true);
    return { type: t.type, dims: [...t.dims], data: asCacheArray(data) };
  }
  return { type: t.type, dims: [...t.dims], data: asCacheArray(t.data) };
}

function asCacheArray(d: unknown): CacheArray {
  if (d instanceof Float32Array || d instanceof Uint16Array) return d;
  if (typeof d === 'object' && d !== null && 'BYTES_PER_ELEMENT' in d && 'buffer' in d && 'length' in d) {
    const bpe = d.BYTES_PER_ELEMENT;
    if (bpe === 2 && d.buffer instanceof ArrayBuffer && typeof d.length === 'number') return new Uint16Array(d.buffer, 0, d.length);
  }
  throw new Error('KV cache tensors must be float32 or float16');
}

/** Repeats a [1, heads, len, dim] cache tensor `rows` times along the batch axis. */
export function tile(t: HostTensor, rows: number): Tensor {
  const [b, ...rest] = t.dims;
  if (b !== 1) throw new Error(`prompt cache must have batch 1, got ${b}`);
  const per = t.data.length;
  if (t.data instanceof Float32Array) {
    const out = new Float32Array(per * rows);
    for (let r = 0; r < rows; r++) out.set(t.data, r * per);
    return new Tensor('float32', out, [rows, ...rest]);
  }
  const src = new Uint16Array(t.data.buffer, 0, per);
  const out = new Uint16Array(per * rows);
  for (let r = 0; r < rows; r++) out.set(src, r * per);
  return new Tensor('float16', out, [rows, ...rest]);
}

/** Releases the GPU buffers of cache tensors the next step has replaced. */
export function disposeReplaced(old: Record<string, Tensor>, next: Record<string, Tensor>): void {
  for (const [name, t] of Object.entries(old)) {
    if (next[name] !== t && t.location === 'gpu-buffer') t.dispose();
  }
}
