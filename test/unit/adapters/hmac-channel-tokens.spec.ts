import { randomUUID } from 'node:crypto';

import { HmacChannelTokens } from '../../../src/adapters/crypto/hmac-channel-tokens';

describe('HmacChannelTokens', () => {
  const tokens = new HmacChannelTokens('a-secret-key-of-at-least-32-characters!!');

  it('accepts its own token, before and after the channel is remembered', () => {
    const channelId = randomUUID();
    const token = tokens.sign(channelId);
    expect(tokens.verify(channelId, token)).toBe(true);
    expect(tokens.verify(channelId, token)).toBe(true);
  });

  it('refuses a changed token, one of another length and another channel’s, also once the channel is remembered', () => {
    const channelId = randomUUID();
    const token = tokens.sign(channelId);
    const changed = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const other = tokens.sign(randomUUID());
    for (const remembered of [false, true]) {
      if (remembered) expect(tokens.verify(channelId, token)).toBe(true);
      expect(tokens.verify(channelId, changed)).toBe(false);
      expect(tokens.verify(channelId, `${token}x`)).toBe(false);
      expect(tokens.verify(channelId, token.slice(1))).toBe(false);
      expect(tokens.verify(channelId, '')).toBe(false);
      expect(tokens.verify(channelId, other)).toBe(false);
    }
  });

  it('does not accept a forged token after the forgery was tried', () => {
    const channelId = randomUUID();
    expect(tokens.verify(channelId, 'forged')).toBe(false);
    expect(tokens.verify(channelId, 'forged')).toBe(false);
    expect(tokens.verify(channelId, tokens.sign(channelId))).toBe(true);
  });

  it('does not accept another key’s token', () => {
    const channelId = randomUUID();
    const elsewhere = new HmacChannelTokens('another-secret-key-of-at-least-32-chars!!');
    expect(tokens.verify(channelId, tokens.sign(channelId))).toBe(true);
    expect(tokens.verify(channelId, elsewhere.sign(channelId))).toBe(false);
  });
});
