/** Sleeps that `close()` can cut short, so a closed sandbox leaves no timer or pending fetch behind. */
export class Timers {
  private readonly pending = new Map<NodeJS.Timeout, () => void>();
  private readonly controller = new AbortController();

  get closed(): boolean {
    return this.controller.signal.aborted;
  }

  /** Resolves at `close()`. */
  readonly closing: Promise<void> = new Promise((resolve) =>
    this.controller.signal.addEventListener('abort', () => resolve(), { once: true }),
  );

  /** Aborted by `close()`. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      this.pending.set(timer, resolve);
    });
  }

  close(): void {
    this.controller.abort();
    for (const [timer, resolve] of this.pending) {
      clearTimeout(timer);
      resolve();
    }
    this.pending.clear();
  }
}
