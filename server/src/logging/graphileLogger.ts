import { Logger as GraphileLogger, type LogLevel } from 'graphile-worker';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import type { OutageReporter } from '../db/outageReporter.js';
import type { Logger } from './logger.js';

const levels: Record<LogLevel, 'error' | 'warn' | 'info' | 'debug'> = {
  error: 'error',
  warning: 'warn',
  info: 'info',
  debug: 'debug',
};

const POOL_SMALLER_THAN_CONCURRENCY = /^WARNING: having maxPoolSize \(\d+\) smaller than concurrency/;

/**
 * Routes graphile-worker's logs through Herald's pino logger (and its
 * redaction). A job that failed because the database went away is the
 * outage reporter's to mention, not an error with a stack per job: the job
 * runs again once the database is back. The warning that the pool is
 * smaller than the concurrency is dropped: that is on purpose (runner.ts,
 * RUNNER_POOL_MAX), as tasks work on their own connections.
 */
export function graphileLogger(logger: Logger, outage?: OutageReporter): GraphileLogger {
  return new GraphileLogger((scope) => (level, message, meta) => {
    const err = meta?.error ?? meta?.fatalError;
    if (outage && level === 'error' && isDatabaseUnavailable(err)) return outage.failed('worker', err);
    if (level === 'warning' && POOL_SMALLER_THAN_CONCURRENCY.test(message)) return;
    logger[levels[level]]({ worker: scope, ...meta }, message);
  });
}
