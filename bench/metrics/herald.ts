import { freePort } from '../../server/src/testing/globalSetup.js';
import { heraldEnv, startHeraldNode, type EventsBench } from '../harness.js';
import { waitForHerald, type NodeProcess } from '../procs.js';

export type MetricsHerald = { apiUrl: string; watchUrl: string; api: NodeProcess; watch: NodeProcess; worker: NodeProcess; stop: () => Promise<void> };

/**
 * `api` (main.ts, WORKER=off) takes the webhook and the queries, `watch`
 * (another main.ts, WORKER=off) serves the subscribers, `worker` (worker.ts)
 * applies the events; ready once both answer /readyz and the worker listens for jobs.
 */
export async function startMetricsHerald(bench: EventsBench, logLevel: string, nodeArgs: string[]): Promise<MetricsHerald> {
  const env = heraldEnv(bench, logLevel);
  const [apiPort, watchPort] = [await freePort(), await freePort()];
  const api = startHeraldNode(bench, 'main.ts', { ...env, PORT: String(apiPort), WORKER: 'off' }, 'api', nodeArgs);
  const watch = startHeraldNode(bench, 'main.ts', { ...env, PORT: String(watchPort), WORKER: 'off' }, 'watch', nodeArgs);
  const worker = startHeraldNode(bench, 'worker.ts', env, 'worker', nodeArgs);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const watchUrl = `http://127.0.0.1:${watchPort}`;
  await waitForHerald(bench.sql, bench.database.url, { urls: [apiUrl, watchUrl], workers: 1, procs: [api, watch, worker] });
  return {
    apiUrl,
    watchUrl,
    api,
    watch,
    worker,
    stop: async () => void (await Promise.all([api.stop(), watch.stop(), worker.stop()])),
  };
}
