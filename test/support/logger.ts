import type { LogFields, Logger } from '../../src/application/ports/logger.port';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: LogFields;
}

/** A logger that keeps what it is told, so tests can assert on log lines (and on what they must never hold). */
export class RecordingLogger implements Logger {
  constructor(
    readonly entries: LogEntry[] = [],
    private readonly bound: LogFields = {},
    /** False: keep nothing (benchmarks). */
    private readonly keep = true,
  ) {}

  debug(message: string, fields: LogFields = {}): void {
    if (this.keep) this.entries.push({ level: 'debug', message, fields: { ...this.bound, ...fields } });
  }

  info(message: string, fields: LogFields = {}): void {
    if (this.keep) this.entries.push({ level: 'info', message, fields: { ...this.bound, ...fields } });
  }

  warn(message: string, fields: LogFields = {}): void {
    if (this.keep) this.entries.push({ level: 'warn', message, fields: { ...this.bound, ...fields } });
  }

  error(message: string, fields: LogFields = {}): void {
    if (this.keep) this.entries.push({ level: 'error', message, fields: { ...this.bound, ...fields } });
  }

  child(fields: LogFields): Logger {
    return new RecordingLogger(this.entries, { ...this.bound, ...fields }, this.keep);
  }
}
