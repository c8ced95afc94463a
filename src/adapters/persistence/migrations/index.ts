import { AccountsAndContacts1764064800000 } from './1764064800000-accounts-and-contacts';

/** Every migration, oldest first; listed by hand so that the compiled service and the tests load the same set. */
export const MIGRATIONS = [AccountsAndContacts1764064800000];
