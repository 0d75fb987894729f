/**
 * What the SES-event benches (bench/webhook.ts, bench/metrics.ts) run on: a
 * scratch database, the SES simulator and the certificate host in processes
 * of their own, and Herald's processes started from server/src as deployed,
 * their logs in the bench's temporary directory.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres, { type Sql } from 'postgres';
import { startEmbeddedPostgres } from '../server/src/db/embedded.js';
import { createLogger } from '../server/src/logging/logger.js';
import { createTestDatabase } from '../server/src/testing/database.js';
import { freePort } from '../server/src/testing/globalSetup.js';
import { say } from './lib.js';
import { startNode, type NodeProcess } from './procs.js';
import { startSimulatorProcess, type SimulatorProcess } from './send-procs.js';
import { startCertHost, type CertHost } from './sns.js';

export type ScratchDatabase = { url: string; embedded: boolean; close: () => Promise<void> };

/**
 * A scratch database (`createTestDatabase`) on `adminUrl`, else DATABASE_URL,
 * else an embedded Postgres under `dataDir`; `close` drops it and stops the
 * embedded server.
 */
export async function scratchDatabase(adminUrl: string, dataDir: string): Promise<ScratchDatabase> {
  let url = adminUrl || process.env.DATABASE_URL || '';
  const embedded = url ? null : await startEmbeddedPostgres({ dataDir, port: await freePort(), logger: createLogger('warn') });
  url ||= embedded!.url;
  try {
    const database = await createTestDatabase(url);
    return {
      url: database.url,
      embedded: embedded !== null,
      close: async () => {
        await database.drop();
        await embedded?.stop();
      },
    };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}

export type EventsBench = {
  /** The bench's temporary directory: Herald's logs, signed notifications. */
  tmp: string;
  database: ScratchDatabase;
  sql: Sql;
  /** `PostgreSQL 17.x` */
  pgVersion: string;
  sim: SimulatorProcess;
  certHost: CertHost;
  /** The key every Herald process of the bench shares, so each can read the tenant's AWS keys. */
  encryptionKeys: string;
  /** Keep Herald's logs after the bench: something went wrong. */
  keepLogs: () => void;
};

/**
 * Runs `body` on a scratch database (on `adminUrl`, see scratchDatabase) with
 * the simulator and the certificate host, then tears everything down. The
 * temporary directory is removed unless something failed or `keepLogs` was
 * called; then its path is printed.
 */
export async function runEventsBench(name: string, adminUrl: string, sqlMax: number, body: (bench: EventsBench) => Promise<void>): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), `herald-bench-${name}-`));
  let keep = false;
  let database: ScratchDatabase | null = null;
  const certHost = await startCertHost();
  const sim = await startSimulatorProcess();
  try {
    database = await scratchDatabase(adminUrl, path.join(tmp, 'postgres'));
    const sql = postgres(database.url, { max: sqlMax, onnotice: () => {} });
    const [pg] = await sql<{ version: string }[]>`select split_part(version(), ' on ', 1) as version`;
    const encryptionKeys = `bench:${randomBytes(32).toString('base64')}`;
    await body({ tmp, database, sql, pgVersion: pg!.version, sim, certHost, encryptionKeys, keepLogs: () => void (keep = true) });
    await sql.end();
  } catch (err) {
    keep = true;
    throw err;
  } finally {
    await sim.stop();
    await certHost.stop();
    await database?.close();
    if (keep) say(`Herald's logs: ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

/** Herald's configuration in the bench: the scratch database, the simulator, the certificate host; no web app. */
export const heraldEnv = (bench: EventsBench, logLevel: string): Record<string, string> => ({
  DATABASE_URL: bench.database.url,
  HOST: '127.0.0.1',
  SES_ENDPOINT: bench.sim.url,
  SES_SIMULATOR: 'off',
  SNS_CERT_URL_ALLOW: bench.certHost.allowPrefix,
  ENCRYPTION_KEYS: bench.encryptionKeys,
  LOG_LEVEL: logLevel,
  WEB_DIST: '/nonexistent',
});

/** One of Herald's processes (`server/src/<script>`), its output in `<name>.log` in the bench's directory. */
export const startHeraldNode = (bench: EventsBench, script: string, env: Record<string, string>, name: string, nodeArgs: string[]): NodeProcess =>
  startNode(`server/src/${script}`, { env, log: path.join(bench.tmp, `${name}.log`), nodeArgs });
