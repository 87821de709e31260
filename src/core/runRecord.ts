/**
 * What the page keeps of a run, independent of React and storage: the tokens of each stream (with
 * the inspector's top-k when the engine sent it), where α changed, and the speed figures shown
 * beside each pane. Shared by the live store and the saved history.
 */
import type { ModelRole } from './presets';
import type { TopEntry } from './protocol';

export type Inspect = Record<ModelRole | 'merged', TopEntry[]>;

export interface TokenRecord {
  index: number;
  id: number;
  /** The newly stable text this token added (may be empty while a character is incomplete). */
  text: string;
  /** α in effect when this token was chosen. */
  alpha: number;
  inspect?: Inspect;
}

export interface AlphaChange {
  /** First token index generated with the new α. */
  fromIndex: number;
  alpha: number;
}

/**
 * Records an α change. Several changes before the same token (a dragged slider) collapse into the
 * last one; the list stays sorted by index.
 */
export function addAlphaChange(changes: readonly AlphaChange[], change: AlphaChange): AlphaChange[] {
  const kept = changes.filter((c) => c.fromIndex !== change.fromIndex);
  kept.push({ fromIndex: change.fromIndex, alpha: change.alpha });
  kept.sort((a, b) => a.fromIndex - b.fromIndex);
  return kept;
}

export interface AlphaMarker {
  fromIndex: number;
  from: number;
  to: number;
}

/** The changes that really changed α (moving the slider away and back before a token is no change). */
export function alphaMarkers(initialAlpha: number, changes: readonly AlphaChange[]): AlphaMarker[] {
  const out: AlphaMarker[] = [];
  let current = initialAlpha;
  for (const c of [...changes].sort((a, b) => a.fromIndex - b.fromIndex)) {
    if (c.alpha === current) continue;
    out.push({ fromIndex: c.fromIndex, from: current, to: c.alpha });
    current = c.alpha;
  }
  return out;
}

/** Milliseconds from the run's start to the stream's first token, or null before it. */
export function timeToFirstToken(startedAt: number | null, firstTokenAt: number | null): number | null {
  if (startedAt === null || firstTokenAt === null) return null;
  return Math.max(0, firstTokenAt - startedAt);
}

/**
 * Decode speed: tokens after the first over the time they took (the first token's wait is the
 * prefill, reported as time to first token). Null until two tokens arrived at distinct times.
 */
export function tokensPerSecond(
  count: number,
  firstTokenAt: number | null,
  lastTokenAt: number | null,
): number | null {
  if (count < 2 || firstTokenAt === null || lastTokenAt === null) return null;
  const ms = lastTokenAt - firstTokenAt;
  if (!(ms > 0)) return null;
  return ((count - 1) * 1000) / ms;
}
