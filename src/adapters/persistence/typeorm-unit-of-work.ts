import type { DataSource, EntityManager } from 'typeorm';

import type { TransactionScope, UnitOfWork } from '../../application/ports/unit-of-work.port';
import { TypeOrmAccountRepository } from './typeorm-account.repository';
import { TypeOrmContactRepository } from './typeorm-contact.repository';
import { TypeOrmMatchLookupRepository } from './typeorm-match-lookup.repository';
import { TypeOrmMeetingRepository } from './typeorm-meeting.repository';
import { TypeOrmMemberRepository } from './typeorm-member.repository';
import { TypeOrmSyncQueue } from './typeorm-sync-queue';

/**
 * Every repository on one EntityManager: the data source's (autocommit) or a transaction's. `connectionSaved` is
 * told after a member's connection was written (on a transaction's manager: before the commit).
 */
export function repositoriesOn(
  manager: EntityManager,
  connectionSaved: () => void = () => undefined,
): TransactionScope {
  return {
    accounts: new TypeOrmAccountRepository(manager),
    contacts: new TypeOrmContactRepository(manager),
    matchLookups: new TypeOrmMatchLookupRepository(manager),
    members: new TypeOrmMemberRepository(manager, connectionSaved),
    meetings: new TypeOrmMeetingRepository(manager),
    syncs: new TypeOrmSyncQueue(manager),
  };
}

/**
 * Transactions over the data source. Everything inside goes through the transaction's own connection: on PGlite
 * awaiting another pooled connection inside a transaction would wait for ever.
 */
export class TypeOrmUnitOfWork implements UnitOfWork {
  constructor(
    private readonly dataSource: DataSource,
    /** Told after each commit (it may have written changes of the feed: their readers wait for it). */
    private readonly committed: () => void = () => undefined,
    /** Told after the commit of a transaction that saved a member's connection. */
    private readonly connectionSaved: () => void = () => undefined,
  ) {}

  async run<T>(work: (scope: TransactionScope) => Promise<T>): Promise<T> {
    let savedConnection = false;
    const result = await this.dataSource.transaction((manager) =>
      work(repositoriesOn(manager, () => (savedConnection = true))),
    );
    if (savedConnection) this.connectionSaved();
    this.committed();
    return result;
  }
}
