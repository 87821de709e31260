/**
 * Reading the inspector's top-k distributions: did guidance change the base model's choice, and how
 * far did it move the probability of the token that was chosen.
 */
import type { TopEntry } from './protocol';
import type { Inspect } from './runRecord';

/** True when the merged distribution's favourite differs from the base model's (guidance flipped the choice). */
export function guidanceFlipped(inspect: Inspect): boolean {
  const b = inspect.base[0];
  const m = inspect.merged[0];
  return b !== undefined && m !== undefined && b.id !== m.id;
}

export interface GuidanceShift {
  /** |p_merged(chosen) − p_base(chosen)| in [0, 1]. */
  shift: number;
  /**
   * False when the chosen token is outside a top-k list, so its probability there is only known to
   * be at most the list's last entry; it is then counted as 0 and the shift is an estimate.
   */
  exact: boolean;
}

function probIn(entries: readonly TopEntry[], id: number): number | undefined {
  return entries.find((e) => e.id === id)?.prob;
}

/** How much guidance moved the chosen token's probability (the strength shown by the colouring). */
export function guidanceShift(inspect: Inspect, chosenId: number): GuidanceShift {
  const pm = probIn(inspect.merged, chosenId);
  const pb = probIn(inspect.base, chosenId);
  const shift = Math.abs((pm ?? 0) - (pb ?? 0));
  return { shift: Math.min(1, shift), exact: pm !== undefined && pb !== undefined };
}

export const STRENGTH_LEVELS = 6;

/** The colour bucket 0..STRENGTH_LEVELS−1 for a shift: 0 only for (nearly) no change. */
export function strengthLevel(shift: number): number {
  if (!(shift > 0.005)) return 0;
  return Math.min(STRENGTH_LEVELS - 1, 1 + Math.floor(shift * (STRENGTH_LEVELS - 1)));
}
