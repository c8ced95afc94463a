import { randomInt } from 'node:crypto';

import type { ChannelRecord } from './channels';
import type { Timers } from './timers';
import type { PushResult, ResourceState } from './types';

export interface PushRetry {
  attempts: number;
  baseDelayMs: number;
}

/** A receiver that neither answers nor fails within this long counts as a network error. */
const PUSH_TIMEOUT_MS = 10_000;

/** Sends Google's push notifications: empty POSTs with X-Goog-* headers, 5xx and network errors retried. */
export class PushSender {
  readonly results: PushResult[] = [];
  private readonly inFlight = new Set<Promise<PushResult>>();

  constructor(
    private readonly retry: PushRetry,
    private readonly timers: Timers,
    private readonly isLive: (channel: ChannelRecord) => boolean,
  ) {}

  /**
   * `notBefore` delays the delivery, yet `idle()` already waits for it; `onFirstAttempt` is called once the first
   * POST is answered, failed or timed out, whatever the retries after it.
   */
  send(
    channel: ChannelRecord,
    state: ResourceState,
    { notBefore, onFirstAttempt }: { notBefore?: Promise<void>; onFirstAttempt?: () => void } = {},
  ): Promise<PushResult> {
    // Google numbers `sync` 1, then grows the number by an unspecified step: receivers must not expect +1.
    const messageNumber = state === 'sync' ? 1 : channel.lastMessageNumber + randomInt(2, 1001);
    channel.lastMessageNumber = messageNumber;
    const delivery: Promise<PushResult> = Promise.resolve(notBefore)
      .then(() => this.deliver(channel, state, messageNumber, onFirstAttempt))
      .then((result) => {
        this.results.push(result);
        return result;
      })
      .finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
    return delivery;
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(
    channel: ChannelRecord,
    state: ResourceState,
    messageNumber: number,
    onFirstAttempt?: () => void,
  ): Promise<PushResult> {
    const headers: Record<string, string> = {
      'X-Goog-Channel-ID': channel.id,
      ...(channel.token === undefined ? {} : { 'X-Goog-Channel-Token': channel.token }),
      'X-Goog-Channel-Expiration': new Date(channel.expiration).toUTCString(),
      'X-Goog-Resource-ID': channel.resourceId,
      'X-Goog-Resource-URI': channel.resourceUri,
      'X-Goog-Resource-State': state,
      'X-Goog-Message-Number': String(messageNumber),
      'User-Agent': 'APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)',
    };
    let attempts = 0;
    let status: number | null;
    for (;;) {
      attempts += 1;
      status = await this.post(channel.address, headers);
      if (attempts === 1) onFirstAttempt?.();
      const retryable = status === null || status >= 500;
      if (!retryable || attempts >= this.retry.attempts || this.timers.closed) break;
      await this.timers.sleep(this.retry.baseDelayMs * 2 ** (attempts - 1));
      if (!this.isLive(channel)) break;
    }
    return { channelId: channel.id, resourceState: state, messageNumber, status, attempts };
  }

  private async post(address: string, headers: Record<string, string>): Promise<number | null> {
    try {
      const response = await fetch(address, {
        method: 'POST',
        headers,
        signal: AbortSignal.any([this.timers.signal, AbortSignal.timeout(PUSH_TIMEOUT_MS)]),
      });
      await response.body?.cancel();
      return response.status;
    } catch {
      return null;
    }
  }
}
