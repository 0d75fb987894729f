import type { Sql, TransactionSql } from 'postgres';
import { AppError } from '../../errors.js';
import { IDEMPOTENCY_WINDOW_HOURS } from './idempotency.js';
import type { SendAnswer } from './types.js';

type Db = Sql | TransactionSql;

/** The answer emails.send gave for a stored email, rebuilt from its rows (first answers and replays alike). */
export async function answerOf(sql: Db, tenantId: string, emailId: string): Promise<SendAnswer | null> {
  const [email] = await sql<{ status: string; heldReason: string | null; scheduledAt: string | null }[]>`
    select status, held_reason as "heldReason", scheduled_at as "scheduledAt" from emails where id = ${emailId} and tenant_id = ${tenantId}`;
  if (!email) return null;
  const recipients = await sql<{ address: string; reason: string | null }[]>`
    select address, suppression_reason as reason from email_recipients where email_id = ${emailId} order by position`;
  // Past acceptance the email's own status moves on (sending, sent…); the answer keeps to what acceptance decided.
  const status = email.status === 'refused' ? 'refused' : email.status === 'held' ? 'held' : email.status === 'scheduled' ? 'scheduled' : 'queued';
  return {
    id: emailId,
    status,
    ...(email.heldReason && status === 'held' ? { heldReason: email.heldReason } : {}),
    ...(email.scheduledAt ? { scheduledAt: new Date(email.scheduledAt).toISOString() } : {}),
    recipients: recipients.map((r) => (r.reason ? { email: r.address, status: 'refused' as const, reason: r.reason } : { email: r.address, status: 'accepted' as const })),
  };
}

/** The email an idempotency key named within the window; a different request under it is a CONFLICT. */
async function earlierEmail(sql: Db, tenantId: string, key: string, hash: string): Promise<string | null> {
  const [row] = await sql<{ id: string; hash: string | null; createdAt: string }[]>`
    select id, request_hash as hash, created_at as "createdAt" from emails
    where tenant_id = ${tenantId} and idempotency_key = ${key} and created_at > now() - make_interval(hours => ${IDEMPOTENCY_WINDOW_HOURS})`;
  if (!row) return null;
  if (row.hash !== hash) {
    throw new AppError('CONFLICT', `This idempotency key was already used at ${new Date(row.createdAt).toISOString()} for a different request (email ${row.id}). Use a new key for a new email.`, {
      emailId: row.id,
    });
  }
  return row.id;
}

/** A retry's answer before any work is done, or null when the key is new (or expired). */
export async function replayFor(sql: Db, tenantId: string, key: string, hash: string): Promise<SendAnswer | null> {
  const id = await earlierEmail(sql, tenantId, key, hash);
  return id ? answerOf(sql, tenantId, id) : null;
}

/**
 * Inside the storing transaction: concurrent requests with one key take
 * turns on a transaction-scoped advisory lock, so exactly one stores the
 * email and the others, once it has committed, find it and replay its
 * answer. A key past its window is released (the old email keeps its row,
 * without the key) so it can start a new email.
 */
export async function claimIdempotencyKey(tx: TransactionSql, tenantId: string, key: string, hash: string): Promise<{ kind: 'replay'; answer: SendAnswer } | { kind: 'new' }> {
  await tx`select pg_advisory_xact_lock(hashtextextended(${`email-idempotency:${tenantId}:${key}`}, 0))`;
  const earlier = await replayFor(tx, tenantId, key, hash);
  if (earlier) return { kind: 'replay', answer: earlier };
  await tx`update emails set idempotency_key = null, updated_at = now() where tenant_id = ${tenantId} and idempotency_key = ${key}`;
  return { kind: 'new' };
}
