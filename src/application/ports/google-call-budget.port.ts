/**
 * Google's Calendar API quotas, per project and per user, per minute: shared by every instance of the service, so
 * that together they stay under them instead of each learning of the limit through 403s and 429s.
 */
export interface GoogleCallBudget {
  /**
   * Resolves when one more call fits the user's budget (when a user is given) and then the project's; answers the
   * milliseconds it waited. A call that waited is made at once: its slot is reserved.
   */
  take(quotaUser: string | null): Promise<number>;
}
