/**
 * The prompt prefill: the chat through the model's template, its images embedded, one forward with
 * no past. What it leaves (the KV cache on the CPU, the last logits, each image's grid) is kept, so
 * the next run on the same image and question does no prefill at all.
 */
import {
  Tensor,
  ones,
  type Processor,
  type Qwen2VLForConditionalGeneration,
} from '@huggingface/transformers';
import { copyLogits } from '../../src/core/half';
import type { ModelStats, PrefillRequest } from '../../src/core/protocol';
import { toHost, type HostTensor } from './kv-cache';
import { ropePositions } from './rope';
import { logitsData, readLogits, toBig } from './tensors';
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

/** The request's turns (the image on the turns that carry it) through the chat template, then prefilled. */
export async function encodePrompt(
  model: Qwen2VLForConditionalGeneration,
  processor: Processor,
  sharing: PixelSharing | null,
  key: string,
  req: PrefillRequest,
  counters: ModelStats,
): Promise<PromptCache> {
  const messages = req.turns.map((t) => ({
    role: t.role,
    content: [...(t.withImage && req.image ? [{ type: 'image' }] : []), { type: 'text', text: t.text }],
  }));
  const text = processor.apply_chat_template(messages, { add_generation_prompt: true });
  if (typeof text !== 'string') throw new Error('chat template did not render text');
  if (!req.image) {
    const inputs = await processor(text);
    return runPrompt(model, key, inputs.input_ids, [], counters);
  }
  const { input_ids, ...pixels } = await imageInputs(
    processor,
    sharing,
    text,
    req.image,
    req.pixels,
    counters,
  );
  return runPrompt(model, key, input_ids, [pixels], counters);
}

export async function runPrompt(
  model: Qwen2VLForConditionalGeneration,
  key: string,
  input_ids: Tensor,
  pixels: { pixel_values: Tensor; image_grid_thw: Tensor }[],
  counters: ModelStats,
): Promise<PromptCache> {
  const ids = Array.from(input_ids.data, Number);
  const grids = pixels.map((p) => Array.from(p.image_grid_thw.data, toBig));
  const { inputs_embeds, visionTokens } = await embedPrompt(model, input_ids, pixels, counters);
  const { positions, next } = ropePositions(model, ids, grids);
  const out = await model.forward({
    inputs_embeds,
    attention_mask: ones([1, ids.length]),
    position_ids: new Tensor('int64', positions, [3, 1, ids.length]),
    past_key_values: null,
    ...lastLogitsOnly(model),
  });
  counters.promptPrefills += 1;
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
