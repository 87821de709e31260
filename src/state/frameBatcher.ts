/**
 * Buffers high-frequency items (token and load events) and hands them over once per animation
 * frame, so the store changes at most once a frame however many events arrive.
 */
export interface FrameBatcher<T> {
  push(items: readonly T[]): void;
  /** Hands over whatever is buffered now (e.g. when a run ends), cancelling the pending frame. */
  flush(): void;
}

export function createFrameBatcher<T>(apply: (items: T[]) => void): FrameBatcher<T> {
  let pending: T[] = [];
  let frame: number | null = null;
  const flush = () => {
    if (frame !== null) cancelAnimationFrame(frame);
    frame = null;
    if (pending.length === 0) return;
    const items = pending;
    pending = [];
    apply(items);
  };
  return {
    push(items) {
      for (const i of items) pending.push(i);
      frame ??= requestAnimationFrame(flush);
    },
    flush,
  };
}
