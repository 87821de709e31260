/** Tensors as they travel between the survey's cases, onnxruntime (Node or a page) and the report. */
export type WireType = 'float32' | 'float16' | 'int64' | 'int32' | 'bool' | 'uint8';

export type WireData = Float32Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array;

export interface WireTensor {
  name: string;
  type: WireType;
  dims: number[];
  data: WireData;
}

/** Bytes of one element (the byte view of `data` is sent as is). */
export const WIRE_BYTES: Record<WireType, number> = {
  float32: 4,
  float16: 2,
  int64: 8,
  int32: 4,
  bool: 1,
  uint8: 1,
};

export function wireBytes(t: WireTensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** A typed array of `type` over a copy of `bytes`. */
export function wireData(type: WireType, bytes: Uint8Array): WireData {
  const copy = bytes.slice().buffer;
  switch (type) {
    case 'float32':
      return new Float32Array(copy);
    case 'float16':
      return new Uint16Array(copy);
    case 'int64':
      return new BigInt64Array(copy);
    case 'int32':
      return new Int32Array(copy);
    case 'bool':
    case 'uint8':
      return new Uint8Array(copy);
  }
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
