/**
 * Herald as the soak runs it: an API process (`server/dist/main.js`,
 * WORKER=off) and worker processes (`server/dist/worker.js`), built as
 * deployed, their output in the bench's directory; the SES simulator in its
 * own process posting its SES events to the API's webhook.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Sql } from 'postgres';
import { freePort } from '../../server/src/testing/globalSetup.js';
import { startNode, waitForHerald, type NodeProcess } from '../procs.js';
import { startSimulatorProcess, type SimulatorProcess } from '../send-procs.js';

export type SoakHerald = { url: string; metricsToken: string; api: NodeProcess; workers: NodeProcess[]; stop: () => Promise<void> };

export async function startSoakHerald(opts: {
  sql: Sql;
  databaseUrl: string;
  sim: SimulatorProcess;
  /** Prefix of the load client's certificate host, trusted besides the simulator. */
  certAllow: string;
  encryptionKeys: string;
  workers: number;
  logDir: string;
}): Promise<SoakHerald> {
  const port = await freePort();
  const metricsToken = randomBytes(16).toString('hex');
  const env = {
    DATABASE_URL: opts.databaseUrl,
    HOST: '127.0.0.1',
    PORT: String(port),
    SES_ENDPOINT: opts.sim.url,
    SES_SIMULATOR: 'off',
    SNS_CERT_URL_ALLOW: `${opts.sim.url}/,${opts.certAllow}`,
    ENCRYPTION_KEYS: opts.encryptionKeys,
    // Warnings only: at ~600 requests/s, info lines would fill the disk of a long soak.
    LOG_LEVEL: 'warn',
    WEB_DIST: '/nonexistent',
    // The API's own webhook latency histogram, read each minute (serverLatency.ts).
    METRICS_TOKEN: metricsToken,
  };
  const log = (name: string) => path.join(opts.logDir, `${name}.log`);
  const api = startNode('server/dist/main.js', { env: { ...env, WORKER: 'off' }, log: log('api') });
  const workers = Array.from({ length: opts.workers }, (_, i) => startNode('server/dist/worker.js', { env, log: log(`worker-${i + 1}`) }));
  const url = `http://127.0.0.1:${port}`;
  await waitForHerald(opts.sql, opts.databaseUrl, { urls: [url], workers: opts.workers, procs: [api, ...workers] });
  return {
    url,
    metricsToken,
    api,
    workers,
    stop: async () => {
      await api.stop();
      await Promise.all(workers.map((w) => w.stop()));
    },
  };
}

/** The simulator (its output in `log`), posting every accepted message's SES events to `webhookUrl` (SNS's retry policy: 3 retries, 20 s apart). */
export async function startSoakSimulator(log: string): Promise<SimulatorProcess & { postEventsTo: (webhookUrl: string) => Promise<void> }> {
  const sim = await startSimulatorProcess([], log);
  return {
    ...sim,
    postEventsTo: async (webhookUrl) => {
      const res = await fetch(`${sim.url}/_simulator/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ webhookUrl }) });
      if (!res.ok) throw new Error(`simulator events: ${res.status} ${await res.text()}`);
    },
  };
}
