export interface SyncScheduler {
  /**
   * Durably asks for a sync of the member's calendar (a full one when `full`) and wakes a worker; returns once the
   * request is stored, not when the sync is done.
   */
  requestSync(memberId: string, options?: { full?: boolean }): Promise<void>;
  /** Requests were stored by someone else (a push): look for work now. */
  wake(): void;
}
