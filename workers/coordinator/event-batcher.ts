/** Collects run events and hands them over in batches (one message per ~frame, not per token). */
import type { RunEvent } from '../../src/core/protocol';

/** Over comlink the sink returns a promise that settles once the page has handled the batch. */
export type EventSink = (events: RunEvent[]) => void | Promise<void>;

export class EventBatcher {
  private pending: RunEvent[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastDelivery: Promise<void> = Promise.resolve();

  constructor(
    private readonly sink: EventSink,
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
    // A page that went away must not fail the run; batches on one port arrive in order.
    this.lastDelivery = Promise.resolve(this.sink(batch)).catch(() => undefined);
  }

  /**
   * Flushes and waits until the page has handled every batch, so a caller awaiting `run()` sees the
   * final events before the promise resolves (the callback travels on its own comlink channel).
   */
  async drain(): Promise<void> {
    this.flush();
    await this.lastDelivery;
  }
}
