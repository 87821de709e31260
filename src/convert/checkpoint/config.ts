/**
 * config.json of a Hugging Face Qwen2-VL / Qwen2.5-VL checkpoint → ModelDesc. Text sizes are read
 * from `text_config` when present (newer transformers) and from the top level otherwise (the
 * published repos); anything the graphs cannot honour is refused naming the key.
 */
import { FAMILIES, FAMILY_VISION, type ModelDesc, type TextDesc, type VisionAct, type VisionDesc } from '../model-desc';
import { CheckpointError } from './safetensors';

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const VISION_ACTS: readonly VisionAct[] = ['silu', 'quick_gelu', 'gelu', 'gelu_pytorch_tanh'];

export function parseConfig(source: string, file = 'config.json'): { desc: ModelDesc; raw: Json } {
  let raw: unknown;
  try {
    raw = JSON.parse(source);
  } catch (e) {
    throw new CheckpointError(`${file} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return parseConfigObject(raw, file);
}

/** The same from the parsed object (e.g. the config a loaded model carries). */
export function parseConfigObject(raw: unknown, file = 'config.json'): { desc: ModelDesc; raw: Json } {
  if (!isRecord(raw)) throw new CheckpointError(`${file} is not a JSON object`);
  const fail = (why: string): never => {
    throw new CheckpointError(`${file}: ${why}`);
  };
  const modelType = raw['model_type'];
  const family = FAMILIES.find((f) => f === modelType);
  if (!family) {
    return fail(`unsupported model_type ${JSON.stringify(modelType)}; supported: ${FAMILIES.join(', ')}`);
  }
  const tc = raw['text_config'];
  const text = isRecord(tc) ? { ...raw, ...tc } : raw;
  const where = isRecord(tc) ? 'text_config' : 'config';
  const vc = raw['vision_config'];
  if (!isRecord(vc)) return fail('no vision_config');

  const int = (o: Json, key: string, at: string, dflt?: number): number => {
    const v = o[key] ?? dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) return fail(`${at}.${key} must be a positive integer, got ${JSON.stringify(v)}`);
    return v;
  };
  const num = (o: Json, key: string, at: string, dflt: number): number => {
    const v = o[key] ?? dflt;
    if (typeof v !== 'number' || !(v > 0)) return fail(`${at}.${key} must be a positive number, got ${JSON.stringify(v)}`);
    return v;
  };

  // Text model.
  const act = text['hidden_act'] ?? 'silu';
  if (act !== 'silu') fail(`${where}.hidden_act ${JSON.stringify(act)} is not supported (Qwen2 uses "silu")`);
  if (text['use_sliding_window'] === true) fail(`${where}.use_sliding_window is true: sliding-window attention is not supported`);
  const rope = text['rope_scaling'] ?? raw['rope_scaling'] ?? text['rope_parameters'];
  if (!isRecord(rope)) return fail(`${where}.rope_scaling with mrope_section is missing (Qwen-VL uses M-RoPE)`);
  const ropeType = rope['rope_type'] ?? rope['type'];
  if (ropeType !== undefined && ropeType !== 'mrope' && ropeType !== 'default') {
    fail(`${where}.rope_scaling type ${JSON.stringify(ropeType)} is not supported (only "mrope"/"default")`);
  }
  const section = rope['mrope_section'];
  if (!Array.isArray(section) || section.length !== 3 || !section.every((s) => Number.isInteger(s) && s > 0)) {
    return fail(`${where}.rope_scaling.mrope_section must be three positive integers, got ${JSON.stringify(section)}`);
  }
  const hidden = int(text, 'hidden_size', where);
  const heads = int(text, 'num_attention_heads', where);
  const qwen3 = family === 'qwen3_vl';
  // Qwen2's attention takes hidden / heads whatever the config says; Qwen3's reads head_dim.
  const headDim = qwen3 && text['head_dim'] !== undefined ? int(text, 'head_dim', where) : hidden / heads;
  const t: TextDesc = {
    hidden,
    layers: int(text, 'num_hidden_layers', where),
    heads,
    kvHeads: int(text, 'num_key_value_heads', where, heads),
    headDim,
    intermediate: int(text, 'intermediate_size', where),
    rmsEps: num(text, 'rms_norm_eps', where, 1e-6),
    ropeTheta: num(text, 'rope_theta', where, isRecord(rope) && typeof rope['rope_theta'] === 'number' ? rope['rope_theta'] : 1e6),
    mropeSection: [Number(section[0]), Number(section[1]), Number(section[2])],
    vocabRows: int(text, 'vocab_size', where),
    tied: (isRecord(tc) ? tc['tie_word_embeddings'] : undefined) ?? raw['tie_word_embeddings'] ?? false ? true : false,
    qkvBias: qwen3 ? text['attention_bias'] === true : true,
    qkNorm: qwen3,
    // transformers always interleaves Qwen3-VL's M-RoPE (the config's mrope_interleaved is never read).
    mropeInterleaved: qwen3,
    deepstackLayers: 0,
  };
  if (!Number.isInteger(t.headDim) || t.headDim % 2 !== 0) fail(`${where}: hidden_size / num_attention_heads = ${t.headDim} must be an even integer`);
  if (t.heads % t.kvHeads !== 0) fail(`${where}.num_attention_heads (${t.heads}) must be a multiple of num_key_value_heads (${t.kvHeads})`);
  if (t.mropeSection.reduce((a, b) => a + b, 0) !== t.headDim / 2) {
    fail(`${where}.rope_scaling.mrope_section ${JSON.stringify(section)} must sum to head_dim / 2 = ${t.headDim / 2}`);
  }

  // Vision tower.
  const at = 'vision_config';
  const actName = vc['hidden_act'] ?? (family === 'qwen2_vl' ? 'quick_gelu' : family === 'qwen3_vl' ? 'gelu_pytorch_tanh' : 'silu');
  const vact = VISION_ACTS.find((a) => a === actName);
  if (!vact) return fail(`${at}.hidden_act ${JSON.stringify(actName)} is not supported (${VISION_ACTS.join(', ')})`);
  const width = family === 'qwen2_vl' ? int(vc, 'embed_dim', at) : int(vc, 'hidden_size', at);
  const patch = int(vc, 'patch_size', at, FAMILY_VISION[family].patch);
  const merge = int(vc, 'spatial_merge_size', at, 2);
  const windowSize = family === 'qwen2_5_vl' ? int(vc, 'window_size', at, 112) : null;
  const blockList = (key: string): number[] => {
    const raw: unknown = vc[key] ?? [];
    const list = Array.isArray(raw) ? raw.filter((i): i is number => Number.isInteger(i) && i >= 0) : [];
    if (!Array.isArray(raw) || list.length !== raw.length) return fail(`${at}.${key} must list block numbers`);
    return list;
  };
  const positions = qwen3 ? int(vc, 'num_position_embeddings', at) : null;
  const grid = positions === null ? null : Math.round(Math.sqrt(positions));
  if (positions !== null && grid !== null && grid * grid !== positions) fail(`${at}.num_position_embeddings ${positions} is not a square`);
  const v: VisionDesc = {
    ...FAMILY_VISION[family],
    width,
    depth: int(vc, 'depth', at),
    heads: int(vc, 'num_heads', at),
    mlpHidden: family === 'qwen2_vl' ? width * num(vc, 'mlp_ratio', at, 4) : int(vc, 'intermediate_size', at),
    outHidden: family === 'qwen2_vl' ? int(vc, 'hidden_size', at, hidden) : int(vc, 'out_hidden_size', at),
    patch,
    temporalPatch: int(vc, 'temporal_patch_size', at, 2),
    merge,
    inChans: int(vc, 'in_chans', at, typeof vc['in_channels'] === 'number' ? vc['in_channels'] : 3),
    act: vact,
    windowPx: windowSize,
    fullAttBlocks: family === 'qwen2_5_vl' ? blockList('fullatt_block_indexes') : [],
    posEmbedGrid: grid,
    deepstack: qwen3 ? blockList('deepstack_visual_indexes') : [],
  };
  t.deepstackLayers = v.deepstack.length;
  for (const b of v.deepstack) if (b >= v.depth) fail(`${at}.deepstack_visual_indexes: block ${b} is past depth ${v.depth}`);
  if (!Number.isInteger(v.mlpHidden)) fail(`${at}: embed_dim × mlp_ratio = ${v.mlpHidden} is not an integer`);
  const hd = v.width / v.heads;
  if (!Number.isInteger(hd) || hd % 4 !== 0) fail(`${at}: width / num_heads = ${hd} must be a multiple of 4 (2-D rotary halves)`);
  if (windowSize !== null && windowSize % (patch * merge) !== 0) fail(`${at}.window_size ${windowSize} must be a multiple of patch_size × spatial_merge_size`);
  if (v.outHidden !== hidden) fail(`${at}: the merger's output (${v.outHidden}) differs from the text hidden_size (${hidden})`);
  return { desc: { family, text: t, vision: v }, raw };
}
