import { admin_directory_v1 } from '@googleapis/admin';

import { DelegationNotConfiguredError } from '../../application/errors';
import { NotFoundError } from '../../domain/errors';
import type { DirectoryUser, WorkspaceDirectory } from '../../application/ports/workspace-directory.port';
import type { DelegatedTokens } from './delegated-tokens';
import { delegatedClient } from './google-calendar.gateway';
import { isAccessTokenRefused, statusOf, toTypedGoogleError } from './google-errors';
import { DIRECTORY_READONLY_SCOPE } from './scopes';

/** The most `users.list` gives per page. */
const PAGE_SIZE = 500;
/** A directory of this many pages is taken as a paging loop of Google's, not a domain. */
const MAX_PAGES = 1_000;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The Workspace directory through the official Admin SDK client (`users.list`, paged with `pageToken`), read as
 * GOOGLE_WORKSPACE_ADMIN through the domain-wide delegation, at GOOGLE_BASE_URL when set.
 */
export class GoogleWorkspaceDirectory implements WorkspaceDirectory {
  constructor(
    private readonly tokens: DelegatedTokens | null,
    private readonly admin: string | null,
    /** The Admin SDK's root (GoogleEndpoints.directoryRoot), read on use. */
    private readonly rootUrl: () => string,
  ) {}

  get delegationConfigured(): boolean {
    return this.tokens !== null;
  }

  get directoryConfigured(): boolean {
    return this.tokens !== null && this.admin !== null;
  }

  async users(domain: string): Promise<DirectoryUser[]> {
    if (this.tokens === null) {
      throw new DelegationNotConfiguredError(
        'Domain-wide delegation is not configured (GOOGLE_SERVICE_ACCOUNT_KEY)',
      );
    }
    if (this.admin === null) {
      throw new DelegationNotConfiguredError(
        'Reading the Workspace directory needs GOOGLE_WORKSPACE_ADMIN, a Workspace admin to act as',
      );
    }
    const tokens = this.tokens;
    const admin = this.admin;
    const client = delegatedClient(tokens, admin, [DIRECTORY_READONLY_SCOPE]);
    const directory = new admin_directory_v1.Admin({
      auth: client,
      retry: false,
      timeout: REQUEST_TIMEOUT_MS,
    });
    const listPage = (pageToken: string | undefined) =>
      directory.users.list(
        { domain, maxResults: PAGE_SIZE, ...(pageToken === undefined ? {} : { pageToken }) },
        { rootUrl: this.rootUrl() },
      );
    const users: DirectoryUser[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      let data: admin_directory_v1.Schema$Users;
      try {
        try {
          ({ data } = await listPage(pageToken));
        } catch (error) {
          if (!isAccessTokenRefused(error)) throw error;
          // A token Google no longer takes (the admin's access changed): once more with a new one.
          tokens.forget(admin);
          client.setCredentials({});
          ({ data } = await listPage(pageToken));
        }
      } catch (error) {
        if (statusOf(error) === 404)
          throw new NotFoundError(`Google's directory knows no domain "${domain}"`);
        throw toTypedGoogleError(error);
      }
      for (const user of data.users ?? []) {
        if (typeof user.primaryEmail !== 'string') continue;
        users.push({ email: user.primaryEmail.toLowerCase(), suspended: user.suspended === true });
      }
      if (!data.nextPageToken) return users;
      pageToken = data.nextPageToken;
    }
    throw new Error(`The directory of ${domain} did not end after ${MAX_PAGES} pages`);
  }
}
