/**
 * A set file on disk: read, parsed (our format or a benchmark's), and every item's image checked —
 * present, not empty, an image by its first bytes — so a bad row is reported with its line before
 * any model loads.
 */
import { promises as fs } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { checkImages, parseSet } from '../../src/core/eval/dataset';
import type { EvalItem, LoadedSet } from '../../src/core/eval/types';
import { sniffImageType } from '../../src/core/imageType';
import { InputError } from '../cli/args';

export interface SetFile {
  path: string;
  dir: string;
  set: LoadedSet;
}

export async function readSetFile(path: string): Promise<{ path: string; dir: string; text: string }> {
  const full = resolve(path);
  let text: string;
  try {
    const st = await fs.stat(full);
    if (st.isDirectory()) throw new InputError(`set '${path}' is a folder; give the JSONL file in it`);
    text = await fs.readFile(full, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(
      `cannot read set '${path}': ${e instanceof Error ? e.message.replace(/^[A-Z]+: /, '') : String(e)}`,
    );
  }
  return { path: full, dir: dirname(full), text };
}

/** Why an item's image cannot be used, or null (the CLI is offline: remote URLs cannot be fetched). */
export async function probeImage(dir: string, item: EvalItem): Promise<string | null> {
  const ref = item.image;
  if (/^https?:/i.test(ref))
    return `image '${ref}' is a remote URL; the CLI runs offline (open the set in the page, or download the image next to the file)`;
  if (ref.startsWith('data:')) {
    const comma = ref.indexOf(',');
    const head = Buffer.from(ref.slice(comma + 1, comma + 1 + 64), 'base64');
    return comma > 0 && sniffImageType(head)
      ? null
      : 'the data: URL image is not a PNG, JPEG, GIF, WebP or BMP';
  }
  const file = join(dir, ref);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch {
    return `image '${ref}' not found`;
  }
  try {
    const st = await handle.stat();
    if (st.isDirectory()) return `image '${ref}' is a folder`;
    if (st.size === 0) return `image '${ref}' is empty (0 bytes)`;
    const head = new Uint8Array(32);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return sniffImageType(head.subarray(0, bytesRead))
      ? null
      : `image '${ref}' is not an image (expected PNG, JPEG, GIF, WebP or BMP)`;
  } finally {
    await handle.close();
  }
}

export async function loadSet(path: string, checkImageFiles = true): Promise<SetFile> {
  const file = await readSetFile(path);
  let set = parseSet(file.text);
  if (checkImageFiles) set = await checkImages(set, (it) => probeImage(file.dir, it));
  return { path: file.path, dir: file.dir, set };
}
