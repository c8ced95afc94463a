/** Where the Google client sends each kind of request. */
export interface GoogleEndpoints {
  /** The consent screen: opened by the member's browser, so it must be reachable from there. */
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  /** Base of the Calendar API (`{apiRoot}calendar/v3/...`), with a trailing slash. */
  apiRoot: string;
  /** Base of the Admin SDK (`{directoryRoot}admin/directory/v1/...`), with a trailing slash. */
  directoryRoot: string;
}

export const REAL_GOOGLE_ENDPOINTS: GoogleEndpoints = {
  authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  revokeUrl: 'https://oauth2.googleapis.com/revoke',
  apiRoot: 'https://www.googleapis.com/',
  directoryRoot: 'https://admin.googleapis.com/',
};

/** CONTRACT.md GOOGLE_BASE_URL: one base for every endpoint. */
export function endpointsAt(base: string, browserBase = base): GoogleEndpoints {
  const root = base.replace(/\/+$/, '');
  return {
    authorizeUrl: `${browserBase.replace(/\/+$/, '')}/o/oauth2/v2/auth`,
    tokenUrl: `${root}/token`,
    revokeUrl: `${root}/revoke`,
    apiRoot: `${root}/`,
    directoryRoot: `${root}/`,
  };
}

export interface GoogleClientSettings {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  endpoints: GoogleEndpoints;
}
