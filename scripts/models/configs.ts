/** generation_config.json and preprocessor_config.json with the keys of the real Qwen-VL repos (config.json: published-config.ts). */
import type { ModelSpec } from './spec';
import { ADDED_TOKENS } from './tokenizer';

export function specialIds(spec: ModelSpec): Record<string, number> {
  return specialIdsFor(spec.regularVocab);
}

/** Special token → id: Qwen's added tokens follow the regular vocabulary in order. */
export function specialIdsFor(regularVocab: number): Record<string, number> {
  return Object.fromEntries(ADDED_TOKENS.map((t, i) => [t.content, regularVocab + i]));
}

function id(ids: Record<string, number>, token: string): number {
  const v = ids[token];
  if (v === undefined) throw new Error(`no id for ${token}`);
  return v;
}

export function generationConfig(spec: ModelSpec): object {
  const ids = specialIds(spec);
  // The real Qwen file turns sampling on (and a repetition penalty); callers that want greedy say so.
  return {
    bos_token_id: id(ids, '<|endoftext|>'),
    pad_token_id: id(ids, '<|endoftext|>'),
    do_sample: true,
    eos_token_id: [id(ids, '<|im_end|>'), id(ids, '<|endoftext|>')],
    repetition_penalty: 1.05,
    temperature: 0.1,
    top_k: 1,
    top_p: 0.001,
    transformers_version: '4.51.0',
  };
}

export function preprocessorConfig(spec: ModelSpec): object {
  const qwen3 = spec.family === 'qwen3_vl';
  return {
    do_convert_rgb: true,
    do_normalize: true,
    do_rescale: true,
    do_resize: true,
    image_mean: qwen3 ? [0.5, 0.5, 0.5] : [0.48145466, 0.4578275, 0.40821073],
    image_std: qwen3 ? [0.5, 0.5, 0.5] : [0.26862954, 0.26130258, 0.27577711],
    image_processor_type: qwen3 ? 'Qwen2VLImageProcessorFast' : 'Qwen2VLImageProcessor',
    max_pixels: spec.maxPixels,
    min_pixels: spec.minPixels,
    merge_size: 2,
    patch_size: qwen3 ? 16 : 14,
    processor_class: qwen3 ? 'Qwen3VLProcessor' : spec.family === 'qwen2_vl' ? 'Qwen2VLProcessor' : 'Qwen2_5_VLProcessor',
    resample: 3,
    rescale_factor: 0.00392156862745098,
    size: { longest_edge: spec.maxPixels, shortest_edge: spec.minPixels },
    temporal_patch_size: 2,
  };
}
