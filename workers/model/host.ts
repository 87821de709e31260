/**
 * One VLM behind the ModelWorkerApi: prefill (image + chat → last logits), then one batched
 * decoder step per token for all of its streams. Runs in a model worker, or in-thread in Node tests.
 * It knows nothing of ProxyThinker: it only turns tokens into logits. The prompt (./prompt.ts), the
 * image side (./vision.ts) and the decode batch (./row-batch.ts) do the work; this class keeps the
 * state between calls.
 */
import { Tensor } from '@huggingface/transformers';
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
import { loadModel, type LoadedModel } from '../../src/models/load';
import { encodePrompt, runPrompt, type PromptCache } from './prompt';
import { RowBatch } from './row-batch';
import { disposeOutputs, readLogits } from './tensors';
import { imageInputs, pixelSharing, sharedPixels, toRawImage, type PixelSharing } from './vision';

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
  private streams: RowBatch | null = null;
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
      family: loaded.model.config.model_type ?? 'unknown',
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
      this.prompt = await encodePrompt(model, processor, this.sharing, key, req, this.counters);
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
    this.prompt = await runPrompt(model, `raw:${performance.now()}`, input_ids, pixels, this.counters);
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
    this.streams = RowBatch.fromPrompt(p, rows, buffer, info.vocabRows);
  }

  /** Runs the image processor once, into shared memory, for the trio's models with the same processor. */
  async preprocess(image: ImagePayload): Promise<PixelPayload> {
    const { processor } = this.need();
    const { name } = this.needInfo();
    return sharedPixels(processor, this.sharing, name, image, this.counters);
  }

  async step(tokens: Int32Array): Promise<StepResult> {
    const t0 = performance.now();
    const { model } = this.need();
    const s = this.streams;
    if (!s) throw new Error('step() before prefill()');
    await s.step(model, tokens, this.counters);
    return { ms: performance.now() - t0 };
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
