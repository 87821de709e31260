/** Reading what the decoder returns: logits (float32 or float16), int64 data, GPU outputs to release. */
import { Tensor } from '@huggingface/transformers';

export const toBig = (x: unknown): bigint => (typeof x === 'bigint' ? x : BigInt(Number(x)));

export function readLogits(out: Record<string, unknown>): Tensor {
  const l = out['logits'];
  if (!(l instanceof Tensor)) throw new Error('decoder returned no logits');
  return l;
}

export function logitsData(t: Tensor): Float32Array | Uint16Array {
  const d: unknown = t.data;
  if (d instanceof Float32Array || d instanceof Uint16Array) return d;
  if (
    t.type === 'float16' &&
    typeof d === 'object' &&
    d !== null &&
    'buffer' in d &&
    d.buffer instanceof ArrayBuffer
  ) {
    return new Uint16Array(d.buffer);
  }
  throw new Error(`unsupported logits type ${t.type}`);
}

export async function disposeOutputs(out: Record<string, unknown>): Promise<void> {
  for (const t of Object.values(out)) if (t instanceof Tensor && t.location === 'gpu-buffer') t.dispose();
}
