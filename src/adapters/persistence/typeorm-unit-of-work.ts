import type { DataSource, EntityManager } from 'typeorm';

import type { TransactionScope, UnitOfWork } from '../../application/ports/unit-of-work.port';
import { TypeOrmAccountRepository } from './typeorm-account.repository';
import { TypeOrmContactRepository } from './typeorm-contact.repository';
import { TypeOrmMatchLookupRepository } from './typeorm-match-lookup.repository';
import { TypeOrmMeetingRepository } from './typeorm-meeting.repository';
import { TypeOrmMemberRepository } from './typeorm-member.repository';
import { TypeOrmSyncQueue } from './typeorm-sync-queue';

/** Every repository on one EntityManager: the data source's (autocommit) or a transaction's. */
export function repositoriesOn(manager: EntityManager): TransactionScope {
  return {
    accounts: new TypeOrmAccountRepository(manager),
    contacts: new TypeOrmContactRepository(manager),
    matchLookups: new TypeOrmMatchLookupRepository(manager),
    members: new TypeOrmMemberRepository(manager),
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
  ) {}

  async run<T>(work: (scope: TransactionScope) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction((manager) => work(repositoriesOn(manager)));
    this.committed();
    return result;
  }
}
