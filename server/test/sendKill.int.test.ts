import { expect, it, vi } from 'vitest';
import { campaignInput, readySender, seedContacts, simAccount } from './sendingHelpers.js';
import { countsOfCampaign, groupBy, killHard, randomBetween, sleep, startWorker, stopWorkersAfterAll, waitForCampaignStatus, workerEnv, type WorkerProcess } from './workerProcesses.js';
import { useHeraldWithSimulator } from './useHerald.js';

/**
 * Crash safety across processes: a 5,000-recipient campaign is sent by two
 * worker processes while one of them is SIGKILLed again and again. Whatever a
 * killed worker held must end `unknown` (it may have reached SES) or be sent
 * by someone else — never sent twice, never lost, and the counters must agree
 * with the rows.
 */

const RECIPIENTS = 5_000;
const KILLS = 4;

// The API only: every send happens in the worker processes.
const h = useHeraldWithSimulator({ roles: { http: true, worker: false } });
const workers = new Set<WorkerProcess>();
stopWorkersAfterAll(h, workers);

/**
 * graphile-worker pool id of a process (jobs' `locked_by`), from its log
 * lines of completed send-lane slices; null until it has run one.
 */
function lanePoolOf(worker: WorkerProcess): string | null {
  return /"locked_by":"(pool-[0-9a-f]+)"[^\n]*"msg":"Completed task \d+ \(campaigns__send/.exec(worker.output())?.[1] ?? null;
}

/** Send lane jobs the process is running right now. */
async function lanesHeldBy(worker: WorkerProcess): Promise<number> {
  const [row] = await h.herald.deps.sql<{ n: number }[]>`
    select count(*)::int as n from graphile_worker.jobs where task_identifier = 'campaigns__send' and locked_by = ${lanePoolOf(worker)}`;
  return row?.n ?? 0;
}

it('a worker SIGKILLed mid-send loses nothing and sends nothing twice', { timeout: 240_000 }, async () => {
  // SES's MaxSendRate becomes the tenant's rate: 150/s keeps sending going for
  // 30+ s (long enough for every kill to land mid-send) and the test near a minute.
  const sender = await readySender(h.herald, h.sim, simAccount({ maxSendRate: 150 }), 'Kill');
  await seedContacts(h.herald.deps.sql, sender, RECIPIENTS);

  const env = workerEnv(h.herald, h.sim);
  const spawn = async () => {
    const worker = await startWorker(env);
    workers.add(worker);
    return worker;
  };
  // Two workers: one is left alone, the other is the victim.
  let [victim] = await Promise.all([spawn(), spawn()] as const);

  const { id } = await sender.agent.trpc.campaigns.create.mutate(campaignInput(sender.listId));
  await sender.agent.trpc.campaigns.send.mutate({ id });
  await vi.waitFor(() => expect(h.sim.state.messagesOf(sender.accountId).length).toBeGreaterThan(200), { timeout: 60_000, interval: 50 });

  let lanesHeldAtKills = 0;
  for (let kill = 1; kill <= KILLS; kill++) {
    // Kill a worker that is taking part: give it time to run a lane slice first
    // (a lane hops between processes every slice), then strike at a random moment.
    await vi.waitFor(() => expect(lanePoolOf(victim)).not.toBeNull(), { timeout: 15_000, interval: 50 }).catch(() => undefined);
    await sleep(randomBetween(300, 1_500));
    const held = await lanesHeldBy(victim);
    await killHard(victim);
    workers.delete(victim);
    lanesHeldAtKills += held;
    console.info(`kill ${kill}: ${h.sim.state.messagesOf(sender.accountId).length} accepted so far, the victim held ${held} lane(s)`);
    victim = await spawn();
  }
  // The kills must have hit a worker in the middle of sending, or the test proved nothing.
  expect(lanesHeldAtKills).toBeGreaterThan(0);
  // …and a campaign that was still sending.
  expect(h.sim.state.messagesOf(sender.accountId).length).toBeLessThan(RECIPIENTS);

  // Dead claims wait out the 4 s lease and dead lane jobs are revived, so allow plenty of time.
  await waitForCampaignStatus(sender, id, 'sent', 150_000);

  const rows = await h.herald.deps.sql<{ id: string; status: string; provider: string | null }[]>`
    select id, status, provider_message_id as provider from messages where campaign_id = ${id}`;
  expect(rows).toHaveLength(RECIPIENTS);
  const byStatus = groupBy(rows, (r) => r.status);
  // Every message ended in exactly one terminal state.
  expect([...byStatus.keys()].filter((s) => s !== 'sent' && s !== 'unknown')).toEqual([]);

  // SES (the simulator) took each Herald message at most once.
  const accepted = h.sim.state.messagesOf(sender.accountId);
  const acceptedByMessage = groupBy(accepted, (m) => m.tags.herald_message ?? '');
  const twice = [...acceptedByMessage].filter(([, ms]) => ms.length > 1).map(([messageId]) => messageId);
  expect(twice).toEqual([]);
  expect(accepted.every((m) => m.tags.herald_campaign === id)).toBe(true);

  // Every `sent` row was accepted once, under the MessageId Herald stored.
  for (const row of byStatus.get('sent') ?? []) {
    expect(acceptedByMessage.get(row.id)?.map((m) => m.messageId)).toEqual([row.provider]);
  }
  // An `unknown` row may or may not have reached SES before its worker died, but at most once.
  const unknown = byStatus.get('unknown') ?? [];
  const unknownAccepted = unknown.filter((r) => acceptedByMessage.has(r.id)).length;
  expect(unknown.every((r) => (acceptedByMessage.get(r.id)?.length ?? 0) <= 1)).toBe(true);
  expect(accepted.length).toBe((byStatus.get('sent')?.length ?? 0) + unknownAccepted);
  console.info(`${byStatus.get('sent')?.length ?? 0} sent, ${unknown.length} unknown (${unknownAccepted} of them did reach SES)`);

  // The trigger-kept counters agree with a count of the rows, and the API shows them.
  const { counted, stats } = await countsOfCampaign(h.herald, id);
  expect(stats).toEqual(counted);
  const view = await sender.agent.trpc.campaigns.get.query({ id });
  expect(view.counts).toMatchObject({ recipients: RECIPIENTS, sent: counted.sent ?? 0, unknown: counted.unknown ?? 0, queued: 0, sending: 0 });
});
