/**
 * Models that stopped during a run (their worker died, or their GPU device was lost): folded from
 * the run's events into the load view, and what that means for the next run.
 */
import { MODE_LABELS, RUN_MODES } from '../core/history';
import { planRun } from '../core/plan';
import { MODEL_ROLES, type ModelRole } from '../core/presets';
import { FATAL_MODEL_ERRORS, type RunEvent, type RunMode } from '../core/protocol';
import type { ModelsView } from './loadView';

/** Marks the models whose fatal error ended a stream; returns `models` itself when nothing changed. */
export function applyStoppedModels(models: ModelsView, events: readonly RunEvent[]): ModelsView {
  let next = models;
  for (const e of events) {
    // Only fatal errors stop a model; any other step error ends just the stream that hit it.
    const fatal = e.type === 'stopped' || (e.type === 'error' && FATAL_MODEL_ERRORS.includes(e.error.name));
    if (!fatal || !e.role) continue;
    if (next[e.role].stopped) continue;
    const m = next[e.role];
    next = { ...next, [e.role]: { ...m, stopped: { name: e.error.name, message: e.error.message } } };
  }
  return next;
}

export function stoppedRoles(models: ModelsView): ModelRole[] {
  return MODEL_ROLES.filter((r) => models[r].stopped !== null);
}

function needsStopped(mode: RunMode, models: ModelsView): ModelRole | null {
  const { batch } = planRun(mode);
  return MODEL_ROLES.find((r) => batch[r] > 0 && models[r].stopped !== null) ?? null;
}

/** Why a run in `mode` cannot start because a model it needs stopped, or null. */
export function stoppedBlocker(mode: RunMode, models: ModelsView): string | null {
  const role = needsStopped(mode, models);
  const stopped = role ? models[role].stopped : null;
  if (!role || !stopped) return null;
  const name = models[role].info?.name ?? role;
  const still = RUN_MODES.filter((m) => needsStopped(m, models) === null).map((m) => `“${MODE_LABELS[m]}”`);
  const alternative = still.length > 0 ? ` Modes that still run: ${still.join(', ')}.` : '';
  return (
    `The ${role} model (${name}) stopped during an earlier run (${stopped.name}: ${stopped.message}). ` +
    `“${MODE_LABELS[mode]}” needs it: load the trio again (Models → Load again).${alternative}`
  );
}
