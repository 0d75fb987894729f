/**
 * The soak's own Postgres: an embedded cluster (server/src/db/embedded.ts)
 * in the bench's scratch directory on a port of its own, so the bench can
 * stop it and start it again mid-run (a real restart, fast shutdown) without
 * touching any Postgres others use.
 */
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../server/src/db/embedded.js';
import { createLogger } from '../../server/src/logging/logger.js';
import { createTestDatabase } from '../../server/src/testing/database.js';
import { freePort } from '../../server/src/testing/globalSetup.js';

export type SoakPostgres = {
  /** Herald's database on the cluster (migrated). */
  url: string;
  /** `pg_ctl stop -m fast`: open connections are cut, as in a crash of the server or a failover. */
  stop: () => Promise<void>;
  start: () => Promise<void>;
  /** Drops the database and stops the cluster. */
  close: () => Promise<void>;
};

export async function startSoakPostgres(dataDir: string): Promise<SoakPostgres> {
  const port = await freePort();
  const logger = createLogger('warn');
  let cluster: EmbeddedPostgres | null = await startEmbeddedPostgres({ dataDir, port, logger });
  const database = await createTestDatabase(cluster.url);
  return {
    url: database.url,
    stop: async () => {
      await cluster?.stop();
      cluster = null;
    },
    start: async () => {
      cluster = await startEmbeddedPostgres({ dataDir, port, logger });
    },
    close: async () => {
      cluster ??= await startEmbeddedPostgres({ dataDir, port, logger });
      await database.drop();
      await cluster.stop();
    },
  };
}
