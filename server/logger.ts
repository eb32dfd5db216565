import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

/** The one process logger. Secrets are redacted wherever they might appear in a logged object. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: {
      paths: ['password', '*.password', 'ha1', '*.ha1', 'ha1Md5', 'ha1Sha256', '*.ha1Md5', '*.ha1Sha256',
        'req.headers.authorization', 'headers.authorization', 'token', '*.token', 'secretKey', '*.secretKey', 'passwordSealed', '*.passwordSealed'],
      censor: '[redacted]',
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
