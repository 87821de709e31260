/**
 * Which files loading a Qwen2-VL-family model reads, for a dtype: the same list transformers.js
 * builds (`ModelRegistry.get_files`; a unit test keeps the two in step), computed from config.json
 * alone so the page can size a download without loading the library.
 */
import { fallbackDtype, type Dtype } from '../../core/presets';

/** dtype → ONNX file suffix (transformers.js' DEFAULT_DTYPE_SUFFIX_MAPPING). */
export const DTYPE_SUFFIX: Readonly<Record<Dtype, string>> = Object.freeze({
  fp32: '',
  fp16: '_fp16',
  int8: '_int8',
  uint8: '_uint8',
  q8: '_quantized',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
});

/** Files read besides the ONNX sessions (the processor's and tokenizer's; generation_config is optional). */
export const CONFIG_FILES = [
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'preprocessor_config.json',
] as const;
/** Files whose absence does not fail a load. */
export const OPTIONAL_FILES: ReadonlySet<string> = new Set(['generation_config.json']);

type ExternalData = boolean | number | Record<string, boolean | number>;

interface ModelConfigLike {
  model_type?: string;
  'transformers.js_config'?: {
    use_external_data_format?: ExternalData;
    dtype?: Dtype | Record<string, Dtype>;
  };
}

/** The ONNX sessions of a Qwen2-VL-family model, in transformers.js' order. */
const SESSIONS = ['embed_tokens', 'decoder_model_merged', 'vision_encoder'] as const;

function externalChunks(config: ExternalData | undefined, fullName: string, session: string): number {
  if (!config) return 0;
  if (typeof config === 'object') {
    if (Object.hasOwn(config, fullName)) return +(config[fullName] ?? 0);
    if (Object.hasOwn(config, session)) return +(config[session] ?? 0);
    return 0;
  }
  return +config;
}

/** The dtype used for one session (a per-session record may leave some to the config's default, else fp32). */
export function sessionDtype(
  dtype: Dtype | Record<string, Dtype>,
  session: string,
  config: ModelConfigLike,
  shaderF16: boolean,
): Dtype {
  const pick = (d: Dtype | Record<string, Dtype> | undefined): Dtype | undefined =>
    typeof d === 'string' ? d : d?.[session];
  const d = pick(dtype) ?? pick(config['transformers.js_config']?.dtype) ?? 'fp32';
  return fallbackDtype(d, shaderF16);
}

/**
 * Every file a load reads, in transformers.js' order of the ONNX part. `shaderF16`: whether the
 * backend computes in f16 (false on WASM and on GPUs without shader-f16, where fp16 becomes fp32).
 */
export function modelFiles(
  config: ModelConfigLike,
  dtype: Dtype | Record<string, Dtype>,
  shaderF16: boolean,
): string[] {
  const onnx: string[] = [];
  const ext = config['transformers.js_config']?.use_external_data_format;
  for (const session of SESSIONS) {
    const full = `${session}${DTYPE_SUFFIX[sessionDtype(dtype, session, config, shaderF16)]}.onnx`;
    onnx.push(`onnx/${full}`);
    const n = externalChunks(ext, full, session);
    for (let i = 0; i < n; i++) onnx.push(`onnx/${full}_data${i === 0 ? '' : `_${i}`}`);
  }
  return [...new Set(['config.json', ...onnx, ...CONFIG_FILES.slice(1)])];
}
