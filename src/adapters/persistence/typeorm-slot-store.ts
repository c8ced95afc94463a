import type { EntityManager } from 'typeorm';

import type { SlotStore } from '../google/call-budget';

/**
 * The Google call budget's slots in the shared database, so that every instance draws on one budget. One
 * statement per reservation: the upsert takes the scope's row lock, so concurrent reservations queue on it and
 * each sees the one before it. Times are the database's (`clock_timestamp()`), so the instances' clocks may differ.
 */
export class TypeOrmSlotStore implements SlotStore {
  constructor(private readonly db: EntityManager) {}

  async reserve(scope: string, spacingMs: number): Promise<number> {
    const rows = await this.db.query<{ ends_in_ms: number }[]>(
      `INSERT INTO google_call_slots AS s (scope, reserved_until)
       VALUES ($1, clock_timestamp() + $2 * interval '1 millisecond')
       ON CONFLICT (scope) DO UPDATE
         SET reserved_until = GREATEST(s.reserved_until + $2 * interval '1 millisecond', excluded.reserved_until)
       RETURNING (extract(epoch FROM s.reserved_until - clock_timestamp()) * 1000)::float8 AS ends_in_ms`,
      [scope, spacingMs],
    );
    return Number(rows[0]!.ends_in_ms);
  }
}
