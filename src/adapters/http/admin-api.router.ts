import express, { Router } from 'express';

import { type DeleteAccount } from '../../application/use-cases/delete-account.use-case';
import { type DeleteContact } from '../../application/use-cases/delete-contact.use-case';
import { type GetAccount } from '../../application/use-cases/get-account.use-case';
import { type ListAccounts } from '../../application/use-cases/list-accounts.use-case';
import { type UpsertAccounts } from '../../application/use-cases/upsert-accounts.use-case';
import { type UpsertContacts } from '../../application/use-cases/upsert-contacts.use-case';
import { listAccountsQuerySchema, putAccountsSchema, putContactsSchema } from './admin-api.schemas';
import { bearerAuth } from './bearer-auth';
import { decodeCursor, encodeCursor } from './cursor';

/** Bulk uploads of 10,000 rows fit easily; anything larger is refused before it is parsed. */
export const ADMIN_API_BODY_LIMIT = '10mb';

export interface AdminApiDependencies {
  adminApiKey: string;
  upsertAccounts: UpsertAccounts;
  upsertContacts: UpsertContacts;
  deleteAccount: DeleteAccount;
  deleteContact: DeleteContact;
  getAccount: GetAccount;
  listAccounts: ListAccounts;
}

export function adminApiRouter(deps: AdminApiDependencies): Router {
  const router = Router();
  router.use(bearerAuth(deps.adminApiKey));
  router.use(express.json({ limit: ADMIN_API_BODY_LIMIT, strict: false }));

  router.put('/accounts', async (req, res) => {
    res.json(await deps.upsertAccounts.execute(putAccountsSchema.parse(req.body ?? null)));
  });

  router.get('/accounts', async (req, res) => {
    const query = listAccountsQuerySchema.parse(req.query);
    const afterId = query.cursor === undefined ? null : decodeCursor(query.cursor, ['after']).after!;
    const page = await deps.listAccounts.execute({ limit: query.limit, afterId });
    res.json({
      accounts: page.accounts,
      nextCursor: page.nextAfterId === null ? null : encodeCursor({ after: page.nextAfterId }),
    });
  });

  router.get('/accounts/:id', async (req, res) => {
    res.json(await deps.getAccount.execute(req.params.id));
  });

  router.delete('/accounts/:id', async (req, res) => {
    await deps.deleteAccount.execute(req.params.id);
    res.status(204).end();
  });

  router.put('/contacts', async (req, res) => {
    res.json(await deps.upsertContacts.execute(putContactsSchema.parse(req.body ?? null)));
  });

  router.delete('/contacts/:email', async (req, res) => {
    await deps.deleteContact.execute(req.params.email);
    res.status(204).end();
  });

  return router;
}
