export type LogFields = Record<string, unknown>;

/**
 * Structured logging. Callers pass facts as fields, never secrets: adapters redact known secret fields
 * as a second line of defence, not as the first.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}
