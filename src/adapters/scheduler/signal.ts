/**
 * A wake-up call for loops that look for work, then sleep. `epoch` counts notifications: a loop reads it before
 * looking, and `wait(ms, epoch)` returns at once when a notification came in the meantime, so none is lost.
 */
export class Signal {
  private waiters = new Set<() => void>();
  private count = 0;

  get epoch(): number {
    return this.count;
  }

  /** Wakes every waiter. */
  notify(): void {
    this.count++;
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  /**
   * Wakes the longest waiting waiter only (loops that share one queue of work: one looks, and wakes the next when
   * it found some). Loops busy meanwhile still see the new epoch and look again.
   */
  notifyOne(): void {
    this.count++;
    const [first] = this.waiters;
    if (first === undefined) return;
    this.waiters.delete(first);
    first();
  }

  wait(timeoutMs: number, seenEpoch: number): Promise<void> {
    if (seenEpoch !== this.count) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }
}
