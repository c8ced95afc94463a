import { createHmac } from 'node:crypto';

import type { ChannelTokens } from '../../application/ports/channel-tokens.port';
import { sameSecret } from './constant-time';
import { deriveKey } from './key-derivation';

/** HMAC-SHA256(key derived from SECRET_KEY, channel id), base64url: forged channel tokens fail without a lookup. */
export class HmacChannelTokens implements ChannelTokens {
  private readonly key: Buffer;

  constructor(secretKey: string) {
    this.key = deriveKey(secretKey, 'channel-token');
  }

  sign(channelId: string): string {
    return createHmac('sha256', this.key).update(channelId).digest('base64url');
  }

  verify(channelId: string, token: string): boolean {
    return sameSecret(token, this.sign(channelId));
  }
}
