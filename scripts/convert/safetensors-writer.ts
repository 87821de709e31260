/**
 * Writes safetensors files (one, or shards with model.safetensors.index.json) from a WeightSource,
 * streaming one tensor at a time: the synthetic checkpoints that stand in for the published ones.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WeightSource } from '../../src/convert/graphs/weights';
import { f32ToF16 } from '../../src/convert/onnx/half';

export type StDtype = 'BF16' | 'F16' | 'F32';
const BYTES: Record<StDtype, number> = { BF16: 2, F16: 2, F32: 4 };

export interface WriteCheckpointOptions {
  dtype: StDtype;
  /** Shards of at most this many bytes (one file `model.safetensors` when everything fits). */
  shardBytes: number;
  /** Published name → name in the file (the newer transformers naming, say). */
  rename?: (name: string) => string;
}

export async function writeSafetensors(
  dir: string,
  tensors: { name: string; shape: number[] }[],
  source: WeightSource,
  opts: WriteCheckpointOptions,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const shards: { name: string; shape: number[] }[][] = [[]];
  let used = 0;
  for (const t of tensors) {
    const bytes = t.shape.reduce((a, b) => a * b, 1) * BYTES[opts.dtype];
    const current = shards[shards.length - 1] ?? [];
    if (current.length > 0 && used + bytes > opts.shardBytes) {
      shards.push([t]);
      used = bytes;
    } else {
      current.push(t);
      used += bytes;
    }
  }
  const names = shards.length === 1 ? ['model.safetensors'] : shards.map((_, i) => `model-${pad(i + 1)}-of-${pad(shards.length)}.safetensors`);
  const weightMap: Record<string, string> = {};
  let total = 0;
  for (let i = 0; i < shards.length; i++) {
    const file = names[i] ?? '';
    const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
    let offset = 0;
    for (const t of shards[i] ?? []) {
      const n = t.shape.reduce((a, b) => a * b, 1) * BYTES[opts.dtype];
      const name = opts.rename ? opts.rename(t.name) : t.name;
      header[name] = { dtype: opts.dtype, shape: t.shape, data_offsets: [offset, offset + n] };
      weightMap[name] = file;
      offset += n;
    }
    total += offset;
    let json = JSON.stringify(header);
    json += ' '.repeat((8 - (json.length % 8)) % 8); // as safetensors pads the header
    const head = new Uint8Array(8 + json.length);
    new DataView(head.buffer).setBigUint64(0, BigInt(json.length), true);
    head.set(new TextEncoder().encode(json), 8);
    const out = createWriteStream(join(dir, file));
    const write = (b: Uint8Array) => new Promise<void>((res, rej) => out.write(b, (e) => (e ? rej(e) : res())));
    await write(head);
    for (const t of shards[i] ?? []) await write(encode(await source.read(t.name), opts.dtype));
    await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
  }
  if (shards.length > 1) {
    await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2));
  }
  return names;
}

const pad = (n: number) => String(n).padStart(5, '0');

export function encode(v: Float32Array, dtype: StDtype): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (dtype === 'F16') {
    const h = f32ToF16(v);
    return new Uint8Array(h.buffer);
  }
  // bfloat16: the top half of each float32, rounded to nearest even.
  const bits = new Uint32Array(v.buffer, v.byteOffset, v.length);
  const out = new Uint16Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = bits[i] ?? 0;
    out[i] = Math.floor((x + 0x7fff + ((x >>> 16) & 1)) / 65536) & 0xffff;
  }
  return new Uint8Array(out.buffer);
}
