/**
 * Running: Run, Regenerate, Stop and the live α slider. Events from the coordinator are buffered
 * and folded into the store once per animation frame; the page leaves "running" only when the
 * coordinator's run() has resolved or rejected.
 */
import { coordinator } from '../client/coordinator';
import { toWireError, type RunRequest } from '../core/protocol';
import { createFrameBatcher } from './frameBatcher';
import { saveRun } from './historyActions';
import { buildRequest, historySettings } from './request';
import { applyRunEvents, emptyRunView, type TimedEvent } from './runView';
import { INSPECT_TOP_K, patch, useApp, type RunRecipe } from './store';
import { applyStoppedModels, stoppedBlocker } from './stoppedModels';

/** The engine runs one thing at a time: an evaluation's items, or a run. */
const EVAL_BUSY = 'An evaluation is running (Evaluate tab): stop it first.';

function refuse(formError: string): void {
  patch('run', { formError });
}

/**
 * Runs the recipe when every model it needs can hold it; otherwise says why and what to shorten,
 * leaving the outputs on screen as they are (nothing ran).
 */
async function checkThenExecute(recipe: RunRecipe): Promise<void> {
  stopBeforeStart = false;
  patch('run', { status: 'checking', formError: null });
  let verdict: string | null = null;
  try {
    const check = await coordinator().checkRun(recipe.request);
    if (!check.ok) verdict = check.error.message;
  } catch (e) {
    // The engine would refuse the run the same way; say it now.
    verdict = toWireError(e).message;
  }
  if (verdict) {
    patch('run', { status: 'idle' });
    return refuse(verdict);
  }
  if (stopBeforeStart) {
    // Stop (or Esc) while the check ran: the run never starts, and the outputs stay as they were.
    stopBeforeStart = false;
    patch('run', { status: 'idle' });
    return;
  }
  await execute(recipe);
}

export async function startRun(): Promise<void> {
  const s = useApp.getState();
  if (s.run.status !== 'idle') return;
  if (s.load.status !== 'loaded') return refuse('Load the models first (Models → Load models).');
  if (s.eval.status !== 'idle') return refuse(EVAL_BUSY);
  if (s.image.decoding) return refuse('The image is still being decoded; run again in a moment.');
  // A model that stopped in an earlier run is refused here, before the engine would refuse it.
  const blocked = stoppedBlocker(s.settings.mode, s.load.models);
  if (blocked) return refuse(blocked);
  const built = buildRequest(s.settings, s.question, s.image.current?.payload ?? null, INSPECT_TOP_K);
  if (!built.ok) return refuse(built.error);
  const img = s.image.current;
  await checkThenExecute({
    request: built.value,
    image: img
      ? { name: img.name, width: img.payload.width, height: img.payload.height, thumbnail: img.thumbnail }
      : null,
    settings: historySettings(built.value, s.load.loaded, s.settings.presetId),
  });
}

/** The last request again; the engine reuses its prefill when image and question are unchanged. */
export async function regenerate(): Promise<void> {
  const s = useApp.getState();
  if (s.run.status !== 'idle' || !s.run.last) return;
  if (s.load.status !== 'loaded') return refuse('Load the models first (Models → Load models).');
  if (s.eval.status !== 'idle') return refuse(EVAL_BUSY);
  const blocked = stoppedBlocker(s.run.last.request.mode, s.load.models);
  if (blocked) return refuse(blocked);
  // The slider shows the α the run starts with.
  patch('settings', { alpha: s.run.last.request.alpha });
  await checkThenExecute(s.run.last);
}

/** Stop was pressed during the pre-run check: the run is not started. */
let stopBeforeStart = false;

export function stopRun(): void {
  const status = useApp.getState().run.status;
  if (status === 'checking') {
    stopBeforeStart = true;
    patch('run', { status: 'stopping' });
    return;
  }
  if (status !== 'running') return;
  patch('run', { status: 'stopping' });
  void coordinator()
    .cancel()
    .catch(() => undefined);
}

/** Moves α; during a run it takes effect from the next guided token. */
export function changeAlpha(alpha: number): void {
  patch('settings', { alpha });
  if (useApp.getState().run.status !== 'idle') {
    void coordinator()
      .setAlpha(alpha)
      .catch(() => undefined);
  }
}

async function execute(recipe: RunRecipe): Promise<void> {
  const request: RunRequest = recipe.request;
  const startedAt = performance.now();
  patch('run', {
    status: 'running',
    formError: null,
    view: emptyRunView(request.alpha, startedAt),
    viewMode: request.mode,
    source: { kind: 'live' },
    last: recipe,
  });
  patch('ui', { selected: null, hovered: null });

  const events = createFrameBatcher<TimedEvent>((batch) => {
    const s = useApp.getState();
    patch('run', { view: applyRunEvents(s.run.view, batch) });
    // A model that stopped (its worker died, its GPU device was lost) is shown on its card.
    const models = applyStoppedModels(
      s.load.models,
      batch.map((t) => t.event),
    );
    if (models !== s.load.models) patch('load', { models });
  });
  // run() settles only after the page has handled the last event batch (the engine drains them).
  let resolved = false;
  try {
    await coordinator().run(request, (batch) => {
      const at = performance.now();
      events.push(batch.map((event) => ({ event, at })));
    });
    resolved = true;
  } catch (e) {
    events.flush();
    const view = useApp.getState().run.view;
    if (!view.error) patch('run', { view: { ...view, error: toWireError(e) } });
  }
  events.flush();
  patch('run', { status: 'idle' });
  if (resolved) await saveRun(recipe, useApp.getState().run.view);
}
