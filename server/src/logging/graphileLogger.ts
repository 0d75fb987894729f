import { Logger as GraphileLogger, type LogLevel } from 'graphile-worker';
import type { Logger } from './logger.js';

const levels: Record<LogLevel, 'error' | 'warn' | 'info' | 'debug'> = {
  error: 'error',
  warning: 'warn',
  info: 'info',
  debug: 'debug',
};

/** Routes graphile-worker's logs through Herald's pino logger (and its redaction). */
export function graphileLogger(logger: Logger): GraphileLogger {
  return new GraphileLogger((scope) => (level, message, meta) => {
    logger[levels[level]]({ worker: scope, ...meta }, message);
  });
}
