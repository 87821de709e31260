/**
 * Checks of the CLI's input files before a browser is started: the image must be a readable image
 * file, every model folder must hold the files transformers.js will ask for in the chosen precision.
 */
import { promises as fs } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { findPreset, type ModelRole } from '../../src/core/presets';
import { InputError } from './args';
import { sniffImageType } from '../../src/core/imageType';

export const MAX_IMAGE_BYTES = 50 * 1024 * 1024;

export interface ImageFile {
  path: string;
  contentType: string;
  bytes: number;
}

export { sniffImageType };

export async function checkImage(path: string): Promise<ImageFile> {
  const full = resolve(path);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(full, 'r');
  } catch (e) {
    throw new InputError(`cannot read image '${path}': ${reason(e)}`);
  }
  try {
    const st = await handle.stat();
    if (st.isDirectory()) throw new InputError(`image '${path}' is a directory, not a file`);
    if (st.size === 0) throw new InputError(`image '${path}' is empty (0 bytes)`);
    if (st.size > MAX_IMAGE_BYTES)
      throw new InputError(
        `image '${path}' is ${(st.size / 1e6).toFixed(0)} MB; the limit is ${MAX_IMAGE_BYTES / 1e6} MB`,
      );
    const head = new Uint8Array(32);
    let read: number;
    try {
      ({ bytesRead: read } = await handle.read(head, 0, head.length, 0));
    } catch (e) {
      throw new InputError(`cannot read image '${path}': ${reason(e)}`);
    }
    const type = sniffImageType(head.subarray(0, read));
    if (!type) throw new InputError(`'${path}' is not an image (expected PNG, JPEG, GIF, WebP or BMP)`);
    return { path: full, contentType: type, bytes: st.size };
  } finally {
    await handle.close();
  }
}

/** File suffix of a transformers.js dtype (NOTES-runtime: fp32 none, q4 `_q4`, …). */
export function dtypeSuffix(dtype: string): string {
  const map: Record<string, string> = {
    fp32: '',
    fp16: '_fp16',
    q8: '_quantized',
    int8: '_int8',
    uint8: '_uint8',
    q4: '_q4',
    q4f16: '_q4f16',
    bnb4: '_bnb4',
  };
  const s = map[dtype];
  if (s === undefined) throw new InputError(`unknown dtype '${dtype}'`);
  return s;
}

const SESSIONS = ['embed_tokens', 'vision_encoder', 'decoder_model_merged'];

/**
 * Throws an InputError naming the first missing file of a model folder. `hint` is appended
 * (e.g. "run npm run models").
 */
export async function checkModelDir(dir: string, dtype: string, what: string, hint = ''): Promise<string> {
  const full = resolve(dir);
  const tail = hint ? ` — ${hint}` : '';
  let st;
  try {
    st = await fs.stat(full);
  } catch (e) {
    throw new InputError(`${what}: model folder '${dir}' not found (${reason(e)})${tail}`);
  }
  if (!st.isDirectory()) throw new InputError(`${what}: '${dir}' is not a folder${tail}`);
  const needed = [
    'config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    'preprocessor_config.json',
    ...SESSIONS.map((s) => join('onnx', `${s}${dtypeSuffix(dtype)}.onnx`)),
  ];
  for (const rel of needed) {
    try {
      await fs.access(join(full, rel));
    } catch {
      const extra = rel.startsWith('onnx') ? ` (no ${dtype} export; try another --dtype)` : '';
      throw new InputError(`${what}: model folder '${dir}' has no ${rel}${extra}${tail}`);
    }
  }
  try {
    JSON.parse(await fs.readFile(join(full, 'config.json'), 'utf8'));
  } catch (e) {
    throw new InputError(`${what}: ${join(dir, 'config.json')} is not valid JSON (${reason(e)})`);
  }
  return full;
}

/** The folder of each role of a local preset, checked. */
export async function presetDirs(
  id: string,
  modelsDir: string,
  dtype: string | null,
): Promise<Record<ModelRole, { dir: string; name: string; dtype: string }>> {
  const p = findPreset(id);
  const out = {} as Record<ModelRole, { dir: string; name: string; dtype: string }>;
  for (const role of ['base', 'expert', 'amateur'] as const) {
    const m = p.models[role];
    if (m.kind !== 'url') throw new InputError(`trio '${id}' is not local`);
    const d = dtype ?? (typeof m.dtype === 'string' ? m.dtype : 'q4');
    const dir = join(modelsDir, m.name);
    await checkModelDir(dir, d, `${role} model ${m.name}`, 'generate the local models with `npm run models`');
    out[role] = { dir, name: m.name, dtype: d };
  }
  return out;
}

/** URL folder names for the user's model folders: their base names, made unique. */
export function mountNames(dirs: Record<ModelRole, string>): Record<ModelRole, string> {
  const used = new Map<string, string>();
  const out = {} as Record<ModelRole, string>;
  for (const role of ['base', 'expert', 'amateur'] as const) {
    const dir = resolve(dirs[role]);
    const clean = basename(dir).replace(/[^A-Za-z0-9._-]/g, '_') || role;
    let name = clean;
    for (let i = 2; used.has(name) && used.get(name) !== dir; i++) name = `${clean}-${i}`;
    used.set(name, dir);
    out[role] = name;
  }
  return out;
}

function reason(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && typeof e.code === 'string') {
    const codes: Record<string, string> = {
      ENOENT: 'no such file or directory',
      EACCES: 'permission denied',
      EISDIR: 'is a directory',
      ENOTDIR: 'not a directory',
    };
    return codes[e.code] ?? e.code;
  }
  return e instanceof Error ? e.message : String(e);
}
