/**
 * CPU time used by this process's Chromium (all its processes: renderers with their workers and
 * WASM threads, the GPU process), from /proc on Linux. CPU time per token does not depend on how
 * busy the rest of the machine is, unlike wall time, so it shows the compute a configuration needs.
 */
import { existsSync } from 'node:fs';
import { descendantProcesses } from './proc';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s. */
const TICK_MS = 10;

/** utime + stime of every descendant process of this Node process, in ms; null off Linux. */
export function chromiumCpuMs(): number | null {
  if (!existsSync('/proc/self/stat')) return null;
  let ticks = 0;
  for (const p of descendantProcesses()) ticks += Number(p.fields[11]) + Number(p.fields[12]);
  return ticks * TICK_MS;
}

export interface Settled {
  /** How long the browser took to go quiet before the rounds. */
  waited_ms: number;
  /** Its CPU use in the last window, in cores (1 = one core busy). */
  idle_cores: number | null;
  quiet: boolean;
}

/**
 * Waits until the idle browser uses less than `maxCores` of CPU over a `windowMs` window (V8 compiles
 * onnxruntime's WebAssembly for each new worker in background threads for tens of seconds after a
 * load; with fast models a whole round fits inside that and would be timed against it), at most
 * `limitMs`. Off Linux it returns at once.
 */
export async function settle(maxCores = 0.1, windowMs = 2000, limitMs = 180_000): Promise<Settled> {
  const t0 = performance.now();
  let cores: number | null = null;
  while (performance.now() - t0 < limitMs) {
    const a = chromiumCpuMs();
    if (a === null) return { waited_ms: 0, idle_cores: null, quiet: false };
    await new Promise((r) => setTimeout(r, windowMs));
    cores = ((chromiumCpuMs() ?? a) - a) / windowMs;
    if (cores < maxCores) return { waited_ms: Math.round(performance.now() - t0), idle_cores: Math.round(cores * 1000) / 1000, quiet: true };
  }
  return { waited_ms: Math.round(performance.now() - t0), idle_cores: cores === null ? null : Math.round(cores * 1000) / 1000, quiet: false };
}
