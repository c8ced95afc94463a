import { PGlite } from '@electric-sql/pglite';

/**
 * `node embedded-initdb <pgdata>`: creates the embedded database's data directory and exits. Run as a child
 * process (see startEmbeddedPostgres) so that initdb's memory peak is not the service's.
 */
async function initdb(dataDir: string): Promise<void> {
  const settings = JSON.parse(process.env.EMBEDDED_SETTINGS ?? '[]') as string[];
  const db = new PGlite(dataDir, { postgresqlconf: settings });
  await db.waitReady;
  await db.close();
}

initdb(process.argv[2]!).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
