/**
 * How the three models share the CPU on WASM when the caller does not say (see docs/bench.md, G1/G4).
 *
 * The models step concurrently, each in its own worker, and the cores are split: the base model
 * (the largest, the critical path of every step) gets the most threads. On 2 cores that is one
 * thread per worker — measured on the bench trio: 313 ms per guided token, 0.75× the three models'
 * own step times added up (G1). Stepping them one after another with every core each
 * (`stepping: 'sequential'` in LoadOptions) measured 282 ms on the same machine, but then a guided
 * token costs 1.24× the three models alone (three thread pools contend) and the models no longer
 * overlap; the gap is within the machine's load noise, so concurrency stays the default.
 */
import type { ModelRole } from './presets';

export interface WasmSchedule {
  threads: Record<ModelRole, number>;
  /** Step the models one after another (each with all its threads) instead of concurrently. */
  sequential: boolean;
}

export function autoWasmSchedule(cores: number): WasmSchedule {
  const c = Math.max(1, Math.floor(cores));
  if (c <= 3) return { threads: { base: 1, expert: 1, amateur: 1 }, sequential: false };
  const small = Math.max(1, Math.floor(c / 4));
  return { threads: { base: Math.max(1, c - 2 * small), expert: small, amateur: small }, sequential: false };
}
