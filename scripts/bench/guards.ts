/** Time limits and crash detection: a hung or crashed page must not hang the whole bench. */
import type { Page } from 'playwright-core';

export const LOAD_TIMEOUT_MS = 600_000;
export const RUN_TIMEOUT_MS = 600_000;

/**
 * Rejects on the first uncaught error in the page or one of its workers: an engine that crashed inside
 * a worker may otherwise leave its promise pending forever.
 */
export function pageCrash(page: Page): Promise<never> {
  const p = new Promise<never>((_, reject) => {
    page
      .context()
      .on('weberror', (e) =>
        reject(new Error(`uncaught error in the page or a worker: ${e.error().message}`)),
      );
  });
  p.catch(() => undefined);
  return p;
}

/** Rejects when `p` takes longer than `ms` (a hung page must not hang the whole bench). */
export function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
