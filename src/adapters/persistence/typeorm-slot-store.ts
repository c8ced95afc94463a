import type { EntityManager } from 'typeorm';

import type { SlotRequest, SlotStore } from '../google/call-budget';

/**
 * Reserves the slot of the scope in `$<scope>` spaced `$<spacing>` ms (from `source`, one row or none), returning
 * `ends_in_ms`. Times are the database's (`clock_timestamp()`), so the instances' clocks may differ.
 */
const reserveSlot = (scope: string, spacing: string, source = '') =>
  `INSERT INTO google_call_slots AS s (scope, reserved_until)
   SELECT ${scope}, clock_timestamp() + ${spacing} * interval '1 millisecond' ${source}
   ON CONFLICT (scope) DO UPDATE
     SET reserved_until = GREATEST(s.reserved_until + ${spacing} * interval '1 millisecond', excluded.reserved_until)
   RETURNING (extract(epoch FROM s.reserved_until - clock_timestamp()) * 1000)::float8 AS ends_in_ms`;

/**
 * The Google call budget's slots in the shared database, so that every instance draws on one budget. The upsert
 * takes the scope's row lock, so concurrent reservations queue on it and each sees the one before it; a chained
 * reservation locks the member's row before the project's, as every reservation does.
 */
export class TypeOrmSlotStore implements SlotStore {
  constructor(private readonly db: EntityManager) {}

  async reserve(scope: string, spacingMs: number): Promise<number> {
    const rows = await this.db.query<{ ends_in_ms: number }[]>(reserveSlot('$1', '$2'), [scope, spacingMs]);
    return Number(rows[0]!.ends_in_ms);
  }

  async reserveChained(
    first: SlotRequest,
    firstWithinMs: number,
    second: SlotRequest,
  ): Promise<{ first: number; second: number | null }> {
    const rows = await this.db.query<{ first: number; second: number | null }[]>(
      `WITH first_slot AS (${reserveSlot('$1', '$2')}),
            second_slot AS (${reserveSlot('$4', '$5', 'FROM first_slot WHERE first_slot.ends_in_ms <= $3')})
       SELECT (SELECT ends_in_ms FROM first_slot) AS first, (SELECT ends_in_ms FROM second_slot) AS second`,
      [first.scope, first.spacingMs, firstWithinMs, second.scope, second.spacingMs],
    );
    const row = rows[0]!;
    return { first: Number(row.first), second: row.second === null ? null : Number(row.second) };
  }
}
