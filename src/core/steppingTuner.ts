/**
 * The stepping order, kept right while runs go on. The load-time timing (src/core/schedule.ts) sees
 * a browser still compiling the new workers' WebAssembly, which favours whichever order has the
 * most runnable threads; orders can be 20 % apart once the machine is quiet. Every order gives the
 * same tokens, so the engine may change order between any two decode steps: now and then one step
 * runs in another order (a probe), timed against the current order's steps just before and after it
 * (the same context length, the same machine load), and the engine switches when an order's probes
 * are clearly faster.
 */
import { median } from './median';
import type { Stepping } from './protocol';

export interface TunerOptions {
  /** A probe every this many steps while some order has fewer than `probes` probes, … */
  earlyEvery: number;
  /** … and every this many steps after. */
  every: number;
  /** Probes per order before its ratio counts. */
  probes: number;
  /** Switch when an order's median probe / current ratio is below this. */
  margin: number;
  /** Ratios kept per order (the most recent). */
  window: number;
}

export const TUNER_DEFAULTS: TunerOptions = { earlyEvery: 4, every: 16, probes: 3, margin: 0.95, window: 5 };

export interface TunerState {
  stepping: Stepping;
  /** Each other order's median step time over the current order's, from its probes (< 1: faster). */
  ratios: Partial<Record<Stepping, number>>;
  probes: number;
  switches: number;
  why: string;
}

export class SteppingTuner {
  private order: Stepping;
  private readonly others: () => Stepping[];
  private readonly ratios = new Map<Stepping, number[]>();
  private steps = 0;
  private nextOther = 0;
  private lastCurrentMs: number | null = null;
  private pending: { order: Stepping; ms: number; before: number | null } | null = null;
  private probes = 0;
  private switches = 0;
  private why: string;

  constructor(
    initial: Stepping,
    private readonly candidates: readonly Stepping[],
    loadWhy: string,
    private readonly o: TunerOptions = TUNER_DEFAULTS,
  ) {
    if (!candidates.includes(initial)) throw new Error(`stepping '${initial}' is not among the candidates ${candidates.join(', ')}`);
    this.order = initial;
    this.why = loadWhy;
    this.others = () => this.candidates.filter((c) => c !== this.order);
  }

  get stepping(): Stepping {
    return this.order;
  }

  /** The order for the next step: the current one, or now and then another (round robin) as a probe. */
  pick(): Stepping {
    this.steps += 1;
    const others = this.others();
    if (others.length === 0 || this.pending || this.lastCurrentMs === null) return this.order;
    const early = others.some((s) => (this.ratios.get(s)?.length ?? 0) < this.o.probes);
    if (this.steps % (early ? this.o.earlyEvery : this.o.every) !== 0) return this.order;
    const s = others[this.nextOther % others.length] ?? this.order;
    this.nextOther += 1;
    return s;
  }

  /** A step's wall time (sent to all replies seen) in the order it ran. */
  record(order: Stepping, ms: number): void {
    if (!Number.isFinite(ms) || ms <= 0) return;
    if (order !== this.order) {
      this.pending = { order, ms, before: this.lastCurrentMs };
      return;
    }
    const p = this.pending;
    this.pending = null;
    if (p && p.before !== null) {
      const list = this.ratios.get(p.order) ?? [];
      list.push(p.ms / ((p.before + ms) / 2));
      if (list.length > this.o.window) list.shift();
      this.ratios.set(p.order, list);
      this.probes += 1;
      this.maybeSwitch();
    }
    this.lastCurrentMs = ms;
  }

  state(): TunerState {
    const ratios: Partial<Record<Stepping, number>> = {};
    for (const [s, list] of this.ratios) {
      const m = median(list);
      if (m !== null) ratios[s] = Math.round(m * 1000) / 1000;
    }
    return { stepping: this.order, ratios, probes: this.probes, switches: this.switches, why: this.why };
  }

  private maybeSwitch(): void {
    let best: { s: Stepping; r: number } | null = null;
    for (const [s, list] of this.ratios) {
      if (list.length < this.o.probes) continue;
      const r = median(list) ?? Infinity;
      if (r < this.o.margin && (!best || r < best.r)) best = { s, r };
    }
    if (!best) return;
    const from = this.order;
    this.order = best.s;
    this.switches += 1;
    this.why = `${best.s}: its steps took ${best.r.toFixed(2)}× those of ${from} in ${this.ratios.get(best.s)?.length ?? 0} probes during runs (switched from the order timed at load or last chosen)`;
    // Every ratio was against the old order: start over against the new one.
    this.ratios.clear();
    this.lastCurrentMs = null;
  }
}
