import { rmSync } from 'node:fs';

import { MIGRATED_COPY_DIR_ENV } from './global-setup';

export default function globalTeardown(): void {
  const dir = process.env[MIGRATED_COPY_DIR_ENV];
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}
