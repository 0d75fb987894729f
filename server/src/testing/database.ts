import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { migrateDatabase } from '../db/migrate.js';
import { createLogger } from '../logging/logger.js';

export type TestDatabase = { url: string; drop: () => Promise<void> };

/** A fresh, migrated database for one test file, dropped afterwards. */
export async function createTestDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `herald_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin`create database ${admin(name)}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString(), createLogger('warn'));
  return {
    url: url.toString(),
    drop: async () => {
      await admin`drop database if exists ${admin(name)} with (force)`;
      await admin.end({ timeout: 5 });
    },
  };
}
