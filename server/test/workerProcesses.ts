import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect, vi } from 'vitest';
import type { SesSimulator } from '../src/dev/sesSimulator.js';
import type { TestHerald } from '../src/testing/index.js';
import { spawnHerald, waitForOutput } from './process.js';
import type { Sender } from './sendingHelpers.js';
import type { HeraldWithSimulator } from './useHerald.js';

/**
 * Worker processes for the process-level sending tests: each runs
 * `src/worker.ts` on the test Herald's database and talks to the test's SES
 * simulator. They share the Herald's ENCRYPTION_KEYS, or they could not
 * decrypt the tenants' AWS keys.
 */
export type WorkerProcess = ReturnType<typeof spawnHerald>;

export function workerEnv(herald: TestHerald, sim: SesSimulator, extra: Record<string, string> = {}): Record<string, string> {
  const { databaseUrl, encryptionKeys } = herald.deps.env;
  if (!databaseUrl || !encryptionKeys) throw new Error('the test Herald has no database url or encryption keys');
  return {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    ENCRYPTION_KEYS: encryptionKeys,
    SES_ENDPOINT: sim.url,
    SES_SIMULATOR: 'off',
    LOG_LEVEL: 'info',
    // A short lease: a killed worker's claims become `unknown`, and its jobs restart, within seconds.
    SEND_LEASE_SECONDS: '4',
    SES_REQUEST_TIMEOUT_MS: '2000',
    ...extra,
  };
}

/** Spawns a worker and waits until graphile-worker and the recovery loop are running. */
export async function startWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawnHerald('worker', env);
  await waitForOutput(child, /"msg":"worker started"/, 90_000);
  return child;
}

const exited = (child: WorkerProcess) => child.exitCode !== null || child.signalCode !== null;

/** SIGKILL: no graceful shutdown, claims and job locks are left behind as after a crash. */
export async function killHard(child: WorkerProcess): Promise<void> {
  if (exited(child)) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}


export const randomBetween = (min: number, max: number) => min + Math.random() * (max - min);

export { sleep };

type CampaignState = { status: string };

/** Polls the campaign (through the API, as the UI would) until it has `status`. */
export function waitForCampaignStatus(sender: Sender, id: string, status: string, timeout: number): Promise<CampaignState> {
  return vi.waitFor(
    async () => {
      const c = await sender.agent.trpc.campaigns.get.query({ id });
      expect(c.status).toBe(status);
      return c;
    },
    { timeout, interval: 250 },
  );
}

/** Message counts by status: a real count(*) of `messages`, and the trigger-kept `campaign_stats` sums. */
export async function countsOfCampaign(herald: TestHerald, campaignId: string): Promise<{ counted: Record<string, number>; stats: Record<string, number> }> {
  const sql = herald.deps.sql;
  const counted = await sql<{ status: string; n: number }[]>`
    select status, count(*)::int as n from messages where campaign_id = ${campaignId} group by status`;
  const stats = await sql<{ status: string; n: number }[]>`
    select status, sum(count)::int as n from campaign_stats where campaign_id = ${campaignId} group by status having sum(count) <> 0`;
  const asRecord = (rows: { status: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.status, r.n]));
  return { counted: asRecord(counted), stats: asRecord(stats) };
}

/** Map.groupBy, which Node 20 lacks. */
export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * After all tests: the error-level log lines of the API and the workers (so a
 * failure explains itself), then every worker still running is killed, each
 * by its own handle. Call it after useHeraldWithSimulator: afterAll hooks run
 * in reverse order, so this one runs while the Herald is still up.
 */
export function stopWorkersAfterAll(h: HeraldWithSimulator, workers: Iterable<WorkerProcess>): void {
  afterAll(async () => {
    const isError = (line: string) => /"level":(50|60)/.test(line);
    // h.herald is unset when beforeAll failed before starting it.
    const lines = [...((h.herald as TestHerald | undefined)?.logs ?? []).filter(isError), ...[...workers].flatMap((w) => w.output().split('\n').filter(isError))];
    if (lines.length > 0) console.error(`error logs:\n${lines.join('\n')}`);
    await Promise.all([...workers].map(killHard));
  });
}
