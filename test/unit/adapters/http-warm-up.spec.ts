import { warmUpGoogleHttp } from '../../../src/adapters/google/http-warm-up';

describe('warming up the Google HTTP client', () => {
  it('goes through gaxios and its fetch library without the network', async () => {
    await expect(warmUpGoogleHttp()).resolves.toBeUndefined();
  });
});
