/**
 * Model trios: a large base model guided by a small RL-tuned expert and its untuned amateur.
 * Local presets are served by our own server under /models/<name>/; hub presets name the
 * repositories a user would load (or would first have to export to ONNX themselves).
 */

export type Dtype = 'fp32' | 'fp16' | 'q4' | 'q4f16' | 'q8' | 'int8' | 'uint8' | 'bnb4';
export type ModelRole = 'base' | 'expert' | 'amateur';
export const MODEL_ROLES: readonly ModelRole[] = ['base', 'expert', 'amateur'];

/** One file of a model folder the user picked: its path inside the folder ('onnx/…') and the file on disk. */
export interface LocalModelFile {
  path: string;
  file: File;
}

/** Where a preset's model comes from (presets are static, so never a picked folder). */
export type PresetSource =
  | {
      kind: 'hub';
      repo: string;
      revision: string;
      dtype: Dtype | Record<string, Dtype>;
      /** The hub's host, or a mirror answering `/{repo}/resolve/{revision}/{file}` (default: transformers.js' own). */
      host?: string;
    }
  | {
      kind: 'url';
      baseUrl: string;
      dtype: Dtype | Record<string, Dtype>;
      /** The precision on the WASM (CPU) backend instead of `dtype`, when the folder has one for it. */
      wasmDtype?: Dtype;
    };

export type ModelSource =
  | PresetSource
  /** A folder on the user's disk: its files are read in the browser, never uploaded. */
  | { kind: 'local-folder'; folder: string; files: LocalModelFile[]; dtype: Dtype | Record<string, Dtype> };

export type ModelSpec = PresetSource & { name: string };

/**
 * A preset model's source as loads take it: the spec without its name. `dtype` fixes the precision
 * on every backend (a url source's `wasmDtype` is then dropped).
 */
export function presetSource(m: ModelSpec, dtype?: Dtype): PresetSource {
  const { name: _name, ...source } = m;
  if (!dtype) return source;
  if (source.kind === 'hub') return { ...source, dtype };
  const { wasmDtype: _wasm, ...rest } = source;
  return { ...rest, dtype };
}

export interface TrioPreset {
  id: string;
  label: string;
  family: 'qwen2_vl' | 'qwen2_5_vl' | 'qwen3_vl';
  models: Record<ModelRole, ModelSpec>;
  note?: string;
  /** Models that exist only as Hugging Face checkpoints: convert them once into public/models/ (recipeCommands). */
  recipe?: readonly ConvertRecipe[];
  local: boolean;
}

/** A checkpoint to download and convert (`npm run convert`) into public/models/<folder>, served at /models/<folder>/. */
export interface ConvertRecipe {
  role: ModelRole;
  checkpoint: string;
  folder: string;
}

/** Converted models are written in q4 and q4f16; the app picks q4f16 where the GPU has shader-f16, else q4. */
export const CONVERTED_DTYPE: Dtype = 'q4f16';
export const CONVERT_DTYPES = 'q4,q4f16';

/**
 * Local models are exported in fp32, q4 and q8; the user picks one at load time, or 'auto': q8 on the
 * WASM backend, q4 on WebGPU. onnxruntime-web's WASM MatMulNBits dequantises each 4-bit weight to
 * float32 on every call (≈ 13× slower decoding than int8 there), and the WebGPU provider has no int8
 * matmul kernel (docs/onnx-ops.md), so each backend gets the format it runs fast.
 */
export type LocalDtype = 'auto' | 'fp32' | 'q4' | 'q8';
export const LOCAL_DTYPES: readonly LocalDtype[] = ['auto', 'q4', 'q8', 'fp32'];
export const DEFAULT_LOCAL_DTYPE: LocalDtype = 'auto';
/** What 'auto' loads: q4 on WebGPU, q8 on WASM. */
const AUTO_LOCAL = { dtype: 'q4', wasmDtype: 'q8' } as const satisfies { dtype: Dtype; wasmDtype: Dtype };

/** A user's precision as a load option: 'auto' (and none) leave each source's own. */
export function fixedDtype(d: LocalDtype | null | undefined): Dtype | null {
  return d === 'auto' || d == null ? null : d;
}

/** The same as a spreadable `{ dtype }` (empty when the sources keep theirs). */
export function dtypeOption(d: LocalDtype | null | undefined): { dtype?: Dtype } {
  const fixed = fixedDtype(d);
  return fixed ? { dtype: fixed } : {};
}

/** The precision a source loads in on a backend: its WASM precision there, when it names one. */
export function sourceDtype(
  source: { dtype: Dtype | Record<string, Dtype>; wasmDtype?: Dtype },
  backend: 'wasm' | 'webgpu',
): Dtype | Record<string, Dtype> {
  return backend === 'wasm' && source.wasmDtype ? source.wasmDtype : source.dtype;
}

/**
 * Per-session precisions for onnx-community VLM exports (Transformers.js `onnx/` layout):
 * 4-bit weights with fp16 compute for the text side, fp16 for the vision encoder, whose
 * accuracy suffers most from 4-bit weights.
 */
export const HUB_DTYPE: Readonly<Record<string, Dtype>> = Object.freeze({
  embed_tokens: 'q4f16',
  vision_encoder: 'fp16',
  decoder_model_merged: 'q4f16',
});

/** Hub repositories known to publish a Transformers.js-loadable ONNX export. */
export const KNOWN_ONNX_EXPORTS: ReadonlySet<string> = new Set([
  'onnx-community/Qwen2.5-VL-3B-Instruct-ONNX',
  'onnx-community/Qwen3-VL-2B-Instruct-ONNX',
]);

function local(name: string): ModelSpec {
  return { kind: 'url', baseUrl: `/models/${name}/`, ...AUTO_LOCAL, name };
}

function converted(name: string, folder: string): ModelSpec {
  return { kind: 'url', baseUrl: `/models/${folder}/`, dtype: CONVERTED_DTYPE, name };
}

/** The shell commands that make a preset's converted models (run once, in the project folder). */
export function recipeCommands(p: TrioPreset): string[] {
  return (p.recipe ?? []).flatMap((r) => {
    const local = `checkpoints/${r.checkpoint.split('/').pop() ?? r.folder}`;
    return [
      `huggingface-cli download ${r.checkpoint} --local-dir ${local}`,
      `npm run convert -- --from ${local} --to public/models/${r.folder} --dtype ${CONVERT_DTYPES}`,
    ];
  });
}

function hub(name: string, repo: string): ModelSpec {
  return { kind: 'hub', repo, revision: 'main', dtype: { ...HUB_DTYPE }, name };
}

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) deepFreeze(v);
  return Object.freeze(o);
}

export const PRESETS: readonly TrioPreset[] = deepFreeze([
  {
    id: 'tiny',
    label: 'Tiny test trio (local)',
    family: 'qwen2_5_vl',
    models: { base: local('tiny-base'), expert: local('tiny-expert'), amateur: local('tiny-amateur') },
    local: true,
  },
  {
    id: 'tiny-escalate',
    label: 'Tiny trio, escalating expert (local)',
    family: 'qwen2_5_vl',
    models: {
      base: local('tiny-base'),
      expert: local('tiny-expert-escalate'),
      amateur: local('tiny-amateur'),
    },
    local: true,
  },
  {
    id: 'tiny-qwen2',
    label: 'Tiny trio, Qwen2-VL architecture (local)',
    family: 'qwen2_vl',
    models: { base: local('tiny2-base'), expert: local('tiny2-expert'), amateur: local('tiny2-amateur') },
    local: true,
  },
  {
    id: 'tiny-qwen3',
    label: 'Tiny trio, Qwen3-VL architecture (local)',
    family: 'qwen3_vl',
    models: { base: local('tiny3-base'), expert: local('tiny3-expert'), amateur: local('tiny3-amateur') },
    local: true,
  },
  {
    id: 'bench',
    label: 'Benchmark trio (local)',
    family: 'qwen2_5_vl',
    models: { base: local('bench-base'), expert: local('bench-expert'), amateur: local('bench-amateur') },
    local: true,
  },
  {
    id: 'qwen2.5-vl-paper',
    label: 'ProxyThinker paper: Qwen2.5-VL-7B guided by VLAA-Thinker 3B',
    family: 'qwen2_5_vl',
    models: {
      base: converted('Qwen2.5-VL-7B-Instruct', 'qwen2.5-vl-7b-instruct'),
      expert: converted('VLAA-Thinker-Qwen2.5VL-3B', 'vlaa-thinker-qwen2.5vl-3b'),
      amateur: hub('Qwen2.5-VL-3B-Instruct', 'onnx-community/Qwen2.5-VL-3B-Instruct-ONNX'),
    },
    recipe: [
      { role: 'base', checkpoint: 'Qwen/Qwen2.5-VL-7B-Instruct', folder: 'qwen2.5-vl-7b-instruct' },
      { role: 'expert', checkpoint: 'UCSC-VLAA/VLAA-Thinker-Qwen2.5VL-3B', folder: 'vlaa-thinker-qwen2.5vl-3b' },
    ],
    note:
      'The base (Qwen/Qwen2.5-VL-7B-Instruct) and the expert (UCSC-VLAA/VLAA-Thinker-Qwen2.5VL-3B) exist ' +
      'only as safetensors: convert them once with the commands below, on the machine that serves this ' +
      'app; the amateur’s ONNX export is published and downloads from the hub. The 7B lm_head has ' +
      '152,064 rows and the 3B ones 151,936; only the shared tokenizer ids are merged. The 7B needs ' +
      'WebGPU (its 4-bit decoder alone is ≈ 4.5 GB, past WASM’s 4 GB).',
    local: false,
  },
  {
    id: 'qwen2-vl-r1',
    label: 'Qwen2-VL: 7B Instruct guided by VisualThinker-R1-Zero 2B',
    family: 'qwen2_vl',
    models: {
      base: converted('Qwen2-VL-7B-Instruct', 'qwen2-vl-7b-instruct'),
      expert: converted('VisualThinker-R1-Zero', 'visualthinker-r1-zero'),
      amateur: converted('Qwen2-VL-2B', 'qwen2-vl-2b'),
    },
    recipe: [
      { role: 'base', checkpoint: 'Qwen/Qwen2-VL-7B-Instruct', folder: 'qwen2-vl-7b-instruct' },
      { role: 'expert', checkpoint: 'turningpoint-ai/VisualThinker-R1-Zero', folder: 'visualthinker-r1-zero' },
      { role: 'amateur', checkpoint: 'Qwen/Qwen2-VL-2B', folder: 'qwen2-vl-2b' },
    ],
    note:
      'The expert turningpoint-ai/VisualThinker-R1-Zero is Qwen/Qwen2-VL-2B (the base model, not ' +
      'Instruct) after R1-Zero-style RL, so Qwen/Qwen2-VL-2B is its amateur; the base is ' +
      'Qwen/Qwen2-VL-7B-Instruct. None of the three has an ONNX export: convert them once with the ' +
      'commands below. The 2B pair also runs on WASM; the 7B base needs WebGPU.',
    local: false,
  },
  {
    id: 'qwen3-vl',
    label: 'Qwen3-VL: 4B Instruct guided by 2B Thinking',
    family: 'qwen3_vl',
    models: {
      base: converted('Qwen3-VL-4B-Instruct', 'qwen3-vl-4b-instruct'),
      expert: converted('Qwen3-VL-2B-Thinking', 'qwen3-vl-2b-thinking'),
      amateur: hub('Qwen3-VL-2B-Instruct', 'onnx-community/Qwen3-VL-2B-Instruct-ONNX'),
    },
    recipe: [
      { role: 'base', checkpoint: 'Qwen/Qwen3-VL-4B-Instruct', folder: 'qwen3-vl-4b-instruct' },
      { role: 'expert', checkpoint: 'Qwen/Qwen3-VL-2B-Thinking', folder: 'qwen3-vl-2b-thinking' },
    ],
    note:
      'The trio that fits a browser best: one family, one tokenizer, a 2B pair small enough to ride along. ' +
      'The base (Qwen/Qwen3-VL-4B-Instruct) and the expert (Qwen/Qwen3-VL-2B-Thinking) exist only as ' +
      'safetensors: convert them once with the commands below; the amateur’s ONNX export is published ' +
      'and downloads from the hub. On a big GPU, Qwen/Qwen3-VL-8B-Instruct converts the same way as a base.',
    local: false,
  },
]);

/** The preset with this id; the error lists the known ids. */
export function findPreset(id: string): TrioPreset {
  const p = PRESETS.find((x) => x.id === id);
  if (p === undefined) {
    throw new Error(`Unknown preset '${id}'. Known presets: ${PRESETS.map((x) => x.id).join(', ')}`);
  }
  return p;
}

/** True when a model has no published ONNX export the app could load directly. */
export function needsExport(spec: ModelSpec): boolean {
  return spec.kind === 'hub' && !KNOWN_ONNX_EXPORTS.has(spec.repo);
}

/** A local preset with every model switched to the chosen precision. */
export function withLocalDtype(preset: TrioPreset, dtype: LocalDtype): TrioPreset {
  if (!preset.local)
    throw new Error(`Preset '${preset.id}' is not local; its precisions are fixed by its exports`);
  const set = (m: ModelSpec): ModelSpec => {
    if (m.kind !== 'url') return { ...m, dtype: dtype === 'auto' ? AUTO_LOCAL.dtype : dtype };
    const { wasmDtype: _, ...rest } = m;
    return dtype === 'auto' ? { ...rest, ...AUTO_LOCAL } : { ...rest, dtype };
  };
  const { base, expert, amateur } = preset.models;
  return { ...preset, models: { base: set(base), expert: set(expert), amateur: set(amateur) } };
}

function fallbackOne(d: Dtype, hasShaderF16: boolean): Dtype {
  if (hasShaderF16) return d;
  if (d === 'fp16') return 'fp32';
  if (d === 'q4f16') return 'q4';
  return d;
}

/** Replaces f16-compute precisions when the GPU lacks the shader-f16 feature (fp16→fp32, q4f16→q4). */
export function fallbackDtype(d: Dtype, hasShaderF16: boolean): Dtype;
export function fallbackDtype(d: Record<string, Dtype>, hasShaderF16: boolean): Record<string, Dtype>;
export function fallbackDtype(
  d: Dtype | Record<string, Dtype>,
  hasShaderF16: boolean,
): Dtype | Record<string, Dtype>;
export function fallbackDtype(
  d: Dtype | Record<string, Dtype>,
  hasShaderF16: boolean,
): Dtype | Record<string, Dtype> {
  if (typeof d === 'string') return fallbackOne(d, hasShaderF16);
  const out: Record<string, Dtype> = {};
  for (const [k, v] of Object.entries(d)) out[k] = fallbackOne(v, hasShaderF16);
  return out;
}
