import { randomBytes, randomUUID } from 'node:crypto';

import { inject, injectable } from 'inversify';

import { NotFoundError } from '../../domain/errors';
import type { ChangeFeed, ChangeNotifications } from '../ports/change-feed.port';
import type { TokenCipher } from '../ports/token-cipher.port';
import { TOKENS } from '../ports/tokens';
import type {
  DeliveryAttemptView,
  WebhookEndpointRepository,
  WebhookEndpointView,
} from '../ports/webhook-endpoint-repository.port';

/** Bytes of randomness in a signing secret (the Standard Webhooks specification asks for 24 to 64). */
const SECRET_BYTES = 32;
/** Attempts listed per endpoint. */
const RECENT_ATTEMPTS = 100;

/**
 * Outbound webhook endpoints, registered by admins: each receives every change from its registration on. The
 * signing secret (`whsec_` + base64) is shown once, at creation, and stored encrypted.
 */
@injectable()
export class ManageWebhookEndpoints {
  constructor(
    @inject(TOKENS.WebhookEndpointRepository) private readonly endpoints: WebhookEndpointRepository,
    @inject(TOKENS.ChangeFeed) private readonly feed: ChangeFeed,
    @inject(TOKENS.TokenCipher) private readonly cipher: TokenCipher,
    @inject(TOKENS.ChangeNotifications) private readonly notifications: ChangeNotifications,
  ) {}

  async create(input: {
    url: string;
    description: string | null;
  }): Promise<WebhookEndpointView & { secret: string }> {
    const id = randomUUID();
    const secret = `whsec_${randomBytes(SECRET_BYTES).toString('base64')}`;
    const created = await this.endpoints.create(
      { id, url: input.url, description: input.description, sealedSecret: this.cipher.encrypt(secret, id) },
      await this.feed.safePosition(),
    );
    this.notifications.notify();
    return { ...created, secret };
  }

  list(): Promise<WebhookEndpointView[]> {
    return this.endpoints.list();
  }

  async delete(id: string): Promise<void> {
    if (!(await this.endpoints.delete(id))) throw new NotFoundError(`No webhook endpoint "${id}"`);
  }

  async deliveries(id: string): Promise<DeliveryAttemptView[]> {
    const attempts = await this.endpoints.deliveries(id, RECENT_ATTEMPTS);
    if (attempts === null) throw new NotFoundError(`No webhook endpoint "${id}"`);
    return attempts;
  }
}
