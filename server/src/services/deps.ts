import type { Sql } from 'postgres';
import type { Keyring } from '../crypto/keyring.js';
import type { Db } from '../db/client.js';
import type { Env } from '../env.js';
import type { Logger } from '../logger.js';

/** Everything a service may need, built once at boot and passed explicitly. */
export type Deps = {
  env: Env;
  db: Db;
  sql: Sql;
  logger: Logger;
  /** Encrypts tenants' secrets at rest (AWS keys). */
  keyring: Keyring;
  now: () => Date;
};
