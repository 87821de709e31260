/** config.json, generation_config.json and preprocessor_config.json with the keys of the real Qwen2.5-VL repos. */
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

export function modelConfig(spec: ModelSpec): object {
  const t = spec.text;
  const ids = specialIds(spec);
  const textConfig = {
    model_type: 'qwen2_5_vl_text',
    architectures: ['Qwen2_5_VLForConditionalGeneration'],
    hidden_size: t.hidden,
    intermediate_size: t.intermediate,
    num_hidden_layers: t.layers,
    num_attention_heads: t.heads,
    num_key_value_heads: t.kvHeads,
    head_dim: t.headDim,
    hidden_act: 'silu',
    max_position_embeddings: 128000,
    max_window_layers: t.layers,
    rms_norm_eps: 1e-6,
    rope_theta: t.ropeTheta,
    rope_scaling: { type: 'mrope', rope_type: 'default', mrope_section: t.mropeSection },
    sliding_window: 32768,
    use_sliding_window: false,
    tie_word_embeddings: false,
    use_cache: true,
    attention_dropout: 0,
    initializer_range: 0.02,
    vocab_size: t.vocabRows,
    bos_token_id: id(ids, '<|endoftext|>'),
    eos_token_id: id(ids, '<|im_end|>'),
    torch_dtype: 'float32',
  };
  return {
    architectures: ['Qwen2_5_VLForConditionalGeneration'],
    model_type: 'qwen2_5_vl',
    // Top-level copies of the text sizes, as the real config carries them.
    hidden_size: t.hidden,
    num_hidden_layers: t.layers,
    num_attention_heads: t.heads,
    num_key_value_heads: t.kvHeads,
    vocab_size: t.vocabRows,
    image_token_id: id(ids, '<|image_pad|>'),
    video_token_id: id(ids, '<|video_pad|>'),
    vision_start_token_id: id(ids, '<|vision_start|>'),
    vision_end_token_id: id(ids, '<|vision_end|>'),
    vision_token_id: id(ids, '<|vision_pad|>'),
    bos_token_id: id(ids, '<|endoftext|>'),
    eos_token_id: id(ids, '<|im_end|>'),
    tie_word_embeddings: false,
    text_config: textConfig,
    vision_config: {
      model_type: 'qwen2_5_vl',
      depth: spec.visionBlocks?.layers ?? 1,
      hidden_act: 'silu',
      hidden_size: spec.visionDim,
      intermediate_size: spec.visionBlocks?.intermediate ?? spec.visionDim * 4,
      num_heads: spec.visionBlocks?.heads ?? 1,
      in_chans: 3,
      in_channels: 3,
      out_hidden_size: t.hidden,
      patch_size: 14,
      spatial_merge_size: 2,
      spatial_patch_size: 14,
      temporal_patch_size: 2,
      window_size: 112,
      fullatt_block_indexes: spec.visionBlocks ? [] : [0],
      tokens_per_second: 2,
    },
    transformers_version: '4.51.0',
    _generated_by: `proxythinker-web model factory: ${spec.description}`,
  };
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
  return {
    do_convert_rgb: true,
    do_normalize: true,
    do_rescale: true,
    do_resize: true,
    image_mean: [0.48145466, 0.4578275, 0.40821073],
    image_std: [0.26862954, 0.26130258, 0.27577711],
    image_processor_type: 'Qwen2VLImageProcessor',
    max_pixels: spec.maxPixels,
    min_pixels: spec.minPixels,
    merge_size: 2,
    patch_size: 14,
    processor_class: 'Qwen2_5_VLProcessor',
    resample: 3,
    rescale_factor: 0.00392156862745098,
    size: { longest_edge: spec.maxPixels, shortest_edge: spec.minPixels },
    temporal_patch_size: 2,
  };
}
