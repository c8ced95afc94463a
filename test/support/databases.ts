import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { Client } from 'pg';
import type { DataSource } from 'typeorm';

import { createDataSource } from '../../src/adapters/persistence/data-source';
import { EMBEDDED_POOL_SIZE, startEmbeddedPostgres } from '../../src/adapters/persistence/embedded-postgres';
import { QueryCounter } from '../../src/adapters/persistence/typeorm-logger';
import { MIGRATED_COPY_DIR_ENV } from './global-setup';
import { RecordingLogger } from './logger';

export interface TestDatabase {
  dataSource: DataSource;
  queryCounter: QueryCounter;
  /** The URL the data source uses (with its own schema on a server). */
  url: string;
  schema: string | undefined;
  stop(): Promise<void>;
}

export interface DatabaseTarget {
  name: 'embedded' | 'postgres';
  start(): Promise<TestDatabase>;
}

const SERVER_POOL_SIZE = 4;

/**
 * In-memory PGlite: always available, even on a machine without a database server. Each starts from a copy of a
 * migrated database that the first one of the test run leaves (see global-setup.ts), instead of PGlite's initdb;
 * the migrations still run, so a copy that lacks one would get it.
 */
export const embeddedTarget: DatabaseTarget = {
  name: 'embedded',
  async start() {
    const initialData = readMigratedCopy();
    const embedded = await startEmbeddedPostgres({ maxConnections: EMBEDDED_POOL_SIZE + 1, initialData });
    const database = await connect(embedded.url, undefined, EMBEDDED_POOL_SIZE).catch(async (error) => {
      await embedded.stop();
      throw error;
    });
    if (initialData === undefined) await leaveMigratedCopy(() => embedded.dump());
    return {
      ...database,
      async stop() {
        await database.stop();
        await embedded.stop();
      },
    };
  },
};

function readMigratedCopy(): Uint8Array | undefined {
  const dir = process.env[MIGRATED_COPY_DIR_ENV];
  if (dir === undefined) return undefined;
  try {
    return readFileSync(path.join(dir, 'migrated.tar'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The first of the run's workers to get here writes the copy (whole, by a rename); the others leave it to it. */
async function leaveMigratedCopy(dump: () => Promise<Uint8Array>): Promise<void> {
  const dir = process.env[MIGRATED_COPY_DIR_ENV];
  if (dir === undefined) return;
  try {
    closeSync(openSync(path.join(dir, 'migrated.lock'), 'wx'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  }
  const partial = path.join(dir, `migrated.tar.${process.pid}`);
  writeFileSync(partial, await dump());
  renameSync(partial, path.join(dir, 'migrated.tar'));
}

/**
 * TEST_DATABASE_URL's server, in a schema of this test file's own (dropped afterwards), so that jest workers
 * running in parallel never see each other's rows.
 */
export function postgresTarget(serverUrl: string): DatabaseTarget {
  return {
    name: 'postgres',
    async start() {
      const schema = `test_${randomBytes(6).toString('hex')}`;
      await withClient(serverUrl, (client) => client.query(`CREATE SCHEMA ${schema}`));
      const database = await connect(serverUrl, schema, SERVER_POOL_SIZE);
      return {
        ...database,
        async stop() {
          await database.stop();
          await withClient(serverUrl, (client) => client.query(`DROP SCHEMA ${schema} CASCADE`));
        },
      };
    },
  };
}

/** Every database the suite runs against here: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export function databaseTargets(): DatabaseTarget[] {
  const serverUrl = process.env.TEST_DATABASE_URL;
  return serverUrl ? [embeddedTarget, postgresTarget(serverUrl)] : [embeddedTarget];
}

async function connect(
  url: string,
  schema: string | undefined,
  poolSize: number,
): Promise<Omit<TestDatabase, 'stop'> & { stop(): Promise<void> }> {
  const queryCounter = new QueryCounter();
  const dataSource = createDataSource({
    url,
    poolSize,
    logger: new RecordingLogger(),
    schema,
    queryCounter,
  });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return { dataSource, queryCounter, url, schema, stop: () => dataSource.destroy() };
}

/** One short-lived connection to `url` (creating and dropping databases and schemas, test-side checks). */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Empties every table of the service's data (the schema and the matching lock row stay). TRUNCATE locks its tables
 * one by one, so a worker a suite left running (the webhook worker reads deliveries, then changes) can deadlock with
 * it; PostgreSQL then aborts one side, and if that is the TRUNCATE it is simply tried again.
 */
export async function resetData(dataSource: DataSource): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await dataSource.query(
        `TRUNCATE accounts, account_domains, contacts, members, oauth_states, meetings, calendar_events, interactions,
                  channels, job_runs, google_call_slots, interaction_changes, webhook_endpoints, webhook_deliveries,
                  account_engagement, engagement_dirty`,
      );
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== '40P01' || attempt === 5) throw error;
    }
  }
  await dataSource.query('UPDATE change_feed_state SET pruned_xid = 0, pruned_seq = 0');
}

/** `serverUrl` pointed at another database of the same server. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
