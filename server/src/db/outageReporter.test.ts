import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger.js';
import { createOutageReporter, logFailure } from './outageReporter.js';
import { isDatabaseUnavailable } from './unavailable.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger('debug', sink) };
}

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

describe('isDatabaseUnavailable', () => {
  it('recognizes an unreachable or restarting server, however the driver wraps it', () => {
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('write CONNECTION_CLOSED'), { code: 'CONNECTION_CLOSED' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([refused], 'all addresses refused'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('query failed', { cause: refused }))).toBe(true);
  });

  it('leaves a query that failed on its merits alone', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});

describe('createOutageReporter', () => {
  it('logs the first failure at once, then one summary per interval with the count and places', () => {
    const { lines, logger } = capture();
    let now = 0;
    const outage = createOutageReporter(logger, () => now);
    outage.failed('api', refused);
    for (let i = 0; i < 500; i++) outage.failed(i % 2 ? 'webhook' : 'worker', refused);
    now = 10_000;
    outage.failed('api', refused);
    expect(lines.map((l) => [l.level, l.failuresSinceLastReport, l.where])).toEqual([
      [40, 0, ['api']],
      [40, 500, ['worker', 'webhook', 'api']],
    ]);
    expect(lines.every((l) => l.err === undefined && l.reason === refused.message)).toBe(true);
  });

  it('logFailure sends other errors to the log as errors with their stack', () => {
    const { lines, logger } = capture();
    const outage = createOutageReporter(logger);
    logFailure({ logger, outage }, 'worker', new Error('a bug'), 'sweep failed', { shard: 3 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, msg: 'sweep failed', shard: 3, err: { message: 'a bug' } });
  });
});
