import { syncSettings } from '../../src/container';
import { testConfig } from '../support/app';

describe('syncSettings', () => {
  const server = 'postgres://calendar@db.example.com:5432/calendar';

  it('writes 75 events per transaction, one transaction at a time, on the embedded database', () => {
    expect(syncSettings(testConfig())).toMatchObject({ eventsPerTransaction: 75 });
    expect(syncSettings(testConfig()).transactionsInFlight).toBeUndefined();
  });

  it('writes two pages at once on a server whose pool has room for every sync loop doing so', () => {
    const settings = syncSettings(testConfig({ DATABASE_URL: server }));
    expect(settings).toMatchObject({ transactionsInFlight: 2 });
    expect(settings.eventsPerTransaction).toBeUndefined();
    expect(syncSettings(testConfig({ DATABASE_URL: server, DATABASE_POOL_SIZE: '9' }))).toMatchObject({
      transactionsInFlight: 1,
    });
  });
});
