import { ValidationFailedError } from '../../domain/errors';
import { accountIdSchema } from './admin-api.schemas';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Member ids are UUIDs: anything else is malformed (a 400, never a database error); an unknown one is a 404. */
export function memberIdParam(value: string): string {
  if (!UUID.test(value)) {
    throw new ValidationFailedError([{ path: ['memberId'], message: 'is not a member id (a UUID)' }]);
  }
  return value.toLowerCase();
}

/** An id no account can have (empty, over 256 characters, control characters) is malformed: a 400. */
export function accountIdParam(value: string): string {
  if (!accountIdSchema.safeParse(value).success) {
    throw new ValidationFailedError([{ path: ['id'], message: 'is not an account id' }]);
  }
  return value;
}

/** A UUID path parameter (webhook endpoints); anything else is malformed. */
export function uuidParam(value: string, name: string): string {
  if (!UUID.test(value))
    throw new ValidationFailedError([{ path: [name], message: 'is not an id (a UUID)' }]);
  return value.toLowerCase();
}
