/**
 * One VLM behind the ModelWorkerApi: prefill (image + chat → last logits), then one batched
 * decoder step per token for all of its streams. Runs in a model worker, or in-thread in Node tests.
 * It knows nothing of ProxyThinker: it only turns tokens into logits.
 */
import {
  RawImage,
  Tensor,
  cat,
  ones,
  type Processor,
  type Qwen2VLForConditionalGeneration,
} from '@huggingface/transformers';
import { copyLogits } from '../../src/core/half';
import { tokenizerFingerprint } from '../../src/core/vocab';
import type {
  FaultKind,
  FileProgress,
  LoadOptions,
  LoadPhase,
  ModelInfo,
  ModelSpecifier,
  ModelStats,
  ModelWorkerApi,
  PrefillRequest,
  PrefillResult,
  StepResult,
  ExtendRequest,
  ExtendResult,
  ImagePayload,
  PixelPayload,
} from '../../src/core/protocol';
import { expandImagePads, IMAGE_PAD, stableJson } from '../../src/core/pixels';
import { disposeReplaced, tile, toHost, type HostTensor } from './kv-cache';
import { loadModel, type LoadedModel } from '../../src/models/load';

interface PromptCache {
  key: string;
  ids: number[];
  /** image_grid_thw rows of the prompt's images, in order (M-RoPE needs them for any later extension). */
  grids: bigint[][];
  presents: Map<string, HostTensor>;
  /** M-RoPE position of the token after the prompt. */
  nextPosition: number;
  length: number;
  lastLogits: Float32Array;
  visionTokens: number;
}

/** One row of the decode batch: what it has seen, which cache slots are real, where it is. */
interface Row {
  ids: number[];
  grids: bigint[][];
  /** 1 for cache slots this row attends to, 0 for padding (a row that sat out an extension). */
  mask: number[];
  nextPosition: number;
}

interface Streams {
  rows: Row[];
  cache: Record<string, Tensor>;
  pastLength: number;
  logits: Float32Array;
}

interface Encoded {
  inputs_embeds: Tensor;
  visionTokens: number;
}

const emptyStats = (): ModelStats => ({
  imagesProcessed: 0,
  visionEncoderRuns: 0,
  visionTokens: 0,
  promptPrefills: 0,
  prefillReuses: 0,
  decoderSteps: 0,
  decoderRows: 0,
});

export class ModelHost implements ModelWorkerApi {
  private loaded: LoadedModel | null = null;
  private info: ModelInfo | null = null;
  private prompt: PromptCache | null = null;
  private streams: Streams | null = null;
  private counters = emptyStats();
  /** How this model's image preprocessing can be shared; null when it cannot. */
  private sharing: PixelSharing | null = null;

  async load(
    spec: ModelSpecifier,
    options: LoadOptions,
    onProgress: (p: FileProgress | { role: ModelSpecifier['role']; phase: LoadPhase }) => void,
  ): Promise<ModelInfo> {
    const t0 = performance.now();
    await this.dispose();
    const loaded = await loadModel(spec, options, onProgress);
    this.loaded = loaded;
    onProgress({ role: spec.role, phase: 'warmup' });
    const { vocabRows, kvLocation } = await this.warmUp();
    const vocab = loaded.processor.tokenizer?.get_vocab();
    if (!vocab) throw new Error(`${spec.name}: the processor has no tokenizer`);
    const byId: string[] = [];
    for (const [tok, id] of vocab) byId[id] = tok;
    const eos = loaded.model.generation_config?.eos_token_id;
    this.sharing = pixelSharing(loaded.processor, vocab);
    this.info = {
      role: spec.role,
      name: spec.name,
      backend: loaded.backend.backend,
      ...(loaded.backend.reason ? { backendReason: loaded.backend.reason } : {}),
      dtype: loaded.dtype,
      vocabRows,
      tokenizerSize: byId.length,
      tokenizerFingerprint: tokenizerFingerprint(Array.from(byId, (t) => t ?? '')),
      eosIds: (Array.isArray(eos) ? eos : eos === undefined || eos === null ? [] : [eos]).map(Number),
      loadMs: performance.now() - t0,
      kvLocation,
      imageProcessorKey: this.sharing?.key ?? null,
    };
    onProgress({ role: spec.role, phase: 'ready' });
    return this.info;
  }

  /** One token through the decoder: compiles shaders / kernels and tells the lm_head's row count. */
  private async warmUp(): Promise<{ vocabRows: number; kvLocation: string }> {
    const { model } = this.need();
    const ids = new Tensor('int64', BigInt64Array.from([0n]), [1, 1]);
    const inputs_embeds = await model.encode_text({ input_ids: ids });
    const out = await model.forward({
      inputs_embeds,
      attention_mask: new Tensor('int64', BigInt64Array.from([1n]), [1, 1]),
      position_ids: new Tensor('int64', new BigInt64Array(3), [3, 1, 1]),
      past_key_values: null,
    });
    const vocabRows = readLogits(out).dims.at(-1) ?? 0;
    const present = out['present.0.key'];
    const kvLocation = present instanceof Tensor ? present.location : 'none';
    await disposeOutputs(out);
    return { vocabRows, kvLocation };
  }

  async prefill(req: PrefillRequest): Promise<PrefillResult> {
    const t0 = performance.now();
    const { model, processor } = this.need();
    const info = this.needInfo();
    if (req.logits.byteLength < req.streams * info.vocabRows * 4) {
      throw new Error(`logits buffer too small for ${req.streams} × ${info.vocabRows}`);
    }
    const key = JSON.stringify({ turns: req.turns, image: req.image?.key ?? null });
    let reused = true;
    if (this.prompt?.key !== key) {
      reused = false;
      this.prompt = await this.encodePrompt(key, req, model, processor);
    } else {
      this.counters.prefillReuses += 1;
    }
    const p = this.prompt;
    this.startStreams(p, req.streams, req.logits);
    return { promptIds: p.ids, reused, ms: performance.now() - t0, visionTokens: p.visionTokens };
  }

  /** The prompt given as ids and images; not cached for reuse (used to check extensions are exact). */
  async prefillRaw(req: {
    ids: number[];
    images: PrefillRequest['image'][];
    logits: SharedArrayBuffer;
  }): Promise<PrefillResult> {
    const t0 = performance.now();
    const { processor } = this.need();
    const pixels = [];
    const imageProcessor = processor.image_processor;
    if (!imageProcessor) throw new Error('this model has no image processor');
    for (const img of req.images) {
      if (!img) continue;
      pixels.push(await imageProcessor(toRawImage(img)));
      this.counters.imagesProcessed += 1;
    }
    const input_ids = new Tensor(
      'int64',
      BigInt64Array.from(req.ids, (x) => BigInt(x)),
      [1, req.ids.length],
    );
    this.prompt = await this.runPrompt(`raw:${performance.now()}`, input_ids, pixels);
    this.startStreams(this.prompt, 1, req.logits);
    return {
      promptIds: req.ids,
      reused: false,
      ms: performance.now() - t0,
      visionTokens: this.prompt.visionTokens,
    };
  }

  private startStreams(p: PromptCache, rows: number, buffer: SharedArrayBuffer): void {
    const info = this.needInfo();
    this.releaseStreams();
    const cache: Record<string, Tensor> = {};
    for (const [name, t] of p.presents) cache[name.replace('present', 'past_key_values')] = tile(t, rows);
    const logits = new Float32Array(buffer, 0, rows * info.vocabRows);
    for (let r = 0; r < rows; r++) logits.set(p.lastLogits, r * info.vocabRows);
    this.streams = {
      rows: Array.from({ length: rows }, () => ({
        ids: [...p.ids],
        grids: p.grids.map((g) => [...g]),
        mask: new Array<number>(p.length).fill(1),
        nextPosition: p.nextPosition,
      })),
      cache,
      pastLength: p.length,
      logits,
    };
  }

  private async encodePrompt(
    key: string,
    req: PrefillRequest,
    _model: Qwen2VLForConditionalGeneration,
    processor: Processor,
  ): Promise<PromptCache> {
    const messages = req.turns.map((t) => ({
      role: t.role,
      content: [...(t.withImage && req.image ? [{ type: 'image' }] : []), { type: 'text', text: t.text }],
    }));
    const text = processor.apply_chat_template(messages, { add_generation_prompt: true });
    if (typeof text !== 'string') throw new Error('chat template did not render text');
    if (!req.image) {
      const inputs = await processor(text);
      return this.runPrompt(key, inputs.input_ids, []);
    }
    const { input_ids, ...pixels } = await this.withImage(text, req.image, req.pixels);
    return this.runPrompt(key, input_ids, [pixels]);
  }

  /** Runs the image processor once, into shared memory, for the trio's models with the same processor. */
  async preprocess(image: ImagePayload): Promise<PixelPayload> {
    const { processor } = this.need();
    const { name } = this.needInfo();
    const imageProcessor = processor.image_processor;
    const sharing = this.sharing;
    if (!imageProcessor || !sharing) throw new Error(`${name} cannot share its image preprocessing`);
    const { pixel_values, image_grid_thw } = await imageProcessor(toRawImage(image));
    this.counters.imagesProcessed += 1;
    const src: unknown = pixel_values.data;
    const [t = 0, h = 0, w = 0] = Array.from(image_grid_thw.data, Number);
    const [patches = 0, dim = 0] = pixel_values.dims;
    if (!(src instanceof Float32Array)) throw new Error(`pixel_values are ${pixel_values.type}, not float32`);
    const values = new Float32Array(new SharedArrayBuffer(src.byteLength));
    values.set(src);
    return { values, dims: [patches, dim], grid: [t, h, w], processorKey: sharing.key, imageKey: image.key };
  }

  /**
   * The prompt's ids with its image: from pixels another model made when its processor has this
   * model's settings (the text side, one pad per merged patch, done here), else through this
   * model's own processor.
   */
  private async withImage(
    text: string,
    image: ImagePayload,
    shared: PixelPayload | undefined,
  ): Promise<{ input_ids: Tensor; pixel_values: Tensor; image_grid_thw: Tensor }> {
    const { processor } = this.need();
    const sharing = this.sharing;
    const tokenizer = processor.tokenizer;
    if (
      shared &&
      tokenizer &&
      sharing &&
      shared.processorKey === sharing.key &&
      shared.imageKey === image.key
    ) {
      const { input_ids } = tokenizer([expandImagePads(text, [shared.grid], sharing.mergeSize)]);
      if (!(input_ids instanceof Tensor)) throw new Error('the tokenizer returned no tensor');
      return {
        input_ids,
        // The library gets its own copy: the shared buffer is the other models' too.
        pixel_values: new Tensor('float32', shared.values.slice(), shared.dims),
        image_grid_thw: new Tensor('int64', BigInt64Array.from(shared.grid, BigInt), [1, 3]),
      };
    }
    const inputs = await processor(text, toRawImage(image));
    this.counters.imagesProcessed += 1;
    return {
      input_ids: inputs.input_ids,
      pixel_values: inputs.pixel_values,
      image_grid_thw: inputs.image_grid_thw,
    };
  }

  /** Embeds ids (image placeholders replaced by the images' features), in order. */
  private async embed(
    input_ids: Tensor,
    pixels: { pixel_values: Tensor; image_grid_thw: Tensor }[],
  ): Promise<Encoded> {
    const { model } = this.need();
    let inputs_embeds: Tensor = await model.encode_text({ input_ids });
    let visionTokens = 0;
    if (pixels.length > 0) {
      const features: Tensor[] = [];
      for (const px of pixels) {
        const f: Tensor = await model.encode_image(px);
        this.counters.visionEncoderRuns += 1;
        features.push(f);
        visionTokens += f.dims[0] ?? 0;
      }
      this.counters.visionTokens += visionTokens;
      const image_features = features.length === 1 && features[0] ? features[0] : cat(features, 0);
      const attention_mask = ones([input_ids.dims[0] ?? 1, input_ids.dims[1] ?? 0]);
      ({ inputs_embeds } = model._merge_input_ids_with_image_features({
        image_features,
        inputs_embeds,
        input_ids,
        attention_mask,
      }));
    }
    return { inputs_embeds, visionTokens };
  }

  /** M-RoPE positions of every id of a row, given its images' grids. */
  private ropePositions(ids: number[], grids: bigint[][]): { positions: BigInt64Array; next: number } {
    const { model } = this.need();
    const input_ids = new Tensor(
      'int64',
      BigInt64Array.from(ids, (x) => BigInt(x)),
      [1, ids.length],
    );
    const mask = ones([1, ids.length]);
    const [position_ids, deltas] =
      grids.length > 0
        ? model.get_rope_index(
            input_ids,
            new Tensor('int64', BigInt64Array.from(grids.flat()), [grids.length, 3]),
            NO_VIDEOS,
            mask,
          )
        : model._get_text_only_rope_index(input_ids, mask);
    return {
      positions: BigInt64Array.from(position_ids.data),
      next: ids.length + Number(deltas.data[0] ?? 0),
    };
  }

  private async runPrompt(
    key: string,
    input_ids: Tensor,
    pixels: { pixel_values: Tensor; image_grid_thw: Tensor }[],
  ): Promise<PromptCache> {
    const { model } = this.need();
    const ids = Array.from(input_ids.data, Number);
    const grids = pixels.map((p) => Array.from(p.image_grid_thw.data, toBig));
    const { inputs_embeds, visionTokens } = await this.embed(input_ids, pixels);
    const { positions, next } = this.ropePositions(ids, grids);
    const out = await model.forward({
      inputs_embeds,
      attention_mask: ones([1, ids.length]),
      position_ids: new Tensor('int64', positions, [3, 1, ids.length]),
      past_key_values: null,
      ...lastLogitsOnly(model),
    });
    this.counters.promptPrefills += 1;
    const logits = readLogits(out);
    // One row with num_logits_to_keep, else one per prompt position: the last row is the prompt's.
    const [, rows = 0, vocab = 0] = logits.dims;
    const lastLogits = new Float32Array(vocab);
    copyLogits(logitsData(logits), (rows - 1) * vocab, vocab, lastLogits, 0);
    const presents = new Map<string, HostTensor>();
    for (const [name, t] of Object.entries(out)) {
      if (name.startsWith('present') && t instanceof Tensor) presents.set(name, await toHost(t));
    }
    return { key, ids, grids, presents, nextPosition: next, length: ids.length, lastLogits, visionTokens };
  }

  async step(tokens: Int32Array): Promise<StepResult> {
    const t0 = performance.now();
    const { model } = this.need();
    const s = this.streams;
    if (!s) throw new Error('step() before prefill()');
    const n = s.rows.length;
    if (tokens.length !== n) throw new Error(`step() got ${tokens.length} tokens for ${n} streams`);
    const input_ids = new Tensor(
      'int64',
      BigInt64Array.from(tokens, (t) => BigInt(t)),
      [n, 1],
    );
    const inputs_embeds = await model.encode_text({ input_ids });
    const total = s.pastLength + 1;
    const mask = new BigInt64Array(n * total);
    const positions = new BigInt64Array(3 * n);
    s.rows.forEach((row, r) => {
      row.mask.push(1);
      row.mask.forEach((m, j) => (mask[r * total + j] = BigInt(m)));
      for (let axis = 0; axis < 3; axis++) positions[axis * n + r] = BigInt(row.nextPosition);
      row.nextPosition += 1;
      row.ids.push(tokens[r] ?? 0);
    });
    const out = await model.forward({
      inputs_embeds,
      attention_mask: new Tensor('int64', mask, [n, total]),
      position_ids: new Tensor('int64', positions, [3, n, 1]),
      past_key_values: s.cache,
    });
    this.takeCache(s, out, total);
    const logits = readLogits(out);
    const vocab = logits.dims.at(-1) ?? 0;
    copyLogits(logitsData(logits), 0, n * vocab, s.logits, 0);
    this.counters.decoderSteps += 1;
    this.counters.decoderRows += n;
    return { ms: performance.now() - t0 };
  }

  /**
   * VisionThink escalation: escalating rows get their pending token + the tool-response turn with the
   * full image, prefilled on top of their cache; the other rows get their pending token and masked
   * padding, so the batch stays one tensor.
   */
  async extend(req: ExtendRequest): Promise<ExtendResult> {
    const t0 = performance.now();
    const { model } = this.need();
    const s = this.streams;
    if (!s) throw new Error('extend() before prefill()');
    const n = s.rows.length;
    const inputs = await this.withImage(req.text, req.image, req.pixels);
    const extIds = Array.from(inputs.input_ids.data, Number);
    const grid = Array.from(inputs.image_grid_thw.data, toBig);
    const L = 1 + extIds.length;
    const ids = new BigInt64Array(n * L);
    const positions = new BigInt64Array(3 * n * L);
    const total = s.pastLength + L;
    const mask = new BigInt64Array(n * total);
    const escalating = new Set(req.rows);
    s.rows.forEach((row, r) => {
      const pending = req.pending[r] ?? 0;
      ids[r * L] = BigInt(pending);
      if (escalating.has(r)) {
        extIds.forEach((id, j) => (ids[r * L + 1 + j] = BigInt(id)));
        row.ids.push(pending, ...extIds);
        row.grids.push(grid);
        const { positions: all, next } = this.ropePositions(row.ids, row.grids);
        const len = row.ids.length;
        for (let axis = 0; axis < 3; axis++) {
          for (let j = 0; j < L; j++)
            positions[(axis * n + r) * L + j] = all[axis * len + (len - L + j)] ?? 0n;
        }
        row.nextPosition = next;
        row.mask.push(...new Array<number>(L).fill(1));
      } else {
        for (let axis = 0; axis < 3; axis++)
          for (let j = 0; j < L; j++) positions[(axis * n + r) * L + j] = BigInt(row.nextPosition);
        row.ids.push(pending);
        row.nextPosition += 1;
        row.mask.push(1, ...new Array<number>(L - 1).fill(0));
      }
      row.mask.forEach((m, j) => (mask[r * total + j] = BigInt(m)));
    });
    // Image features replace the placeholders of the escalating rows only.
    const { inputs_embeds, visionTokens } = await this.embedExtension(
      new Tensor('int64', ids, [n, L]),
      req.rows,
      inputs.pixel_values,
      inputs.image_grid_thw,
    );
    const out = await model.forward({
      inputs_embeds,
      attention_mask: new Tensor('int64', mask, [n, total]),
      position_ids: new Tensor('int64', positions, [3, n, L]),
      past_key_values: s.cache,
    });
    this.takeCache(s, out, total);
    const logits = readLogits(out);
    const vocab = logits.dims.at(-1) ?? 0;
    const data = logitsData(logits);
    for (let r = 0; r < n; r++) {
      const last = escalating.has(r) ? L - 1 : 0;
      copyLogits(data, (r * L + last) * vocab, vocab, s.logits, r * vocab);
    }
    this.counters.decoderSteps += 1;
    this.counters.decoderRows += n;
    return { ms: performance.now() - t0, visionTokens, ids: extIds };
  }

  private async embedExtension(
    ids: Tensor,
    rows: number[],
    pixel_values: Tensor,
    image_grid_thw: Tensor,
  ): Promise<Encoded> {
    const { model } = this.need();
    const [n = 1, L = 0] = ids.dims;
    const imageId = BigInt(imageTokenId(model.config));
    // Rows that do not escalate carry image-token ids nowhere: only escalating rows hold placeholders.
    const escalating = new Set(rows);
    const textIds = BigInt64Array.from(ids.data, (x, i) =>
      !escalating.has(Math.floor(i / L)) && x === imageId ? 0n : toBig(x),
    );
    const inputIds = new Tensor('int64', textIds, [n, L]);
    let inputs_embeds: Tensor = await model.encode_text({ input_ids: inputIds });
    const f: Tensor = await model.encode_image({ pixel_values, image_grid_thw });
    this.counters.visionEncoderRuns += 1;
    const perRow = f.dims[0] ?? 0;
    this.counters.visionTokens += perRow;
    const features =
      rows.length === 1
        ? f
        : cat(
            rows.map(() => f),
            0,
          );
    ({ inputs_embeds } = model._merge_input_ids_with_image_features({
      image_features: features,
      inputs_embeds,
      input_ids: inputIds,
      attention_mask: ones([n, L]),
    }));
    return { inputs_embeds, visionTokens: perRow };
  }

  private takeCache(s: Streams, out: Record<string, unknown>, total: number): void {
    const next: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(out)) {
      if (name.startsWith('present') && t instanceof Tensor)
        next[name.replace('present', 'past_key_values')] = t;
    }
    disposeReplaced(s.cache, next);
    s.cache = next;
    s.pastLength = total;
  }

  /** Crashing needs a worker to crash (see model.worker.ts); in-thread hosts refuse. */
  async injectFault(_steps: number, _kind: FaultKind): Promise<void> {
    throw new Error('fault injection needs a model worker');
  }

  async reset(): Promise<void> {
    this.releaseStreams();
    this.prompt = null;
  }

  async stats(): Promise<ModelStats> {
    return { ...this.counters };
  }

  async decode(ids: number[]): Promise<string> {
    return this.need().processor.tokenizer?.decode(ids, { skip_special_tokens: false }) ?? '';
  }

  async dispose(): Promise<void> {
    await this.reset();
    const m = this.loaded?.model;
    this.loaded = null;
    this.info = null;
    this.counters = emptyStats();
    if (m) await m.dispose();
  }

  private releaseStreams(): void {
    if (this.streams) disposeReplaced(this.streams.cache, {});
    this.streams = null;
  }

  private need(): LoadedModel {
    if (!this.loaded) throw new Error('no model loaded');
    return this.loaded;
  }

  private needInfo(): ModelInfo {
    if (!this.info) throw new Error('no model loaded');
    return this.info;
  }
}

const toBig = (x: unknown): bigint => (typeof x === 'bigint' ? x : BigInt(Number(x)));

function imageTokenId(config: unknown): number {
  if (
    typeof config === 'object' &&
    config !== null &&
    'image_token_id' in config &&
    typeof config.image_token_id === 'number'
  )
    return config.image_token_id;
  throw new Error('config.json has no image_token_id');
}

/**
 * Only the last prompt position's logits, when the decoder takes num_logits_to_keep: the lm_head
 * over every prompt token (image tokens included) is wasted work, and with a large vocabulary it is
 * most of a prefill's cost.
 */
function lastLogitsOnly(model: Qwen2VLForConditionalGeneration): { num_logits_to_keep?: Tensor } {
  const decoder = model.sessions['decoder_model_merged'] as { inputNames?: string[] } | undefined;
  return decoder?.inputNames?.includes('num_logits_to_keep')
    ? { num_logits_to_keep: new Tensor('int64', [1n], []) }
    : {};
}

interface PixelSharing {
  /** The processor's settings as stable JSON: models with equal keys make equal pixels. */
  key: string;
  mergeSize: number;
}

/** A Qwen2-VL style processor (merge_size, one `<|image_pad|>` per merged patch) can share; others cannot. */
function pixelSharing(processor: Processor, vocab: Map<string, number>): PixelSharing | null {
  const config: unknown = processor.image_processor?.config;
  if (typeof config !== 'object' || config === null || !('merge_size' in config)) return null;
  if (typeof config.merge_size !== 'number' || !vocab.has(IMAGE_PAD)) return null;
  return { key: stableJson(config), mergeSize: config.merge_size };
}

const NO_VIDEOS = new Tensor('int64', new BigInt64Array(0), [0, 3]);

/** The pixels arrive in shared memory; the image processor wants its own copy to resize. */
function toRawImage(img: ImagePayload): RawImage {
  return new RawImage(new Uint8ClampedArray(img.rgba), img.width, img.height, 4);
}

function readLogits(out: Record<string, unknown>): Tensor {
  const l = out['logits'];
  if (!(l instanceof Tensor)) throw new Error('decoder returned no logits');
  return l;
}

function logitsData(t: Tensor): Float32Array | Uint16Array {
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

async function disposeOutputs(out: Record<string, unknown>): Promise<void> {
  for (const t of Object.values(out)) if (t instanceof Tensor && t.location === 'gpu-buffer') t.dispose();
}
