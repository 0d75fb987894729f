import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { LOGIN_FAILURES_ALLOWED } from '../src/http/loginThrottle.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/database.js';
import { agent, signedUpAgent } from './agent.js';
import type { Cluster } from './scaleOut/cluster.js';
import { isMet, runScaleOut, type Check } from './scaleOut/run.js';
import type { ScaleTenant } from './scaleOut/tenants.js';

/**
 * Scale-out, the short version of `bench/scale-out.ts`: 2 API processes (WORKER=off) and 3 worker
 * processes on one database, 3 tenants at SES rates of 14, 50 and 200 emails/s sending at once (~10 s
 * each), the simulator (its own process) posting SES events to both API processes in turn, and
 * live-metrics subscribers on both. Nothing another process needs may live in one process's memory:
 * before the campaigns start, a session, the login throttle and an idempotency key each cross processes.
 */

const SECONDS = 10;
const TENANTS = [14, 50, 200].map((rate) => ({ name: `T${rate}`, rate, recipients: rate * SECONDS }));

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase(inject('adminDatabaseUrl'));
});
afterAll(() => db?.drop());

/**
 * The fairness figure (the 14/s tenant at ≥ 98 % of its rate while the others send) needs the CPU for
 * all three rates; beside other work on a shared 2-core machine every tenant slows alike, so this test requires
 * the relative figure (the 14/s tenant at ≥ 95 % of the fraction the 200/s tenant got: the big tenant does not
 * take the small one's part) and prints the absolute one, which `bench/scale-out.ts` requires. The rate, once
 * and live-metrics checks hold on any machine and are required as they are.
 */
it('sends three tenants at once across 2 API and 3 worker processes: within each rate, each message once, fair, live metrics equal on both APIs', { timeout: 480_000 }, async () => {
  const { checks } = await runScaleOut({
    databaseUrl: db.url,
    apis: 2,
    workers: 3,
    tenants: TENANTS,
    fairShare: 0.98,
    relativeFairShare: 0.95,
    // ~10 s of sending; a machine busy with other work may need many times that.
    sendTimeoutS: 240,
    // Fewer opens and clicks than the simulator's default: the same paths, less of the machine.
    events: { openProbability: 0.1, clickProbability: 0.2 },
    log: (line) => console.info(line),
    beforeSend: statelessAcrossProcesses,
  });
  const verdicts = checks.map((c: Check) => `${isMet(c) ? 'MET' : 'MISSED'} ${c.name}: ${c.value}`);
  console.info(verdicts.join('\n'));
  expect(checks.filter((c) => !isMet(c) && !c.needsIdleMachine).map((c) => `${c.name}: ${c.value}`)).toEqual([]);
});

/** What one API process writes, the other reads: sessions, failed sign-ins, idempotency keys. */
async function statelessAcrossProcesses(cluster: Cluster, tenants: ScaleTenant[]): Promise<void> {
  const [one, two] = cluster.apiUrls as [string, string];

  // A session made on one process is good on the other, and signed out there, it is gone on the first.
  const { email, password } = await signedUpAgent(one, 'Roamer');
  const onOne = agent(one);
  await onOne.trpc.auth.signIn.mutate({ email, password });
  const onTwo = agent(two);
  onTwo.cookie = onOne.cookie;
  expect((await onTwo.trpc.auth.me.query())?.user.email).toBe(email);
  await onTwo.trpc.auth.signOut.mutate();
  expect(await onOne.trpc.auth.me.query()).toBeNull();

  // Failed sign-ins count across processes: the allowance is spent alternately on both, then both refuse.
  const target = await signedUpAgent(two, 'Guarded');
  for (let i = 0; i < LOGIN_FAILURES_ALLOWED; i++) {
    await expect(agent(i % 2 ? two : one).trpc.auth.signIn.mutate({ email: target.email, password: 'wrong password 123' })).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  }
  for (const url of [one, two]) {
    await expect(agent(url).trpc.auth.signIn.mutate({ email: target.email, password: target.password })).rejects.toMatchObject({ data: { code: 'TOO_MANY_REQUESTS' } });
  }

  // One Idempotency-Key, posted to both processes at once and then again: one email.
  const sender = tenants[0]!;
  const { key } = await sender.agent.trpc.apiKeys.create.mutate({ name: 'Billing service' });
  const body = JSON.stringify({ from: 'news@sender.test', to: 'ada@inbox.test', subject: 'Your receipt', text: 'Thank you.' });
  const post = (url: string) =>
    fetch(`${url}/api/v1/emails`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': 'receipt-1' }, body });
  const answers = [...(await Promise.all([post(one), post(two)])), await post(two), await post(one)];
  expect(answers.map((r) => r.status)).toEqual([202, 202, 202, 202]);
  const ids = new Set(await Promise.all(answers.map(async (r) => ((await r.json()) as { id: string }).id)));
  expect(ids.size).toBe(1);
}
