/**
 * The prompt prefill: the chat through the model's template, its images embedded, the decoder
 * forward with no past (in pieces when the engine's memory plan says so). What it leaves (the KV
 * cache on the CPU, the last logits, each image's grid) is kept, so the next run on the same image
 * and question does no prefill at all.
 */
import {
  Tensor,
  ones,
  type Processor,
  type Qwen2VLForConditionalGeneration,
} from '@huggingface/transformers';
import { copyLogits } from '../../src/core/half';
import type { Grid } from '../../src/core/memoryEstimate';
import type { ModelStats, PrefillRequest, PromptMeasure } from '../../src/core/protocol';
import { disposeReplaced, toHost, type HostTensor } from './kv-cache';
import { ropePositions } from './rope';
import { disposeOutputs, logitsData, readLogits, toBig } from './tensors';
import { embedPrompt, imageInputs, type PixelSharing } from './vision';

export interface PromptCache {
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

/** A prompt ready for the model: its ids and its images' pixels. */
export interface PreparedPrompt {
  key: string;
  input_ids: Tensor;
  pixels: { pixel_values: Tensor; image_grid_thw: Tensor }[];
}

/** The chat of the request's turns (the image on the turns that carry it) through the model's template. */
function chatText(processor: Processor, req: Pick<PrefillRequest, 'turns' | 'image'>): string {
  const messages = req.turns.map((t) => ({
    role: t.role,
    content: [...(t.withImage && req.image ? [{ type: 'image' }] : []), { type: 'text', text: t.text }],
  }));
  const text = processor.apply_chat_template(messages, { add_generation_prompt: true });
  if (typeof text !== 'string') throw new Error('chat template did not render text');
  return text;
}

/** The request's ids and pixels (the image processor's, or pixels another model of the trio made). */
export async function preparePrompt(
  processor: Processor,
  sharing: PixelSharing | null,
  key: string,
  req: Pick<PrefillRequest, 'turns' | 'image' | 'pixels'>,
  counters: ModelStats,
): Promise<PreparedPrompt> {
  const text = chatText(processor, req);
  if (!req.image) {
    const inputs = await processor(text);
    return { key, input_ids: inputs.input_ids, pixels: [] };
  }
  const { input_ids, ...pixels } = await imageInputs(processor, sharing, text, req.image, req.pixels, counters);
  return { key, input_ids, pixels: [pixels] };
}

/** The prompt's size (tokens, M-RoPE positions, image grids) without running the model. */
export function measurePrompt(
  model: Qwen2VLForConditionalGeneration,
  processor: Processor,
  prepared: PreparedPrompt,
  lastTurn: string,
): Pick<PromptMeasure, 'tokens' | 'positions' | 'images' | 'lastTurnTokens'> {
  const ids = Array.from(prepared.input_ids.data, Number);
  const grids = prepared.pixels.map((p) => Array.from(p.image_grid_thw.data, toBig));
  // The largest position + 1, not ids.length + transformers.js' rope delta: for text-only prompts that
  // delta is max + 1 + length (Python transformers: max + 1 − length), which would count 3× the tokens.
  const { positions } = ropePositions(model, ids, grids);
  let last = -1n;
  for (const p of positions) if (p > last) last = p;
  const images = grids.map((g): Grid => [Number(g[0]), Number(g[1]), Number(g[2])]);
  return { tokens: ids.length, positions: Number(last) + 1, images, lastTurnTokens: tokenCount(processor, lastTurn) };
}

export function tokenCount(processor: Processor, text: string): number {
  const tokenizer = processor.tokenizer;
  if (!tokenizer) throw new Error('the processor has no tokenizer');
  return tokenizer.encode(text, { add_special_tokens: false }).length;
}

/**
 * The prompt through the decoder with no past, in pieces of `chunk` tokens when given (each piece on
 * the cache of the ones before, with its own slice of the embeddings and of the full prompt's M-RoPE
 * positions: the logits are the same as in one piece).
 */
export async function runPrompt(
  model: Qwen2VLForConditionalGeneration,
  prepared: PreparedPrompt,
  counters: ModelStats,
  chunk: number | null = null,
): Promise<PromptCache> {
  const { key, input_ids, pixels } = prepared;
  const ids = Array.from(input_ids.data, Number);
  const grids = pixels.map((p) => Array.from(p.image_grid_thw.data, toBig));
  const { inputs_embeds, visionTokens } = await embedPrompt(model, input_ids, pixels, counters);
  const { positions, next } = ropePositions(model, ids, grids);
  const S = ids.length;
  const piece = chunk !== null && chunk > 0 && chunk < S ? chunk : S;
  let past: Record<string, Tensor> | null = null;
  let out: Record<string, unknown> = {};
  for (let start = 0; start < S; start += piece) {
    const end = Math.min(S, start + piece);
    out = await model.forward({
      inputs_embeds: piece === S ? inputs_embeds : sequenceSlice(inputs_embeds, start, end),
      attention_mask: ones([1, end]),
      position_ids: new Tensor('int64', positionSlice(positions, S, start, end), [3, 1, end - start]),
      past_key_values: past,
      ...lastLogitsOnly(model),
    });
    counters.prefillForwards += 1;
    if (end < S) {
      const presents = cacheOf(out);
      if (past) disposeReplaced(past, presents);
      await disposeOutputs({ logits: out['logits'] });
      past = presents;
    }
  }
  counters.promptPrefills += 1;
  const logits = readLogits(out);
  // One row with num_logits_to_keep, else one per position of the last piece: the last row is the prompt's.
  const [, rows = 0, vocab = 0] = logits.dims;
  const lastLogits = new Float32Array(vocab);
  copyLogits(logitsData(logits), (rows - 1) * vocab, vocab, lastLogits, 0);
  const presents = new Map<string, HostTensor>();
  for (const [name, t] of Object.entries(out)) {
    if (name.startsWith('present') && t instanceof Tensor) presents.set(name, await toHost(t));
  }
  return { key, ids, grids, presents, nextPosition: next, length: S, lastLogits, visionTokens };
}

/** A decoder's presents as the next forward's past_key_values. */
function cacheOf(out: Record<string, unknown>): Record<string, Tensor> {
  const cache: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(out)) {
    if (name.startsWith('present') && t instanceof Tensor) cache[name.replace('present', 'past_key_values')] = t;
  }
  return cache;
}

/** Positions [start, end) of a [1, S, H] tensor (a copy: onnxruntime copies its inputs anyway). */
function sequenceSlice(t: Tensor, start: number, end: number): Tensor {
  const [b = 1, , h = 0] = t.dims;
  if (b !== 1) throw new Error(`a prompt has batch 1, got ${b}`);
  const data: unknown = t.data;
  if (!(data instanceof Float32Array)) throw new Error(`inputs_embeds are ${t.type}, not float32`);
  return new Tensor('float32', data.slice(start * h, end * h), [1, end - start, h]);
}

/** Columns [start, end) of M-RoPE positions laid out [3, 1, S]. */
function positionSlice(positions: BigInt64Array, S: number, start: number, end: number): BigInt64Array {
  const out = new BigInt64Array(3 * (end - start));
  for (let axis = 0; axis < 3; axis++) out.set(positions.subarray(axis * S + start, axis * S + end), axis * (end - start));
  return out;
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
