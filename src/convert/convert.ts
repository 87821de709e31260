/**
 * One model → a folder in the onnx-community / transformers.js layout: for each weight format,
 * onnx/{vision_encoder,embed_tokens,decoder_model_merged}<suffix>.onnx (external data past the
 * threshold), then the tokenizer/processor files, config.json, and last convert-manifest.json.
 * ONNX files are written under temporary names and renamed only when all of them are complete, so
 * an interrupted conversion never leaves a folder that looks like a finished model.
 */
import type { OutputFolder } from './io';
import { FORMAT_SUFFIX, type ModelDesc, type WeightFormat } from './model-desc';
import { buildDecoder, type DecoderExtras } from './graphs/decoder';
import { buildEmbedTokens } from './graphs/embed';
import { buildVisionEncoder } from './graphs/vision';
import type { WeightSource } from './graphs/weights';
import type { Graph, Initializer } from './onnx/graph';
import { writeOnnx } from './onnx/write';
import { outputConfig, outputPreprocessorConfig } from './output-config';

export const MANIFEST = 'convert-manifest.json';
const PARTIAL = '.partial-';

export interface ConvertInput {
  desc: ModelDesc;
  /** The source's config.json, parsed. */
  config: Record<string, unknown>;
  weights: WeightSource;
  /** Tokenizer, processor and generation files to carry over (name → text). */
  sideFiles: Map<string, string>;
  /** Identifies the source (two conversions of the same checkpoint may share a folder). */
  fingerprint: string;
  name: string;
}

/**
 * A file whose weights exceed this keeps them in external data: onnxruntime-web then copies each
 * weight once into its WebAssembly heap, not the whole file first.
 */
export const DEFAULT_EXTERNAL_ABOVE = 4 * 1024 ** 2;

export interface ConvertOptions {
  formats: readonly WeightFormat[];
  /** Replace a folder that holds another model. */
  force?: boolean;
  /** A file whose weights exceed this many bytes keeps them in external data files (default DEFAULT_EXTERNAL_ABOVE). */
  externalAbove?: number;
  /** Largest external data file. */
  chunkBytes?: number;
  /** The decoder declares num_logits_to_keep (prefills compute one lm_head row). */
  logitsToKeep?: boolean;
  extras?: DecoderExtras;
  /** 4-bit blocks with zero points (see QuantOptions). */
  q4ZeroPoints?: boolean;
  /** Fused contrib ops (default) or plain ONNX ops (see QuantOptions). */
  ops?: 'fused' | 'plain';
  producer?: string;
  /** Write convert-manifest.json last (the factory's byte-identical output leaves it out). */
  manifest?: boolean;
  onProgress?: (p: ConvertProgress) => void;
  signal?: AbortSignal;
}

export interface ConvertProgress {
  file: string;
  tensor: string;
  bytesDone: number;
  bytesTotal: number;
  elapsedMs: number;
}

export interface ConvertResult {
  files: { path: string; bytes: number }[];
  bytesWritten: number;
  elapsedMs: number;
}

export const REQUIRED_SIDE_FILES = ['tokenizer.json', 'tokenizer_config.json', 'preprocessor_config.json'] as const;
export const OPTIONAL_SIDE_FILES = [
  'generation_config.json',
  'chat_template.json',
  'chat_template.jinja',
  'special_tokens_map.json',
  'added_tokens.json',
  'vocab.json',
  'merges.txt',
] as const;

export class OutputFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputFolderError';
  }
}

/** The graphs a conversion writes, by file path (built lazily: nothing is read until written). */
export function plannedGraphs(input: ConvertInput, opts: ConvertOptions): { path: string; build: () => Graph }[] {
  const out: { path: string; build: () => Graph }[] = [];
  const q = { zeroPoints: opts.q4ZeroPoints ?? false, ops: opts.ops ?? 'fused' };
  for (const fmt of opts.formats) {
    const sfx = FORMAT_SUFFIX[fmt];
    out.push({ path: `onnx/vision_encoder${sfx}.onnx`, build: () => buildVisionEncoder(input.desc, fmt, input.weights, q) });
    out.push({ path: `onnx/embed_tokens${sfx}.onnx`, build: () => buildEmbedTokens(input.desc.text, fmt, input.weights, q) });
    out.push({
      path: `onnx/decoder_model_merged${sfx}.onnx`,
      build: () => buildDecoder(input.desc.text, fmt, input.weights, { ...q, logitsToKeep: opts.logitsToKeep ?? true, ...(opts.extras ? { extras: opts.extras } : {}) }),
    });
  }
  return out;
}

export async function convertModel(input: ConvertInput, out: OutputFolder, opts: ConvertOptions): Promise<ConvertResult> {
  const t0 = performance.now();
  for (const f of REQUIRED_SIDE_FILES) {
    if (!input.sideFiles.has(f)) throw new OutputFolderError(`${input.name}: ${f} is missing from the checkpoint (the app needs it)`);
  }
  await checkOutputFolder(input, out, opts.force ?? false);

  const graphs = plannedGraphs(input, opts).map((p) => ({ ...p, graph: p.build() }));
  const bytesTotal = graphs.reduce((a, p) => a + p.graph.weightBytes(), 0);
  let bytesBefore = 0;
  const externalData: Record<string, number> = {};
  const written: { path: string; bytes: number }[] = [];
  const temps: [string, string][] = [];
  try {
    for (const p of graphs) {
      opts.signal?.throwIfAborted();
      const external = p.graph.weightBytes() > (opts.externalAbove ?? DEFAULT_EXTERNAL_ABOVE);
      const base = p.path.split('/').pop() ?? p.path;
      const before = bytesBefore;
      const r = await writeOnnx(p.graph, out, p.path, {
        external,
        staging: PARTIAL,
        chunkBytes: opts.chunkBytes ?? 1024 ** 3,
        producer: opts.producer ?? 'proxythinker-web converter',
        onTensor: (t: Initializer, done: number) => {
          opts.signal?.throwIfAborted();
          opts.onProgress?.({ file: p.path, tensor: t.name, bytesDone: before + done, bytesTotal, elapsedMs: performance.now() - t0 });
        },
      });
      bytesBefore += p.graph.weightBytes();
      written.push({ path: p.path, bytes: r.bytes });
      for (const f of r.files) temps.push([f, f.replace(PARTIAL, '')]);
      if (r.files.length > 1) externalData[base] = r.files.length - 1;
    }
    // Everything is complete: only now do the files take their real names.
    for (const [from, to] of temps) await out.rename(from, to);
  } catch (e) {
    // The temporary files, the one being written included: nothing half-written stays.
    for (const f of await out.list()) if (f.includes(PARTIAL)) await out.remove(f).catch(() => undefined);
    throw e;
  }

  // Data files of earlier conversions into this folder (other formats) stay declared.
  const present = await out.list();
  for (const f of present) {
    const m = /^onnx\/(.+\.onnx)_data(?:_(\d+))?$/.exec(f);
    if (m?.[1] && present.includes(`onnx/${m[1]}`)) externalData[m[1]] = Math.max(externalData[m[1]] ?? 0, Number(m[2] ?? 0) + 1);
  }

  for (const [name, text] of input.sideFiles) {
    if (name === 'config.json') continue;
    const body =
      name === 'preprocessor_config.json'
        ? json(outputPreprocessorConfig(JSON.parse(text), input.desc))
        : name === 'tokenizer_config.json'
          ? withChatTemplate(text, input.sideFiles)
          : text;
    await writeText(out, name, body);
    written.push({ path: name, bytes: new TextEncoder().encode(body).byteLength });
  }
  const config = json(outputConfig(input.desc, input.config, externalData));
  await writeText(out, 'config.json', config);
  const result: ConvertResult = { files: written, bytesWritten: bytesTotal, elapsedMs: performance.now() - t0 };
  if (opts.manifest === false) return result;
  await writeText(
    out,
    MANIFEST,
    json({
      format: 'proxythinker-convert/1',
      name: input.name,
      family: input.desc.family,
      fingerprint: input.fingerprint,
      formats: opts.formats,
      files: temps.map(([, to]) => to),
      completed: new Date().toISOString(),
    }),
  );
  return result;
}

/** Refuses a folder that holds another model unless forced; clears leftovers of interrupted runs. */
async function checkOutputFolder(input: ConvertInput, out: OutputFolder, force: boolean): Promise<void> {
  const files = await out.list();
  for (const f of files.filter((x) => x.includes(PARTIAL))) await out.remove(f);
  const modelFiles = files.filter((f) => f === 'config.json' || f === MANIFEST || f.startsWith('onnx/'));
  if (modelFiles.length === 0) return;
  const manifest = await out.readText(MANIFEST);
  let same = false;
  if (manifest) {
    try {
      const m: unknown = JSON.parse(manifest);
      same = typeof m === 'object' && m !== null && 'fingerprint' in m && m.fingerprint === input.fingerprint;
    } catch {
      same = false;
    }
  }
  if (same) return;
  if (!force) {
    const what = manifest ? 'a conversion of another checkpoint' : 'a model that was not converted from this checkpoint';
    throw new OutputFolderError(`the output folder already holds ${what} (${modelFiles.slice(0, 3).join(', ')}${modelFiles.length > 3 ? ', …' : ''}); pass --force to replace it`);
  }
  for (const f of modelFiles) await out.remove(f);
}

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/**
 * tokenizer_config.json with the chat template in it: newer checkpoints keep the template only in
 * chat_template.json or chat_template.jinja, while the app (transformers.js) reads it from here.
 */
function withChatTemplate(text: string, side: Map<string, string>): string {
  const config: unknown = JSON.parse(text);
  if (typeof config !== 'object' || config === null || Array.isArray(config) || 'chat_template' in config) return text;
  const jinja = side.get('chat_template.jinja');
  let template: unknown = jinja;
  const fromJson = side.get('chat_template.json');
  if (template === undefined && fromJson !== undefined) {
    const parsed: unknown = JSON.parse(fromJson);
    if (typeof parsed === 'object' && parsed !== null && 'chat_template' in parsed) template = parsed.chat_template;
  }
  return typeof template === 'string' ? json({ ...config, chat_template: template }) : text;
}

async function writeText(out: OutputFolder, path: string, text: string): Promise<void> {
  const sink = await out.create(path);
  await sink.write(new TextEncoder().encode(text));
  await sink.close();
}
