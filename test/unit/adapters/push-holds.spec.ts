import { MAX_HOLD_MS, PushHolds } from '../../../src/adapters/persistence/push-holds';

describe('PushHolds', () => {
  const check = { channelId: 'c1', resourceId: 'r1', markForSync: true };

  beforeEach(() => jest.useFakeTimers({ now: 0, doNotFake: ['nextTick', 'setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  it('covers the same channel and resource until the hold ends, and no longer than MAX_HOLD_MS', () => {
    const holds = new PushHolds(true);
    holds.grant('c1', 'r1', 500, holds.generation, performance.now());
    expect(holds.covers(check)).toBe(true);
    expect(holds.covers({ ...check, markForSync: false })).toBe(true);
    expect(holds.covers({ ...check, resourceId: 'r2' })).toBe(false);
    expect(holds.covers({ ...check, channelId: 'c2' })).toBe(false);
    jest.advanceTimersByTime(499);
    expect(holds.covers(check)).toBe(true);
    jest.advanceTimersByTime(1);
    expect(holds.covers(check)).toBe(false);

    holds.grant('c1', 'r1', 60_000, holds.generation, performance.now());
    jest.advanceTimersByTime(MAX_HOLD_MS);
    expect(holds.covers(check)).toBe(false);
  });

  it('counts the hold from when the statement was sent, not from its answer', () => {
    const holds = new PushHolds(true);
    const sentAt = performance.now();
    jest.advanceTimersByTime(300);
    holds.grant('c1', 'r1', 500, holds.generation, sentAt);
    jest.advanceTimersByTime(200);
    expect(holds.covers(check)).toBe(false);
  });

  it('refuses a hold from a statement sent before the holds were voided', () => {
    const holds = new PushHolds(true);
    const generation = holds.generation;
    holds.void();
    holds.grant('c1', 'r1', 500, generation, performance.now());
    expect(holds.covers(check)).toBe(false);
    holds.grant('c1', 'r1', 500, holds.generation, performance.now());
    expect(holds.covers(check)).toBe(true);
    holds.void();
    expect(holds.covers(check)).toBe(false);
  });

  it('holds nothing while not trusted, and starts afresh when trusted again', () => {
    const holds = new PushHolds(false);
    holds.grant('c1', 'r1', 500, holds.generation, performance.now());
    expect(holds.covers(check)).toBe(false);
    holds.trust(true);
    holds.grant('c1', 'r1', 500, holds.generation, performance.now());
    expect(holds.covers(check)).toBe(true);
    holds.trust(false);
    expect(holds.covers(check)).toBe(false);
    expect(holds.size).toBe(0);
  });

  it('grants nothing for a hold of no length', () => {
    const holds = new PushHolds(true);
    holds.grant('c1', 'r1', 0, holds.generation, performance.now());
    expect(holds.covers(check)).toBe(false);
  });
});
