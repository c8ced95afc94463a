/** Google's `EventDateTime`: `dateTime` (RFC 3339) for timed events, `date` (yyyy-mm-dd) for all-day ones. */
export interface EventDateTime {
  dateTime?: string;
  date?: string;
  timeZone?: string;
}

export type ResponseStatus = 'needsAction' | 'declined' | 'tentative' | 'accepted';

export interface EventAttendee {
  email: string;
  displayName?: string;
  responseStatus?: ResponseStatus;
  resource?: boolean;
  organizer?: boolean;
  self?: boolean;
  optional?: boolean;
}

export interface EventPerson {
  email: string;
  displayName?: string;
  self?: boolean;
}

export type EventStatus = 'confirmed' | 'tentative' | 'cancelled';

export type EventType =
  'default' | 'outOfOffice' | 'focusTime' | 'workingLocation' | 'birthday' | 'fromGmail';

export type EventVisibility = 'default' | 'public' | 'private' | 'confidential';

/** Google's event resource as the Calendar API v3 answers it (cancelled ones are tombstones with few fields). */
export interface GoogleEvent {
  kind: 'calendar#event';
  etag: string;
  id: string;
  status: EventStatus;
  htmlLink?: string;
  created?: string;
  updated?: string;
  summary?: string;
  description?: string;
  location?: string;
  creator?: EventPerson;
  organizer?: EventPerson;
  start?: EventDateTime;
  end?: EventDateTime;
  recurrence?: string[];
  recurringEventId?: string;
  originalStartTime?: EventDateTime;
  iCalUID?: string;
  sequence?: number;
  attendees?: EventAttendee[];
  /** Set in a guest's copy when the organizer hides the guest list (`guestsCanSeeOtherGuests: false`). */
  attendeesOmitted?: boolean;
  guestsCanSeeOtherGuests?: boolean;
  visibility?: EventVisibility;
  reminders?: { useDefault: boolean };
  eventType?: EventType;
}

/** What tests give `insertEvent`; the sandbox fills in what Google would. */
export interface SandboxEventInput {
  summary: string;
  description?: string;
  location?: string;
  start: EventDateTime;
  end: EventDateTime;
  attendees?: EventAttendee[];
  /** RRULE and EXDATE lines, e.g. `RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6`. */
  recurrence?: string[];
  id?: string;
  iCalUID?: string;
  organizer?: { email: string; displayName?: string };
  status?: EventStatus;
  /** `default` when omitted; it cannot change once the event exists, as in Google. */
  eventType?: EventType;
  /** Left out of the resource when not given, as Google leaves out defaults. */
  visibility?: EventVisibility;
  /** `false`: guests other than the organizer see only themselves among the attendees. */
  guestsCanSeeOtherGuests?: boolean;
}

export interface SandboxUser {
  email: string;
  name?: string;
  /** IANA zone of the user's primary calendar, default `UTC`. */
  timeZone?: string;
  /** A Workspace super admin: may read the user directory. */
  isAdmin?: boolean;
  /** Suspended by a Workspace admin: listed as such in the directory, refused at sign-in and by delegation. */
  suspended?: boolean;
  /** Deleted from the Workspace: listed only with `showDeleted`, refused everywhere else. */
  deleted?: boolean;
}

export interface SandboxChannel {
  id: string;
  resourceId: string;
  resourceUri: string;
  address: string;
  token?: string;
  /** Milliseconds since the epoch. */
  expiration: number;
  calendarEmail: string;
}

export interface SandboxRequest {
  method: string;
  /** Relative to the sandbox app, whatever it is mounted at. */
  path: string;
  query: Record<string, unknown>;
  status: number;
  /** Real wall-clock milliseconds (not the injected clock), so latency can be measured. */
  startedAt: number;
  finishedAt: number;
  userEmail?: string;
}

export type ResourceState = 'sync' | 'exists';

export interface PushResult {
  channelId: string;
  resourceState: ResourceState;
  messageNumber: number;
  /** The receiver's final HTTP status, or null when it never answered (network error or timeout). */
  status: number | null;
  attempts: number;
}
