import { createPrivateKey, type KeyObject } from 'node:crypto';

/** A service account's key as the service keeps it: the private key as a KeyObject, which never prints its bytes. */
export interface ServiceAccountKey {
  clientEmail: string;
  privateKey: KeyObject;
  privateKeyId: string | null;
}

/**
 * Reads Google's JSON key format (CONTRACT.md: `client_email`, `private_key`, `private_key_id`). Its `token_uri`
 * is Google's own token endpoint, which the service knows (and replaces with GOOGLE_BASE_URL's when that is set).
 * Errors name the field at fault and never quote the file.
 */
export function parseServiceAccountKey(json: string): ServiceAccountKey {
  let file: unknown;
  try {
    file = JSON.parse(json);
  } catch {
    throw new Error('is not JSON (expected the JSON key file Google gives for a service account)');
  }
  if (typeof file !== 'object' || file === null || Array.isArray(file)) {
    throw new Error('is not a service account JSON key');
  }
  const fields = file as Record<string, unknown>;
  if (fields.type !== undefined && fields.type !== 'service_account') {
    throw new Error('is not a service account key (its "type" is not "service_account")');
  }
  const clientEmail = fields.client_email;
  if (typeof clientEmail !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(clientEmail)) {
    throw new Error('has no valid "client_email"');
  }
  if (typeof fields.private_key !== 'string' || fields.private_key === '') {
    throw new Error('has no "private_key"');
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: fields.private_key, format: 'pem' });
  } catch {
    throw new Error('has a "private_key" that is not a PEM private key');
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error('has a "private_key" that is not an RSA key');
  return {
    clientEmail,
    privateKey,
    privateKeyId: typeof fields.private_key_id === 'string' ? fields.private_key_id : null,
  };
}
