/**
 * A Hugging Face checkpoint folder as published: config.json, `model.safetensors` or shards listed
 * in `model.safetensors.index.json`, tokenizer and processor files. Opening one checks every shard's
 * header (missing or truncated shards are named before any conversion starts) and maps the graph
 * builders' tensor names (the published naming) onto the folder's own naming.
 */
import { readText, type ByteSource, type InputFolder } from '../io';
import type { ModelDesc } from '../model-desc';
import type { WeightSource } from '../graphs/weights';
import { parseConfig } from './config';
import { CheckpointError, readFloat, readHeader, type TensorEntry } from './safetensors';

export const INDEX_FILE = 'model.safetensors.index.json';
export const SINGLE_FILE = 'model.safetensors';

export type Naming = 'published' | 'transformers>=4.52';

export interface Checkpoint extends WeightSource {
  desc: ModelDesc;
  /** config.json as parsed. */
  config: Record<string, unknown>;
  naming: Naming;
  files: string[];
  /** Total bytes of the weight files. */
  weightBytes: number;
  /** The checkpoint's own name for a published tensor name (lm_head resolves to the embedding when tied). */
  resolve(name: string): string;
  entries: ReadonlyMap<string, TensorEntry>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function openCheckpoint(folder: InputFolder, label = 'checkpoint'): Promise<Checkpoint> {
  const files = await folder.list();
  if (!files.includes('config.json')) throw new CheckpointError(`${label}: no config.json (is this a Hugging Face model folder?)`);
  const { desc, raw } = parseConfig(await readText(await folder.open('config.json')));

  let shardNames: string[];
  let weightMap: Map<string, string> | null = null;
  if (files.includes(INDEX_FILE)) {
    let index: unknown;
    try {
      index = JSON.parse(await readText(await folder.open(INDEX_FILE)));
    } catch (e) {
      throw new CheckpointError(`${INDEX_FILE} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    const map = isRecord(index) ? index['weight_map'] : undefined;
    if (!isRecord(map)) throw new CheckpointError(`${INDEX_FILE} has no weight_map`);
    weightMap = new Map();
    for (const [name, file] of Object.entries(map)) {
      if (typeof file !== 'string') throw new CheckpointError(`${INDEX_FILE}: weight_map entry ${name} is not a file name`);
      weightMap.set(name, file);
    }
    shardNames = [...new Set(weightMap.values())].sort();
    const missing = shardNames.filter((f) => !files.includes(f));
    if (missing.length) throw new CheckpointError(`${label}: shard ${missing.join(', ')} listed in ${INDEX_FILE} is missing`);
  } else if (files.includes(SINGLE_FILE)) {
    shardNames = [SINGLE_FILE];
  } else {
    throw new CheckpointError(`${label}: no ${SINGLE_FILE} and no ${INDEX_FILE}`);
  }

  const sources = new Map<string, ByteSource>();
  const entries = new Map<string, TensorEntry>();
  let weightBytes = 0;
  for (const f of shardNames) {
    const src = await folder.open(f);
    sources.set(f, src);
    weightBytes += src.size;
    for (const [name, e] of await readHeader(src)) entries.set(name, e);
  }
  if (weightMap) {
    for (const [name, file] of weightMap) {
      const e = entries.get(name);
      if (!e) throw new CheckpointError(`${file}: tensor ${name} (listed in ${INDEX_FILE}) is not in the file`);
      if (e.file !== file) throw new CheckpointError(`tensor ${name}: ${INDEX_FILE} says ${file}, found in ${e.file}`);
    }
  }

  const naming: Naming = [...entries.keys()].some((n) => n.startsWith('model.language_model.') || n.startsWith('model.visual.'))
    ? 'transformers>=4.52'
    : 'published';
  const resolve = (name: string): string => {
    if (name === 'lm_head.weight' && desc.text.tied) return resolve('model.embed_tokens.weight');
    if (naming === 'published') return name;
    if (name.startsWith('visual.')) return `model.${name}`;
    if (name.startsWith('model.')) return `model.language_model.${name.slice('model.'.length)}`;
    return name;
  };

  return {
    desc,
    config: raw,
    naming,
    files: shardNames,
    weightBytes,
    entries,
    resolve,
    shape(name) {
      return entries.get(resolve(name))?.shape ?? null;
    },
    async read(name) {
      const real = resolve(name);
      const e = entries.get(real);
      if (!e) throw new CheckpointError(`tensor ${real} is not in the checkpoint`);
      const src = sources.get(e.file);
      if (!src) throw new CheckpointError(`${e.file} is not open`);
      return readFloat(src, real, e);
    },
  };
}
