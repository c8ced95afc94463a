import { hkdfSync } from 'node:crypto';

/** Purposes of keys derived from SECRET_KEY; one key per purpose so that no key serves two uses. */
export type KeyPurpose =
  'admin-api-key' | 'token-encryption' | 'channel-token' | 'oauth-state' | 'session-cookie';

/** HKDF-SHA256 of SECRET_KEY for one purpose. */
export function deriveKey(secretKey: string, purpose: KeyPurpose, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKey, 'calendar-interactions', purpose, length));
}
