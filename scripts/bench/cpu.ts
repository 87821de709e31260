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
