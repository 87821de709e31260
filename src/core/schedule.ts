/**
 * How the three models share the CPU on WASM when the caller does not say (see docs/bench.md, G4).
 *
 * On 2 cores onnxruntime's WASM kernels scale almost perfectly from 1 to 2 threads (base step 311 →
 * 150 ms), so three concurrent 1-thread workers wait for the base model on one core while the other
 * idles (313 ms per token in the bench); stepping the workers one after another, each with every
 * core, was the fastest worker schedule measured (282 ms), though still above the naive single-pool
 * loop (212 ms, on the 210 ms bound): three thread pools cost more than one. With more cores the
 * models step concurrently and the cores are split, the base model (the largest) getting half —
 * untested here (the project machine has 2 cores).
 */
import type { ModelRole } from './presets';

export interface WasmSchedule {
  threads: Record<ModelRole, number>;
  /** Step the models one after another (each with all its threads) instead of concurrently. */
  sequential: boolean;
}

export function autoWasmSchedule(cores: number): WasmSchedule {
  const c = Math.max(1, Math.floor(cores));
  if (c <= 2) return { threads: { base: c, expert: c, amateur: c }, sequential: true };
  const small = Math.max(1, Math.floor(c / 4));
  return { threads: { base: Math.max(1, c - 2 * small), expert: small, amateur: small }, sequential: false };
}
