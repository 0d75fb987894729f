import { expect, it, vi } from 'vitest';
import { campaignInput, readySender, seedContacts, simAccount, type Sender } from './sendingHelpers.js';
import { startWorker, stopWorkersAfterAll, waitForCampaignStatus, workerEnv, type WorkerProcess } from './workerProcesses.js';
import { useHeraldWithSimulator } from './useHerald.js';

/**
 * Tenants do not queue behind each other: while tenant A sends a campaign
 * that will take minutes, tenant B's small campaign, on the same worker
 * process, finishes in about the time its own rate needs.
 */

const BIG = 20_000;
const SMALL = 30;
const B_RATE = 14; // 30 sends take ~2.2 s at this rate

const h = useHeraldWithSimulator({ roles: { http: true, worker: false } });
const workers: WorkerProcess[] = [];
stopWorkersAfterAll(h, workers);

const setRate = (sender: Sender, perSec: number) =>
  h.herald.deps.sql`update tenant_channel_settings set rate_limit_per_sec = ${perSec} where tenant_id = ${sender.tenantId}`;

it("a small campaign is not held up by another tenant's big one", { timeout: 120_000 }, async () => {
  const a = await readySender(h.herald, h.sim, simAccount(), 'Big');
  const b = await readySender(h.herald, h.sim, simAccount(), 'Small');
  // A: 20,000 at 100/s is over three minutes of sending; B at SES's default rate.
  await setRate(a, 100);
  await setRate(b, B_RATE);
  await seedContacts(h.herald.deps.sql, a, BIG);
  await seedContacts(h.herald.deps.sql, b, SMALL);
  // One worker process with the default concurrency: both tenants' jobs share it.
  workers.push(await startWorker(workerEnv(h.herald, h.sim)));

  const big = await a.agent.trpc.campaigns.create.mutate(campaignInput(a.listId));
  await a.agent.trpc.campaigns.send.mutate({ id: big.id });
  // A is in full swing (fanned out, lanes busy) before B starts.
  await vi.waitFor(() => expect(h.sim.state.messagesOf(a.accountId).length).toBeGreaterThan(300), { timeout: 60_000, interval: 100 });

  const small = await b.agent.trpc.campaigns.create.mutate(campaignInput(b.listId));
  const started = Date.now();
  await b.agent.trpc.campaigns.send.mutate({ id: small.id });
  await waitForCampaignStatus(b, small.id, 'sent', 15_000);
  const took = Date.now() - started;
  const aSent = h.sim.state.messagesOf(a.accountId).length;
  console.info(`B's ${SMALL} sends took ${(took / 1000).toFixed(1)} s; A had ${aSent} of ${BIG} accepted by then`);

  expect(h.sim.state.messagesOf(b.accountId)).toHaveLength(SMALL);
  // A was sending the whole time, so B really did go alongside it.
  expect((await a.agent.trpc.campaigns.get.query({ id: big.id })).status).toBe('sending');
  expect(aSent).toBeLessThan(BIG);

  // Stop A so nothing keeps running: its queued messages are cancelled, the ones in flight finish.
  await a.agent.trpc.campaigns.cancel.mutate({ id: big.id });
  await vi.waitFor(
    async () => {
      const { counts, status } = await a.agent.trpc.campaigns.get.query({ id: big.id });
      expect(status).toBe('cancelled');
      expect(counts.sending).toBe(0);
      expect(counts.queued).toBe(0);
      expect(counts.sent + counts.cancelled).toBe(BIG);
    },
    { timeout: 15_000, interval: 200 },
  );
  // Nothing is sent after the cancel has settled.
  const settled = h.sim.state.messagesOf(a.accountId).length;
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(h.sim.state.messagesOf(a.accountId)).toHaveLength(settled);
});
