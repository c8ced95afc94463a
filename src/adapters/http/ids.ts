import { NotFoundError } from '../../domain/errors';
import { accountIdSchema } from './admin-api.schemas';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Member ids are UUIDs: anything else names no member (a 404, never a database error). */
export function memberIdParam(value: string): string {
  if (!UUID.test(value)) throw new NotFoundError(`No member "${value.slice(0, 100)}"`);
  return value.toLowerCase();
}

/** An id no account can have (empty, too long, control characters) names no account: a 404, never a database error. */
export function accountIdParam(value: string): string {
  if (!accountIdSchema.safeParse(value).success)
    throw new NotFoundError(`No account "${value.slice(0, 100)}"`);
  return value;
}
