/**
 * One VLM behind the ModelWorkerApi: prefill (image + chat → last logits), then one batched
 * decoder step per token for all of its streams. Runs in a model worker, or in-thread in Node tests.
 * It knows nothing of ProxyThinker: it only turns tokens into logits.
 */
import { RawImage, Tensor, type Processor, type Qwen2VLForConditionalGeneration } from '@huggingface/transformers';
import { copyLogits } from '../../src/core/half';
import { tokenizerFingerprint } from '../../src/core/vocab';
import type {
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
} from '../../src/core/protocol';
import { disposeReplaced, tile, toHost, type HostTensor } from './kv-cache';
import { loadModel, type LoadedModel } from './load';

interface PromptCache {
  key: string;
  ids: number[];
  presents: Map<string, HostTensor>;
  ropeDelta: number;
  length: number;
  lastLogits: Float32Array;
  visionTokens: number;
}

interface Streams {
  rows: number;
  cache: Record<string, Tensor>;
  pastLength: number;
  logits: Float32Array;
}

const emptyStats = (): ModelStats => ({
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
    this.releaseStreams();
    const cache: Record<string, Tensor> = {};
    for (const [name, t] of p.presents) cache[name.replace('present', 'past_key_values')] = tile(t, req.streams);
    const logits = new Float32Array(req.logits, 0, req.streams * info.vocabRows);
    for (let r = 0; r < req.streams; r++) logits.set(p.lastLogits, r * info.vocabRows);
    this.streams = { rows: req.streams, cache, pastLength: p.length, logits };
    return { promptIds: p.ids, reused, ms: performance.now() - t0, visionTokens: p.visionTokens };
  }

  private async encodePrompt(
    key: string,
    req: PrefillRequest,
    model: Qwen2VLForConditionalGeneration,
    processor: Processor,
  ): Promise<PromptCache> {
    const messages = req.turns.map((t) => ({
      role: t.role,
      content: [...(t.withImage && req.image ? [{ type: 'image' }] : []), { type: 'text', text: t.text }],
    }));
    const text = processor.apply_chat_template(messages, { add_generation_prompt: true });
    if (typeof text !== 'string') throw new Error('chat template did not render text');
    // The pixels arrive in shared memory; the image processor wants its own copy to resize.
    const image = req.image ? new RawImage(new Uint8ClampedArray(req.image.rgba), req.image.width, req.image.height, 4) : null;
    const inputs = image ? await processor(text, image) : await processor(text);
    const input_ids: Tensor = inputs.input_ids;
    let attention_mask: Tensor = inputs.attention_mask;
    let inputs_embeds: Tensor = await model.encode_text({ input_ids });
    let visionTokens = 0;
    if (image) {
      const image_features: Tensor = await model.encode_image({ pixel_values: inputs.pixel_values, image_grid_thw: inputs.image_grid_thw });
      this.counters.visionEncoderRuns += 1;
      visionTokens = image_features.dims[0] ?? 0;
      this.counters.visionTokens += visionTokens;
      ({ inputs_embeds, attention_mask } = model._merge_input_ids_with_image_features({
        image_features,
        inputs_embeds,
        input_ids,
        attention_mask,
      }));
    }
    // M-RoPE positions for image + text; no videos (an empty grid list).
    const noVideos = new Tensor('int64', new BigInt64Array(0), [0, 3]);
    const [position_ids, rope_deltas] = image
      ? model.get_rope_index(input_ids, inputs.image_grid_thw, noVideos, attention_mask)
      : model._get_text_only_rope_index(input_ids, attention_mask);
    const out = await model.forward({ inputs_embeds, attention_mask, position_ids, past_key_values: null });
    this.counters.promptPrefills += 1;
    const logits = readLogits(out);
    const [, seq = 0, vocab = 0] = logits.dims;
    const lastLogits = new Float32Array(vocab);
    copyLogits(logitsData(logits), (seq - 1) * vocab, vocab, lastLogits, 0);
    const presents = new Map<string, HostTensor>();
    for (const [name, t] of Object.entries(out)) {
      if (name.startsWith('present') && t instanceof Tensor) presents.set(name, await toHost(t));
    }
    const ids = Array.from(input_ids.data, Number);
    return { key, ids, presents, ropeDelta: Number(rope_deltas.data[0] ?? 0), length: seq, lastLogits, visionTokens };
  }

  async step(tokens: Int32Array): Promise<StepResult> {
    const t0 = performance.now();
    const { model } = this.need();
    const s = this.streams;
    const p = this.prompt;
    if (!s || !p) throw new Error('step() before prefill()');
    if (tokens.length !== s.rows) throw new Error(`step() got ${tokens.length} tokens for ${s.rows} streams`);
    const input_ids = new Tensor('int64', BigInt64Array.from(tokens, (t) => BigInt(t)), [s.rows, 1]);
    const inputs_embeds = await model.encode_text({ input_ids });
    const total = s.pastLength + 1;
    const position = BigInt(s.pastLength + p.ropeDelta);
    const out = await model.forward({
      inputs_embeds,
      attention_mask: new Tensor('int64', new BigInt64Array(s.rows * total).fill(1n), [s.rows, total]),
      position_ids: new Tensor('int64', new BigInt64Array(3 * s.rows).fill(position), [3, s.rows, 1]),
      past_key_values: s.cache,
    });
    const next: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(out)) {
      if (name.startsWith('present') && t instanceof Tensor) next[name.replace('present', 'past_key_values')] = t;
    }
    disposeReplaced(s.cache, next);
    s.cache = next;
    s.pastLength = total;
    const logits = readLogits(out);
    const vocab = logits.dims.at(-1) ?? 0;
    copyLogits(logitsData(logits), 0, s.rows * vocab, s.logits, 0);
    this.counters.decoderSteps += 1;
    this.counters.decoderRows += s.rows;
    return { ms: performance.now() - t0 };
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

function readLogits(out: Record<string, unknown>): Tensor {
  const l = out['logits'];
  if (!(l instanceof Tensor)) throw new Error('decoder returned no logits');
  return l;
}

function logitsData(t: Tensor): Float32Array | Uint16Array {
  const d: unknown = t.data;
  if (d instanceof Float32Array || d instanceof Uint16Array) return d;
  if (t.type === 'float16' && typeof d === 'object' && d !== null && 'buffer' in d && d.buffer instanceof ArrayBuffer) {
    return new Uint16Array(d.buffer);
  }
  throw new Error(`unsupported logits type ${t.type}`);
}

async function disposeOutputs(out: Record<string, unknown>): Promise<void> {
  for (const t of Object.values(out)) if (t instanceof Tensor && t.location === 'gpu-buffer') t.dispose();
}
