import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { SnsEnvelope } from '../src/dev/snsMessages.js';
import { recordOutcomes } from '../src/sending/claims.js';
import { finishTestSend, recordTestSend } from '../src/services/channels/testSendRecords.js';
import { readySender, simAccount, type Sender } from './sendingHelpers.js';
import { killHard, startWorker, stopWorkersAfterAll, workerEnv, type WorkerProcess } from './workerProcesses.js';
import { deliver, messageState, notification, sentCampaign, useHarness, type SentMessage } from './sesEventHelpers.js';
import { awsExample, postSns } from './snsHelpers.js';

/**
 * SES identity notifications carry no Herald tag: one that comes before its
 * send's SES message id is written matches nothing at first
 * (src/events/earlyEvents.ts). Through the real webhook and worker.
 */
const h = useHarness();
const workers = new Set<WorkerProcess>();
stopWorkersAfterAll(h, workers);
let sender: Sender;
beforeAll(async () => {
  sender = await readySender(h.herald, h.sim, simAccount(), 'Early');
});

const IDENTITY_MAIL = '2016-01-27T14:59:38.237Z';
const freshSesId = () => `0100${randomUUID().replaceAll('-', '')}-${randomUUID()}-000000`;
const eventRow = async (snsMessageId: string) => {
  const [row] = await h.herald.deps.sql`select state, message_id, test_send_id, tenant_id from message_events where sns_message_id = ${snsMessageId}`;
  return row;
};
const identityDelivery = (sesId: string, to: string) =>
  notification(h, sender.accountId, awsExample('identity-delivery', { sesMessageId: sesId, accountId: sender.accountId, recipients: [to] }));
const becomes = (snsMessageId: string, row: Record<string, unknown>) =>
  vi.waitFor(async () => expect(await eventRow(snsMessageId)).toMatchObject(row), { timeout: 10_000, interval: 50 });

/** A campaign message as a sender holds it between SES's answer and writing it down. */
async function heldMessage(prefix: string): Promise<SentMessage & { claimToken: string }> {
  const [m] = (await sentCampaign(h, sender, 1, prefix)).messages as [SentMessage];
  const claimToken = randomUUID();
  await h.herald.deps.sql`
    update messages set status = 'sending', claim_token = ${claimToken}, provider_message_id = null, sent_at = null where id = ${m.id}`;
  return { ...m, claimToken };
}

/**
 * Posts `envelope` and holds its event batch's transaction after it found no match (as a busy database
 * might) while `meanwhile` writes the SES id: a look for orphans made then finds the event still pending.
 */
async function whileTheBatchHoldsItsOrphan(sesId: string, envelope: SnsEnvelope, meanwhile: () => Promise<unknown>): Promise<void> {
  const { sql } = h.herald.deps;
  await sql.unsafe(`
    create or replace function hold_orphan_for_test() returns trigger language plpgsql as $$
    begin perform pg_sleep(1.5); return new; end $$`);
  await sql.unsafe(`
    create trigger hold_orphan_for_test before update on message_events for each row
    when (new.state = 'orphan' and new.ses_message_id = '${sesId}') execute function hold_orphan_for_test()`);
  try {
    expect((await postSns(h.herald.url, envelope)).status).toBe(200);
    await vi.waitFor(async () => expect((await sql`select 1 from pg_stat_activity where datname = current_database() and wait_event = 'PgSleep'`).length).toBe(1), {
      timeout: 10_000,
      interval: 20,
    });
    await meanwhile();
    expect(await eventRow(envelope.MessageId)).toMatchObject({ state: 'pending' });
  } finally {
    await sql.unsafe('drop trigger hold_orphan_for_test on message_events; drop function hold_orphan_for_test()');
  }
}

/** herald_events_processed_total of the harness's process, by result. */
const processedCounts = async () => {
  const values = (await h.herald.deps.metrics.registry.getSingleMetric('herald_events_processed_total')?.get())?.values ?? [];
  return Object.fromEntries(values.map((v) => [String(v.labels.result), v.value]));
};

describe('an identity notification that comes before the outcome of its campaign send is written', () => {
  it('waits as an orphan and is applied once the outcome names its SES message id, counted once as an event', async () => {
    const m = await heldMessage('early');
    const sesId = freshSesId();
    const delivery = identityDelivery(sesId, m.to);
    const before = await processedCounts();
    await deliver(h, [delivery]);
    expect(await eventRow(delivery.MessageId)).toMatchObject({ state: 'orphan', message_id: null });

    await recordOutcomes(h.herald.deps.sql, m.claimToken, [{ id: m.id, status: 'sent', providerMessageId: sesId }]);
    await becomes(delivery.MessageId, { state: 'applied', message_id: m.id, tenant_id: sender.tenantId });
    expect(await messageState(h, m.id)).toMatchObject({ status: 'delivered', provider_message_id: sesId, delivered_at: IDENTITY_MAIL });
    // One event: an orphan first, then a rematch, never a second applied event. The counters move once the
    // batch's commit has returned to its process, which may be a moment after another connection sees its rows.
    const counted = async () => {
      const after = await processedCounts();
      return { applied: after.applied! - before.applied!, orphan: after.orphan! - before.orphan!, rematched: after.rematched! - before.rematched! };
    };
    await vi.waitFor(async () => expect((await counted()).rematched).toBeGreaterThan(0), { timeout: 5_000, interval: 20 });
    expect(await counted()).toEqual({ applied: 0, orphan: 1, rematched: 1 });
  });

  it('is applied when the outcome is written while the event batch that found no match has yet to commit its orphan', async () => {
    const m = await heldMessage('race');
    const sesId = freshSesId();
    const delivery = identityDelivery(sesId, m.to);
    await whileTheBatchHoldsItsOrphan(sesId, delivery, () => recordOutcomes(h.herald.deps.sql, m.claimToken, [{ id: m.id, status: 'sent', providerMessageId: sesId }]));
    await becomes(delivery.MessageId, { state: 'applied', message_id: m.id });
    expect(await messageState(h, m.id)).toMatchObject({ status: 'delivered', delivered_at: IDENTITY_MAIL });
  });
});

describe('an identity notification that comes before the SES message id of a test email is written', () => {
  const testSend = () => recordTestSend(h.herald.deps, { tenantId: sender.tenantId, kind: 'setup', to: 'success@simulator.amazonses.com' });

  it('waits as an orphan and is linked to the test email once its SES message id is written', async () => {
    const id = await testSend();
    const sesId = freshSesId();
    const delivery = identityDelivery(sesId, 'success@simulator.amazonses.com');
    await deliver(h, [delivery]);
    expect(await eventRow(delivery.MessageId)).toMatchObject({ state: 'orphan', test_send_id: null });

    await finishTestSend(h.herald.deps, id, { providerMessageId: sesId });
    await becomes(delivery.MessageId, { state: 'applied', test_send_id: id, tenant_id: sender.tenantId, message_id: null });
  });

  it('is linked when the SES message id is written while the event batch that found no match has yet to commit its orphan', async () => {
    const id = await testSend();
    const sesId = freshSesId();
    const delivery = identityDelivery(sesId, 'success@simulator.amazonses.com');
    // Written as a bare update, so that only the event batch's own look after its commit can find it.
    await whileTheBatchHoldsItsOrphan(sesId, delivery, () => h.herald.deps.sql`update test_sends set provider_message_id = ${sesId} where id = ${id}`);
    await becomes(delivery.MessageId, { state: 'applied', test_send_id: id, tenant_id: sender.tenantId });
  });
});

describe('an orphan left by a process killed between writing the SES message id and its look for orphans', () => {
  it('is handed back by the next worker process to start when it is recent; older and unmatched ones stay orphans', { timeout: 120_000 }, async () => {
    const [recent, old] = [await heldMessage('killed-recent'), await heldMessage('killed-old')];
    const [recentId, oldId] = [freshSesId(), freshSesId()];
    const [onRecent, onOld, onNothing] = [identityDelivery(recentId, recent.to), identityDelivery(oldId, old.to), identityDelivery(freshSesId(), 'nobody@inbox.test')];
    await deliver(h, [onRecent, onOld, onNothing]);
    const { sql } = h.herald.deps;
    await sql`update message_events set received_at = now() - interval '2 hours' where sns_message_id = ${onOld.MessageId}`;
    // The outcomes as a sender commits them, without the look that would follow: the process died in between.
    for (const [m, sesId] of [[recent, recentId], [old, oldId]] as const) {
      await sql`update messages set status = 'sent', provider_message_id = ${sesId}, sent_at = now(), claim_token = null where id = ${m.id}`;
    }
    for (const e of [onRecent, onOld, onNothing]) expect(await eventRow(e.MessageId)).toMatchObject({ state: 'orphan' });

    const worker = await startWorker(workerEnv(h.herald, h.sim));
    workers.add(worker);
    await becomes(onRecent.MessageId, { state: 'applied', message_id: recent.id });
    expect(await messageState(h, recent.id)).toMatchObject({ status: 'delivered', delivered_at: IDENTITY_MAIL });
    expect(worker.output()).toContain('SES events left as orphans by a stopped process handed back for processing');
    expect(await eventRow(onOld.MessageId)).toMatchObject({ state: 'orphan' });
    expect(await eventRow(onNothing.MessageId)).toMatchObject({ state: 'orphan' });
    await killHard(worker);
  });
});
