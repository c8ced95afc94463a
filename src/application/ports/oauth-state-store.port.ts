export interface OAuthStateStore {
  /** Remembers a state until `expiresAt`. */
  save(state: string, expiresAt: Date): Promise<void>;
  /** Removes the state and says whether it was there and unexpired: a state can be consumed once only. */
  consume(state: string, now: Date): Promise<boolean>;
}
