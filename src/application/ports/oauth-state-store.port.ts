export interface IssuedState {
  /** Sent to Google and, as a cookie, to the browser that must bring it back. */
  state: string;
  expiresAt: Date;
}

export type StateVerdict = 'accepted' | 'other_browser' | 'invalid';

/** OAuth `state`s: single-use, expiring, bound to the browser that started the sign-in. */
export interface OAuthStateStore {
  /** A new state. Costs no storage: anyone may start a sign-in, only a returning state is written down. */
  issue(now: Date): IssuedState;
  /**
   * `accepted` once per state: issued by us, unexpired, the one this browser was given (`browserState`), never
   * used before; `other_browser` when the browser holds another one; `invalid` otherwise (forged, expired, used).
   */
  consume(state: string | undefined, browserState: string | undefined, now: Date): Promise<StateVerdict>;
}
