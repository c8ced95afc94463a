import type { DataSource } from 'typeorm';

import type { DatabaseHealth } from '../../application/ports/database-health.port';

export class TypeOrmDatabaseHealth implements DatabaseHealth {
  constructor(private readonly db: DataSource) {}

  async check(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`database did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.db.query('SELECT 1'), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
