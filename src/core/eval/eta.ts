/** How long the rest of an evaluation will take, from the items finished so far. */

/** Seconds left: the median time of the items finished in this session × the items left. */
export function etaSeconds(done: number, total: number, itemSeconds: readonly number[]): number {
  const xs = [...itemSeconds].sort((a, b) => a - b);
  if (!xs.length) return NaN;
  return (xs[xs.length >> 1] ?? 0) * Math.max(0, total - done);
}

export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '–';
  if (sec < 60) return `${Math.round(sec)} s`;
  const m = Math.floor(sec / 60);
  if (m < 60) return `${m} min ${Math.round(sec - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
