import { AccountDomainOrmEntity } from './account-domain.orm-entity';
import { AccountOrmEntity } from './account.orm-entity';
import { AccountEngagementOrmEntity, EngagementDirtyOrmEntity } from './account-engagement.orm-entity';
import { ChangeFeedStateOrmEntity } from './change-feed-state.orm-entity';
import { ChannelOrmEntity } from './channel.orm-entity';
import { JobRunOrmEntity } from './job-run.orm-entity';
import { GoogleCallSlotOrmEntity } from './google-call-slot.orm-entity';
import { CalendarEventOrmEntity } from './calendar-event.orm-entity';
import { ContactOrmEntity } from './contact.orm-entity';
import { InteractionChangeOrmEntity } from './interaction-change.orm-entity';
import { InteractionOrmEntity } from './interaction.orm-entity';
import { MatchingLockOrmEntity } from './matching-lock.orm-entity';
import { MeetingOrmEntity } from './meeting.orm-entity';
import { MemberOrmEntity } from './member.orm-entity';
import { OAuthStateOrmEntity } from './oauth-state.orm-entity';
import { WebhookDeliveryOrmEntity } from './webhook-delivery.orm-entity';
import { WebhookEndpointOrmEntity } from './webhook-endpoint.orm-entity';
import { WorkspaceDomainOrmEntity } from './workspace-domain.orm-entity';

export const ORM_ENTITIES = [
  AccountOrmEntity,
  AccountDomainOrmEntity,
  ContactOrmEntity,
  MemberOrmEntity,
  OAuthStateOrmEntity,
  MeetingOrmEntity,
  CalendarEventOrmEntity,
  InteractionOrmEntity,
  MatchingLockOrmEntity,
  ChannelOrmEntity,
  JobRunOrmEntity,
  GoogleCallSlotOrmEntity,
  InteractionChangeOrmEntity,
  ChangeFeedStateOrmEntity,
  WebhookEndpointOrmEntity,
  WorkspaceDomainOrmEntity,
  WebhookDeliveryOrmEntity,
  AccountEngagementOrmEntity,
  EngagementDirtyOrmEntity,
];
