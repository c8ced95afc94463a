import { AccountsAndContacts1764064800000 } from './1764064800000-accounts-and-contacts';
import { MeetingsAndInteractions1764151200000 } from './1764151200000-meetings-and-interactions';
import { ChannelsAndJobs1764237600000 } from './1764237600000-channels-and-jobs';
import { GoogleCallSlots1764324000000 } from './1764324000000-google-call-slots';
import { ConnectionLifecycle1764496800000 } from './1764496800000-connection-lifecycle';
import { GoogleSignals1764583200000 } from './1764583200000-google-signals';
import { InteractionsOut1764669600000 } from './1764669600000-interactions-out';
import { TeamRollout1764756000000 } from './1764756000000-team-rollout';
import { SetBasedChangeFeed1764842400000 } from './1764842400000-set-based-change-feed';
import { UnmatchedAttendees1764932400000 } from './1764932400000-unmatched-attendees';
import { AccountEngagement1765018800000 } from './1765018800000-account-engagement';
import { PushHolds1765105200000 } from './1765105200000-push-holds';
import { LiveChannelsByMember1765191600000 } from './1765191600000-live-channels-by-member';
import { UnloggedCallSlots1765278000000 } from './1765278000000-unlogged-call-slots';
import { FeedTriggersByIndex1765364400000 } from './1765364400000-feed-triggers-by-index';
import { FeedInsertsWithoutMerge1765450800000 } from './1765450800000-feed-inserts-without-merge';

/** Every migration, oldest first; listed by hand so that the compiled service and the tests load the same set. */
export const MIGRATIONS = [
  AccountsAndContacts1764064800000,
  MeetingsAndInteractions1764151200000,
  ChannelsAndJobs1764237600000,
  GoogleCallSlots1764324000000,
  ConnectionLifecycle1764496800000,
  GoogleSignals1764583200000,
  InteractionsOut1764669600000,
  TeamRollout1764756000000,
  SetBasedChangeFeed1764842400000,
  UnmatchedAttendees1764932400000,
  AccountEngagement1765018800000,
  PushHolds1765105200000,
  LiveChannelsByMember1765191600000,
  UnloggedCallSlots1765278000000,
  FeedTriggersByIndex1765364400000,
  FeedInsertsWithoutMerge1765450800000,
];
