import pino, { type DestinationStream, type Logger as Pino } from 'pino';

import type { LogFields, Logger } from '../../application/ports/logger.port';

/**
 * Field names that may carry secrets anywhere in a log line. Callers do not log secrets; this is the second
 * line of defence for a mistake.
 */
const REDACTED_KEYS = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'secret',
  'secretKey',
  'token',
  'accessToken',
  'refreshToken',
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'state',
  'apiKey',
  'adminApiKey',
  'x-goog-channel-token',
];
const REDACT_PATHS = REDACTED_KEYS.flatMap((key) => [`["${key}"]`, `*["${key}"]`, `*.*["${key}"]`]);

export function createPinoLogger(level: string, destination?: DestinationStream): Logger {
  return new PinoLogger(
    pino(
      {
        level,
        base: { service: 'calendar-interactions' },
        redact: { paths: REDACT_PATHS, censor: '[redacted]' },
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      },
      destination,
    ),
  );
}

class PinoLogger implements Logger {
  constructor(private readonly pino: Pino) {}

  debug(message: string, fields: LogFields = {}): void {
    this.pino.debug(fields, message);
  }

  info(message: string, fields: LogFields = {}): void {
    this.pino.info(fields, message);
  }

  warn(message: string, fields: LogFields = {}): void {
    this.pino.warn(fields, message);
  }

  error(message: string, fields: LogFields = {}): void {
    this.pino.error(fields, message);
  }

  child(fields: LogFields): Logger {
    return new PinoLogger(this.pino.child(fields));
  }
}
