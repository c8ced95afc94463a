import { isRetryableGoogleError } from './errors';

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_GOOGLE_RETRY: RetryOptions = { attempts: 6, baseDelayMs: 500, maxDelayMs: 32_000 };

/**
 * Exponential backoff with full jitter (delay drawn from [0, min(cap, base * 2^n)]), for Google's rate limits and
 * server errors only; any other error is final at once.
 */
export class RetryPolicy {
  constructor(
    private readonly options: RetryOptions = DEFAULT_GOOGLE_RETRY,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    private readonly random: () => number = Math.random,
    /** Told of every backoff (metrics). */
    private readonly observe: (error: unknown) => void = () => undefined,
  ) {}

  get attempts(): number {
    return this.options.attempts;
  }

  async run<T>(call: () => Promise<T>, onRetry?: (error: unknown, delayMs: number) => void): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!isRetryableGoogleError(error) || attempt >= this.options.attempts) throw error;
        const ceiling = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempt - 1));
        const delay = Math.round(this.random() * ceiling);
        this.observe(error);
        onRetry?.(error, delay);
        await this.sleep(delay);
      }
    }
  }
}
