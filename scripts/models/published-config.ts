/** config.json in the shapes real Qwen2-VL / Qwen2.5-VL / Qwen3-VL checkpoints carry (the factory and synthetic checkpoints). */
import type { Family, ModelDesc } from '../../src/convert/model-desc';

const ARCH: Record<Family, string> = {
  qwen2_vl: 'Qwen2VLForConditionalGeneration',
  qwen2_5_vl: 'Qwen2_5_VLForConditionalGeneration',
  qwen3_vl: 'Qwen3VLForConditionalGeneration',
};

export interface ConfigStyle {
  /** 'published': as the released repos (Qwen2/2.5-VL: text sizes at the top level; Qwen3-VL: a text_config); 'transformers5': in a text_config. */
  layout: 'published' | 'transformers5';
  torchDtype: string;
  ids: (token: string) => number;
}

/** config.json as a Hugging Face checkpoint of this architecture carries it. */
export function checkpointConfig(desc: ModelDesc, style: ConfigStyle): Record<string, unknown> {
  const { family, text: t, vision: v } = desc;
  const id = style.ids;
  const textKeys = {
    attention_dropout: 0,
    bos_token_id: id('<|endoftext|>'),
    eos_token_id: id('<|im_end|>'),
    hidden_act: 'silu',
    hidden_size: t.hidden,
    initializer_range: 0.02,
    intermediate_size: t.intermediate,
    max_position_embeddings: 32768,
    max_window_layers: t.layers,
    num_attention_heads: t.heads,
    num_hidden_layers: t.layers,
    num_key_value_heads: t.kvHeads,
    rms_norm_eps: t.rmsEps,
    rope_theta: t.ropeTheta,
    sliding_window: 32768,
    use_cache: true,
    use_sliding_window: false,
    vocab_size: t.vocabRows,
    rope_scaling: { type: 'mrope', mrope_section: t.mropeSection },
  };
  if (family === 'qwen3_vl') return qwen3Config(desc, style);
  const vision =
    family === 'qwen2_vl'
      ? { depth: v.depth, embed_dim: v.width, mlp_ratio: v.mlpHidden / v.width, num_heads: v.heads, in_chans: v.inChans, hidden_size: v.outHidden, patch_size: v.patch, spatial_merge_size: v.merge, temporal_patch_size: v.temporalPatch }
      : {
          depth: v.depth,
          hidden_act: v.act,
          hidden_size: v.width,
          intermediate_size: v.mlpHidden,
          num_heads: v.heads,
          in_chans: v.inChans,
          out_hidden_size: v.outHidden,
          patch_size: v.patch,
          spatial_merge_size: v.merge,
          spatial_patch_size: v.patch,
          window_size: v.windowPx,
          fullatt_block_indexes: v.fullAttBlocks,
          tokens_per_second: 2,
          temporal_patch_size: v.temporalPatch,
        };
  const tokens = {
    vision_start_token_id: id('<|vision_start|>'),
    vision_end_token_id: id('<|vision_end|>'),
    vision_token_id: id('<|vision_pad|>'),
    image_token_id: id('<|image_pad|>'),
    video_token_id: id('<|video_pad|>'),
  };
  if (style.layout === 'published') {
    return {
      architectures: [ARCH[family]],
      ...textKeys,
      ...tokens,
      model_type: family,
      tie_word_embeddings: t.tied,
      torch_dtype: style.torchDtype,
      transformers_version: '4.49.0',
      vision_config: vision,
    };
  }
  return {
    architectures: [ARCH[family]],
    model_type: family,
    ...tokens,
    text_config: { ...textKeys, model_type: `${family}_text`, tie_word_embeddings: t.tied, torch_dtype: style.torchDtype },
    vision_config: { ...vision, model_type: family, ...(family === 'qwen2_vl' ? { hidden_act: v.act } : {}) },
    tie_word_embeddings: t.tied,
    torch_dtype: style.torchDtype,
    transformers_version: '5.0.0',
  };
}


/** Qwen3-VL's config.json as released (transformers 4.57): text and vision sub-configs. */
function qwen3Config(desc: ModelDesc, style: ConfigStyle): Record<string, unknown> {
  const { text: t, vision: v } = desc;
  const id = style.ids;
  return {
    architectures: [ARCH.qwen3_vl],
    image_token_id: id('<|image_pad|>'),
    model_type: 'qwen3_vl',
    text_config: {
      attention_bias: t.qkvBias,
      attention_dropout: 0,
      bos_token_id: id('<|endoftext|>'),
      dtype: style.torchDtype,
      eos_token_id: id('<|im_end|>'),
      head_dim: t.headDim,
      hidden_act: 'silu',
      hidden_size: t.hidden,
      initializer_range: 0.02,
      intermediate_size: t.intermediate,
      max_position_embeddings: 262144,
      model_type: 'qwen3_vl_text',
      num_attention_heads: t.heads,
      num_hidden_layers: t.layers,
      num_key_value_heads: t.kvHeads,
      rms_norm_eps: t.rmsEps,
      rope_scaling: { mrope_interleaved: t.mropeInterleaved, mrope_section: t.mropeSection, rope_type: 'default' },
      rope_theta: t.ropeTheta,
      tie_word_embeddings: t.tied,
      use_cache: true,
      vocab_size: t.vocabRows,
    },
    tie_word_embeddings: t.tied,
    transformers_version: '4.57.0',
    video_token_id: id('<|video_pad|>'),
    vision_config: {
      deepstack_visual_indexes: v.deepstack,
      depth: v.depth,
      hidden_act: v.act,
      hidden_size: v.width,
      in_channels: v.inChans,
      initializer_range: 0.02,
      intermediate_size: v.mlpHidden,
      model_type: 'qwen3_vl',
      num_heads: v.heads,
      num_position_embeddings: (v.posEmbedGrid ?? 0) ** 2,
      out_hidden_size: v.outHidden,
      patch_size: v.patch,
      spatial_merge_size: v.merge,
      temporal_patch_size: v.temporalPatch,
    },
    vision_end_token_id: id('<|vision_end|>'),
    vision_start_token_id: id('<|vision_start|>'),
  };
}
