/**
 * Running: Run, Regenerate, Stop and the live α slider. Events from the coordinator are buffered
 * and folded into the store once per animation frame; the page leaves "running" only when the
 * coordinator's run() has resolved or rejected.
 */
import { coordinator } from '../client/coordinator';
import { toWireError, type RunEvent, type RunRequest } from '../core/protocol';
import { createFrameBatcher } from './frameBatcher';
import { saveRun } from './historyActions';
import { buildRequest, historySettings } from './request';
import { applyRunEvents, emptyRunView, type TimedEvent } from './runView';
import { INSPECT_TOP_K, patch, useApp, type RunRecipe } from './store';

/** How long to wait, after run() settled, for its last event (events and the reply use different channels). */
const LAST_EVENT_GRACE_MS = 1000;

function refuse(formError: string): void {
  patch('run', { formError });
}

export async function startRun(): Promise<void> {
  const s = useApp.getState();
  if (s.run.status !== 'idle') return;
  if (s.load.status !== 'loaded') return refuse('Load the models first (Models → Load models).');
  if (s.image.decoding) return refuse('The image is still being decoded; run again in a moment.');
  const built = buildRequest(s.settings, s.question, s.image.current?.payload ?? null, INSPECT_TOP_K);
  if (!built.ok) return refuse(built.error);
  const img = s.image.current;
  await execute({
    request: built.value,
    image: img ? { name: img.name, width: img.payload.width, height: img.payload.height, thumbnail: img.thumbnail } : null,
    settings: historySettings(built.value, s.load.loaded, s.settings.presetId),
  });
}

/** The last request again; the engine reuses its prefill when image and question are unchanged. */
export async function regenerate(): Promise<void> {
  const s = useApp.getState();
  if (s.run.status !== 'idle' || !s.run.last) return;
  if (s.load.status !== 'loaded') return refuse('Load the models first (Models → Load models).');
  // The slider shows the α the run starts with.
  patch('settings', { alpha: s.run.last.request.alpha });
  await execute(s.run.last);
}

export function stopRun(): void {
  if (useApp.getState().run.status !== 'running') return;
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

function isLast(e: RunEvent): boolean {
  return e.type === 'done' || (e.type === 'error' && e.stream === undefined);
}

async function execute(recipe: RunRecipe): Promise<void> {
  const request: RunRequest = recipe.request;
  const startedAt = performance.now();
  patch('run', { status: 'running', formError: null, view: emptyRunView(request.alpha, startedAt), viewMode: request.mode, source: { kind: 'live' }, last: recipe });
  patch('ui', { selected: null, hovered: null });

  const events = createFrameBatcher<TimedEvent>((batch) => patch('run', { view: applyRunEvents(useApp.getState().run.view, batch) }));
  let sawLast: () => void = () => undefined;
  const lastEvent = new Promise<void>((resolve) => (sawLast = resolve));
  let resolved = false;
  try {
    await coordinator().run(request, (batch) => {
      const at = performance.now();
      events.push(batch.map((event) => ({ event, at })));
      if (batch.some(isLast)) sawLast();
    });
    resolved = true;
  } catch (e) {
    await Promise.race([lastEvent, sleep(LAST_EVENT_GRACE_MS / 4)]);
    events.flush();
    const view = useApp.getState().run.view;
    if (!view.error) patch('run', { view: { ...view, error: toWireError(e) } });
  }
  if (resolved) await Promise.race([lastEvent, sleep(LAST_EVENT_GRACE_MS)]);
  events.flush();
  patch('run', { status: 'idle' });
  if (resolved) await saveRun(recipe, useApp.getState().run.view);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
