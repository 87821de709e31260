/**
 * Progress of a run on stderr: a bar redrawn in place on a terminal, one line per item otherwise
 * (logs, CI), with items done, seconds per item, ETA and the accuracy so far per mode and α.
 */
import { rowLabel } from '../../src/core/eval/report';
import type { ResultRow } from '../../src/core/eval/summary';
import { etaSeconds, formatDuration } from '../../src/core/eval/eta';

export interface ProgressState {
  done: number;
  total: number;
  /** Seconds of the items finished in this process (resumed items took no time here). */
  itemSeconds: number[];
  rows: readonly ResultRow[];
}

export function progressLine(s: ProgressState, width = 24): string {
  const frac = s.total ? s.done / s.total : 1;
  const filled = Math.round(frac * width);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  const per = s.itemSeconds.length
    ? `${(s.itemSeconds.reduce((a, b) => a + b, 0) / s.itemSeconds.length).toFixed(1)} s/item`
    : '';
  const acc = s.rows.map((r) => `${rowLabel(r)} ${r.correct}/${r.n}`).join(' · ');
  return [
    `[${bar}] ${s.done}/${s.total} ${Math.round(frac * 100)} %`,
    per,
    s.done < s.total ? `ETA ${formatDuration(etaSeconds(s.done, s.total, s.itemSeconds))}` : 'done',
    acc,
  ]
    .filter(Boolean)
    .join(' · ');
}

export class Progress {
  private readonly tty: boolean;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {
    this.tty = !!out.isTTY;
  }

  update(s: ProgressState, note = ''): void {
    const line = progressLine(s) + (note ? ` · ${note}` : '');
    if (this.tty) this.out.write(`\r\x1b[2K${line.slice(0, (this.out.columns || 120) - 1)}`);
    else this.out.write(`${line}\n`);
  }

  /** A message on its own line (the bar is redrawn after it). */
  say(text: string): void {
    this.out.write(this.tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
  }

  end(): void {
    if (this.tty) this.out.write('\n');
  }
}
