/**
 * CPU time used by this process's Chromium (all its processes: renderers with their workers and
 * WASM threads, the GPU process), from /proc on Linux. CPU time per token does not depend on how
 * busy the rest of the machine is, unlike wall time, so it shows the compute a configuration needs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s. */
const TICK_MS = 10;

/** utime + stime of every descendant process of this Node process, in ms; null off Linux. */
export function chromiumCpuMs(): number | null {
  if (!existsSync('/proc/self/stat')) return null;
  const procs: { pid: number; ppid: number; ticks: number }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command (which may hold spaces): state ppid … utime(14) stime(15).
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.push({ pid: Number(name), ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // gone
    }
  }
  const mine = new Set([process.pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) {
      if (!mine.has(p.pid) && mine.has(p.ppid)) {
        mine.add(p.pid);
        grew = true;
      }
    }
  }
  let ticks = 0;
  for (const p of procs) if (p.pid !== process.pid && mine.has(p.pid)) ticks += p.ticks;
  return ticks * TICK_MS;
}
