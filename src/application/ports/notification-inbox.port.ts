import type { NotificationCheck } from './channel-repository.port';

/** Durable acceptance of push notifications: resolves once the calendar's "needs sync" mark is committed. */
export interface NotificationInbox {
  /** True when the channel is live and watches that resource (and the mark, if asked, is stored). */
  accept(check: NotificationCheck): Promise<boolean>;
}
