/**
 * bench/crash: the crash window of the send pipeline (issue "Performance",
 * goal 5). A tenant sends at its full rate (SES MaxSendRate = --rate) with
 * two worker processes; one of them is SIGKILLed at a random moment,
 * --kills times, and replaced. A killed worker's claimed messages end
 * `unknown` once their lease runs out (SEND_LEASE_SECONDS=4 here, as in the
 * kill test): they may or may not have reached SES. Goal: each kill leaves at
 * most rate × 1 s of them, with nothing sent twice and nothing lost (every
 * message ends `sent` or `unknown`, every `sent` one accepted by the simulator
 * exactly once, every `unknown` one at most once).
 * Run: `node --import tsx bench/crash.ts [--database-url postgres://…/test] [--rate 200 --recipients 8000 --kills 4]`.
 */
import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '../server/src/testing/database.js';
import { benchArgs, checkGoal, machine, say, sleep } from './lib.js';
import { startSimulatorProcess, startWorkers, type WorkerProcesses } from './send-procs.js';
import { createCampaign, readyTenant, seedContacts, sendCampaign, startApi, statusCounts, warmSimulator } from './send-tenant.js';

const args = benchArgs({ rate: { type: 'string', default: '200' }, recipients: { type: 'string', default: '8000' }, kills: { type: 'string', default: '4' } });
const rate = Number(args.rate);
const recipients = Number(args.recipients);
const kills = Number(args.kills);
const encryptionKeys = `bench:${randomBytes(32).toString('base64')}`;
const LEASE_SECONDS = 4;

const sim = await startSimulatorProcess();
const database = await createTestDatabase(args['database-url']!);
const api = await startApi(database.url, sim.url, encryptionKeys);
const { sql } = api.deps;
const workers: WorkerProcesses[] = [];
try {
  say(`machine: ${machine()}; ${new Date().toISOString()}; rate ${rate}/s, ${recipients.toLocaleString('en')} recipients, ${kills} kills, lease ${LEASE_SECONDS} s`);
  const tenant = await readyTenant(api, sim, 'Crash', { maxSendRate: rate });
  await seedContacts(api, tenant, recipients);
  await warmSimulator(sim, tenant);
  const start = () =>
    startWorkers(1, { sql, databaseUrl: database.url, sesEndpoint: sim.url, encryptionKeys, concurrency: 10, nodeArgs: [], env: { SEND_LEASE_SECONDS: String(LEASE_SECONDS), SES_REQUEST_TIMEOUT_MS: '2000' } });
  workers.push(await start(), await start());
  const id = await createCampaign(api, tenant, 'crash window');
  await sim.reset();
  await sendCampaign(api, tenant, id);

  const perKill: number[] = [];
  const unknownNow = async () => (await statusCounts(api, id)).unknown ?? 0;
  for (let kill = 1; kill <= kills; kill++) {
    await sleep(1_500 + Math.random() * 2_000);
    const before = await unknownNow();
    // Either worker: lanes move between processes every slice, so both are usually sending.
    const [lanes] = await sql<{ n: number }[]>`
      select count(*)::int as n from graphile_worker.jobs where task_identifier = 'campaigns__send' and locked_at is not null`;
    const victim = workers.splice(Math.floor(Math.random() * workers.length), 1)[0]!;
    process.kill(victim.pids[0]!, 'SIGKILL');
    workers.push(await start());
    // Its claims turn `unknown` when their lease ends; the recovery loop looks every second.
    await sleep(LEASE_SECONDS * 1000 + 2_500);
    perKill.push((await unknownNow()) - before);
    say(`kill ${kill}: send lanes running ${lanes?.n ?? 0}, unknown after it ${perKill.at(-1)}; accepted so far ${(await sim.messages(tenant.accountId)).length.toLocaleString('en')}`);
  }
  for (let i = 0; ; i++) {
    const [row] = await sql<{ status: string }[]>`select status from campaigns where id = ${id}`;
    if (row?.status === 'sent') break;
    if (i > 600) throw new Error(`campaign still ${row?.status} with ${JSON.stringify(await statusCounts(api, id))}`);
    await sleep(500);
  }
  const counts = await statusCounts(api, id);
  const rows = await sql<{ id: string; status: string; provider: string | null }[]>`select id, status, provider_message_id as provider from messages where campaign_id = ${id}`;
  const accepted = new Map<string, number>();
  for (const m of await sim.messages(tenant.accountId)) accepted.set(m.tags.herald_message ?? '', (accepted.get(m.tags.herald_message ?? '') ?? 0) + 1);
  const twice = [...accepted.values()].filter((n) => n > 1).length;
  const lost = rows.filter((r) => r.status !== 'sent' && r.status !== 'unknown').length;
  const sentNotAccepted = rows.filter((r) => r.status === 'sent' && accepted.get(r.id) !== 1).length;
  const unknownReached = rows.filter((r) => r.status === 'unknown' && accepted.has(r.id)).length;
  say(
    `crash window: ${kills} SIGKILLs at ${rate}/s: unknown per kill ${perKill.join(', ')} (max ${Math.max(...perKill)}, limit rate × 1 s = ${rate}); ` +
      `statuses ${JSON.stringify(counts)}; of the unknown ones ${unknownReached} reached SES; accepted twice ${twice}; not sent/unknown ${lost}; sent but not accepted exactly once ${sentNotAccepted}`,
  );
  checkGoal(`crash window: most unknown per kill / (rate × 1 s)`, Math.max(...perKill) / rate, { atMost: 1 });
  checkGoal('crash window: messages accepted twice, lost or sent without one accept (must be 0)', twice + lost + sentNotAccepted, { atMost: 0 });
} finally {
  for (const w of workers) await w.stop();
  await api.stop();
  await database.drop();
  await sim.stop();
}
