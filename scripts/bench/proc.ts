/** The processes this Node process started (Chromium and its children), from /proc on Linux. */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessStat {
  pid: number;
  /** /proc/<pid>/stat after the command name: state, ppid, … (utime is [11], stime [12]). */
  fields: string[];
}

/** Every descendant of this process (not itself); empty where /proc is missing. */
export function descendantProcesses(): ProcessStat[] {
  const procs: (ProcessStat & { ppid: number })[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command (in parentheses) may hold spaces: split after its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.push({ pid: Number(name), ppid: Number(fields[1]), fields });
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
  return procs
    .filter((p) => p.pid !== process.pid && mine.has(p.pid))
    .map(({ pid, fields }) => ({ pid, fields }));
}
