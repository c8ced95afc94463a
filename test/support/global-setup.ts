import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where a jest run keeps the migrated embedded database its test databases start from (databases.ts). */
export const MIGRATED_COPY_DIR_ENV = 'TEST_EMBEDDED_COPY_DIR';

export default function globalSetup(): void {
  process.env[MIGRATED_COPY_DIR_ENV] = mkdtempSync(path.join(os.tmpdir(), 'calendar-sync-tests-'));
}
