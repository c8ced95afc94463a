import type { EntityManager } from 'typeorm';

import type {
  ConnectionStatus,
  ConnectionView,
  MemberRepository,
  SyncState,
} from '../../application/ports/member-repository.port';
import {
  type ConnectionVia,
  type DisconnectCause,
  MemberConnection,
  type ReconnectReason,
} from '../../domain/member-connection';
import { CURRENT_CHANNEL } from './channel-sql';

interface ConnectionRow {
  id: string;
  email: string;
  status: ConnectionStatus;
  via: ConnectionVia;
  status_reason: ReconnectReason | DisconnectCause | null;
  last_error: string | null;
  credentials: Buffer | null;
  version: number;
}

interface ViewRow {
  id: string;
  email: string;
  status: ConnectionStatus;
  via: ConnectionVia;
  last_error: string | null;
  last_sync_at: Date | null;
  channel_expires_at: Date | null;
}

const CONNECTION_COLUMNS = 'id, email, status, via, status_reason, last_error, credentials, version';

/**
 * MemberConnection.hasGrant in SQL, for statements that select members to act for (alias `m`): stored OAuth
 * credentials, or the Workspace's delegation.
 */
export const HAS_GRANT = `(m.credentials IS NOT NULL OR m.via = 'delegation')`;

const VIEW_COLUMNS = `m.id, m.email, m.status, m.via, m.last_error, m.last_sync_at,
  (SELECT max(c.expires_at) FROM channels c
   WHERE c.member_id = m.id AND ${CURRENT_CHANNEL} AND c.expires_at > now()) AS channel_expires_at`;

/** Members and their connections: the only writer of a connection's status, grant and problems. */
export class TypeOrmMemberRepository implements MemberRepository {
  constructor(
    private readonly db: EntityManager,
    /**
     * Told after a connection was saved (its status, or a sync restarted at once): pushes accepted without the
     * database (PushHolds) must stop once that is committed.
     */
    private readonly saved: () => void = () => undefined,
  ) {}

  async enrol(email: string, timeZone: string | null): Promise<MemberConnection> {
    // A new member has no grant yet: disconnected until its sign-in saves one. The channel claim keeps renewal
    // runs off the member while the sign-in opens its channel (released when a channel is stored, or lapsing).
    const rows = await this.db.query<ConnectionRow[]>(
      `INSERT INTO members (email, time_zone, status, channel_claimed_until)
       VALUES ($1, $2, 'disconnected', now() + interval '1 minute')
       ON CONFLICT (email) DO UPDATE
         SET time_zone = EXCLUDED.time_zone, updated_at = now(),
             channel_claimed_until = GREATEST(members.channel_claimed_until, EXCLUDED.channel_claimed_until)
       RETURNING ${CONNECTION_COLUMNS}`,
      [email, timeZone],
    );
    return toConnection(rows[0]!);
  }

  async load(memberId: string): Promise<MemberConnection | null> {
    const rows = await this.db.query<ConnectionRow[]>(
      `SELECT ${CONNECTION_COLUMNS} FROM members WHERE id = $1`,
      [memberId],
    );
    return rows[0] === undefined ? null : toConnection(rows[0]);
  }

  async save(connection: MemberConnection): Promise<boolean> {
    const next = connection.snapshot();
    const epoch = connection.changesEpoch;
    // A status or grant change locks the row FOR UPDATE: that waits for a sync page being written (which holds
    // it FOR KEY SHARE, see TypeOrmSyncQueue.hold) and then re-checks the version, so the two never interleave.
    const [rows] = await this.db.query<[{ version: number }[], number]>(
      `WITH locked AS (
         SELECT id FROM members WHERE id = $1 AND version = $2 ${epoch ? 'FOR UPDATE' : ''}
       )
       UPDATE members m SET
         status = $3, status_reason = $4, last_error = $5, credentials = $6, via = $10,
         version = m.version + $7::int,
         sync_failures = CASE WHEN $8 THEN 0 ELSE m.sync_failures END,
         next_sync_at = CASE WHEN $8 THEN NULL ELSE m.next_sync_at END,
         sync_token = CASE WHEN $9 THEN NULL ELSE m.sync_token END,
         sync_requested_at = CASE WHEN $9 THEN NULL ELSE m.sync_requested_at END,
         full_sync_requested = CASE WHEN $9 THEN false ELSE m.full_sync_requested END,
         safety_sync_at = CASE WHEN $9 THEN NULL ELSE m.safety_sync_at END,
         sync_lease_owner = CASE WHEN $9 THEN NULL ELSE m.sync_lease_owner END,
         sync_lease_until = CASE WHEN $9 THEN NULL ELSE m.sync_lease_until END,
         channel_claimed_until = CASE WHEN $9 THEN NULL ELSE m.channel_claimed_until END,
         updated_at = now()
       FROM locked WHERE m.id = locked.id AND m.version = $2
       RETURNING m.version`,
      [
        next.memberId,
        next.version,
        next.status,
        next.reason,
        next.lastError,
        next.credentials === null ? null : Buffer.from(next.credentials),
        epoch ? 1 : 0,
        connection.restartsSync,
        connection.endsSyncWork,
        next.via,
      ],
    );
    if (rows[0] === undefined) return false;
    connection.saved(rows[0].version);
    this.saved();
    return true;
  }

  async syncState(memberId: string): Promise<SyncState | null> {
    const rows = await this.db.query<
      (ConnectionRow & {
        time_zone: string | null;
        sync_token: string | null;
        full_sync_generation: number;
      })[]
    >(
      `SELECT ${CONNECTION_COLUMNS}, time_zone, sync_token, full_sync_generation FROM members WHERE id = $1`,
      [memberId],
    );
    const row = rows[0];
    return row === undefined
      ? null
      : {
          connection: toConnection(row),
          timeZone: row.time_zone,
          syncToken: row.sync_token,
          generation: row.full_sync_generation,
        };
  }

  async withGrant(): Promise<MemberConnection[]> {
    const rows = await this.db.query<ConnectionRow[]>(
      `SELECT ${CONNECTION_COLUMNS} FROM members m WHERE m.status <> 'disconnected' AND ${HAS_GRANT} ORDER BY m.id`,
    );
    return rows.map(toConnection);
  }

  async inDomain(domain: string): Promise<MemberConnection[]> {
    const rows = await this.db.query<ConnectionRow[]>(
      `SELECT ${CONNECTION_COLUMNS} FROM members WHERE split_part(email, '@', 2) = $1 ORDER BY email`,
      [domain],
    );
    return rows.map(toConnection);
  }

  async findByEmail(email: string): Promise<ConnectionView | null> {
    const rows = await this.db.query<ViewRow[]>(`SELECT ${VIEW_COLUMNS} FROM members m WHERE m.email = $1`, [
      email,
    ]);
    return rows[0] === undefined ? null : toView(rows[0]);
  }

  async get(memberId: string): Promise<ConnectionView | null> {
    const rows = await this.db.query<ViewRow[]>(`SELECT ${VIEW_COLUMNS} FROM members m WHERE m.id = $1`, [
      memberId,
    ]);
    return rows[0] === undefined ? null : toView(rows[0]);
  }

  async list(): Promise<ConnectionView[]> {
    const rows = await this.db.query<ViewRow[]>(`SELECT ${VIEW_COLUMNS} FROM members m ORDER BY m.email`);
    return rows.map(toView);
  }
}

function toConnection(row: ConnectionRow): MemberConnection {
  return MemberConnection.restore({
    memberId: row.id,
    email: row.email,
    status: row.status,
    via: row.via,
    reason:
      row.status === 'needs_reconnect'
        ? (row.status_reason ?? 'grant_revoked')
        : row.status === 'disconnected'
          ? row.status_reason
          : null,
    lastError: row.last_error,
    credentials: row.credentials,
    version: row.version,
  });
}

function toView(row: ViewRow): ConnectionView {
  return {
    memberId: row.id,
    email: row.email,
    status: row.status,
    via: row.via,
    lastError: row.last_error,
    lastSyncAt: row.last_sync_at,
    channelExpiresAt: row.channel_expires_at,
  };
}
