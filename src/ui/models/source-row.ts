/**
 * One role's source as the custom-trio form holds it (hub repo, folder on this server, folder on this
 * computer; precision; name): its checks, and what it becomes — a ModelSpecifier to load, or a
 * saved source to keep.
 */
import { HUB_DTYPE, type Dtype, type ModelRole } from '../../core/presets';
import type { ModelSpecifier } from '../../core/protocol';
import {
  folderFromHandle,
  folderSource,
  type DirectoryHandle,
  type LocalFolder,
} from '../../client/local-folder';
import { normalizeHost } from '../../client/model-cache';
import type { SavedSource } from './trio-store';

export type Kind = 'hub' | 'local-folder' | 'url';
/** A single precision, or 'hub' for the per-session precisions of published exports. */
export type DtypeChoice = Dtype | 'hub';

export interface SourceRow {
  name: string;
  kind: Kind;
  repo: string;
  revision: string;
  baseUrl: string;
  folder: LocalFolder | null;
  /** A folder of a saved trio, reopened on load. */
  savedFolder: { name: string; handle?: DirectoryHandle } | null;
  dtype: DtypeChoice;
}

export function emptyRow(): SourceRow {
  return {
    name: '',
    kind: 'hub',
    repo: '',
    revision: 'main',
    baseUrl: '/models/',
    folder: null,
    savedFolder: null,
    dtype: 'hub',
  };
}

function toDtype(d: DtypeChoice): Dtype | Record<string, Dtype> {
  return d === 'hub' ? { ...HUB_DTYPE } : d;
}

function fromDtype(d: Dtype | Record<string, Dtype>): DtypeChoice {
  return typeof d === 'string' ? d : 'hub';
}

export function defaultName(r: SourceRow): string {
  if (r.kind === 'hub') return r.repo.split('/').pop() ?? '';
  if (r.kind === 'url') return r.baseUrl.replace(/\/+$/, '').split('/').pop() ?? '';
  return r.folder?.name ?? r.savedFolder?.name ?? '';
}

/** Checks a row; the message names the role and what is missing. */
export function rowProblem(role: ModelRole, r: SourceRow): string | null {
  if (r.kind === 'hub' && !/^[\w.-]+(\/[\w.-]+)?$/.test(r.repo.trim()))
    return `${role}: enter a hub repo id such as org/name`;
  if (r.kind === 'url' && !r.baseUrl.trim()) return `${role}: enter the folder URL, e.g. /models/tiny-base/`;
  if (r.kind === 'local-folder' && !r.folder && !r.savedFolder?.handle)
    return `${role}: choose the model's folder`;
  return null;
}

export async function rowSpecifier(role: ModelRole, r: SourceRow, host: string): Promise<ModelSpecifier> {
  const dtype = toDtype(r.dtype);
  const name = r.name.trim() || defaultName(r) || role;
  if (r.kind === 'hub') {
    return {
      role,
      name,
      source: {
        kind: 'hub',
        repo: r.repo.trim(),
        revision: r.revision.trim() || 'main',
        dtype,
        ...(host ? { host: normalizeHost(host) } : {}),
      },
    };
  }
  if (r.kind === 'url') return { role, name, source: { kind: 'url', baseUrl: r.baseUrl.trim(), dtype } };
  const folder =
    r.folder ?? (r.savedFolder?.handle ? await folderFromHandle(r.savedFolder.handle, true) : null);
  if (!folder) throw new Error(`${role}: choose the model's folder`);
  return { role, name, source: folderSource(folder, dtype) };
}

export function savedSource(r: SourceRow, host: string): SavedSource {
  const dtype = toDtype(r.dtype);
  if (r.kind === 'hub')
    return {
      kind: 'hub',
      repo: r.repo.trim(),
      revision: r.revision.trim() || 'main',
      dtype,
      ...(host ? { host: normalizeHost(host) } : {}),
    };
  if (r.kind === 'url') return { kind: 'url', baseUrl: r.baseUrl.trim(), dtype };
  const handle = r.folder?.handle ?? r.savedFolder?.handle;
  return {
    kind: 'local-folder',
    folder: r.folder?.name ?? r.savedFolder?.name ?? '',
    dtype,
    ...(handle ? { handle } : {}),
  };
}

export function rowFromSaved(name: string, s: SavedSource): SourceRow {
  const r = { ...emptyRow(), name, dtype: fromDtype(s.dtype) };
  if (s.kind === 'hub') return { ...r, kind: 'hub', repo: s.repo, revision: s.revision };
  if (s.kind === 'url') return { ...r, kind: 'url', baseUrl: s.baseUrl };
  return {
    ...r,
    kind: 'local-folder',
    savedFolder: { name: s.folder, ...(s.handle ? { handle: s.handle } : {}) },
  };
}
