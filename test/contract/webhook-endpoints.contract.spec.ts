import { randomUUID } from 'node:crypto';

import { TypeOrmWebhookEndpointRepository } from '../../src/adapters/persistence/typeorm-webhook-endpoint.repository';
import { databaseTargets, resetData, type TestDatabase } from '../support/databases';

/** What the webhook workers read when idle, and the signal that wakes them from it. */
describe.each(databaseTargets())('webhook endpoints when idle on $name', (target) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await target.start();
  });
  afterAll(() => db.stop());
  beforeEach(() => resetData(db.dataSource));

  it('counts active endpoints, gives the due time of paused ones only, and tells once one is stored', async () => {
    // For the k-th tell, what a worker woken by it reads then.
    const told: Promise<number>[] = [];
    const endpoints = new TypeOrmWebhookEndpointRepository(db.dataSource.manager, () => {
      told.push(endpoints.idleState().then((state) => state.active));
    });
    expect(await endpoints.idleState()).toEqual({ active: 0, nextDueAt: null });

    const create = (url: string) =>
      endpoints.create(
        { id: randomUUID(), url, description: null, sealedSecret: new Uint8Array([1, 2, 3]) },
        { xid: 0n, seq: 0n },
      );
    const paused = await create('https://crm.example/paused');
    await create('https://crm.example/waiting');
    const disabled = await create('https://crm.example/disabled');
    // Each tell comes once its endpoint is readable (a read may also see one stored after it).
    const seen = await Promise.all(told);
    expect(seen).toHaveLength(3);
    seen.forEach((active, k) => expect(active).toBeGreaterThanOrEqual(k + 1));

    await db.dataSource.query(
      `UPDATE webhook_endpoints SET next_attempt_at = now() + interval '1 minute' WHERE id = $1`,
      [paused.id],
    );
    await db.dataSource.query(`UPDATE webhook_endpoints SET disabled_at = now() WHERE id = $1`, [
      disabled.id,
    ]);
    const state = await endpoints.idleState();
    expect(state.active).toBe(2);
    expect(state.nextDueAt!.getTime()).toBeGreaterThan(Date.now() + 50_000);
  });
});
