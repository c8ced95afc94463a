import { Gaxios } from 'gaxios';

/**
 * The Google clients' HTTP layer (gaxios) loads its fetch library on its first request, which costs 25-40 ms: the
 * first sign-in after a start would wait for it between the callback and the token exchange. A `data:` URL takes
 * the same path without the network.
 */
export async function warmUpGoogleHttp(): Promise<void> {
  await new Gaxios().request({ url: 'data:application/json,{}', responseType: 'json' });
}
