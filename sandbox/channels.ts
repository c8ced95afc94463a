import { badRequest } from './google-errors';
import type { SandboxChannel } from './types';

export interface ChannelRecord extends SandboxChannel {
  /** Of the last notification sent; Google's numbers grow per channel but are not consecutive. */
  lastMessageNumber: number;
}

/** Watch channels; a stopped channel is forgotten, an expired one is kept but no longer live. */
export class ChannelRegistry {
  private readonly byId = new Map<string, ChannelRecord>();
  /** The same records by calendar: every change to a calendar looks up its channels, with thousands open. */
  private readonly byCalendar = new Map<string, Set<ChannelRecord>>();

  constructor(private readonly now: () => Date) {}

  open(channel: SandboxChannel): ChannelRecord {
    const existing = this.byId.get(channel.id);
    if (existing !== undefined && this.isLive(existing)) {
      throw badRequest('channelIdNotUnique', `Channel id ${channel.id} not unique`);
    }
    if (existing !== undefined) this.forget(existing);
    const record = { ...channel, lastMessageNumber: 0 };
    this.byId.set(channel.id, record);
    const ofCalendar = this.byCalendar.get(record.calendarEmail) ?? new Set<ChannelRecord>();
    ofCalendar.add(record);
    this.byCalendar.set(record.calendarEmail, ofCalendar);
    return record;
  }

  /** Only the calendar's owner may stop its channel, and only with the right resource id. */
  stop(id: string, resourceId: string, calendarEmail: string): boolean {
    const channel = this.byId.get(id);
    if (channel?.resourceId !== resourceId || channel.calendarEmail !== calendarEmail) return false;
    this.forget(channel);
    return true;
  }

  isLive(channel: ChannelRecord): boolean {
    return this.byId.get(channel.id) === channel && channel.expiration > this.now().getTime();
  }

  live(calendarEmail?: string): ChannelRecord[] {
    const candidates =
      calendarEmail === undefined ? this.byId.values() : (this.byCalendar.get(calendarEmail) ?? []);
    const now = this.now().getTime();
    return [...candidates].filter(
      (channel) => this.byId.get(channel.id) === channel && channel.expiration > now,
    );
  }

  private forget(channel: ChannelRecord): void {
    this.byId.delete(channel.id);
    const ofCalendar = this.byCalendar.get(channel.calendarEmail);
    ofCalendar?.delete(channel);
    if (ofCalendar?.size === 0) this.byCalendar.delete(channel.calendarEmail);
  }
}
