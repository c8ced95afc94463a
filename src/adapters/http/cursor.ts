import { ValidationFailedError } from '../../domain/errors';
import type { FeedPosition } from '../../application/ports/change-feed.port';
import { accountIdSchema } from './admin-api.schemas';
import { UUID } from './ids';

/** Opaque page cursors: clients pass back what they got, and a tampered one is a 400, not a wrong page. */
export function encodeCursor(position: Record<string, string>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor(cursor: string, keys: readonly string[]): Record<string, string> {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      typeof value === 'object' &&
      value !== null &&
      keys.every((key) => typeof (value as Record<string, unknown>)[key] === 'string')
    ) {
      return value as Record<string, string>;
    }
  } catch {
    // fall through to the validation error
  }
  throw new ValidationFailedError([{ path: ['cursor'], message: 'is not a cursor this API returned' }]);
}

/** The account id an accounts page starts after; a cursor holding anything an account id cannot be is not ours. */
export function accountsCursor(cursor: string | undefined): string | null {
  if (cursor === undefined) return null;
  const { after } = decodeCursor(cursor, ['after']);
  if (!accountIdSchema.safeParse(after).success) {
    throw new ValidationFailedError([{ path: ['cursor'], message: 'is not a cursor this API returned' }]);
  }
  return after!;
}

const XID = /^\d{1,19}$/;
const SEQ = /^(-1|\d{1,19})$/;

/** A change-feed position as a cursor (`nextCursor`, `changesCursor`). */
export function encodeFeedCursor(position: FeedPosition): string {
  return encodeCursor({ x: position.xid.toString(), s: position.seq.toString() });
}

export function decodeFeedCursor(cursor: string): FeedPosition {
  const { x, s } = decodeCursor(cursor, ['x', 's']);
  if (!XID.test(x!) || !SEQ.test(s!)) {
    throw new ValidationFailedError([{ path: ['cursor'], message: 'is not a cursor this API returned' }]);
  }
  return { xid: BigInt(x!), seq: BigInt(s!) };
}

/** GET /api/interactions pages: the last id, and the feed position that the whole read answers. */
export function encodeInteractionsCursor(after: string, changesFrom: FeedPosition): string {
  return encodeCursor({ after, x: changesFrom.xid.toString(), s: changesFrom.seq.toString() });
}

export function decodeInteractionsCursor(cursor: string): { id: string; changesFrom: FeedPosition } {
  const { after, x, s } = decodeCursor(cursor, ['after', 'x', 's']);
  if (!UUID.test(after!) || !XID.test(x!) || !SEQ.test(s!)) {
    throw new ValidationFailedError([{ path: ['cursor'], message: 'is not a cursor this API returned' }]);
  }
  return { id: after!, changesFrom: { xid: BigInt(x!), seq: BigInt(s!) } };
}
