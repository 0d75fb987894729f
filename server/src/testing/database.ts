import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { migrateDatabase } from '../db/migrate.js';
import { createLogger } from '../logging/logger.js';

export type TestDatabase = { url: string; drop: () => Promise<void> };

/** A fresh, migrated database for one test file, dropped afterwards. */
export async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `herald_test_${randomBytes(6).toString('hex')}`;
  // The admin connection is closed between create and drop: a caller that keeps the database (a bench's
  // --keep-database) must not be held open by an idle connection.
  const admin = () => postgres(adminUrl, { max: 1, onnotice: () => {} });
  const creator = admin();
  await creator`create database ${creator(name)}`;
  await creator.end({ timeout: 5 });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString(), createLogger('warn'));
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = admin();
      await dropper`drop database if exists ${dropper(name)} with (force)`;
      await dropper.end({ timeout: 5 });
    },
  };
}
