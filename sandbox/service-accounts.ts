import { createHash, generateKeyPairSync, type KeyObject, randomBytes, verify } from 'node:crypto';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const DIRECTORY_READONLY_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.readonly';
const DIRECTORY_SCOPES = [DIRECTORY_READONLY_SCOPE, 'https://www.googleapis.com/auth/admin.directory.user'];

/** Google's JSON key file of a service account, fields in the order Google writes them. */
export interface ServiceAccountKeyFile {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  /** PKCS#8 PEM. */
  private_key: string;
  client_email: string;
  /** Numeric: what a Workspace admin enters in the Admin console to grant domain-wide delegation. */
  client_id: string;
  auth_uri: string;
  token_uri: string;
  auth_provider_x509_cert_url: string;
  client_x509_cert_url: string;
  universe_domain: string;
}

/** What the token endpoint answers to an assertion: a grant, or Google's refusal. */
export type AssertionVerdict =
  | { ok: true; subject: string; scope: string }
  | { ok: false; status: 400 | 401; error: string; description: string };

/** Whether a Workspace user exists, as the token endpoint sees the assertion's `sub`. */
export type UserState = 'active' | 'suspended' | 'unknown';

interface Account {
  clientId: string;
  /** Public keys by key id; deleting a key in the console removes it. */
  keys: Map<string, KeyObject>;
  /** The scopes a Workspace admin authorised for the account's client id; null when delegation is not granted. */
  delegatedScopes: Set<string> | null;
}

/** Google allows an assertion at most an hour of life; clocks may differ by this much. */
const MAX_ASSERTION_LIFE_S = 3600;
const CLOCK_SKEW_S = 300;

const TIMEFRAME =
  "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your 'iat' " +
  "and 'exp' values and use a clock with skew to account for clock differences between systems.";
const UNAUTHORIZED_CLIENT =
  'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the ' +
  'scopes requested.';

const refuse = (status: 400 | 401, error: string, description: string): AssertionVerdict => ({
  ok: false,
  status,
  error,
  description,
});

function decodeJson(part: string | undefined): Record<string, unknown> | null {
  if (part === undefined || !/^[A-Za-z0-9_-]+$/.test(part)) return null;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * Service accounts and their domain-wide delegation, as Google's token endpoint checks the JWT bearer grant
 * (RFC 7523): the RS256 signature against the account's public keys (`kid` optional: Google's Node client sends
 * none), `aud` equal to the token endpoint, `iat`/`exp` at most an hour apart and near now, `scope` present and
 * authorised for the account in the Admin console, `sub` a user of the domain.
 */
export class ServiceAccounts {
  private readonly accounts = new Map<string, Account>();

  constructor(private readonly now: () => Date) {}

  /** A new account with one key, its delegation not granted yet. */
  create(name: string, project = 'sandbox-project'): ServiceAccountKeyFile {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const email = `${name}@${project}.iam.gserviceaccount.com`;
    const keyId = randomBytes(20).toString('hex');
    const clientId = BigInt(`0x${createHash('sha256').update(email).digest('hex').slice(0, 16)}`)
      .toString()
      .padStart(21, '1');
    this.accounts.set(email, { clientId, keys: new Map([[keyId, publicKey]]), delegatedScopes: null });
    return {
      type: 'service_account',
      project_id: project,
      private_key_id: keyId,
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: email,
      client_id: clientId,
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: 'https://oauth2.googleapis.com/token',
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(email)}`,
      universe_domain: 'googleapis.com',
    };
  }

  /** Grants (a list of scopes) or withdraws (null) the account's domain-wide delegation. */
  delegate(clientEmail: string, scopes: readonly string[] | null): void {
    this.account(clientEmail).delegatedScopes = scopes === null ? null : new Set(scopes);
  }

  /** Deletes every key of the account, as an admin rotating or revoking keys in the console. */
  deleteKeys(clientEmail: string): void {
    this.account(clientEmail).keys.clear();
  }

  verify(assertion: string, audience: string, userState: (email: string) => UserState): AssertionVerdict {
    const [headerPart, claimsPart, signaturePart, extra] = assertion.split('.');
    const header = decodeJson(headerPart);
    const claims = decodeJson(claimsPart);
    if (header === null || claims === null || signaturePart === undefined || extra !== undefined) {
      return refuse(400, 'invalid_grant', 'Invalid JWT Signature.');
    }
    const account = typeof claims.iss === 'string' ? this.accounts.get(claims.iss) : undefined;
    if (account === undefined) return refuse(400, 'invalid_grant', 'Invalid grant: account not found');
    const keys =
      typeof header.kid === 'string'
        ? [account.keys.get(header.kid)].filter((key) => key !== undefined)
        : [...account.keys.values()];
    const signed = Buffer.from(`${headerPart}.${claimsPart}`);
    const signature = Buffer.from(signaturePart, 'base64url');
    if (header.alg !== 'RS256' || !keys.some((key) => verify('RSA-SHA256', signed, key, signature))) {
      return refuse(400, 'invalid_grant', 'Invalid JWT Signature.');
    }
    if (claims.aud !== audience) return refuse(400, 'invalid_grant', 'Invalid JWT: Failed audience check.');
    const nowS = Math.floor(this.now().getTime() / 1000);
    const { iat, exp } = claims;
    if (
      typeof iat !== 'number' ||
      typeof exp !== 'number' ||
      exp < iat ||
      exp - iat > MAX_ASSERTION_LIFE_S ||
      iat > nowS + CLOCK_SKEW_S ||
      exp < nowS - CLOCK_SKEW_S
    ) {
      return refuse(400, 'invalid_grant', TIMEFRAME);
    }
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
    if (scopes.length === 0) {
      return refuse(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    }
    if (claims.sub === undefined) return { ok: true, subject: claims.iss as string, scope: scopes.join(' ') };
    if (typeof claims.sub !== 'string') return refuse(400, 'invalid_grant', 'Invalid email or User ID');
    const delegated = account.delegatedScopes;
    if (delegated === null || !scopes.every((scope) => delegated.has(scope))) {
      return refuse(401, 'unauthorized_client', UNAUTHORIZED_CLIENT);
    }
    if (userState(claims.sub) !== 'active') return refuse(400, 'invalid_grant', 'Invalid email or User ID');
    return { ok: true, subject: claims.sub.toLowerCase(), scope: scopes.join(' ') };
  }

  private account(clientEmail: string): Account {
    const account = this.accounts.get(clientEmail);
    if (account === undefined) throw new Error(`No service account ${clientEmail}`);
    return account;
  }
}

/** Whether an access token's scopes let it read the user directory. */
export const readsDirectory = (scopes: readonly string[]): boolean =>
  scopes.some((scope) => DIRECTORY_SCOPES.includes(scope));
