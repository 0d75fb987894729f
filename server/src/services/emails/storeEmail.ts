import { randomUUID } from 'node:crypto';
import type { Sql, TransactionSql } from 'postgres';
import type { AttachmentMeta, EmailTag } from '../../db/schema/emails.js';
import { batchedPerClient } from '../../db/batchedPerClient.js';
import { addJobsCall } from '../../queue/addJob.js';
import type { Recipient } from './recipientChecks.js';

export type NewEmail = {
  tenantId: string;
  apiKeyId: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  from: { address: string; name: string | null };
  replyTo: string[];
  subject: string;
  html: string | null;
  text: string | null;
  templateId: string | null;
  templateVersion: number | null;
  tags: EmailTag[];
  headers: Record<string, string>;
  attachments: AttachmentMeta[];
  /** Built at acceptance only when it must be (acceptEmail.rawIfBuiltNow); otherwise the send job builds it. */
  raw: Buffer | null;
  rawSize: number | null;
  status: 'scheduled' | 'queued' | 'held' | 'refused';
  heldReason: string | null;
  scheduledAt: Date | null;
  recipients: (Recipient & { reason: string | null })[];
};

/**
 * Stores accepted emails, their recipients and their send jobs in ONE statement: one round trip and one
 * commit for the whole batch, atomic without an explicit transaction.
 * Returns the new ids in the order given.
 */
export async function storeEmails(sql: Sql | TransactionSql, emails: NewEmail[]): Promise<string[]> {
  const ids = emails.map(() => randomUUID());
  const rows = emails.map((e, i) => ({
    id: ids[i], tenant_id: e.tenantId, api_key_id: e.apiKeyId, idempotency_key: e.idempotencyKey, request_hash: e.requestHash,
    from_address: e.from.address, from_name: e.from.name, reply_to: e.replyTo, subject: e.subject, html: e.html, text: e.text,
    template_id: e.templateId, template_version: e.templateVersion, tags: e.tags, headers: e.headers, attachments: e.attachments,
    raw: e.raw?.toString('base64') ?? null, raw_size: e.rawSize, status: e.status, held_reason: e.heldReason,
    scheduled_at: e.scheduledAt?.toISOString() ?? null, last_error: e.status === 'refused' ? 'Every recipient was refused; nothing was sent.' : null,
  }));
  const recipients = emails.flatMap((e, i) => e.recipients.map((r, position) => ({ email_id: ids[i], tenant_id: e.tenantId, address: r.address, kind: r.kind, position, reason: r.reason })));
  const jobs = sendJobs(emails, ids as string[]);
  await sql`
    with input as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(id uuid, tenant_id uuid, api_key_id uuid, idempotency_key text,
        request_hash text, from_address text, from_name text, reply_to jsonb, subject text, html text, text text, template_id uuid,
        template_version int, tags jsonb, headers jsonb, attachments jsonb, raw text, raw_size int, status email_send_status,
        held_reason text, scheduled_at timestamptz, last_error text)
    ),
    stored as (
      insert into emails (id, tenant_id, api_key_id, idempotency_key, request_hash, from_address, from_name, reply_to, subject, html, text,
        template_id, template_version, tags, headers, attachments, raw, raw_size, status, held_reason, scheduled_at, last_error)
      select id, tenant_id, api_key_id, idempotency_key, request_hash, from_address, from_name, reply_to, subject, html, text,
        template_id, template_version, tags, headers, attachments, decode(raw, 'base64'), raw_size, status, held_reason, scheduled_at, last_error
      from input
      returning id
    ),
    addressed as (
      insert into email_recipients (email_id, tenant_id, address, kind, position, status, suppression_reason)
      select r.email_id, r.tenant_id, r.address, r.kind::recipient_kind, r.position,
        (case when r.reason is null then 'queued' else 'suppressed' end)::message_status, r.reason
      from jsonb_to_recordset(${JSON.stringify(recipients)}::jsonb) as r(email_id uuid, tenant_id uuid, address text, kind text, position int, reason text)
      returning 1
    )
    -- Every part is read here: PostgreSQL runs a non-modifying WITH query (the jobs) only as far as it is read.
    select (select count(*) from stored) as emails, (select count(*) from addressed) as recipients,
      ${jobs.length > 0 ? sql`(select count(*) from ${addJobsCall(sql, 'emails__send', jobs)})` : sql`0`} as jobs`;
  return ids as string[];
}

/**
 * The send jobs of a batch: the emails to send now, one job per tenant (one
 * tenant's slow rate never delays another's emails); a scheduled email, a
 * job of its own at its time, keyed by the email like every single-email job
 * (jobs/emails__send.ts).
 */
function sendJobs(emails: NewEmail[], ids: string[]) {
  const now = new Map<string, string[]>();
  const later: { payload: { emailIds: string[] }; opts: { jobKey: string; runAt: Date } }[] = [];
  emails.forEach((e, i) => {
    const id = ids[i] as string;
    if (e.status === 'refused') return;
    if (e.scheduledAt) later.push({ payload: { emailIds: [id] }, opts: { jobKey: `email:${id}`, runAt: e.scheduledAt } });
    else now.set(e.tenantId, (now.get(e.tenantId) ?? []).concat(id));
  });
  return [...[...now.values()].map((emailIds) => ({ payload: { emailIds } })), ...later];
}

/** One email in the caller's transaction (the idempotency-key path, which must hold its lock until commit). */
export async function storeEmail(sql: TransactionSql, email: NewEmail): Promise<string> {
  return (await storeEmails(sql, [email]))[0] as string;
}

/**
 * Emails accepted at the same moment share one statement and one commit,
 * one flush at a time: while it runs, the next batch gathers. Measured with
 * bench/transactional.ts, one flush in flight accepts about 15 % more emails
 * per second than two and 35 % more than four (bigger batches, fewer jobs);
 * a lone email is still flushed at once.
 */
export const storeEmailGrouped: (sql: Sql, email: NewEmail) => Promise<string> = batchedPerClient(storeEmails, { maxBatch: 100, maxConcurrent: 1 });
