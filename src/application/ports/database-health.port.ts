export interface DatabaseHealth {
  /** Resolves when the database answers a trivial query within the timeout; rejects otherwise. */
  check(timeoutMs: number): Promise<void>;
}
