/** Progress on stderr: bytes, throughput and ETA, one line per file and every few seconds. */
import type { ConvertProgress } from '../../src/convert/convert';

export function progressPrinter(out: NodeJS.WriteStream): { update: (p: ConvertProgress) => void; done: () => void; peakRss: () => number } {
  let lastFile = '';
  let lastPrint = 0;
  const tty = out.isTTY === true;
  const mb = (b: number) => (b / 2 ** 20).toFixed(0);
  return {
    update(p) {
      const now = performance.now();
      if (p.file === lastFile && now - lastPrint < (tty ? 200 : 5000) && p.bytesDone < p.bytesTotal) return;
      lastPrint = now;
      const newFile = p.file !== lastFile;
      lastFile = p.file;
      const rate = p.bytesDone / Math.max(p.elapsedMs / 1000, 1e-3);
      const eta = rate > 0 ? (p.bytesTotal - p.bytesDone) / rate : 0;
      const pct = ((100 * p.bytesDone) / Math.max(p.bytesTotal, 1)).toFixed(0).padStart(3);
      const line = `[${pct}%] ${p.file}  ${p.tensor}  ${mb(p.bytesDone)}/${mb(p.bytesTotal)} MB  ${(rate / 2 ** 20).toFixed(1)} MB/s  ETA ${eta.toFixed(0)} s`;
      if (tty) out.write(`${newFile ? '\n' : '\r'}${line.padEnd(120).slice(0, 160)}`);
      else out.write(`${line}\n`);
    },
    done() {
      if (tty) out.write('\n');
    },
    // maxRSS is the process's true peak (KiB), not a sample.
    peakRss: () => process.resourceUsage().maxRSS * 1024,
  };
}
