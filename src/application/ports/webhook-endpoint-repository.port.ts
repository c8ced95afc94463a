import type { FeedPosition, InteractionChange } from './change-feed.port';

export interface WebhookEndpointView {
  id: string;
  url: string;
  description: string | null;
  createdAt: Date;
  status: 'active' | 'disabled';
  disabledAt: Date | null;
  lastDeliveredAt: Date | null;
  /** Since when deliveries have failed without one succeeding. */
  failingSince: Date | null;
  lastError: string | null;
  /** Changes not yet delivered. */
  pending: number;
}

export interface DeliveryAttemptView {
  changeId: string;
  type: string;
  attempt: number;
  attemptedAt: Date;
  status: 'delivered' | 'failed' | 'pending';
  responseStatus: number | null;
  error: string | null;
}

/** The right to deliver to one endpoint now; every write of the delivery names its owner. */
export interface DeliveryLease {
  endpointId: string;
  owner: string;
}

/** The head change of an endpoint, claimed for delivery. */
export interface DueDelivery {
  lease: DeliveryLease;
  url: string;
  /** Sealed like OAuth tokens; opened with the endpoint id as context. */
  sealedSecret: Uint8Array;
  change: InteractionChange;
  /** The number of this attempt at the head change (1 for the first). */
  attempt: number;
  failingSince: Date | null;
}

export interface WebhookEndpointRepository {
  create(
    endpoint: { id: string; url: string; description: string | null; sealedSecret: Uint8Array },
    startAfter: FeedPosition,
  ): Promise<WebhookEndpointView>;
  list(): Promise<WebhookEndpointView[]>;
  /** False when there was no such endpoint. */
  delete(id: string): Promise<boolean>;
  /** The most recent attempts, newest first; null for an unknown endpoint. */
  deliveries(endpointId: string, limit: number): Promise<DeliveryAttemptView[] | null>;
  /**
   * Claims the endpoint whose head change is due the longest (not disabled, its pause over, nobody delivering to
   * it), for `owner`, for `leaseMs`; null when none is.
   */
  claimDue(owner: string, leaseMs: number): Promise<DueDelivery | null>;
  /** Logs an attempt as `pending`; returns its id. */
  startAttempt(delivery: DueDelivery): Promise<string>;
  /** The receiver took the change: the endpoint moves past it. Does nothing once the lease is not this owner's. */
  delivered(delivery: DueDelivery, attemptId: string, responseStatus: number): Promise<void>;
  /** The attempt failed: the head change waits until `retryAt` (or the endpoint is disabled). */
  failed(
    delivery: DueDelivery,
    attemptId: string,
    outcome: { responseStatus: number | null; error: string },
    next: { retryAt: Date } | { disable: true },
  ): Promise<void>;
  /** How many endpoints are active, and when the next paused one becomes due (null: none is paused). */
  idleState(): Promise<{ active: number; nextDueAt: Date | null }>;
}

export interface WebhookSendResult {
  /** The receiver's HTTP status, or null when it did not answer in time. */
  status: number | null;
  error: string | null;
}

/** Posts one change to one endpoint, signed as the Standard Webhooks specification says. */
export interface WebhookSender {
  send(endpoint: { url: string; secret: string }, change: InteractionChange): Promise<WebhookSendResult>;
}
