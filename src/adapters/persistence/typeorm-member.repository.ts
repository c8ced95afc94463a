import type { EntityManager } from 'typeorm';

import type {
  ConnectionStatus,
  MemberConnection,
  MemberRepository,
  SyncState,
} from '../../application/ports/member-repository.port';

interface ConnectionRow {
  id: string;
  email: string;
  status: ConnectionStatus;
  last_error: string | null;
  last_sync_at: Date | null;
  channel_expires_at: Date | null;
}

const CONNECTION_COLUMNS = `m.id, m.email, m.status, m.last_error, m.last_sync_at,
  (SELECT max(c.expires_at) FROM channels c
   WHERE c.member_id = m.id AND c.stopped_at IS NULL AND c.expires_at > now()) AS channel_expires_at`;

export class TypeOrmMemberRepository implements MemberRepository {
  constructor(private readonly db: EntityManager) {}

  async connect(email: string, timeZone: string | null): Promise<string> {
    // The sign-in opens the member's channel next: the renewal job keeps off the member meanwhile (the claim is
    // released when a channel is stored, or lapses after a minute if opening failed). Without it, a renewal run
    // found the member active without a channel and opened a second one (found by
    // test/reliability/scale.spec.ts).
    const rows = await this.db.query<{ id: string }[]>(
      `INSERT INTO members (email, time_zone, status, channel_claimed_until)
       VALUES ($1, $2, 'active', now() + interval '1 minute')
       ON CONFLICT (email) DO UPDATE
         SET status = 'active', last_error = NULL, time_zone = EXCLUDED.time_zone,
             sync_failures = 0, next_sync_at = NULL, updated_at = now(),
             channel_claimed_until = GREATEST(members.channel_claimed_until, EXCLUDED.channel_claimed_until)
       RETURNING id`,
      [email, timeZone],
    );
    return rows[0]!.id;
  }

  async storeCredentials(memberId: string, encrypted: Buffer): Promise<void> {
    await this.db.query(`UPDATE members SET credentials = $2, updated_at = now() WHERE id = $1`, [
      memberId,
      encrypted,
    ]);
  }

  async syncState(memberId: string): Promise<SyncState | null> {
    const rows = await this.db.query<
      {
        id: string;
        email: string;
        status: ConnectionStatus;
        time_zone: string | null;
        sync_token: string | null;
        full_sync_generation: number;
        credentials: Buffer | null;
      }[]
    >(
      `SELECT id, email, status, time_zone, sync_token, full_sync_generation, credentials FROM members WHERE id = $1`,
      [memberId],
    );
    const row = rows[0];
    return row === undefined
      ? null
      : {
          memberId: row.id,
          email: row.email,
          status: row.status,
          timeZone: row.time_zone,
          syncToken: row.sync_token,
          generation: row.full_sync_generation,
          credentials: row.credentials,
        };
  }

  async beginFullSync(memberId: string): Promise<number> {
    const [rows] = await this.db.query<[{ full_sync_generation: number }[], number]>(
      `UPDATE members SET sync_token = NULL, full_sync_generation = full_sync_generation + 1, updated_at = now()
       WHERE id = $1 RETURNING full_sync_generation`,
      [memberId],
    );
    return rows[0]!.full_sync_generation;
  }

  async completeSync(memberId: string, syncToken: string, at: Date): Promise<void> {
    await this.db.query(
      `UPDATE members SET sync_token = $2, last_sync_at = $3, last_error = NULL, updated_at = now() WHERE id = $1`,
      [memberId, syncToken, at],
    );
  }

  async recordSyncError(memberId: string, message: string): Promise<void> {
    await this.db.query(`UPDATE members SET last_error = $2, updated_at = now() WHERE id = $1`, [
      memberId,
      message,
    ]);
  }

  async markNeedsReconnect(memberId: string, message: string): Promise<void> {
    await this.db.query(
      `UPDATE members SET status = 'needs_reconnect', last_error = $2, updated_at = now() WHERE id = $1`,
      [memberId, message],
    );
  }

  async reactivate(memberId: string): Promise<void> {
    await this.db.query(
      `UPDATE members SET status = 'active', last_error = NULL, sync_failures = 0, next_sync_at = NULL, updated_at = now()
       WHERE id = $1`,
      [memberId],
    );
  }

  async markDisconnected(memberId: string): Promise<void> {
    await this.db.query(
      `UPDATE members SET status = 'disconnected', credentials = NULL, last_error = NULL, sync_token = NULL,
              sync_requested_at = NULL, full_sync_requested = false, safety_sync_at = NULL, updated_at = now()
       WHERE id = $1`,
      [memberId],
    );
  }

  async allEmails(): Promise<Set<string>> {
    const rows = await this.db.query<{ email: string }[]>(`SELECT email FROM members`);
    return new Set(rows.map((row) => row.email));
  }

  async findByEmail(email: string): Promise<MemberConnection | null> {
    const rows = await this.db.query<ConnectionRow[]>(
      `SELECT ${CONNECTION_COLUMNS} FROM members m WHERE m.email = $1`,
      [email],
    );
    return rows[0] === undefined ? null : toConnection(rows[0]);
  }

  async get(memberId: string): Promise<MemberConnection | null> {
    const rows = await this.db.query<ConnectionRow[]>(
      `SELECT ${CONNECTION_COLUMNS} FROM members m WHERE m.id = $1`,
      [memberId],
    );
    return rows[0] === undefined ? null : toConnection(rows[0]);
  }

  async list(): Promise<MemberConnection[]> {
    const rows = await this.db.query<ConnectionRow[]>(
      `SELECT ${CONNECTION_COLUMNS} FROM members m ORDER BY m.email`,
    );
    return rows.map(toConnection);
  }
}

function toConnection(row: ConnectionRow): MemberConnection {
  return {
    memberId: row.id,
    email: row.email,
    status: row.status,
    lastError: row.last_error,
    lastSyncAt: row.last_sync_at,
    channelExpiresAt: row.channel_expires_at,
  };
}
