/**
 * A loaded model's sizes for the memory plan: config.json read the way the converter reads it
 * (src/convert/checkpoint/config.ts), plus what only the loaded files tell (the decoder's compute
 * type, whether it takes num_logits_to_keep).
 */
import type { Qwen2VLForConditionalGeneration } from '@huggingface/transformers';
import { parseConfigObject } from '../../src/convert/checkpoint/config';
import type { ModelSizes } from '../../src/core/memoryEstimate';
import type { Dtype } from '../../src/core/protocol';

/** Null when the config is not a Qwen2-VL / Qwen2.5-VL one the estimate follows (the model still runs). */
export function modelSizes(model: Qwen2VLForConditionalGeneration, dtype: Dtype | Record<string, Dtype>): ModelSizes | null {
  const config: unknown = model.config;
  let desc;
  try {
    ({ desc } = parseConfigObject(config));
  } catch {
    return null;
  }
  const decoderDtype = typeof dtype === 'string' ? dtype : dtype['decoder_model_merged'];
  const decoder = model.sessions['decoder_model_merged'] as { inputNames?: string[] } | undefined;
  return {
    text: desc.text,
    vision: desc.vision,
    maxPositions: maxPositions(config),
    computeBytes: decoderDtype === 'fp16' || decoderDtype === 'q4f16' ? 2 : 4,
    logitsToKeep: decoder?.inputNames?.includes('num_logits_to_keep') ?? false,
  };
}

function maxPositions(config: unknown): number | null {
  if (typeof config !== 'object' || config === null) return null;
  const text = 'text_config' in config && typeof config.text_config === 'object' ? config.text_config : null;
  for (const o of [text, config]) {
    if (o && 'max_position_embeddings' in o && typeof o.max_position_embeddings === 'number') return o.max_position_embeddings;
  }
  return null;
}
