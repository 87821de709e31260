/**
 * One VLM behind the ModelWorkerApi: prefill (image + chat → last logits), then one batched
 * decoder step per token for all of its streams. Runs in a model worker, or in-thread in Node tests.
 * It knows nothing of ProxyThinker: it only turns tokens into logits. The prompt (./prompt.ts), the
 * image side (./vision.ts) and the decode batch (./row-batch.ts) do the work; this class keeps the
 * state between calls.
 */
import { RawImage, Tensor, env } from '@huggingface/transformers';
import { tokenizerFingerprint } from '../../src/core/vocab';
import type {
  FaultKind,
  MeasureRequest,
  ModelMemory,
  PromptMeasure,
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
import { loadModel, type LoadedModel } from '../../src/models/load';
import { measurePrompt, preparePrompt, runPrompt, tokenCount, type PreparedPrompt, type PromptCache } from './prompt';
import { RowBatch } from './row-batch';
import { disposeOutputs, readLogits } from './tensors';
import { modelSizes } from './sizes';
import { capWasmHeap, wasmHeapBytes } from './wasm-heap';
import { imageInputs, pixelSharing, sharedPixels, toRawImage, type PixelSharing } from './vision';
import { expandImagePads } from '../../src/core/pixels';
import type { Grid } from '../../src/core/memoryEstimate';

const emptyStats = (): ModelStats => ({
  imagesProcessed: 0,
  visionEncoderRuns: 0,
  visionTokens: 0,
  promptPrefills: 0,
  prefillForwards: 0,
  prefillReuses: 0,
  decoderSteps: 0,
  decoderRows: 0,
  heapBytes: null,
});

export class ModelHost implements ModelWorkerApi {
  private loaded: LoadedModel | null = null;
  private info: ModelInfo | null = null;
  private prompt: PromptCache | null = null;
  /** The last prompt measured, kept for the prefill that follows (no second tokenisation). */
  private prepared: PreparedPrompt | null = null;
  private streams: RowBatch | null = null;
  private counters = emptyStats();
  /** How this model's image preprocessing can be shared; null when it cannot. */
  private sharing: PixelSharing | null = null;
  /** Incremented (and notified) as each decode step begins: the coordinator's 'base-lead' order waits on it. */
  private stepSignal: Int32Array | null = null;

  async load(
    spec: ModelSpecifier,
    options: LoadOptions,
    onProgress: (p: FileProgress | { role: ModelSpecifier['role']; phase: LoadPhase }) => void,
  ): Promise<ModelInfo> {
    const t0 = performance.now();
    await this.dispose();
    const heapLimit = capWasmHeap(options.memoryLimitMB);
    // Each .onnx file passes whole through onnxruntime's heap while its session is made, and is freed
    // after; external data (*.onnx_data) is copied tensor by tensor into the weights, which stay.
    const onnxBytes = new Map<string, number>();
    const loaded = await loadModel(spec, options, (p) => {
      if ('file' in p && /\.onnx$/.test(p.file)) onnxBytes.set(p.file, Math.max(p.loaded, p.total));
      onProgress(p);
    });
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
      family: loaded.model.config.model_type ?? 'unknown',
      vocabRows,
      tokenizerSize: byId.length,
      tokenizerFingerprint: tokenizerFingerprint(Array.from(byId, (t) => t ?? '')),
      eosIds: (Array.isArray(eos) ? eos : eos === undefined || eos === null ? [] : [eos]).map(Number),
      loadMs: performance.now() - t0,
      kvLocation,
      imageProcessorKey: this.sharing?.key ?? null,
      sizes: modelSizes(loaded.model, loaded.dtype),
      memory: await this.memory(heapLimit, [...onnxBytes.values()].reduce((a, b) => a + b, 0)),
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

  /**
   * What this runtime can hold: the heap's limit; what the loaded model holds — the heap after load
   * less the .onnx files, which were in it only while the sessions were made; the GPU's largest buffer.
   */
  private async memory(heapLimit: number | null, fileBytes: number): Promise<ModelMemory> {
    const { backend } = this.need();
    let gpuMaxBuffer: number | null = null;
    if (backend.backend === 'webgpu') {
      const limits = (await env.backends.onnx.webgpu?.device)?.limits;
      if (limits) gpuMaxBuffer = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
    }
    const heap = wasmHeapBytes();
    return { heapLimit, resident: heap === null ? null : Math.max(0, heap - fileBytes), heapAfterLoad: heap, gpuMaxBuffer };
  }

  /** The prompt's size for the engine's memory plan; nothing runs but the tokenizer (and the image processor without shared pixels). */
  async measure(req: MeasureRequest): Promise<PromptMeasure> {
    const { model, processor } = this.need();
    const key = promptKey(req);
    const reused = this.prompt?.key === key;
    const prepared = await this.prepare(key, req);
    const lastTurn = req.turns.at(-1)?.text ?? '';
    return { ...measurePrompt(model, processor, prepared, lastTurn), reused, extension: this.measureExtension(req.extension) };
  }

  /** VisionThink's extension: the tool-response turn with the full image's placeholders, and its grid. */
  private measureExtension(ext: MeasureRequest['extension']): PromptMeasure['extension'] {
    const { processor } = this.need();
    const imageProcessor = processor.image_processor;
    if (!ext || !this.sharing || !imageProcessor) return null;
    // Only the size is read (smart_resize): no pixels are needed to know the grid.
    const [width, height] = imageProcessor.get_resize_output_image_size(new RawImage(new Uint8ClampedArray(0), ext.width, ext.height, 4), null);
    const config: unknown = imageProcessor.config;
    const patch = typeof config === 'object' && config !== null && 'patch_size' in config && typeof config.patch_size === 'number' ? config.patch_size : 14;
    const grid: Grid = [1, Math.round(height / patch), Math.round(width / patch)];
    return { tokens: 1 + tokenCount(processor, expandImagePads(ext.text, [grid], this.sharing.mergeSize)), grid };
  }

  private async prepare(key: string, req: MeasureRequest): Promise<PreparedPrompt> {
    const { processor } = this.need();
    if (this.prepared?.key !== key) this.prepared = await preparePrompt(processor, this.sharing, key, req, this.counters);
    return this.prepared;
  }

  async prefill(req: PrefillRequest): Promise<PrefillResult> {
    const t0 = performance.now();
    const { model } = this.need();
    const info = this.needInfo();
    const offset = req.logitsOffset ?? 0;
    if (!Number.isInteger(offset) || offset < 0 || offset % 4 !== 0) throw new Error(`logitsOffset must be a multiple of 4 bytes, got ${offset}`);
    const signal = req.stepSignalOffset;
    if (signal !== undefined && (!Number.isInteger(signal) || signal < 0 || signal % 4 !== 0 || signal + 4 > req.logits.byteLength))
      throw new Error(`stepSignalOffset must be a multiple of 4 bytes inside the logits buffer, got ${signal}`);
    if (req.logits.byteLength < offset + req.streams * info.vocabRows * 4) {
      throw new Error(`logits buffer too small for ${req.streams} × ${info.vocabRows} from byte ${offset}`);
    }
    const key = promptKey(req);
    let reused = true;
    if (this.prompt?.key !== key) {
      reused = false;
      const prepared = await this.prepare(key, req);
      this.prepared = null;
      this.prompt = null;
      this.prompt = await runPrompt(model, prepared, this.counters, req.chunkTokens ?? null);
    } else {
      this.counters.prefillReuses += 1;
    }
    const p = this.prompt;
    this.startStreams(p, req.streams, req.logits, offset);
    this.stepSignal = signal === undefined ? null : new Int32Array(req.logits, signal, 1);
    return { promptIds: p.ids, reused, ms: performance.now() - t0, visionTokens: p.visionTokens };
  }

  /** The prompt given as ids and images; not cached for reuse (used to check extensions are exact). */
  async prefillRaw(req: {
    ids: number[];
    images: PrefillRequest['image'][];
    logits: SharedArrayBuffer;
  }): Promise<PrefillResult> {
    const t0 = performance.now();
    const { model, processor } = this.need();
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
    this.prompt = await runPrompt(model, { key: `raw:${performance.now()}`, input_ids, pixels }, this.counters);
    this.startStreams(this.prompt, 1, req.logits, 0);
    return {
      promptIds: req.ids,
      reused: false,
      ms: performance.now() - t0,
      visionTokens: this.prompt.visionTokens,
    };
  }

  private startStreams(p: PromptCache, rows: number, buffer: SharedArrayBuffer, offset: number): void {
    const info = this.needInfo();
    this.releaseStreams();
    this.stepSignal = null;
    this.streams = RowBatch.fromPrompt(p, rows, buffer, offset, info.vocabRows);
  }

  /** Runs the image processor once, into shared memory, for the trio's models with the same processor. */
  async preprocess(image: ImagePayload): Promise<PixelPayload> {
    const { processor } = this.need();
    const { name } = this.needInfo();
    return sharedPixels(processor, this.sharing, name, image, this.counters);
  }

  async step(tokens: Int32Array): Promise<StepResult> {
    const t0 = performance.now();
    if (this.stepSignal) {
      Atomics.add(this.stepSignal, 0, 1);
      Atomics.notify(this.stepSignal, 0);
    }
    const { model } = this.need();
    const s = this.streams;
    if (!s) throw new Error('step() before prefill()');
    await s.step(model, tokens, this.counters);
    const t1 = performance.now();
    return { ms: t1 - t0, startedAt: performance.timeOrigin + t0, endedAt: performance.timeOrigin + t1 };
  }

  /** VisionThink escalation of some rows (see RowBatch.extend). */
  async extend(req: ExtendRequest): Promise<ExtendResult> {
    const t0 = performance.now();
    const { model, processor } = this.need();
    const s = this.streams;
    if (!s) throw new Error('extend() before prefill()');
    const inputs = await imageInputs(processor, this.sharing, req.text, req.image, req.pixels, this.counters);
    const { visionTokens, ids } = await s.extend(model, req, inputs, this.counters);
    return { ms: performance.now() - t0, visionTokens, ids };
  }

  /** Crashing needs a worker to crash (see model.worker.ts); in-thread hosts refuse. */
  async injectFault(_steps: number, _kind: FaultKind): Promise<void> {
    throw new Error('fault injection needs a model worker');
  }

  async reset(): Promise<void> {
    this.releaseStreams();
    this.prompt = null;
    this.prepared = null;
  }

  async stats(): Promise<ModelStats> {
    return { ...this.counters, heapBytes: wasmHeapBytes() };
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
    this.streams?.release();
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

/** The kept prompt's identity: the turns and the image. */
function promptKey(req: Pick<MeasureRequest, 'turns' | 'image'>): string {
  return JSON.stringify({ turns: req.turns, image: req.image?.key ?? null });
}
