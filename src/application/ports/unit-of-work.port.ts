import type { AccountRepository } from './account-repository.port';
import type { ContactRepository } from './contact-repository.port';
import type { MatchLookupRepository } from './match-lookup-repository.port';
import type { MeetingRepository } from './meeting-repository.port';
import type { MemberRepository } from './member-repository.port';
import type { SyncQueue } from './sync-queue.port';

/** Repositories bound to one transaction. */
export interface TransactionScope {
  accounts: AccountRepository;
  contacts: ContactRepository;
  matchLookups: MatchLookupRepository;
  members: MemberRepository;
  meetings: MeetingRepository;
  syncs: SyncQueue;
}

export interface UnitOfWork {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  run<T>(work: (scope: TransactionScope) => Promise<T>): Promise<T>;
}
