import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../db/embedded.js';
import { testDatabaseAdminUrl } from '../env.js';
import { createLogger } from '../logging/logger.js';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

/**
 * One Postgres server for the whole run: the one named by TEST_DATABASE_URL /
 * DATABASE_URL, or an embedded one in a temporary folder. Each test file
 * then creates its own database on it (see createTestDatabase).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = testDatabaseAdminUrl();
  if (given) {
    project.provide('adminDatabaseUrl', given);
    return async () => {};
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'herald-test-pg-'));
  // mkdtemp makes it private; as root the cluster runs as the `postgres` user, which must enter it.
  await chmod(dir, 0o755);
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), logger: createLogger('warn') });
  project.provide('adminDatabaseUrl', embedded.url);
  return async () => {
    await embedded.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
