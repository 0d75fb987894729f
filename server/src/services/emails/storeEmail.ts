import { randomUUID } from 'node:crypto';
import type { Sql, TransactionSql } from 'postgres';
import type { AttachmentMeta, EmailTag } from '../../db/schema/emails.js';
import { groupCommit } from '../../events/groupCommit.js';
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
  raw: Buffer | null;
  rawSize: number;
  status: 'scheduled' | 'queued' | 'held' | 'refused';
  heldReason: string | null;
  scheduledAt: Date | null;
  recipients: (Recipient & { reason: string | null })[];
};

/**
 * Stores accepted emails, their recipients and (for each email with an
 * accepted recipient) its send job in ONE statement: one round trip and one
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
  const jobs = emails.flatMap((e, i) => (e.status === 'refused' ? [] : [{ payload: { emailId: ids[i] as string }, opts: { jobKey: `email:${ids[i]}`, ...(e.scheduledAt ? { runAt: e.scheduledAt } : {}) } }]));
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

/** One email in the caller's transaction (the idempotency-key path, which must hold its lock until commit). */
export async function storeEmail(sql: TransactionSql, email: NewEmail): Promise<string> {
  return (await storeEmails(sql, [email]))[0] as string;
}

/**
 * Emails accepted at the same moment share one statement and one commit
 * (events/groupCommit.ts): under a flood of sends, commits stop being the
 * limit. One committer per database client, made on first use.
 */
const committers = new WeakMap<Sql, (email: NewEmail) => Promise<string>>();

export function storeEmailGrouped(sql: Sql, email: NewEmail): Promise<string> {
  let store = committers.get(sql);
  if (!store) {
    store = groupCommit((batch: NewEmail[]) => storeEmails(sql, batch), { maxBatch: 100, maxConcurrent: 4 });
    committers.set(sql, store);
  }
  return store(email);
}
