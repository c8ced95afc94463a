import { seededRandom } from '../../../sandbox/random';
import {
  MemorySlotStore,
  PacedCallBudget,
  paceFor,
  type SlotStore,
} from '../../../src/adapters/google/call-budget';
import { busiestWindow } from '../../support/windows';

/**
 * Calls arriving at the given instants, one at a time in arrival order, on a fake clock: each starts when its
 * wait is over. Project budget only (the user's is tested below).
 */
async function simulate(arrivals: number[], limit: number, periodMs: number): Promise<number[]> {
  let now = 0;
  const budget = new PacedCallBudget(
    new MemorySlotStore(() => now),
    { projectPerPeriod: limit, userPerPeriod: 10, periodMs },
    () => Promise.resolve(),
  );
  const starts: number[] = [];
  for (const arrival of [...arrivals].sort((a, b) => a - b)) {
    now = arrival;
    starts.push(arrival + (await budget.take(null)));
  }
  return starts;
}

describe('the Google call budget (paced, generic cell rate algorithm)', () => {
  it("paces Google's project quota at a second's burst and the rest evenly", () => {
    const pace = paceFor(10_000, 60_000, 1_000);
    expect(pace.spacingMs).toBeCloseTo(60_000 / (10_000 - 166), 6);
    expect(pace.toleranceMs).toBeCloseTo(165 * pace.spacingMs, 6);
    expect(() => paceFor(1, 60_000, 1_000)).toThrow(/at least 2/);
  });

  it('lets a burst go at once, then spaces calls evenly', async () => {
    const starts = await simulate(Array<number>(30).fill(0), 100, 60_000);
    const pace = paceFor(100, 60_000, 1_000);
    expect(starts.slice(0, 1)).toEqual([0]);
    // 100 per minute with one second's worth (1 call) as the burst: 60,000 / 99 ms apart.
    expect(starts[1]).toBe(Math.ceil(pace.spacingMs));
    expect(starts[29]).toBe(Math.ceil(29 * pace.spacingMs));
  });

  it.each([
    ['a backlog at once', () => Array<number>(3_000).fill(0)],
    ['random bursts', () => bursts(seededRandom(7))],
    ['a steady stream above the limit', () => Array.from({ length: 3_000 }, (_, i) => i * 15)],
    ['a steady stream below the limit', () => Array.from({ length: 1_000 }, (_, i) => i * 61)],
  ])('never lets more than the limit start in any window: %s', async (_name, arrivals) => {
    const limit = 1_000;
    const starts = await simulate(arrivals(), limit, 60_000);
    expect(busiestWindow(starts, 60_000)).toBeLessThanOrEqual(limit);
  });

  it('uses the budget: a backlog of three minutes of calls is through in about three minutes', async () => {
    const starts = await simulate(Array<number>(3_000).fill(0), 1_000, 60_000);
    expect(Math.max(...starts)).toBeLessThan(3 * 60_000 * 1.02);
    // ... and a calm stream below the limit never waits.
    const calm = Array.from({ length: 500 }, (_, i) => i * 120);
    expect(await simulate(calm, 1_000, 60_000)).toEqual(calm);
  });

  it("takes the member's slot first, then the project's, and reports the time waited", async () => {
    const calls: string[] = [];
    let memberSpent = true;
    // A spent member's slot ends a full period ahead; the project's is free.
    const ends = (scope: string, spacingMs: number) =>
      scope === 'user:member-1' && memberSpent ? 60_000 + spacingMs : spacingMs;
    const store: SlotStore = {
      reserve: (scope, spacingMs) => {
        calls.push(scope);
        return Promise.resolve(ends(scope, spacingMs));
      },
      reserveChained: (first, firstWithinMs, second) => {
        const firstEnds = ends(first.scope, first.spacingMs);
        const both = firstEnds <= firstWithinMs;
        calls.push(both ? `${first.scope} and ${second.scope}` : first.scope);
        return Promise.resolve({
          first: firstEnds,
          second: both ? ends(second.scope, second.spacingMs) : null,
        });
      },
    };
    const slept: number[] = [];
    const budget = new PacedCallBudget(
      store,
      { projectPerPeriod: 10_000, userPerPeriod: 600, periodMs: 60_000 },
      (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    );
    const waited = await budget.take('member-1');
    // The project's slot only once the member's wait is over.
    expect(calls).toEqual(['user:member-1', 'project']);
    const user = paceFor(600, 60_000, 10_000);
    expect(slept).toEqual([Math.ceil(60_000 - user.toleranceMs)]);
    expect(waited).toBe(slept[0]);
    memberSpent = false;
    expect(await budget.take('member-1')).toBe(0);
    expect(calls.slice(2)).toEqual(['user:member-1 and project']);
    expect(await budget.take(null)).toBe(0);
    expect(calls.slice(3)).toEqual(['project']);
  });

  it('reserves the second slot of a chain only while the first needs no wait', async () => {
    let now = 0;
    const store = new MemorySlotStore(() => now);
    const chain = () =>
      store.reserveChained({ scope: 'user:a', spacingMs: 1_000 }, 1_000, {
        scope: 'project',
        spacingMs: 1_000,
      });
    await expect(chain()).resolves.toEqual({ first: 1_000, second: 1_000 });
    now = 10;
    await expect(chain()).resolves.toEqual({ first: 1_990, second: null });
    // The project's slot did not move: the next one ends a spacing after the first.
    await expect(store.reserve('project', 1_000)).resolves.toBe(1_990);
  });

  it('forgets past slots when many members have come and gone', async () => {
    let now = 0;
    const store = new MemorySlotStore(() => now);
    for (let i = 0; i < 10_001; i++) await store.reserve(`user:${i}`, 10);
    now = 1_000;
    await store.reserve('user:new', 10);
    expect(await store.reserve('user:0', 10)).toBe(10);
  });
});

/** Bursts of up to 400 calls at random instants over ten minutes. */
function bursts(random: () => number): number[] {
  const arrivals: number[] = [];
  for (let burst = 0; burst < 20; burst++) {
    const at = Math.floor(random() * 600_000);
    const size = 1 + Math.floor(random() * 400);
    for (let i = 0; i < size; i++) arrivals.push(at + Math.floor(random() * 2_000));
  }
  return arrivals;
}
