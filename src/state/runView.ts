/**
 * The run shown in the panes, and the pure function that folds coordinator events into it. The
 * store calls it once per animation frame with every event that arrived since the last frame.
 */
import type { ModelRole } from '../core/presets';
import type { LoopStats, Resolution, RunEvent, StreamName, WireError } from '../core/protocol';
import { addAlphaChange, type AlphaChange, type TokenRecord } from '../core/runRecord';
import type { Escalation, RunVision } from '../core/runVision';
import type { StopReason } from '../core/stopping';

export interface StreamView {
  name: StreamName;
  tokens: TokenRecord[];
  text: string;
  reason: StopReason | null;
  error: WireError | null;
  /** Page clock (performance.now()) when the first / latest token arrived. */
  firstTokenAt: number | null;
  lastTokenAt: number | null;
  /** Things the engine reported about this stream besides tokens (VisionThink escalation…). */
  notes: string[];
}

export interface RunView {
  runId: number | null;
  /** The streams in pane order, once the run started. */
  streams: StreamName[];
  byName: Partial<Record<StreamName, StreamView>>;
  initialAlpha: number;
  alphaChanges: AlphaChange[];
  startedAt: number | null;
  prefillMs: number | null;
  prefillReused: boolean | null;
  /** Visual tokens each model encoded for the image, and the image size the models saw. */
  visualTokens: Partial<Record<ModelRole, number>> | null;
  imageSize: [number, number] | null;
  /** VisionThink: the run's resolution setting, and where a stream switched to the full image. */
  resolution: Resolution | null;
  escalation: Escalation | null;
  totalMs: number | null;
  loop: LoopStats | null;
  /** A run-level error (not tied to one stream). */
  error: WireError | null;
}

/** An event with the page-clock time it arrived. */
export interface TimedEvent {
  event: RunEvent;
  at: number;
}

export function emptyRunView(initialAlpha = 0.5, startedAt: number | null = null): RunView {
  return {
    runId: null,
    streams: [],
    byName: {},
    initialAlpha,
    alphaChanges: [],
    startedAt,
    prefillMs: null,
    prefillReused: null,
    visualTokens: null,
    imageSize: null,
    resolution: null,
    escalation: null,
    totalMs: null,
    loop: null,
    error: null,
  };
}

export function emptyStream(name: StreamName): StreamView {
  return {
    name,
    tokens: [],
    text: '',
    reason: null,
    error: null,
    firstTokenAt: null,
    lastTokenAt: null,
    notes: [],
  };
}

/** The pane's note about a VisionThink escalation. */
export function escalationNote(e: Pick<Escalation, 'atIndex' | 'image'>): string {
  return `Asked for the full-resolution image at token ${e.atIndex} (${e.image.low.join('×')} → ${e.image.full.join('×')})`;
}

/**
 * Applies a batch of events. Token arrays and stream objects are copied once per batch (not per
 * token), and only for the streams the batch touches, so unchanged panes keep their references.
 */
export function applyRunEvents(view: RunView, batch: readonly TimedEvent[]): RunView {
  if (batch.length === 0) return view;
  let next: RunView = view;
  const edited = new Map<StreamName, StreamView>();
  const newTokens = new Map<StreamName, TokenRecord[]>();
  const stream = (name: StreamName): StreamView => {
    let s = edited.get(name);
    if (!s) {
      s = { ...(next.byName[name] ?? emptyStream(name)) };
      edited.set(name, s);
    }
    return s;
  };
  const set = (patch: Partial<RunView>) => {
    next = next === view ? { ...view, ...patch } : Object.assign(next, patch);
  };

  for (const { event: e, at } of batch) {
    if (next.runId !== null && e.runId !== next.runId) continue; // a stale event from an earlier run
    switch (e.type) {
      case 'started': {
        set({
          runId: e.runId,
          streams: e.streams,
          prefillMs: e.prefillMs,
          prefillReused: e.reused,
          visualTokens: e.visualTokens ?? null,
          imageSize: e.image ?? null,
          resolution: e.resolution,
        });
        for (const name of e.streams) stream(name);
        break;
      }
      case 'token': {
        if (next.runId === null) set({ runId: e.runId });
        const s = stream(e.stream);
        s.text += e.delta;
        s.firstTokenAt ??= at;
        s.lastTokenAt = at;
        const t: TokenRecord = {
          index: e.index,
          id: e.id,
          text: e.delta,
          alpha: e.alpha,
          ...(e.inspect ? { inspect: e.inspect } : {}),
        };
        const list = newTokens.get(e.stream);
        if (list) list.push(t);
        else newTokens.set(e.stream, [t]);
        break;
      }
      case 'alpha':
        set({ alphaChanges: addAlphaChange(next.alphaChanges, { fromIndex: e.fromIndex, alpha: e.alpha }) });
        break;
      case 'stream-done': {
        const s = stream(e.stream);
        s.text = e.text;
        s.reason = e.reason;
        break;
      }
      case 'error':
        if (e.stream) stream(e.stream).error = e.error;
        else set({ error: e.error });
        break;
      case 'done':
        set({ totalMs: e.ms, loop: e.loop });
        break;
      case 'escalated': {
        set({
          escalation: { stream: e.stream, atIndex: e.atIndex, image: e.image, visualTokens: e.visualTokens },
        });
        const s = stream(e.stream);
        s.notes = [...s.notes, escalationNote(e)];
        break;
      }
      case 'tool-call-ignored': {
        const s = stream(e.stream);
        s.notes = [...s.notes, `Tool call at token ${e.atIndex} ignored: ${e.reason}`];
        break;
      }
    }
  }

  if (edited.size === 0) return next;
  const byName = { ...next.byName };
  const streams = [...next.streams];
  for (const [name, s] of edited) {
    const added = newTokens.get(name);
    if (added) s.tokens = s.tokens.concat(added);
    byName[name] = s;
    if (!streams.includes(name)) streams.push(name);
  }
  set({ byName, streams });
  return next;
}

/** What the run's models saw of the image, for the history; null before the run started. */
export function runVisionOf(view: RunView): RunVision | null {
  if (view.resolution === null) return null;
  return {
    resolution: view.resolution,
    image: view.imageSize,
    visualTokens: view.visualTokens ?? {},
    escalation: view.escalation,
  };
}

/** The view fields a saved vision record restores (a reopened run shows sizes and its marker). */
export function visionFields(
  vision: RunVision | null,
): Pick<RunView, 'visualTokens' | 'imageSize' | 'resolution' | 'escalation'> {
  return {
    visualTokens: vision ? vision.visualTokens : null,
    imageSize: vision?.image ?? null,
    resolution: vision?.resolution ?? null,
    escalation: vision?.escalation ?? null,
  };
}
