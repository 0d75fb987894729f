import { freePort } from '../../server/src/testing/globalSetup.js';
import { heraldEnv, startHeraldNode, type EventsBench } from '../harness.js';
import { waitForHerald, type NodeProcess } from '../procs.js';
import type { Layout } from './options.js';

export type WebhookHerald = { url: string; api: NodeProcess; worker: NodeProcess | null; stop: () => Promise<void> };

/**
 * `separate`: main.ts (API, WORKER=off) and worker.ts as processes of their
 * own; `inline`: one main.ts with the worker inside, as `npm start` runs it.
 * Ready once the API answers /readyz and a worker listens for jobs.
 */
export async function startWebhookHerald(bench: EventsBench, layout: Layout, logLevel: string, nodeArgs: string[]): Promise<WebhookHerald> {
  const port = await freePort();
  const env = { ...heraldEnv(bench, logLevel), PORT: String(port) };
  const api = startHeraldNode(bench, 'main.ts', { ...env, WORKER: layout === 'inline' ? 'inline' : 'off' }, `${layout}-api`, nodeArgs);
  const worker = layout === 'separate' ? startHeraldNode(bench, 'worker.ts', env, `${layout}-worker`, nodeArgs) : null;
  const url = `http://127.0.0.1:${port}`;
  await waitForHerald(bench.sql, bench.database.url, { urls: [url], workers: 1, procs: worker ? [api, worker] : [api] });
  return {
    url,
    api,
    worker,
    stop: async () => {
      await api.stop();
      await worker?.stop();
    },
  };
}
