import { badRequest } from './google-errors';
import type { SandboxChannel } from './types';

export interface ChannelRecord extends SandboxChannel {
  /** Of the last notification sent; Google's numbers grow per channel but are not consecutive. */
  lastMessageNumber: number;
}

/** Watch channels; a stopped channel is forgotten, an expired one is kept but no longer live. */
export class ChannelRegistry {
  private readonly byId = new Map<string, ChannelRecord>();

  constructor(private readonly now: () => Date) {}

  open(channel: SandboxChannel): ChannelRecord {
    const existing = this.byId.get(channel.id);
    if (existing !== undefined && this.isLive(existing)) {
      throw badRequest('channelIdNotUnique', `Channel id ${channel.id} not unique`);
    }
    const record = { ...channel, lastMessageNumber: 0 };
    this.byId.set(channel.id, record);
    return record;
  }

  /** Only the calendar's owner may stop its channel, and only with the right resource id. */
  stop(id: string, resourceId: string, calendarEmail: string): boolean {
    const channel = this.byId.get(id);
    if (channel?.resourceId !== resourceId || channel.calendarEmail !== calendarEmail) return false;
    this.byId.delete(id);
    return true;
  }

  isLive(channel: ChannelRecord): boolean {
    return this.byId.get(channel.id) === channel && channel.expiration > this.now().getTime();
  }

  live(calendarEmail?: string): ChannelRecord[] {
    return [...this.byId.values()].filter(
      (channel) =>
        this.isLive(channel) && (calendarEmail === undefined || channel.calendarEmail === calendarEmail),
    );
  }
}
