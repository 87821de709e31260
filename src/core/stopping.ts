/**
 * When to stop generating. Checked once per token against the growing decoded text, so
 * stop strings are searched only in the part that could hold a new match, never the whole text.
 */

export type StopReason = 'eos' | 'max_tokens' | 'stop_string' | 'cancelled' | 'error';

export interface StopOptions {
  eosIds: ReadonlyArray<number>;
  maxNewTokens: number;
  /** Empty strings are ignored (an empty UI field must not stop every generation at once). */
  stopStrings?: ReadonlyArray<string>;
}

export class StopChecker {
  private readonly eos: ReadonlySet<number>;
  private readonly maxNewTokens: number;
  private readonly stops: readonly string[];
  /** Text length already searched; a new match must end after it. */
  private scanned = 0;
  private matchAt = -1;

  constructor(opts: StopOptions) {
    if (!Number.isInteger(opts.maxNewTokens) || opts.maxNewTokens < 1) {
      throw new Error(`maxNewTokens must be a positive integer, got ${opts.maxNewTokens}`);
    }
    this.eos = new Set(opts.eosIds);
    this.maxNewTokens = opts.maxNewTokens;
    this.stops = (opts.stopStrings ?? []).filter((s) => s.length > 0);
  }

  /**
   * tokenId: the token just generated; generatedCount: new tokens so far including it;
   * text: all decoded output so far. Priority: eos, then stop string, then the token budget.
   */
  check(tokenId: number, generatedCount: number, text: string): StopReason | null {
    if (this.eos.has(tokenId)) return 'eos';
    if (this.findNewStop(text) >= 0) return 'stop_string';
    if (generatedCount >= this.maxNewTokens) return 'max_tokens';
    return null;
  }

  /** Index in the text of the stop string that ended generation, or -1. */
  get stopIndex(): number {
    return this.matchAt;
  }

  /** Forget the searched prefix (e.g. before reusing the checker for a new generation). */
  reset(): void {
    this.scanned = 0;
    this.matchAt = -1;
  }

  private findNewStop(text: string): number {
    if (this.stops.length === 0) return -1;
    if (text.length < this.scanned) this.scanned = 0; // a different, shorter text: start over
    const prev = this.scanned;
    this.scanned = text.length;
    let best = -1;
    for (const s of this.stops) {
      // A match not seen before ends past `prev`, so it starts at most s.length−1 before it.
      const at = text.indexOf(s, Math.max(0, prev - s.length + 1));
      if (at >= 0 && (best < 0 || at < best)) best = at;
    }
    if (best >= 0) this.matchAt = best;
    return best;
  }
}

/** Cuts text at the earliest occurrence of any (non-empty) stop string. */
export function trimStopString(text: string, stopStrings: ReadonlyArray<string>): string {
  let cut = text.length;
  for (const s of stopStrings) {
    if (s.length === 0) continue;
    const at = text.indexOf(s);
    if (at >= 0 && at < cut) cut = at;
  }
  return text.slice(0, cut);
}
