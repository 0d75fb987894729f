import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { RetentionSettings } from '../src/env.js';
import { runRetention, type RetentionOptions } from '../src/retention/purge.js';
import { readySender, simAccount, type Sender } from './sendingHelpers.js';
import type { SnsEnvelope } from '../src/dev/snsMessages.js';
import { notification, sentCampaign, statsOf, useHarness, waitProcessed, type SentCampaign } from './sesEventHelpers.js';
import { awsExample, postSns } from './snsHelpers.js';
import { useHerald } from './useHerald.js';

/**
 * Data retention against a real Herald: events arrive through the signed
 * webhook and the worker applies them, uploads go through the upload route,
 * refusals are counted by the webhook; only the timestamps are moved into
 * the past with SQL. Then runRetention runs with tiny batches (so every
 * loop takes several turns) and the tests check what went and what stayed.
 */
const h = useHarness();
let alpha: Sender;
let beta: Sender;
let alphaCampaign: SentCampaign;
let betaCampaign: SentCampaign;
/** SNS MessageIds of alpha's events, by what the tests do with them. */
const alphaOld: string[] = [];
const alphaRecent: string[] = [];
const betaOld: string[] = [];
const betaRecent: string[] = [];

const DEFAULTS: RetentionSettings = { messageEventsDays: 90, webhookRefusalsDays: 30, importFilesDays: 1 };
const KEEP_ALL: RetentionSettings = { messageEventsDays: null, webhookRefusalsDays: null, importFilesDays: null };
const purge = (settings: RetentionSettings, opts: Partial<RetentionOptions> = {}) =>
  runRetention(h.herald.deps, { settings, batchSize: 2, budgetMs: 30_000, ...opts });

/** Delivery, open and click for each message (a permanent bounce for the last): 4 × 3 events per campaign. */
async function eventsFor(sender: Sender, campaign: SentCampaign): Promise<string[]> {
  const envelopes = campaign.messages.flatMap((m, i) => {
    const target = { sesMessageId: m.providerId, accountId: sender.accountId, recipients: [m.to] };
    const names = i === campaign.messages.length - 1 ? (['delivery', 'bounce'] as const) : (['delivery', 'open', 'click'] as const);
    return names.map((name) => notification(h, sender.accountId, awsExample(name, target)));
  });
  await deliverAsSnsDoes(envelopes);
  return envelopes.map((e) => e.MessageId);
}

/**
 * Posts the notifications and, like SNS, posts again any answered 503 (Herald could not store it right now, as
 * happens on a busy test machine), then waits until all are processed.
 */
async function deliverAsSnsDoes(envelopes: SnsEnvelope[]): Promise<void> {
  let waiting = envelopes;
  for (let attempt = 0; attempt < 10 && waiting.length > 0; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 500));
    const answers = await Promise.all(waiting.map((e) => postSns(h.herald.url, e)));
    expect(answers.map((a) => a.status).filter((s) => s !== 200 && s !== 503)).toEqual([]);
    waiting = waiting.filter((_, i) => answers[i]?.status === 503);
  }
  expect(waiting).toEqual([]);
  await waitProcessed(h, envelopes.map((e) => e.MessageId));
}

/** An event received 100 days ago, straight in SQL (for states the webhook cannot produce on demand). */
const oldEvent = (sql: Sql, snsMessageId: string, account: string, state: 'pending' | 'orphan') => sql`
  insert into message_events (sns_message_id, topic_arn, aws_account_id, event_type, ses_message_id, occurred_at, received_at, state, shard, payload)
  values (${snsMessageId}, ${`arn:aws:sns:us-east-1:${account}:herald-ses-events`}, ${account}, 'Delivery', ${randomUUID()},
    now() - interval '100 days', now() - interval '100 days', ${state}, 0, '{}')`;

const eventCount = async (ids: string[]) =>
  (await h.herald.deps.sql<{ n: number }[]>`select count(*)::int as n from message_events where sns_message_id = any(${ids})`)[0]?.n;

/** Everything the events' effects live in, for one tenant and campaign: must not change when events go. */
async function effects(sender: Sender, campaign: SentCampaign) {
  const { sql } = h.herald.deps;
  return {
    messages: await sql`
      select id, status, sent_at, delivered_at, opened_at, clicked_at, bounced_at, bounce_type, open_count, click_count
      from messages where campaign_id = ${campaign.campaignId} order by id`,
    stats: await statsOf(h, campaign.campaignId),
    metrics: await sender.agent.trpc.campaigns.metrics.query({ id: campaign.campaignId }),
    suppressions: await sql`select email, reason from suppressions where tenant_id = ${sender.tenantId} order by email`,
    contacts: await sql`select id, status from contacts where tenant_id = ${sender.tenantId} order by id`,
  };
}

beforeAll(async () => {
  alpha = await readySender(h.herald, h.sim, simAccount(), 'Alpha');
  beta = await readySender(h.herald, h.sim, simAccount(), 'Beta');
  alphaCampaign = await sentCampaign(h, alpha, 4, 'alpha');
  betaCampaign = await sentCampaign(h, beta, 4, 'beta');
  const alphaEvents = await eventsFor(alpha, alphaCampaign);
  const betaEvents = await eventsFor(beta, betaCampaign);
  // Half of each tenant's events were received 100 days ago (past the default 90), the rest 80 days ago (kept).
  alphaOld.push(...alphaEvents.slice(0, 6));
  alphaRecent.push(...alphaEvents.slice(6));
  betaOld.push(...betaEvents.slice(0, 5));
  betaRecent.push(...betaEvents.slice(5));
  const { sql } = h.herald.deps;
  await sql`update message_events set received_at = now() - interval '100 days' where sns_message_id = any(${[...alphaOld, ...betaOld]})`;
  await sql`update message_events set received_at = now() - interval '80 days' where sns_message_id = any(${[...alphaRecent, ...betaRecent]})`;
}, 90_000);

describe('message events', () => {
  it('"off" keeps every event, refusal and file forever', async () => {
    const result = await purge(KEEP_ALL);
    expect(result).toEqual({ messageEvents: null, webhookRefusals: null, importUploads: null, importChunks: null, stoppedEarly: false });
    expect(await eventCount([...alphaOld, ...betaOld])).toBe(11);
  });

  it('a run with no time left deletes nothing and says it stopped early', async () => {
    expect(await purge(DEFAULTS, { budgetMs: 0 })).toMatchObject({ messageEvents: 0, stoppedEarly: true });
    expect(await eventCount([...alphaOld, ...betaOld])).toBe(11);
  });

  it('deletes events received before the period, of every account, and keeps the newer ones and everything they changed', async () => {
    const { sql } = h.herald.deps;
    // An old orphan: an event of the account that named no message of any tenant.
    const orphanId = randomUUID();
    await oldEvent(sql, orphanId, alpha.accountId, 'orphan');
    const alphaBefore = await effects(alpha, alphaCampaign);
    const betaBefore = await effects(beta, betaCampaign);

    const result = await purge(DEFAULTS);

    expect(result.messageEvents).toBe(12); // 6 of alpha, 5 of beta, the orphan
    expect(result.stoppedEarly).toBe(false);
    expect(await eventCount([...alphaOld, ...betaOld, orphanId])).toBe(0);
    expect(await eventCount(alphaRecent)).toBe(alphaRecent.length);
    expect(await eventCount(betaRecent)).toBe(betaRecent.length);
    expect(await effects(alpha, alphaCampaign)).toEqual(alphaBefore);
    expect(await effects(beta, betaCampaign)).toEqual(betaBefore);
    // The suppression of the bounced address outlives the bounce event it came from.
    expect(betaBefore.suppressions).toHaveLength(1);
    // The recipients page still shows each message, with its latest remaining event or none.
    const page = await alpha.agent.trpc.campaigns.report.recipients.query({ id: alphaCampaign.campaignId });
    expect(page.items).toHaveLength(4);
  });
});

describe('pending events', () => {
  // A Herald of its own without a worker: here nothing processes the pending event while the purge runs.
  const quiet = useHerald();

  it('are never deleted, however old; processed ones of the same age are', async () => {
    const { sql } = quiet.herald.deps;
    const [pending, applied] = [randomUUID(), randomUUID()];
    await oldEvent(sql, pending, '123456789012', 'pending');
    await oldEvent(sql, applied, '123456789012', 'orphan');
    const result = await runRetention(quiet.herald.deps, { settings: DEFAULTS, batchSize: 2, budgetMs: 30_000 });
    expect(result.messageEvents).toBe(1);
    const left = await sql<{ id: string }[]>`select sns_message_id as id from message_events`;
    expect(left.map((r) => r.id)).toEqual([pending]);
  });
});

describe('webhook refusals', () => {
  it('deletes counters of hours before the period and keeps the recent ones', async () => {
    const { sql } = h.herald.deps;
    // A real refusal: a notification whose signature no longer matches its message.
    const forged = notification(h, alpha.accountId, awsExample('delivery', { sesMessageId: 'x', accountId: alpha.accountId, recipients: ['a@b.test'] }));
    expect((await postSns(h.herald.url, { ...forged, Message: forged.Message.replace('delivery', 'Delivery') })).status).toBe(403);
    // The counter is written once a second (refusalCounter.ts): the default 1 s wait is too short.
    const [refused] = await vi.waitFor(async () => {
      const rows = await sql<{ reason: string; hour: string }[]>`select reason, hour::text from webhook_refusals where aws_account_id = ${alpha.accountId}`;
      expect(rows).toHaveLength(1);
      return rows;
    }, { timeout: 10_000, interval: 100 });
    await sql`
      insert into webhook_refusals (aws_account_id, reason, hour, count)
      values (${alpha.accountId}, 'bad-signature', date_trunc('hour', now()) - interval '31 days', 3),
             (${alpha.accountId}, 'bad-signature', date_trunc('hour', now()) - interval '29 days', 2),
             (${beta.accountId}, 'malformed', date_trunc('hour', now()) - interval '40 days', 1)`;

    const result = await purge(DEFAULTS);

    expect(result.webhookRefusals).toBe(2);
    const left = await sql<{ account: string; count: number }[]>`
      select aws_account_id as account, count from webhook_refusals where aws_account_id in (${alpha.accountId}, ${beta.accountId}) order by hour`;
    expect(left).toEqual([{ account: alpha.accountId, count: 2 }, { account: alpha.accountId, count: 1 }]);
    expect(refused?.reason).toBe('bad-signature');
  });
});

describe('locks', () => {
  it('a table another session holds locked is left for the next run after 2 s; the other tables still go', async () => {
    const { sql } = h.herald.deps;
    await sql`insert into webhook_refusals (aws_account_id, reason, hour, count) values (${beta.accountId}, 'malformed', date_trunc('hour', now()) - interval '60 days', 1)`;
    const orphanId = randomUUID();
    await oldEvent(sql, orphanId, beta.accountId, 'orphan');
    const locker = await sql.reserve();
    try {
      await locker`begin`;
      await locker`lock table webhook_refusals in share mode`;
      const started = performance.now();
      const result = await purge(DEFAULTS);
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(result).toMatchObject({ webhookRefusals: 0, messageEvents: 1, stoppedEarly: true });
      expect(h.herald.logs.join('\n')).toContain('retention gave up on a batch');
    } finally {
      await locker`rollback`;
      locker.release();
    }
    expect(await purge(DEFAULTS)).toMatchObject({ webhookRefusals: 1, messageEvents: 0, stoppedEarly: false });
  });
});

describe('import files', () => {
  const upload = async (sender: Sender, name: string) => {
    const res = await fetch(`${h.herald.url}/api/contacts/imports?fileName=${name}`, {
      method: 'POST',
      headers: { cookie: sender.agent.cookie ?? '', origin: h.herald.url, 'content-type': 'text/csv' },
      body: `email\n${name}@example.com\n`,
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { id: string }).id;
  };
  const state = async (ids: string[]) =>
    h.herald.deps.sql<{ id: string; status: string; error: string | null; chunks: number }[]>`
      select i.id, i.status::text, i.error, (select count(*)::int from import_chunks c where c.import_id = i.id) as chunks
      from contact_imports i where i.id = any(${ids}) order by i.file_name`;

  it('deletes never-started uploads and failed imports’ files after the period; keeps the rest and the failures’ reports', async () => {
    const { sql } = h.herald.deps;
    const oldUpload = await upload(alpha, 'a-old-upload');
    const newUpload = await upload(alpha, 'b-new-upload');
    const oldFailed = await upload(alpha, 'c-old-failed');
    const newFailed = await upload(alpha, 'd-new-failed');
    const betaOldUpload = await upload(beta, 'e-beta-old-upload');
    await sql`update contact_imports set created_at = now() - interval '2 days' where id in (${oldUpload}, ${betaOldUpload}, ${oldFailed})`;
    await sql`update contact_imports set status = 'failed', error = 'Broken file', finished_at = now() - interval '2 days' where id = ${oldFailed}`;
    await sql`update contact_imports set status = 'failed', error = 'Broken file', finished_at = now() - interval '1 hour' where id = ${newFailed}`;

    const keepAll = await purge({ ...DEFAULTS, importFilesDays: null });
    expect(keepAll.importUploads).toBeNull();
    expect(await state([oldUpload, betaOldUpload])).toHaveLength(2);

    const result = await purge(DEFAULTS);

    expect(result).toMatchObject({ importUploads: 2, importChunks: 3 });
    expect(await state([oldUpload, newUpload, oldFailed, newFailed, betaOldUpload])).toEqual([
      { id: newUpload, status: 'uploaded', error: null, chunks: 1 },
      { id: oldFailed, status: 'failed', error: 'Broken file', chunks: 0 },
      { id: newFailed, status: 'failed', error: 'Broken file', chunks: 1 },
    ]);
  });
});

describe('migration 0021', () => {
  it('deletes a queued job of the retired imports__purge_stale task and leaves every other job', async () => {
    const { sql } = h.herald.deps;
    const later = new Date(Date.now() + 24 * 60 * 60_000).toISOString();
    await sql`select graphile_worker.add_job('imports__purge_stale', '{}'::json, run_at => ${later}::timestamptz)`;
    await sql`select graphile_worker.add_job('retention__purge', '{}'::json, run_at => ${later}::timestamptz, job_key => 'migration-0021-test')`;
    const tasks = () => sql<{ task: string }[]>`select task_identifier as task from graphile_worker.jobs where task_identifier in ('imports__purge_stale', 'retention__purge') order by 1`;
    expect((await tasks()).map((r) => r.task)).toEqual(['imports__purge_stale', 'retention__purge']);

    await sql.unsafe(readFileSync(new URL('../../drizzle/0021_retire_imports_purge_stale.sql', import.meta.url), 'utf8'));

    expect((await tasks()).map((r) => r.task)).toEqual(['retention__purge']);
    await sql`select graphile_worker.remove_job('migration-0021-test')`;
  });
});
