/**
 * Opening an evaluation set in the page: from a URL (this server's /eval/demo/demo.jsonl, or a
 * self-hosted set) or from a folder the user picked (the JSONL and its images, read from disk, not
 * uploaded). Every item's image is checked — present, not empty, an image by its first bytes — and a
 * bad row is reported with its line, never fatal for the set.
 */
import { checkImages, parseSet } from '../core/eval/dataset';
import { connectRefusal } from '../core/csp';
import { pagePolicies } from './pagePolicy';
import type { EvalItem, LoadedSet } from '../core/eval/types';
import type { SetOrigin } from '../core/eval/saved';
import { sniffImageType } from '../core/imageType';

export interface OpenedSet {
  name: string;
  origin: SetOrigin;
  set: LoadedSet;
  images: Record<string, string | Blob>;
}

export class SetError extends Error {
  override name = 'SetError';
}

const SET_FILE = /\.(jsonl|json)$/i;

async function headOf(blob: Blob): Promise<Uint8Array> {
  return new Uint8Array(await blob.slice(0, 32).arrayBuffer());
}

function dataUrlProblem(ref: string): string | null {
  const comma = ref.indexOf(',');
  try {
    const bin = atob(ref.slice(comma + 1, comma + 1 + 64));
    return sniffImageType(Uint8Array.from(bin, (c) => c.charCodeAt(0)))
      ? null
      : 'the data: URL image is not a PNG, JPEG, GIF, WebP or BMP';
  } catch {
    return 'the data: URL image is not valid base64';
  }
}

/** A set served at a URL; images relative to it. */
export async function openSetUrl(raw: string): Promise<OpenedSet> {
  const url = new URL(raw.trim(), location.href);
  if (!/^https?:$/.test(url.protocol))
    throw new SetError(`"${raw}" is not an http(s) URL or a path on this server`);
  const refused = connectRefusal(await pagePolicies(), url.href, location.href, 'The set’s host');
  if (refused) throw new SetError(refused);
  let text: string;
  try {
    const res = await fetch(url);
    if (!res.ok)
      throw new SetError(
        `${url.pathname}: HTTP ${res.status}${res.status === 404 ? ' (no such file on the server)' : ''}`,
      );
    // A single-page server answers unknown paths with the app itself.
    if (/text\/html/i.test(res.headers.get('content-type') ?? ''))
      throw new SetError(`${url.pathname} is a web page, not a set file (is the path right?)`);
    text = await res.text();
  } catch (e) {
    if (e instanceof SetError) throw e;
    throw new SetError(`${url.href} could not be fetched (${e instanceof Error ? e.message : String(e)})`);
  }
  const images: Record<string, string | Blob> = {};
  const src = (it: EvalItem) => (it.image.startsWith('data:') ? it.image : new URL(it.image, url).href);
  const set = await checkImages(parseSet(text), async (it) => {
    if (it.image.startsWith('data:')) return dataUrlProblem(it.image);
    try {
      // The first bytes are enough to tell an image (the CLI's server and vite answer ranges).
      const res = await fetch(src(it), { headers: { Range: 'bytes=0-31' } });
      if (res.status === 404) return `image '${it.image}' not found`;
      if (!res.ok) return `image '${it.image}': HTTP ${res.status}`;
      const head = await headOf(await res.blob());
      if (head.length === 0) return `image '${it.image}' is empty (0 bytes)`;
      return sniffImageType(head)
        ? null
        : `image '${it.image}' is not an image (expected PNG, JPEG, GIF, WebP or BMP)`;
    } catch (e) {
      return `image '${it.image}' could not be fetched (${e instanceof Error ? e.message : String(e)})`;
    }
  });
  for (const it of set.items) images[it.id] = src(it);
  const name = decodeURIComponent(url.pathname.split('/').pop() || url.pathname);
  return {
    name,
    origin: {
      kind: 'url',
      url: url.pathname.startsWith('/') && url.origin === location.origin ? url.pathname : url.href,
    },
    set,
    images,
  };
}

/** The set files of a picked folder (paths relative to it), shallowest first. */
export function setFilesIn(files: readonly File[]): string[] {
  return relPaths(files)
    .map((e) => e.path)
    .filter((p) => SET_FILE.test(p) && !p.split('/').some((seg) => seg.startsWith('.')))
    .sort(
      (a, b) =>
        a.split('/').length - b.split('/').length ||
        (a.endsWith('.jsonl') ? 0 : 1) - (b.endsWith('.jsonl') ? 0 : 1) ||
        a.localeCompare(b),
    );
}

function relPaths(files: readonly File[]): { path: string; file: File }[] {
  const first = files[0]?.webkitRelativePath ?? '';
  const top = first.includes('/') ? first.slice(0, first.indexOf('/')) : '';
  return files.map((file) => {
    const rel = file.webkitRelativePath || file.name;
    return { path: top && rel.startsWith(`${top}/`) ? rel.slice(top.length + 1) : rel, file };
  });
}

/** A set in a picked folder: `which` names its set file when the folder holds several. */
export async function openSetFolder(
  list: FileList | readonly File[],
  which?: string,
): Promise<OpenedSet & { choices: string[] }> {
  const files = Array.from(list);
  if (!files.length) throw new SetError('no files were picked');
  const folder = (files[0]?.webkitRelativePath ?? '').split('/')[0] || 'picked files';
  const choices = setFilesIn(files);
  const file = which && choices.includes(which) ? which : choices[0];
  if (!file) throw new SetError(`"${folder}" holds no .jsonl or .json set file`);
  const entries = new Map(relPaths(files).map((e) => [e.path, e.file]));
  const setFile = entries.get(file);
  if (!setFile) throw new SetError(`${file} is missing`);
  const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
  const resolve = (ref: string) => normalize(`${dir}${ref}`);
  const images: Record<string, string | Blob> = {};
  const set = await checkImages(parseSet(await setFile.text()), async (it) => {
    if (it.image.startsWith('data:')) return dataUrlProblem(it.image);
    if (/^https?:/i.test(it.image)) return null;
    const f = entries.get(resolve(it.image));
    if (!f) return `image '${it.image}' not found in the folder`;
    if (f.size === 0) return `image '${it.image}' is empty (0 bytes)`;
    return sniffImageType(await headOf(f))
      ? null
      : `image '${it.image}' is not an image (expected PNG, JPEG, GIF, WebP or BMP)`;
  });
  for (const it of set.items)
    images[it.id] = /^(data:|https?:)/i.test(it.image)
      ? it.image
      : (entries.get(resolve(it.image)) ?? it.image);
  return {
    name: file.split('/').pop() ?? file,
    origin: { kind: 'folder', folder, file },
    set,
    images,
    choices,
  };
}

/** "a/./b/../c.png" → "a/c.png" (the set check already refused paths that leave the folder). */
function normalize(path: string): string {
  const out: string[] = [];
  for (const seg of path.split(/[\\/]/)) {
    if (!seg || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}
