import type { DataSource, EntityManager } from 'typeorm';

import { databaseTargets, resetData, type TestDatabase } from '../support/databases';

interface Change {
  type: string;
  interaction_id: string;
  account_id: string;
  title: string | null;
  matchedBy: string | null;
}

/**
 * The change feed's triggers (CONTRACT.md "Interactions out"): one change per interaction and transaction holding
 * its final state, whatever mix of statements made it, and set-based whatever the number of rows.
 */
describe.each(databaseTargets())('change feed triggers on $name', (target) => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await target.start();
    dataSource = db.dataSource;
  });
  afterAll(() => db.stop());
  beforeEach(async () => {
    await resetData(dataSource);
    await dataSource.query(`INSERT INTO accounts (id, name) VALUES ('acme', 'Acme'), ('logo', 'Logo')`);
  });

  const meeting = async (tx: EntityManager | DataSource, title: string): Promise<string> => {
    const [row] = await tx.query<{ id: string }[]>(
      `INSERT INTO meetings (ical_uid, original_start, title, start_time, duration_minutes, local_date,
                             participants, attendees, attendees_updated, source_updated)
       VALUES (gen_random_uuid()::text, '', $1, '2026-11-02T10:00:00Z', 30, '2026-11-02', '[]', '[]', now(), now())
       RETURNING id`,
      [title],
    );
    return row!.id;
  };
  const interaction = async (tx: EntityManager | DataSource, meetingId: string, account: string) => {
    const [row] = await tx.query<{ id: string }[]>(
      `INSERT INTO interactions (meeting_id, account_id, matched_by, start_time, local_date)
       VALUES ($1, $2, 'domain', '2026-11-02T10:00:00Z', '2026-11-02') RETURNING id`,
      [meetingId, account],
    );
    return row!.id;
  };
  const changes = () =>
    dataSource.query<Change[]>(
      `SELECT type, interaction_id, account_id, data->>'title' AS title, data->>'matchedBy' AS "matchedBy"
       FROM interaction_changes ORDER BY xid, seq`,
    );
  const clear = () => dataSource.query('DELETE FROM interaction_changes');

  it('records a created interaction with its meeting, as created even when changed in the same transaction', async () => {
    const id = await dataSource.transaction(async (tx) => {
      const id = await interaction(tx, await meeting(tx, 'Kick-off'), 'acme');
      await tx.query(`UPDATE interactions SET matched_by = 'contact' WHERE id = $1`, [id]);
      return id;
    });
    expect(await changes()).toEqual([
      {
        type: 'interaction.created',
        interaction_id: id,
        account_id: 'acme',
        title: 'Kick-off',
        matchedBy: 'contact',
      },
    ]);
  });

  it('records nothing for an interaction created and deleted in one transaction', async () => {
    await dataSource.transaction(async (tx) => {
      const id = await interaction(tx, await meeting(tx, 'Gone'), 'acme');
      await tx.query(`DELETE FROM interactions WHERE id = $1`, [id]);
    });
    expect(await changes()).toEqual([]);
  });

  it('records an update for deleted then created again, and a deletion for updated then deleted', async () => {
    const meetingId = await meeting(dataSource, 'Weekly');
    const kept = await interaction(dataSource, meetingId, 'acme');
    const removed = await interaction(dataSource, meetingId, 'logo');
    await clear();
    await dataSource.transaction(async (tx) => {
      await tx.query(`DELETE FROM interactions WHERE id = $1`, [kept]);
      await tx.query(
        `INSERT INTO interactions (id, meeting_id, account_id, matched_by, start_time, local_date)
         VALUES ($1, $2, 'acme', 'contact', '2026-11-02T10:00:00Z', '2026-11-02')`,
        [kept, meetingId],
      );
      await tx.query(`UPDATE interactions SET matched_by = 'contact' WHERE id = $1`, [removed]);
      await tx.query(`DELETE FROM interactions WHERE id = $1`, [removed]);
    });
    const recorded = await changes();
    expect(recorded).toHaveLength(2);
    expect(recorded).toEqual(
      expect.arrayContaining([
        {
          type: 'interaction.updated',
          interaction_id: kept,
          account_id: 'acme',
          title: 'Weekly',
          matchedBy: 'contact',
        },
        {
          type: 'interaction.deleted',
          interaction_id: removed,
          account_id: 'logo',
          title: null,
          matchedBy: null,
        },
      ]),
    );
  });

  it('records an update of every interaction of a meeting whose title changes, and none for untracked changes', async () => {
    const meetingId = await meeting(dataSource, 'Old title');
    const first = await interaction(dataSource, meetingId, 'acme');
    const second = await interaction(dataSource, meetingId, 'logo');
    await clear();
    await dataSource.query(`UPDATE meetings SET needs_rematch = true WHERE id = $1`, [meetingId]);
    await dataSource.query(`UPDATE interactions SET matched_by = matched_by`);
    expect(await changes()).toEqual([]);
    await dataSource.query(`UPDATE meetings SET title = 'New title' WHERE id = $1`, [meetingId]);
    const recorded = await changes();
    expect(recorded.map((c) => [c.type, c.interaction_id, c.title]).sort()).toEqual(
      [
        ['interaction.updated', first, 'New title'],
        ['interaction.updated', second, 'New title'],
      ].sort(),
    );
  });

  it('records one change per row of a statement of 2,000 rows, and deletions cascaded from a meeting', async () => {
    const meetingIds = await dataSource.query<{ id: string }[]>(
      `INSERT INTO meetings (ical_uid, original_start, title, start_time, duration_minutes, local_date,
                             participants, attendees, attendees_updated, source_updated)
       SELECT 'uid-' || n, '', 'M' || n, '2026-11-02T10:00:00Z', 30, '2026-11-02', '[]', '[]', now(), now()
       FROM generate_series(1, 1000) AS n RETURNING id`,
    );
    await dataSource.query(
      `INSERT INTO interactions (meeting_id, account_id, matched_by, start_time, local_date)
       SELECT m, a, 'domain', '2026-11-02T10:00:00Z', '2026-11-02'
       FROM unnest($1::uuid[]) AS m CROSS JOIN (VALUES ('acme'), ('logo')) AS x(a)`,
      [meetingIds.map((m) => m.id)],
    );
    const [created] = await dataSource.query<{ n: number; ids: number }[]>(
      `SELECT count(*)::int AS n, count(DISTINCT interaction_id)::int AS ids FROM interaction_changes
       WHERE type = 'interaction.created' AND data->>'title' LIKE 'M%'`,
    );
    expect(created).toEqual({ n: 2000, ids: 2000 });
    await clear();
    await dataSource.query(`DELETE FROM meetings WHERE id = $1`, [meetingIds[0]!.id]);
    expect((await changes()).map((c) => [c.type, c.account_id]).sort()).toEqual([
      ['interaction.deleted', 'acme'],
      ['interaction.deleted', 'logo'],
    ]);
  });
});
