/**
 * Custom trios the user saved (IndexedDB), selectable like presets, and the hub host setting.
 * A picked folder is saved as its directory handle when the browser gave one (File System Access
 * API), so it can be re-opened after a permission prompt; otherwise the folder must be picked again.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { MODEL_ROLES, type Dtype, type ModelRole, type PresetSource } from '../../core/presets';
import type { ModelSpecifier } from '../../core/protocol';
import { folderFromHandle, folderSource, FolderError, type DirectoryHandle, type LocalFolder } from '../../client/local-folder';

export type SavedSource =
  | PresetSource
  | {
      kind: 'local-folder';
      folder: string;
      dtype: Dtype | Record<string, Dtype>;
      handle?: DirectoryHandle;
    };

export interface SavedModel {
  name: string;
  source: SavedSource;
}

export interface CustomTrio {
  id: string;
  label: string;
  models: Record<ModelRole, SavedModel>;
  updatedAt: number;
}

interface ModelsDb extends DBSchema {
  trios: { key: string; value: CustomTrio };
  settings: { key: string; value: string };
}

let db: Promise<IDBPDatabase<ModelsDb>> | null = null;
function open(): Promise<IDBPDatabase<ModelsDb>> {
  db ??= openDB<ModelsDb>('proxythinker-models', 1, {
    upgrade(d) {
      d.createObjectStore('trios', { keyPath: 'id' });
      d.createObjectStore('settings');
    },
  });
  return db;
}

export async function listCustomTrios(): Promise<CustomTrio[]> {
  const all = await (await open()).getAll('trios');
  return all.sort((a, b) => a.label.localeCompare(b.label));
}

/** Saves (or replaces, by id) a trio; a new id is made when it has none. */
export async function saveCustomTrio(
  trio: Omit<CustomTrio, 'id' | 'updatedAt'> & { id?: string },
): Promise<CustomTrio> {
  const saved: CustomTrio = {
    ...trio,
    id: trio.id ?? `custom-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    updatedAt: Date.now(),
  };
  await (await open()).put('trios', saved);
  return saved;
}

export async function deleteCustomTrio(id: string): Promise<void> {
  await (await open()).delete('trios', id);
}

/** The hub host (or mirror) new hub sources use; '' means transformers.js' default. */
export async function getHubHost(): Promise<string> {
  return (await (await open()).get('settings', 'hubHost')) ?? '';
}

export async function setHubHost(host: string): Promise<void> {
  await (await open()).put('settings', host.trim(), 'hubHost');
}

/** Roles whose folder cannot be re-opened without picking it again (no remembered handle). */
export function foldersToPick(trio: CustomTrio): ModelRole[] {
  return MODEL_ROLES.filter((r) => {
    const s = trio.models[r].source;
    return s.kind === 'local-folder' && !s.handle;
  });
}

/**
 * The models of a saved trio, ready to load. Folders come from `folders` (just picked) or from the
 * remembered handles — reading those may ask for permission, so call this from a click handler.
 */
export async function resolveCustomTrio(
  trio: CustomTrio,
  folders: Partial<Record<ModelRole, LocalFolder>> = {},
): Promise<ModelSpecifier[]> {
  return Promise.all(
    MODEL_ROLES.map(async (role): Promise<ModelSpecifier> => {
      const { name, source } = trio.models[role];
      if (source.kind !== 'local-folder') return { role, name, source };
      let folder = folders[role];
      if (!folder && source.handle) folder = await folderFromHandle(source.handle, true);
      if (!folder)
        throw new FolderError(
          `pick the ${role} model's folder ("${source.folder}") again: this browser cannot reopen it`,
        );
      return { role, name, source: folderSource(folder, source.dtype) };
    }),
  );
}
