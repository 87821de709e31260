/**
 * Model folders on the user's disk. Picked with the File System Access API where the browser has
 * it (the handle can be remembered, so a saved trio re-opens the folder after a permission prompt),
 * or from an `<input type=file webkitdirectory>`. The files stay on disk: the model workers read
 * them as File objects, nothing is uploaded or copied into browser storage.
 */
import type { Dtype, LocalModelFile, ModelSource } from '../core/presets';

export interface LocalFolder {
  /** The folder's name (as picked). */
  name: string;
  /** Files under the model's root (the folder holding config.json), paths like 'onnx/…'. */
  files: LocalModelFile[];
  bytes: number;
  /** The directory handle, when picked with the File System Access API (storable in IndexedDB). */
  handle?: DirectoryHandle;
}

/** The slice of the File System Access API used here (not in TypeScript's DOM library everywhere). */
/**
 * The part of FileSystemDirectoryHandle we use, with the permission methods the DOM typings lack;
 * real handles (picked, or read back from IndexedDB) satisfy it structurally.
 */
export interface DirectoryHandle {
  kind: 'directory';
  name: string;
  values(): AsyncIterable<DirectoryHandle | FileHandleLike>;
  queryPermission?(d: { mode: 'read' }): Promise<PermissionState>;
  requestPermission?(d: { mode: 'read' }): Promise<PermissionState>;
}
interface FileHandleLike {
  kind: 'file';
  name: string;
  getFile(): Promise<File>;
}

type PickerWindow = Window & {
  showDirectoryPicker?: (o?: { id?: string; mode?: 'read' }) => Promise<DirectoryHandle>;
};

export class FolderError extends Error {
  override name = 'FolderError';
}

/** True when the browser can open folders directly (and remember them). */
export function canPickDirectories(): boolean {
  return typeof window !== 'undefined' && typeof (window as PickerWindow).showDirectoryPicker === 'function';
}

const MAX_FILES = 2000;

/**
 * Keeps the files of the model: those under the shallowest folder that holds config.json, with
 * paths relative to it; hidden files are left out.
 */
export function modelRoot(name: string, entries: readonly { path: string; file: File }[]): LocalFolder {
  const visible = entries.filter((e) => !e.path.split('/').some((seg) => seg.startsWith('.')));
  const configs = visible.filter((e) => e.path === 'config.json' || e.path.endsWith('/config.json'));
  if (configs.length === 0) {
    throw new FolderError(
      `"${name}" has no config.json: pick the model's folder (the one holding config.json and onnx/)`,
    );
  }
  const root =
    configs
      .map((c) => c.path.slice(0, c.path.length - 'config.json'.length))
      .sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b))[0] ?? '';
  const files = visible
    .filter((e) => e.path.startsWith(root))
    .map((e) => ({ path: e.path.slice(root.length), file: e.file }));
  if (!files.some((f) => f.path.startsWith('onnx/') && f.path.endsWith('.onnx'))) {
    throw new FolderError(
      `"${name}${root ? `/${root.replace(/\/$/, '')}` : ''}" has no onnx/*.onnx files: it is not a transformers.js model export`,
    );
  }
  files.sort((a, b) => a.path.localeCompare(b.path));
  const folder = root ? (root.replace(/\/$/, '').split('/').pop() ?? name) : name;
  return { name: folder, files, bytes: files.reduce((a, f) => a + f.file.size, 0) };
}

/** A folder from `<input type=file webkitdirectory>` (each File's webkitRelativePath starts with the folder's name). */
export function folderFromFiles(list: FileList | readonly File[]): LocalFolder {
  const files = Array.from(list);
  if (files.length === 0) throw new FolderError('no files were picked');
  const first = files[0]?.webkitRelativePath ?? '';
  const top = first.includes('/') ? first.slice(0, first.indexOf('/')) : '';
  const entries = files.map((file) => {
    const rel = file.webkitRelativePath || file.name;
    return { path: top && rel.startsWith(`${top}/`) ? rel.slice(top.length + 1) : rel, file };
  });
  return modelRoot(top || 'picked files', entries);
}

async function walk(
  dir: DirectoryHandle,
  prefix: string,
  out: { path: string; file: File }[],
  depth: number,
): Promise<void> {
  for await (const entry of dir.values()) {
    if (entry.name.startsWith('.')) continue;
    if (out.length >= MAX_FILES)
      throw new FolderError(`"${dir.name}" holds more than ${MAX_FILES} files: pick the model's own folder`);
    if (entry.kind === 'file') out.push({ path: `${prefix}${entry.name}`, file: await entry.getFile() });
    else if (depth < 4) await walk(entry, `${prefix}${entry.name}/`, out, depth + 1);
  }
}

/**
 * Reads a directory handle (e.g. one remembered in IndexedDB). With `ask`, asks for read permission
 * when needed — that needs a user gesture (call it from a click handler).
 */
export async function folderFromHandle(h: DirectoryHandle, ask = true): Promise<LocalFolder> {
  let state = (await h.queryPermission?.({ mode: 'read' })) ?? 'granted';
  if (state !== 'granted' && ask) state = (await h.requestPermission?.({ mode: 'read' })) ?? 'denied';
  if (state !== 'granted') throw new FolderError(`no permission to read "${h.name}": pick the folder again`);
  const entries: { path: string; file: File }[] = [];
  await walk(h, '', entries, 0);
  return { ...modelRoot(h.name, entries), handle: h };
}

/** Opens the browser's folder picker (File System Access API); null when the user cancels. */
export async function pickDirectory(): Promise<LocalFolder | null> {
  const picker = (window as PickerWindow).showDirectoryPicker;
  if (!picker) throw new FolderError('this browser cannot open folders directly; use the file input');
  let handle: DirectoryHandle;
  try {
    handle = await picker.call(window, { id: 'proxythinker-model', mode: 'read' });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') return null;
    throw e;
  }
  return folderFromHandle(handle, false);
}

/** A model source reading this folder. */
export function folderSource(folder: LocalFolder, dtype: Dtype | Record<string, Dtype>): ModelSource {
  return { kind: 'local-folder', folder: folder.name, files: folder.files, dtype };
}

/** ONNX precisions the folder has complete sets of (all three sessions), e.g. ['fp32', 'q4']. */
export function folderDtypes(folder: LocalFolder): Dtype[] {
  const suffixes: [Dtype, string][] = [
    ['fp32', ''],
    ['fp16', '_fp16'],
    ['q4', '_q4'],
    ['q4f16', '_q4f16'],
    ['q8', '_quantized'],
    ['int8', '_int8'],
    ['uint8', '_uint8'],
    ['bnb4', '_bnb4'],
  ];
  const paths = new Set(folder.files.map((f) => f.path));
  return suffixes
    .filter(([, sfx]) =>
      ['embed_tokens', 'decoder_model_merged', 'vision_encoder'].every((s) =>
        paths.has(`onnx/${s}${sfx}.onnx`),
      ),
    )
    .map(([d]) => d);
}
