import { randomUUID } from 'node:crypto';
import { expect, vi } from 'vitest';
import { signedNotification, type SnsEnvelope } from '../src/dev/snsMessages.js';
import { campaignInput, seedContacts, type Sender } from './sendingHelpers.js';
import { postSns, topicArnOf } from './snsHelpers.js';
import { useHeraldWithSimulator, type HeraldWithSns } from './useHerald.js';

/** A real Herald (HTTP and worker) with the SES simulator and the SNS stand-in it trusts. */
export type Harness = HeraldWithSns;

/** The harness for the file's tests (started in beforeAll, stopped in afterAll). */
export const useHarness = (): Harness => useHeraldWithSimulator({ snsHost: true, roles: { http: true, worker: true } });

export type SentMessage = { id: string; providerId: string; to: string; contactId: string };
export type SentCampaign = { campaignId: string; messages: SentMessage[] };

/**
 * `count` fresh contacts (`<prefix>-0000i@inbox.test`) on a list of their
 * own, one campaign to them sent through the simulator; resolves once every
 * message is `sent`, messages ordered by address.
 */
export async function sentCampaign(h: Harness, sender: Sender, count: number, prefix: string): Promise<SentCampaign> {
  const { id: listId } = await sender.agent.trpc.lists.create.mutate({ name: `List ${prefix}` });
  await seedContacts(h.herald.deps.sql, { ...sender, listId }, count, prefix);
  const { id: campaignId } = await sender.agent.trpc.campaigns.create.mutate(campaignInput(listId));
  await sender.agent.trpc.campaigns.send.mutate({ id: campaignId });
  const messages = await vi.waitFor(
    async () => {
      const rows = await h.herald.deps.sql<SentMessage[]>`
        select id, provider_message_id as "providerId", to_address as to, contact_id as "contactId"
        from messages where campaign_id = ${campaignId} and status = 'sent' and provider_message_id is not null order by to_address`;
      expect(rows).toHaveLength(count);
      return rows;
    },
    { timeout: 30_000, interval: 100 },
  );
  return { campaignId, messages };
}

/** An SES event as a signed SNS notification on the account's own topic (`messageId` fixes the SNS MessageId). */
export const notification = (h: Harness, accountId: string, event: object, messageId = randomUUID()): SnsEnvelope =>
  signedNotification(h.sns.signer(), { topicArn: topicArnOf(accountId), message: event, messageId });

/** Resolves once every given SNS MessageId is stored and none of them is still `pending`. */
export async function waitProcessed(h: Harness, snsMessageIds: string[]): Promise<void> {
  const ids = [...new Set(snsMessageIds)];
  await vi.waitFor(
    async () => {
      const [row] = await h.herald.deps.sql<{ stored: number; pending: number }[]>`
        select count(*)::int as stored, count(*) filter (where state = 'pending')::int as pending
        from message_events where sns_message_id = any(${ids})`;
      expect(row).toEqual({ stored: ids.length, pending: 0 });
    },
    { timeout: 20_000, interval: 50 },
  ).catch(async (err: unknown) => {
    // Say which events are stuck and whether any processing job is still queued for them.
    const stuck = await h.herald.deps.sql`select shard, count(*)::int as n from message_events where sns_message_id = any(${ids}) and state = 'pending' group by shard`;
    const jobs = await h.herald.deps.sql`select key, locked_at is not null as locked from graphile_worker.jobs where task_identifier = 'events__process'`;
    throw new Error(`${(err as Error).message}\npending per shard: ${JSON.stringify(stuck)}; events__process jobs: ${JSON.stringify(jobs)}`);
  });
}

/** Posts the notifications (all at once), expects 200 for each, and waits until they are processed. */
export async function deliver(h: Harness, envelopes: SnsEnvelope[]): Promise<void> {
  const answers = await Promise.all(envelopes.map((e) => postSns(h.herald.url, e)));
  expect(answers.map((a) => a.status)).toEqual(envelopes.map(() => 200));
  await waitProcessed(h, envelopes.map((e) => e.MessageId));
}

/** Raw `sql` returns timestamptz as text: compare instants as ISO strings. */
export const iso = (value: unknown): string | null => (value === null || value === undefined ? null : new Date(value as string).toISOString());

export type MessageState = {
  status: string;
  sent_at: string | null;
  delivered_at: string | null;
  opened_at: string | null;
  clicked_at: string | null;
  bounced_at: string | null;
  complained_at: string | null;
  rejected_at: string | null;
  bounce_type: string | null;
  open_count: number;
  click_count: number;
  provider_message_id: string | null;
};

export async function messageState(h: Harness, id: string): Promise<MessageState> {
  const [row] = await h.herald.deps.sql<MessageState[]>`
    select status, sent_at, delivered_at, opened_at, clicked_at, bounced_at, complained_at, rejected_at, bounce_type,
      open_count, click_count, provider_message_id from messages where id = ${id}`;
  if (!row) throw new Error(`no message ${id}`);
  const times = ['sent_at', 'delivered_at', 'opened_at', 'clicked_at', 'bounced_at', 'complained_at', 'rejected_at'] as const;
  return { ...row, ...Object.fromEntries(times.map((t) => [t, iso(row[t])])) };
}

export async function contactStatus(h: Harness, contactId: string): Promise<string | undefined> {
  const [row] = await h.herald.deps.sql<{ status: string }[]>`select status from contacts where id = ${contactId}`;
  return row?.status;
}

export async function suppressionsOf(h: Harness, tenantId: string, emails: string[]): Promise<{ email: string; reason: string; source: string | null }[]> {
  return h.herald.deps.sql<{ email: string; reason: string; source: string | null }[]>`
    select email, reason, source from suppressions where tenant_id = ${tenantId} and email = any(${emails}) order by email`;
}

/** Sets a detail's own timestamp (`bounce.timestamp`, …) on an example built by awsExample. */
export function at<T extends Record<string, unknown>>(event: T, detail: string, timestamp: string): T {
  (event[detail] as Record<string, unknown>).timestamp = timestamp;
  return event;
}

/** The campaign's counters per status (statuses a message only passed through sum to 0 and are left out). */
export const statsOf = (h: Harness, campaignId: string) =>
  h.herald.deps.sql<{ status: string; n: number }[]>`
    select status::text, sum(count)::int as n from campaign_stats where campaign_id = ${campaignId}
    group by status having sum(count) <> 0 order by status::text`;
