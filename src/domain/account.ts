import { type Email, type EmailDomain } from './email';

/** A customer company. `id` is the customer-success platform's own id, kept as given. */
export interface Account {
  id: string;
  name: string;
  domains: EmailDomain[];
}

/** A person at a customer account. An email belongs to at most one account. */
export interface Contact {
  email: Email;
  /** `undefined` on an upsert keeps the stored name; `null` clears it. */
  name?: string | null;
  accountId: string;
}
