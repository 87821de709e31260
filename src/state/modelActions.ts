/**
 * Loading a trio into the coordinator (a preset, or a custom trio from any sources), with progress per
 * file, the download plan before loading, retry, and memory figures.
 */
import { coordinator } from '../client/coordinator';
import { planDownload, type TrioPlan } from '../client/model-cache';
import {
  findPreset,
  MODEL_ROLES,
  needsExport,
  presetSource,
  withLocalDtype,
  type LocalDtype,
  type TrioPreset,
} from '../core/presets';
import { toWireError, type LoadEvent, type ModelSpecifier } from '../core/protocol';
import { createFrameBatcher } from './frameBatcher';
import { applyLoadEvents, emptyModelsView } from './loadView';
import { fullMemory, quickMemory } from './memory';
import { stoppedRoles } from './stoppedModels';
import { CUSTOM_TRIO_ID, patch, useApp, type LoadRequest } from './store';

let generation = 0;

/** Why a preset cannot be loaded in the page as it is, or null. */
export function presetBlocker(p: TrioPreset): string | null {
  const missing = MODEL_ROLES.filter((r) => needsExport(p.models[r]));
  if (missing.length === 0) return null;
  return `The ${missing.join(' and ')} model${missing.length > 1 ? 's have' : ' has'} no published ONNX export; convert ${missing.length > 1 ? 'them' : 'it'} first with npm run convert (see the note and docs/convert.md).`;
}

/** The models of the preset chosen in the settings, at the chosen precision. */
export function presetSpecifiers(preset: TrioPreset, dtype: LocalDtype): ModelSpecifier[] {
  const chosen = preset.local ? withLocalDtype(preset, dtype) : preset;
  return MODEL_ROLES.map((role) => ({
    role,
    name: chosen.models[role].name,
    source: presetSource(chosen.models[role]),
  }));
}

/** Loads the preset chosen in the settings. */
export async function loadModels(): Promise<void> {
  const s = useApp.getState();
  if (s.load.status === 'loading' || s.run.status !== 'idle') return;
  const { presetId, dtype, backend, placement } = s.settings;
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
  await loadTrio({
    models: presetSpecifiers(preset, dtype),
    presetId,
    label: preset.label,
    dtype: preset.local ? dtype : 'preset',
    backend,
    placement,
  });
}

/** Loads a trio made in the custom trio picker (hub repos, folders on disk or on this server). */
export async function loadCustomTrio(models: ModelSpecifier[], label: string): Promise<void> {
  const s = useApp.getState();
  if (s.load.status === 'loading' || s.run.status !== 'idle') return;
  const { backend, placement } = s.settings;
  await loadTrio({ models, presetId: CUSTOM_TRIO_ID, label, dtype: 'custom', backend, placement });
}

/** The last load again: models that loaded stay loaded, stored files are not downloaded again. */
export async function retryLoad(): Promise<void> {
  const s = useApp.getState();
  if (!s.load.request || s.load.status === 'loading' || s.run.status !== 'idle') return;
  await loadTrio(s.load.request);
}

/**
 * Load again after models stopped during a run: each stopped model gets a new worker that loads
 * the same files (browser storage); the other models, the outputs, the history and the settings
 * stay as they are. A failed reload leaves the model stopped, with the reason.
 */
export async function reloadStopped(): Promise<void> {
  const s = useApp.getState();
  const roles = stoppedRoles(s.load.models);
  if (roles.length === 0 || s.load.status !== 'loaded' || s.run.status !== 'idle') return;
  const gen = ++generation;
  const waiting = emptyModelsView();
  const reset = { ...s.load.models };
  for (const r of roles) reset[r] = waiting[r];
  patch('load', { status: 'loading', error: null, models: reset });
  const events = createFrameBatcher<LoadEvent>((batch) => {
    if (gen === generation) patch('load', { models: applyLoadEvents(useApp.getState().load.models, batch) });
  });
  try {
    const infos = await coordinator().reloadStopped((e) => events.push([e]));
    events.flush();
    if (gen !== generation) return;
    patch('load', {
      status: 'loaded',
      models: applyLoadEvents(
        useApp.getState().load.models,
        infos.map((info) => ({ type: 'loaded', info })),
      ),
    });
    void measureMemory();
  } catch (e) {
    events.flush();
    if (gen !== generation) return;
    const w = toWireError(e);
    const models = { ...useApp.getState().load.models };
    for (const r of roles)
      models[r] = { ...s.load.models[r], stopped: { name: w.name, message: `Load again failed: ${w.message}` } };
    patch('load', { status: 'loaded', models });
  }
}

/** The download plan of the chosen preset: sizes per model against the free storage. */
export async function checkPresetDownload(): Promise<void> {
  const { presetId, dtype, backend } = useApp.getState().settings;
  patch('load', { planning: true, planError: null });
  try {
    const plan = await planDownload(presetSpecifiers(findPreset(presetId), dtype), { backend });
    patch('load', { plan, planning: false });
  } catch (e) {
    const w = toWireError(e);
    patch('load', { plan: null, planning: false, planError: `${w.name}: ${w.message}` });
  }
}

/** A plan made elsewhere (the custom trio picker), kept so the load progress knows the totals. */
export function setDownloadPlan(plan: TrioPlan | null): void {
  patch('load', { plan, planError: null });
}

async function loadTrio(request: LoadRequest): Promise<void> {
  const { models: specs, presetId, label, dtype, backend, placement } = request;
  const gen = ++generation;
  patch('load', {
    status: 'loading',
    error: null,
    models: emptyModelsView(),
    loaded: null,
    memory: null,
    request,
  });
  const events = createFrameBatcher<LoadEvent>((batch) => {
    if (gen === generation) patch('load', { models: applyLoadEvents(useApp.getState().load.models, batch) });
  });
  try {
    const options = { backend, ...(placement === 'auto' ? {} : { placement }) };
    const infos = await coordinator().loadTrio(specs, options, (e) => events.push([e]));
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
        label,
        dtype,
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
