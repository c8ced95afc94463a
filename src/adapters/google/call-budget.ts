import type { GoogleCallBudget } from '../../application/ports/google-call-budget.port';

/** Where each scope's next free slot is kept: in memory for one process, in the database for several. */
export interface SlotStore {
  /**
   * Reserves the scope's next slot, `spacingMs` after the previous reservation (or now, when that lies in the past),
   * and answers how many milliseconds from now the reservation ends (the scope's "theoretical arrival time").
   */
  reserve(scope: string, spacingMs: number): Promise<number>;
  /**
   * reserve(first), then reserve(second) only when first's reservation ends at most `firstWithinMs` from now (its
   * call need not wait), at once: one round trip where the slots are in a database. `second` is null when not
   * reserved.
   */
  reserveChained(
    first: SlotRequest,
    firstWithinMs: number,
    second: SlotRequest,
  ): Promise<{ first: number; second: number | null }>;
}

export interface SlotRequest {
  scope: string;
  spacingMs: number;
}

/** The scope of the whole project's calls; a member's is `user:<quota user>`. */
const PROJECT = 'project';

export interface CallBudgetLimits {
  /** GOOGLE_REQUESTS_PER_MINUTE: calls of the whole project. */
  projectPerPeriod: number;
  /** GOOGLE_USER_REQUESTS_PER_MINUTE: calls made with one member's credentials. */
  userPerPeriod: number;
  /** 60,000 in service; tests shorten it. */
  periodMs: number;
}

/** Slot spacing and burst allowance for `limit` calls in any window of `periodMs`, bursts of `burstMs` worth. */
export interface Pace {
  spacingMs: number;
  toleranceMs: number;
}

/**
 * The generic cell rate algorithm (a leaky bucket kept as one timestamp per scope). A call may start when its
 * reservation ends no more than `toleranceMs + spacingMs` from now. A burst of `burst` calls is allowed at once,
 * after which calls are spaced evenly; then any window of `periodMs` holds at most `(periodMs + toleranceMs) /
 * spacingMs + 1` calls. Choosing `spacingMs = periodMs / (limit - burst)` and `toleranceMs = (burst - 1) *
 * spacingMs` makes that `limit`: the budget holds in every window, not only in calendar minutes.
 */
export function paceFor(limit: number, periodMs: number, burstMs: number): Pace {
  if (!Number.isInteger(limit) || limit < 2) throw new Error('a call budget needs a limit of at least 2');
  // A burst buys speed now with a slower pace after it; it is never more than half the limit.
  const burst = Math.max(1, Math.min(Math.floor(limit / 2), Math.floor((limit * burstMs) / periodMs)));
  const spacingMs = periodMs / (limit - burst);
  return { spacingMs, toleranceMs: (burst - 1) * spacingMs };
}

/**
 * Keeps Google calls under the per-user and per-project limits. The user's slot is taken first, then the
 * project's, so that the scarce project budget is never held by a call that still waits for its user.
 */
export class PacedCallBudget implements GoogleCallBudget {
  private readonly project: Pace;
  private readonly user: Pace;

  constructor(
    private readonly store: SlotStore,
    limits: CallBudgetLimits,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    // The project's budget is drawn on steadily by many calendars: one second's worth at once, the pace near the
    // limit. A member's calls come in bursts (a sync's pages): ten seconds' worth at once, a slower pace after.
    this.project = paceFor(limits.projectPerPeriod, limits.periodMs, limits.periodMs / 60);
    this.user = paceFor(limits.userPerPeriod, limits.periodMs, limits.periodMs / 6);
  }

  async take(quotaUser: string | null): Promise<number> {
    if (quotaUser === null)
      return this.wait(this.project, await this.store.reserve(PROJECT, this.project.spacingMs));
    // Usually neither waits: both slots in one reservation. A member who must wait takes the project's slot after.
    const { first, second } = await this.store.reserveChained(
      { scope: `user:${quotaUser}`, spacingMs: this.user.spacingMs },
      this.user.spacingMs + this.user.toleranceMs,
      { scope: PROJECT, spacingMs: this.project.spacingMs },
    );
    if (second !== null) return this.wait(this.project, second);
    const waited = await this.wait(this.user, first);
    return (
      waited + (await this.wait(this.project, await this.store.reserve(PROJECT, this.project.spacingMs)))
    );
  }

  /** Sleeps until a reservation ending `endsInMs` from now may start; answers how long that was. */
  private async wait(pace: Pace, endsInMs: number): Promise<number> {
    const waitMs = Math.ceil(endsInMs - pace.spacingMs - pace.toleranceMs);
    if (waitMs <= 0) return 0;
    await this.sleep(waitMs);
    return waitMs;
  }
}

/** One process's slots (the embedded database allows one process only). */
export class MemorySlotStore implements SlotStore {
  private readonly slots = new Map<string, number>();

  constructor(private readonly now: () => number = () => performance.timeOrigin + performance.now()) {}

  reserve(scope: string, spacingMs: number): Promise<number> {
    return Promise.resolve(this.reserveNow(scope, spacingMs));
  }

  reserveChained(
    first: SlotRequest,
    firstWithinMs: number,
    second: SlotRequest,
  ): Promise<{ first: number; second: number | null }> {
    const firstEnds = this.reserveNow(first.scope, first.spacingMs);
    return Promise.resolve({
      first: firstEnds,
      second: firstEnds <= firstWithinMs ? this.reserveNow(second.scope, second.spacingMs) : null,
    });
  }

  private reserveNow(scope: string, spacingMs: number): number {
    const now = this.now();
    const ends = Math.max(this.slots.get(scope) ?? now, now) + spacingMs;
    this.slots.set(scope, ends);
    if (this.slots.size > 10_000) this.forgetPast(now);
    return ends - now;
  }

  /** Scopes whose last slot has passed hold no information; members come and go. */
  private forgetPast(now: number): void {
    for (const [scope, ends] of this.slots) if (ends < now) this.slots.delete(scope);
  }
}
