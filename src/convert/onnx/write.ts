/**
 * Streams a Graph to an .onnx file (and external data files) one initializer at a time. The
 * protobuf is written by hand around protobufjs-encoded pieces: every size is known up front, so
 * the ModelProto's graph field and each TensorProto can be length-prefixed before their bytes exist.
 */
import pkg from 'onnx-proto';
import type { ByteSink, OutputFolder } from '../io';
import type { Graph, Initializer } from './graph';
import { ELEM } from './graph';

const { onnx } = pkg;

/** Field tags (field number << 3 | wire type 2, length-delimited) of the parts written by hand. */
const TAG_MODEL_GRAPH = (7 << 3) | 2;
const TAG_GRAPH_INITIALIZER = (5 << 3) | 2;
const TAG_TENSOR_RAW_DATA = (9 << 3) | 2;

/** Tensors below this many bytes stay in the .onnx even when the rest is external (as onnx does). */
const INLINE_BELOW = 1024;
/** External tensors start on a page boundary so runtimes can map them. */
const ALIGN = 4096;

export interface WriteOptions {
  /** Write weights to `<file>_data[_k]` files; `false` keeps them in the .onnx (must stay < 2 GB). */
  external: boolean;
  /** Largest external data file; a tensor larger than this gets a file of its own. */
  chunkBytes: number;
  producer?: string;
  /** Files are created under this prefix of their names (renamed later); the .onnx refers to the final names. */
  staging?: string;
  /** ONNX-domain opset (default 17) and IR version (default 8; 4-bit tensors need 10). */
  opset?: number;
  irVersion?: number;
  /** Called after each initializer is written. */
  onTensor?: (t: Initializer, bytesDone: number) => void;
}

export interface Written {
  /** Paths written, relative to the output folder: the .onnx first, then its data files. */
  files: string[];
  bytes: number;
}

/** Protobuf's hard limit for one message. */
export const PROTOBUF_LIMIT = 2 ** 31 - 1;

export async function writeOnnx(graph: Graph, folder: OutputFolder, path: string, opts: WriteOptions): Promise<Written> {
  const base = path.split('/').pop() ?? path;
  const dir = path.slice(0, path.length - base.length);
  const placement = place(graph.initializers, opts, base);
  const onDisk = (name: string) => dir + (opts.staging ?? '') + name;
  const files: string[] = [onDisk(base)];
  let done = 0;
  const report = (t: Initializer, n: number) => {
    done += n;
    opts.onTensor?.(t, done);
  };

  // External data first (the .onnx then only refers to it).
  let sink: ByteSink | null = null;
  let chunk = -1;
  let offset = 0;
  try {
    for (const t of graph.initializers) {
      const p = placement.get(t.name);
      if (!p) continue;
      if (p.chunk !== chunk) {
        await sink?.close();
        chunk = p.chunk;
        offset = 0;
        const file = onDisk(p.location);
        files.push(file);
        sink = await folder.create(file);
      }
      if (!sink) throw new Error('no data sink');
      if (p.offset > offset) {
        await sink.write(new Uint8Array(p.offset - offset));
        offset = p.offset;
      }
      const bytes = await produce(t);
      await sink.write(bytes);
      offset += bytes.byteLength;
      report(t, bytes.byteLength);
    }
  } finally {
    await sink?.close();
  }

  const tensorHeads = graph.initializers.map((t) => tensorHead(t, placement.get(t.name)));
  const inlineBytes = (t: Initializer) => (placement.has(t.name) ? 0 : t.byteLength);
  const tensorLen = (t: Initializer, head: Uint8Array) =>
    head.byteLength + (placement.has(t.name) ? 0 : 1 + varintLength(t.byteLength) + t.byteLength);

  const graphHead = onnx.GraphProto.encode(
    onnx.GraphProto.create({ name: graph.name, node: graph.nodes, input: graph.inputs, output: graph.outputs }),
  ).finish();
  let graphLen = graphHead.byteLength;
  graph.initializers.forEach((t, i) => {
    const len = tensorLen(t, tensorHeads[i] ?? new Uint8Array());
    graphLen += 1 + varintLength(len) + len;
  });
  const opsetImport = [onnx.OperatorSetIdProto.create({ domain: '', version: opts.opset ?? 17 })];
  if (graph.usesDomain('com.microsoft')) opsetImport.push(onnx.OperatorSetIdProto.create({ domain: 'com.microsoft', version: 1 }));
  const modelHead = onnx.ModelProto.encode(
    onnx.ModelProto.create({ irVersion: opts.irVersion ?? 8, producerName: opts.producer ?? 'proxythinker-web', producerVersion: '2', opsetImport }),
  ).finish();
  const total = modelHead.byteLength + 1 + varintLength(graphLen) + graphLen;
  if (total > PROTOBUF_LIMIT) {
    throw new Error(`${path}: ${total} bytes exceed protobuf's 2 GB limit; write its weights as external data`);
  }

  const out = await folder.create(onDisk(base));
  try {
    await out.write(concat([modelHead, Uint8Array.of(TAG_MODEL_GRAPH), varint(graphLen), graphHead]));
    for (let i = 0; i < graph.initializers.length; i++) {
      const t = graph.initializers[i];
      const head = tensorHeads[i];
      if (!t || !head) continue;
      const len = tensorLen(t, head);
      await out.write(concat([Uint8Array.of(TAG_GRAPH_INITIALIZER), varint(len), head]));
      if (inlineBytes(t) === 0) continue;
      await out.write(concat([Uint8Array.of(TAG_TENSOR_RAW_DATA), varint(t.byteLength)]));
      const bytes = await produce(t);
      await out.write(bytes);
      report(t, bytes.byteLength);
    }
  } finally {
    await out.close();
  }
  return { files, bytes: total + placementBytes(placement) };
}

interface Placement {
  chunk: number;
  location: string;
  offset: number;
  length: number;
}

function place(inits: Initializer[], opts: WriteOptions, base: string): Map<string, Placement> {
  const out = new Map<string, Placement>();
  if (!opts.external) return out;
  let chunk = 0;
  let offset = 0;
  let used = false;
  for (const t of inits) {
    if (t.byteLength < INLINE_BELOW) continue;
    let start = align(offset);
    if (used && start + t.byteLength > opts.chunkBytes) {
      chunk += 1;
      start = 0;
    }
    out.set(t.name, { chunk, location: `${base}_data${chunk === 0 ? '' : `_${chunk}`}`, offset: start, length: t.byteLength });
    offset = start + t.byteLength;
    used = true;
  }
  return out;
}

/** Number of external data files a placement used (what transformers.js' use_external_data_format counts). */
export function dataFileCount(files: string[]): number {
  return files.filter((f) => /\.onnx_data(_\d+)?$/.test(f)).length;
}

function placementBytes(p: Map<string, Placement>): number {
  let n = 0;
  for (const v of p.values()) n += v.length;
  return n;
}

const align = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

async function produce(t: Initializer): Promise<Uint8Array> {
  const bytes = await t.produce();
  if (bytes.byteLength !== t.byteLength) {
    throw new Error(`tensor ${t.name}: produced ${bytes.byteLength} bytes, expected ${t.byteLength} for [${t.dims}]`);
  }
  return bytes;
}

/** The TensorProto without raw data (inline tensors get their raw_data field appended). */
function tensorHead(t: Initializer, p: Placement | undefined): Uint8Array {
  const base = { name: t.name, dataType: ELEM[t.type], dims: t.dims };
  const proto = p
    ? onnx.TensorProto.create({
        ...base,
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          onnx.StringStringEntryProto.create({ key: 'location', value: p.location }),
          onnx.StringStringEntryProto.create({ key: 'offset', value: String(p.offset) }),
          onnx.StringStringEntryProto.create({ key: 'length', value: String(p.length) }),
        ],
      })
    : onnx.TensorProto.create(base);
  return onnx.TensorProto.encode(proto).finish();
}

function varintLength(n: number): number {
  let len = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    len += 1;
  }
  return len;
}

function varint(n: number): Uint8Array {
  const out: number[] = [];
  while (n >= 128) {
    out.push((n % 128) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Uint8Array.from(out);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/** The whole model in memory, weights inline (tests and small graphs). */
export async function encodeGraph(graph: Graph, opts: Pick<WriteOptions, 'opset' | 'irVersion'> = {}): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const folder: OutputFolder = {
    list: async () => [],
    readText: async () => null,
    create: async () => ({ write: async (b) => void parts.push(b.slice()), close: async () => undefined }),
    rename: async () => undefined,
    remove: async () => undefined,
  };
  await writeOnnx(graph, folder, 'model.onnx', { external: false, chunkBytes: Infinity, ...opts });
  return concat(parts);
}
