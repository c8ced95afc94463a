import type { Express } from 'express';

import type { Logger } from './application/ports/logger.port';
import {
  endpointsAt,
  type GoogleClientSettings,
  REAL_GOOGLE_ENDPOINTS,
} from './adapters/google/google-endpoints';
import type { Config } from './config';
import type { DelegationSettings } from './container';
import { parseServiceAccountKey } from './adapters/google/service-account-key';
import { DEMO_WORKSPACE_ADMIN } from './offline-demo';
import { GoogleSandbox } from '../sandbox/google-sandbox';

/** Where the built-in sandbox is mounted when no OAuth client is configured. */
export const SANDBOX_PATH = '/sandbox/google';

export interface GoogleWiring {
  /** Read on use: with the built-in sandbox the service's own port is known only once it listens. */
  settings: () => GoogleClientSettings;
  /** Mounts the sandbox on the service's app (offline mode); does nothing otherwise. */
  mount: (app: Express) => void;
  /** Tells the wiring the port the service listens on. */
  listening: (port: number) => void;
  sandbox: GoogleSandbox | null;
  /** Domain-wide delegation: the configured key, or offline the sandbox's own service account. */
  delegation: DelegationSettings | null;
}

/**
 * Real Google with GOOGLE_CLIENT_ID; any Google-like service at GOOGLE_BASE_URL; otherwise the built-in sandbox,
 * mounted in-process at /sandbox/google so that `npm start` works offline with one port.
 */
export function wireGoogle(config: Config, logger: Logger): GoogleWiring {
  const redirectUri = `${config.publicUrl}/auth/google/callback`;
  if (!config.offlineDemo) {
    const settings: GoogleClientSettings = {
      clientId: config.google?.clientId ?? 'sandbox-client-id',
      clientSecret: config.google?.clientSecret ?? 'sandbox-client-secret',
      redirectUri,
      endpoints: config.googleBaseUrl === null ? REAL_GOOGLE_ENDPOINTS : endpointsAt(config.googleBaseUrl),
    };
    if (config.google === null)
      logger.info('using the Google stand-in at GOOGLE_BASE_URL', { url: config.googleBaseUrl });
    else if (config.googleBaseUrl === null && !config.publicUrl.startsWith('https:')) {
      logger.warn(
        'PUBLIC_URL is not https: Google refuses to push to it, so changes wait for the safety sync',
        {
          publicUrl: config.publicUrl,
        },
      );
    }
    const delegation =
      config.serviceAccountKey === null
        ? null
        : { key: config.serviceAccountKey, admin: config.workspaceAdmin };
    return {
      settings: () => settings,
      mount: () => undefined,
      listening: () => undefined,
      sandbox: null,
      delegation,
    };
  }

  if (config.serviceAccountKey !== null) {
    logger.warn(
      'GOOGLE_SERVICE_ACCOUNT_KEY is not used with the built-in sandbox: its own service account stands in for it',
    );
  }
  // Google pushes only to https; the offline demo has no certificate, so its sandbox accepts PUBLIC_URL's host.
  const sandbox = new GoogleSandbox({ httpWebhookHosts: [new URL(config.publicUrl).hostname] });
  let port = config.port;
  const settings = (): GoogleClientSettings => ({
    clientId: sandbox.clientId,
    clientSecret: sandbox.clientSecret,
    redirectUri,
    // The browser reaches the consent page through PUBLIC_URL; the service calls the rest on loopback.
    endpoints: endpointsAt(`http://127.0.0.1:${port}${SANDBOX_PATH}`, `${config.publicUrl}${SANDBOX_PATH}`),
  });
  return {
    settings,
    mount: (app) => app.use(SANDBOX_PATH, sandbox.app),
    listening: (actualPort) => {
      port = actualPort;
      logger.info('no GOOGLE_CLIENT_ID: using the built-in Google sandbox', {
        sandbox: `${config.publicUrl}${SANDBOX_PATH}`,
        signIn: `${config.publicUrl}/auth/google`,
      });
    },
    sandbox,
    // The sandbox's service account stands in for the operator's key file, which the sandbox could not verify.
    delegation: {
      key: parseServiceAccountKey(JSON.stringify(sandbox.serviceAccountKey())),
      admin: config.workspaceAdmin ?? DEMO_WORKSPACE_ADMIN,
    },
  };
}
