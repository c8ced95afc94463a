import { DelegatedTokens } from '../../../src/adapters/google/delegated-tokens';
import { parseServiceAccountKey } from '../../../src/adapters/google/service-account-key';
import {
  DelegationRefusedError,
  GoogleSetupError,
  GoogleUnavailableError,
} from '../../../src/application/errors';
import { ADA, type Harness, SCOPE, startSandbox } from '../../sandbox/harness';

/** The delegation's token source against the sandbox's token endpoint, which checks assertions as Google does. */
describe('DelegatedTokens', () => {
  let h: Harness;
  let tokens: DelegatedTokens;
  /** The sandbox's clock: real time unless a test moves it. */
  let nowMs: number;
  const tokenCalls = () => h.sandbox.requests.filter((r) => r.path === '/token').length;

  beforeEach(async () => {
    nowMs = Date.now();
    h = await startSandbox({ now: () => new Date(nowMs) }, '/google');
    const key = parseServiceAccountKey(JSON.stringify(h.sandbox.serviceAccountKey()));
    tokens = new DelegatedTokens(key, () => `${h.base}/token`);
  });
  afterEach(() => h.stop());

  it('asks once for a user and scope, also when asked concurrently, until told the token was refused', async () => {
    const [first, second] = await Promise.all([tokens.token(ADA, [SCOPE]), tokens.token(ADA, [SCOPE])]);
    expect(first).toEqual(second);
    expect(await tokens.token(ADA, [SCOPE])).toEqual(first);
    expect(tokenCalls()).toBe(1);
    expect(first.expiryDate).toBeGreaterThan(Date.now() + 3_000_000);
    tokens.forget(ADA);
    expect((await tokens.token(ADA, [SCOPE])).accessToken).not.toBe(first.accessToken);
    expect(tokenCalls()).toBe(2);
  });

  it('asks again shortly before a token expires', async () => {
    const clocked = new DelegatedTokens(
      parseServiceAccountKey(JSON.stringify(h.sandbox.serviceAccountKey())),
      () => `${h.base}/token`,
      () => nowMs,
    );
    const first = await clocked.token(ADA, [SCOPE]);
    expect((await clocked.token(ADA, [SCOPE])).accessToken).toBe(first.accessToken);
    nowMs = first.expiryDate - 4 * 60_000;
    expect((await clocked.token(ADA, [SCOPE])).accessToken).not.toBe(first.accessToken);
  });

  it("tells whose doing a refusal is: the Workspace admin's, the operator's, or Google being down", async () => {
    await expect(tokens.token('nobody@ourco.com', [SCOPE])).rejects.toThrow(DelegationRefusedError);
    h.sandbox.delegate(null);
    await expect(tokens.token(ADA, [SCOPE])).rejects.toThrow(
      /Google refused domain-wide delegation for ada@ourco.com \(unauthorized_client/,
    );
    h.sandbox.delegate();
    h.sandbox.injectFault({ status: 503, pathPattern: /\/token$/ });
    await expect(tokens.token(ADA, [SCOPE])).rejects.toThrow(GoogleUnavailableError);
    h.sandbox.deleteServiceAccountKeys();
    const refused = tokens.token(ADA, [SCOPE]);
    await expect(refused).rejects.toThrow(GoogleSetupError);
    await expect(refused).rejects.toThrow(/Invalid JWT Signature.*GOOGLE_SERVICE_ACCOUNT_KEY/);
  });

  it('never puts the private key or the assertion in an error message', async () => {
    h.sandbox.deleteServiceAccountKeys();
    const error = (await tokens.token(ADA, [SCOPE]).catch((e: unknown) => e)) as Error;
    expect(error.message).not.toMatch(/PRIVATE KEY|eyJ/);
  });
});
