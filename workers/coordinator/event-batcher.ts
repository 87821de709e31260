/** Collects run events and hands them over in batches (one message per ~frame, not per token). */
import type { RunEvent } from '../../src/core/protocol';

export class EventBatcher {
  private pending: RunEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly sink: (events: RunEvent[]) => void,
    private readonly intervalMs = 16,
  ) {}

  push(e: RunEvent): void {
    this.pending.push(e);
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.sink(batch);
  }
}
