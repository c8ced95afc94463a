import { ValidationFailedError } from '../../domain/errors';
import { accountIdSchema } from './admin-api.schemas';

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
