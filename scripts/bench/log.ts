/** The bench's progress lines on stderr (seconds since start) and the rounding of its figures. */
export const T0 = performance.now();
const elapsed = () => `${((performance.now() - T0) / 1000).toFixed(0).padStart(4)} s`;
export const say = (line: string) => process.stderr.write(`[bench ${elapsed()}] ${line}\n`);
export const r2 = (x: number | null | undefined, d = 2) =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Math.round(x * 10 ** d) / 10 ** d;
