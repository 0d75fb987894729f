/**
 * The statements Herald runs against message_events, as bench/retention.ts
 * times them: the same SQL as the named source files (their joins to other
 * tables left out where those tables are not seeded), with keys sampled from
 * the seeded rows.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';

export type Keys = { messageIds: string[]; emails: { emailId: string; tenantId: string }[]; largest: string; median: string };
export type Timed = { name: string; run: (i: number) => Promise<unknown> };

export async function sampleKeys(sql: Sql): Promise<Keys> {
  const messages = await sql<{ id: string }[]>`select message_id as id from message_events tablesample system (0.2) where message_id is not null limit 5000`;
  const emails = await sql<{ emailId: string; tenantId: string }[]>`
    select email_id as "emailId", tenant_id as "tenantId" from message_events tablesample system (1) where email_id is not null limit 1000`;
  const accounts = await sql<{ account: string }[]>`
    select aws_account_id as account from message_events tablesample system (1) group by 1 order by count(*) desc`;
  return { messageIds: messages.map((r) => r.id), emails, largest: accounts[0]!.account, median: accounts[Math.floor(accounts.length / 2)]!.account };
}

const rollback = new Error('rollback');
const pick = <T>(xs: T[], i: number) => xs[(i * 7919) % xs.length]!;

/** A batch of new events as the webhook stores them (events/storeEvents.ts). */
export function newEvents(n: number, account: string) {
  return Array.from({ length: n }, () => {
    const ses = `0102018c${randomUUID()}`;
    return {
      snsMessageId: randomUUID(), topicArn: `arn:aws:sns:eu-west-1:${account}:herald-ses-events`, accountId: account, eventType: 'Delivery',
      sesMessageId: ses, occurredAt: new Date().toISOString(), shard: Math.floor(Math.random() * 4),
      payload: JSON.stringify({ eventType: 'Delivery', mail: { messageId: ses, source: 'news@tenant.example', destination: ['someone@example.org'], tags: { 'ses:operation': ['SendRawEmail'] }, headers: Array.from({ length: 4 }, (_, h) => ({ name: `X-H${h}`, value: 'v'.repeat(100) })) }, delivery: { timestamp: new Date().toISOString(), recipients: ['someone@example.org'], smtpResponse: '250 2.0.0 OK' } }),
    };
  });
}

/** Stores a batch (events/storeEvents.ts, without the connected-account check: no channel settings are seeded). */
export async function insertEvents(sql: Sql, rows: ReturnType<typeof newEvents>): Promise<string[]> {
  const stored = await sql<{ id: string }[]>`
    insert into message_events (sns_message_id, topic_arn, aws_account_id, event_type, ses_message_id, occurred_at, shard, payload)
    select r."snsMessageId", r."topicArn", r."accountId", r."eventType", r."sesMessageId", r."occurredAt", r.shard, r.payload::jsonb
    from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb) as r("snsMessageId" text, "topicArn" text, "accountId" text,
      "eventType" text, "sesMessageId" text, "occurredAt" timestamptz, shard smallint, payload text)
    on conflict (sns_message_id) do nothing
    returning id`;
  return stored.map((r) => r.id);
}

/** The account new events are stored for: none of the seeded ones, so the health figures stay those of the seed. */
export const WRITER_ACCOUNT = '999999999999';

/** 500 new events stored, then marked applied as processing does a moment later (events/processEvents.ts). */
export async function storeAndApply(sql: Sql, account: string): Promise<void> {
  const ids = await insertEvents(sql, newEvents(500, account));
  await sql`update message_events set state = 'applied', processed_at = now() where id = any(${ids}::uuid[])`;
}

export function hotQueries(sql: Sql, keys: Keys): Timed[] {
  return [
    {
      // services/campaigns/recipients.ts: a page of 50 recipients with each one's latest event.
      name: 'recipients page: latest event of 50 messages',
      run: (i) => sql`
        select p.id, e.event_type, e.occurred_at from unnest(${Array.from({ length: 50 }, (_, j) => pick(keys.messageIds, i * 50 + j))}::uuid[]) as p(id)
        left join lateral (
          select me.event_type, me.occurred_at from message_events me
          where me.message_id = p.id order by me.occurred_at desc, me.received_at desc limit 1
        ) e on true`,
    },
    {
      // services/emails/readEmails.ts: a transactional email's events.
      name: 'email events (emails.get)',
      run: (i) => {
        const e = pick(keys.emails, i);
        return sql`select event_type, occurred_at, payload from message_events where email_id = ${e.emailId} and tenant_id = ${e.tenantId}
          order by coalesce(occurred_at, received_at), id`;
      },
    },
    ...(['largest', 'median'] as const).map((which) => ({
      // services/channels/eventHealth.ts: the health panel's counts of the last 24 hours.
      name: `health: events by type, last 24 h, ${which} account`,
      run: () => sql`
        select event_type as type, count(*)::int as count from message_events
        where aws_account_id = ${keys[which]} and received_at > now() - interval '24 hours'
        group by event_type order by count(*) desc, event_type`,
    })),
    {
      name: 'health: latest event, largest account',
      run: () => sql`select event_type as type, received_at as at from message_events where aws_account_id = ${keys.largest} order by received_at desc limit 1`,
    },
    {
      name: 'health: orphans last 24 h, largest account',
      run: () => sql`select count(*)::int as n from message_events where aws_account_id = ${keys.largest} and state = 'orphan' and received_at > now() - interval '24 hours'`,
    },
    {
      // events/processEvents.ts: a shard's pending batch (rolled back: the rows stay pending).
      name: 'processing: take 500 pending of a shard',
      run: (i) =>
        sql
          .begin(async (tx) => {
            await tx`select id from message_events where state = 'pending' and shard = ${i % 4} order by received_at limit 500 for update skip locked`;
            throw rollback;
          })
          .catch((err: unknown) => {
            if (err !== rollback) throw err;
          }),
    },
    {
      // events/pendingSweep.ts, every second in each worker.
      name: 'pending sweep',
      run: () => sql`select distinct shard from message_events where state = 'pending' and received_at < now() - interval '1 second'`,
    },
    {
      // events/storeEvents.ts then processEvents.ts's mark: 500 new events stored, then applied.
      name: 'store 500 new events + mark them applied',
      run: () => storeAndApply(sql, WRITER_ACCOUNT),
    },
  ];
}
