/** Loading the chosen trio into the coordinator, with progress per file, and memory figures. */
import { coordinator } from '../client/coordinator';
import {
  findPreset,
  MODEL_ROLES,
  needsExport,
  withLocalDtype,
  type ModelSpec,
  type TrioPreset,
} from '../core/presets';
import { toWireError, type LoadEvent, type ModelSpecifier } from '../core/protocol';
import { createFrameBatcher } from './frameBatcher';
import { applyLoadEvents, emptyModelsView } from './loadView';
import { fullMemory, quickMemory } from './memory';
import { patch, useApp } from './store';

let generation = 0;

function sourceOf(m: ModelSpec): ModelSpecifier['source'] {
  return m.kind === 'hub'
    ? { kind: 'hub', repo: m.repo, revision: m.revision, dtype: m.dtype }
    : { kind: 'url', baseUrl: m.baseUrl, dtype: m.dtype };
}

/** Why a preset cannot be loaded in the page as it is, or null. */
export function presetBlocker(p: TrioPreset): string | null {
  const missing = MODEL_ROLES.filter((r) => needsExport(p.models[r]));
  if (missing.length === 0) return null;
  return `The ${missing.join(' and ')} model${missing.length > 1 ? 's have' : ' has'} no published ONNX export; export ${missing.length > 1 ? 'them' : 'it'} first (see the note).`;
}

export async function loadModels(): Promise<void> {
  const s = useApp.getState();
  if (s.load.status === 'loading' || s.run.status !== 'idle') return;
  const { presetId, dtype, backend } = s.settings;
  let preset: TrioPreset;
  try {
    preset = findPreset(presetId);
  } catch (e) {
    patch('load', { status: 'error', error: (e as Error).message });
    return;
  }
  const blocker = presetBlocker(preset);
  if (blocker) {
    patch('load', { error: blocker });
    return;
  }
  const chosen = preset.local ? withLocalDtype(preset, dtype) : preset;
  const specs: ModelSpecifier[] = MODEL_ROLES.map((role) => ({
    role,
    name: chosen.models[role].name,
    source: sourceOf(chosen.models[role]),
  }));
  const gen = ++generation;
  patch('load', { status: 'loading', error: null, models: emptyModelsView(), loaded: null, memory: null });
  const events = createFrameBatcher<LoadEvent>((batch) => {
    if (gen === generation) patch('load', { models: applyLoadEvents(useApp.getState().load.models, batch) });
  });
  try {
    const infos = await coordinator().loadTrio(specs, { backend }, (e) => events.push([e]));
    events.flush();
    if (gen !== generation) return;
    const models = applyLoadEvents(
      useApp.getState().load.models,
      infos.map((info) => ({ type: 'loaded', info })),
    );
    patch('load', {
      status: 'loaded',
      models,
      loaded: {
        presetId,
        label: preset.label,
        dtype: preset.local ? dtype : 'preset',
        backend,
        models: Object.fromEntries(infos.map((i) => [i.role, i.name])),
      },
    });
    void measureMemory();
  } catch (e) {
    events.flush();
    if (gen !== generation) return;
    const w = toWireError(e);
    patch('load', { status: 'error', error: `${w.name}: ${w.message}` });
  }
}

/** Abandons a stuck load: the coordinator and its model workers are terminated and restarted. */
export function cancelLoad(): void {
  if (useApp.getState().load.status !== 'loading') return;
  generation++;
  coordinator().restart();
  patch('load', {
    status: 'idle',
    error: 'Loading was cancelled and the engine restarted; no models are loaded.',
    models: emptyModelsView(),
    loaded: null,
  });
}

export async function measureMemory(): Promise<void> {
  patch('load', { memory: quickMemory() });
  try {
    const full = await fullMemory();
    if (full) patch('load', { memory: full });
  } catch (e) {
    const m = useApp.getState().load.memory;
    if (m)
      patch('load', {
        memory: { ...m, measuring: false, unsupported: `memory measurement failed: ${(e as Error).message}` },
      });
  }
}
