/** Identities: the model id of a picked folder, and the key that says two loads are the same. */
import type { LocalModelFile, ModelSource } from '../../core/presets';
import type { LoadOptions, ModelSpecifier } from '../../core/protocol';
import { normalizeHost } from './hub';

/** The model-id organisation under which picked folders are registered inside a worker. */
export const LOCAL_ORG = '__local__';

/** Small stable hash (FNV-1a, 52 bits as base 36) for ids derived from content descriptions. */
export function stableHash(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return ((h2 & 0x1fffff) * 0x100000000 + h1).toString(36);
}

function filesIdentity(files: readonly LocalModelFile[]): [string, number, number][] {
  return files.map((f) => [f.path, f.file.size, f.file.lastModified]);
}

/** The model id a picked folder is registered under: the same folder contents give the same id. */
export function localFolderId(folder: string, files: readonly LocalModelFile[]): string {
  return `${LOCAL_ORG}/f${stableHash(JSON.stringify([folder, filesIdentity(files)]))}`;
}

/** A JSON-able description of a source, File objects replaced by their name, size and date. */
export function sourceIdentity(source: ModelSource): unknown {
  if (source.kind === 'local-folder') {
    return {
      kind: source.kind,
      folder: source.folder,
      dtype: source.dtype,
      files: filesIdentity(source.files),
    };
  }
  if (source.kind === 'hub') return { ...source, host: normalizeHost(source.host) };
  return source;
}

/** Two loads with the same key load the same model the same way (used to reuse a loaded model on a retry). */
export function loadKey(spec: ModelSpecifier, options: LoadOptions): string {
  return JSON.stringify({
    role: spec.role,
    name: spec.name,
    source: sourceIdentity(spec.source),
    dtype: options.dtype ?? null,
    backend: options.backend,
    placement: options.placement ?? 'workers',
    wasmThreads: options.wasmThreads ?? null,
  });
}
