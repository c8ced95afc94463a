import { createHmac, timingSafeEqual } from 'node:crypto';

import type { ChannelTokens } from '../../application/ports/channel-tokens.port';
import { sameSecret } from './constant-time';
import { deriveKey } from './key-derivation';

/** Tokens of channels that passed verification, kept at most: about two channels per member. */
const MAX_VERIFIED = 100_000;

/** HMAC-SHA256(key derived from SECRET_KEY, channel id), base64url: forged channel tokens fail without a lookup. */
export class HmacChannelTokens implements ChannelTokens {
  private readonly key: Buffer;
  /**
   * Each push of a live channel carries the same token: the token of a channel that verified once is kept, so the
   * webhook's busiest path compares instead of hashing. Only verified channels get here, so forgeries cannot fill
   * it. Every token has the same length (a SHA-256 HMAC in base64url), so comparing bytes leaks nothing.
   */
  private readonly verified = new Map<string, Buffer>();

  constructor(secretKey: string) {
    this.key = deriveKey(secretKey, 'channel-token');
  }

  sign(channelId: string): string {
    return createHmac('sha256', this.key).update(channelId).digest('base64url');
  }

  verify(channelId: string, token: string): boolean {
    const known = this.verified.get(channelId);
    if (known !== undefined) {
      const given = Buffer.from(token);
      return given.length === known.length && timingSafeEqual(given, known);
    }
    const expected = this.sign(channelId);
    if (!sameSecret(token, expected)) return false;
    if (this.verified.size >= MAX_VERIFIED) this.verified.clear();
    this.verified.set(channelId, Buffer.from(expected));
    return true;
  }
}
