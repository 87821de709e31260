/**
 * The JSON files of a converted folder: config.json in the shape transformers.js reads (text sizes
 * at the top level for Qwen2-VL, in `text_config` with its model_type for Qwen2.5-VL; written in
 * both places), `transformers.js_config.use_external_data_format` for files with external data, and
 * preprocessor_config.json with the processor flags transformers.js needs spelled out.
 */
import type { ModelDesc } from './model-desc';

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function outputConfig(desc: ModelDesc, source: Json, externalData: Record<string, number>): Json {
  const t = desc.text;
  const sizes = {
    hidden_size: t.hidden,
    num_hidden_layers: t.layers,
    num_attention_heads: t.heads,
    num_key_value_heads: t.kvHeads,
    head_dim: t.headDim,
    intermediate_size: t.intermediate,
    rms_norm_eps: t.rmsEps,
    rope_theta: t.ropeTheta,
    vocab_size: t.vocabRows,
    tie_word_embeddings: t.tied,
  };
  const sourceText = isRecord(source['text_config']) ? source['text_config'] : {};
  const rope = source['rope_scaling'] ?? sourceText['rope_scaling'];
  const textConfig: Json = {
    ...sourceText,
    ...sizes,
    model_type: `${desc.family}_text`,
    rope_scaling: isRecord(rope) ? rope : { type: 'mrope', mrope_section: t.mropeSection },
  };
  const jsConfig = isRecord(source['transformers.js_config']) ? { ...source['transformers.js_config'] } : {};
  delete jsConfig['use_external_data_format'];
  if (Object.keys(externalData).length > 0) jsConfig['use_external_data_format'] = externalData;
  const out: Json = { ...source, ...sizes, text_config: textConfig };
  if (Object.keys(jsConfig).length > 0) out['transformers.js_config'] = jsConfig;
  else delete out['transformers.js_config'];
  return out;
}

/** transformers' Qwen2VLImageProcessor defaults, for keys the published file leaves out. */
const PROCESSOR_DEFAULTS: Json = {
  do_convert_rgb: true,
  do_resize: true,
  do_rescale: true,
  rescale_factor: 1 / 255,
  do_normalize: true,
  resample: 3,
  image_mean: [0.48145466, 0.4578275, 0.40821073],
  image_std: [0.26862954, 0.26130258, 0.27577711],
  min_pixels: 56 * 56,
  max_pixels: 28 * 28 * 1280,
  patch_size: 14,
  temporal_patch_size: 2,
  merge_size: 2,
};

export function outputPreprocessorConfig(source: Json, desc: ModelDesc): Json {
  const v = desc.vision;
  const size = isRecord(source['size']) ? source['size'] : {};
  const derived: Json = {
    min_pixels: size['shortest_edge'],
    max_pixels: size['longest_edge'],
    patch_size: v.patch,
    temporal_patch_size: v.temporalPatch,
    merge_size: v.merge,
  };
  const out: Json = { ...source };
  for (const [k, dflt] of Object.entries(PROCESSOR_DEFAULTS)) {
    if (out[k] === undefined) out[k] = derived[k] ?? dflt;
  }
  return out;
}
