import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { graphileLogger } from './graphileLogger.js';
import { createLogger } from './logger.js';

function captured() {
  const lines: { level: number; msg: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  return { lines, logger: graphileLogger(createLogger('debug', destination)) };
}

it("passes graphile-worker's warnings on, except the one about a pool smaller than the concurrency, which is on purpose", async () => {
  const { lines, logger } = captured();
  logger.scope({ label: 'worker' }).warn('WARNING: having maxPoolSize (4) smaller than concurrency (10) may lead to non-optimal performance.', { max: 4, concurrency: 10 });
  logger.scope({ label: 'worker' }).warn('Failed task 12 (campaigns__send) with error boom', {});
  logger.scope({ label: 'worker' }).info('Worker connected and looking for jobs...', {});
  await new Promise((resolve) => setImmediate(resolve));
  expect(lines.map((l) => l.msg)).toEqual(['Failed task 12 (campaigns__send) with error boom', 'Worker connected and looking for jobs...']);
});
