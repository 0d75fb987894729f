import type { Deps } from '../deps.js';
import type { SendOutcome } from '../metrics/sendMetrics.js';
import type { SendFailure } from '../ses/sendError.js';
import { trySendRawEmail } from '../ses/sendRawEmail.js';
import { composeRaw } from '../services/emails/compose.js';
import { sendingHold } from '../services/emails/sendingHold.js';
import { pauseTenantUntil } from './campaignState.js';
import { MAX_SEND_ATTEMPTS, retryDelayMs } from './retries.js';
import { loadSendingChannel } from './sendingChannel.js';
import { sendAtTurn } from './sendTurn.js';
import { reopenEarlyEvents } from '../events/earlyEvents.js';
import { writePatiently } from '../db/patience.js';
import { OUTCOME_PATIENCE_MS } from './claims.js';

/**
 * A transactional email waits at most this long for a slot of the tenant's
 * rate. Campaign batches reserve at most slotWindowMs ahead (sendBatch),
 * so a slot taken now is never further away than that: this is the
 * "transactional first" guarantee under one shared rate.
 */
const SLOT_WAIT_MS = 5_000;
/** While sending is paused, a held email looks again this often (a resume by an owner is not announced). */
const HOLD_RECHECK_MS = 60_000;
const QUOTA_PAUSE_MS = 10 * 60_000;

/** When to run the email's job again, or null when it is done (sent, failed or unknown). */
export type NextStep = { runAt: Date } | null;

type Claimed = { tenantId: string; raw: Buffer; attempts: number; recipients: string[]; tags: { name: string; value: string }[] };

/**
 * Sends one accepted email: waits while the tenant's sending is paused
 * (`held`), claims it (`sending`), takes a rate slot ahead of campaign
 * batches, and records what SES said. A job that finds the email already
 * `sending` belongs to a worker that died mid-call: SES may have the email,
 * so it becomes `unknown` (its Send event settles it), never sent twice.
 */
export async function sendTransactional(deps: Deps, emailId: string): Promise<NextStep> {
  const [email] = await deps.sql<{ tenantId: string; status: string }[]>`select tenant_id as "tenantId", status from emails where id = ${emailId}`;
  if (!email) return null;
  if (email.status === 'sending') {
    await deps.sql`update emails set status = 'unknown', last_error = 'The worker stopped during the SES call; the SES Send event will tell whether it left.', updated_at = now() where id = ${emailId} and status = 'sending'`;
    return null;
  }
  if (!['queued', 'scheduled', 'held'].includes(email.status)) return null;

  const hold = await sendingHold(deps.sql, email.tenantId);
  if (hold) {
    await deps.sql`update emails set status = 'held', held_reason = ${hold.reason}, updated_at = now() where id = ${emailId} and status in ('queued', 'scheduled', 'held')`;
    const recheck = deps.now().getTime() + HOLD_RECHECK_MS;
    return { runAt: new Date(Math.min(hold.until?.getTime() ?? recheck, recheck)) };
  }
  const channel = await loadSendingChannel(deps, email.tenantId);
  if (!channel) return fail(deps, emailId, 'Amazon SES is not connected any more: connect it again in Settings → Channels, then send the email again.');

  // Claimed (and built) before the turn, not after it: the claim's round trip between the slot and the
  // request would make a busy process miss the slot. A worker that dies while waiting leaves the email
  // `sending`, which the next run treats as a send SES may have had (`unknown`).
  const claimed = await claim(deps, emailId);
  if (!claimed) return null;
  const metrics = deps.metrics.sends;
  const client = channel.client();
  const waitStarted = performance.now();
  let sesStarted = waitStarted;
  const turn = await sendAtTurn({ sql: deps.sql, clock: deps.dbClock }, { tenantId: channel.tenantId, ratePerSec: channel.ratePerSec, maxWaitMs: SLOT_WAIT_MS }, (departure) => {
    sesStarted = performance.now();
    return trySendRawEmail(client, {
      raw: claimed.raw,
      to: claimed.recipients,
      configurationSetName: channel.configurationSetName,
      tags: { tenantId: claimed.tenantId, emailId, extra: claimed.tags },
      departure,
    });
  });
  if (turn.turn !== 'go') {
    metrics.slots('transactional', turn.turn === 'full' ? 'deferred' : 'missed', 1);
    // Nothing left for SES: the email goes back to the queue as it was.
    await recordPatiently(() => deps.sql`update emails set status = 'queued', updated_at = now() where id = ${emailId} and status = 'sending'`);
    return { runAt: new Date(deps.now().getTime() + 1000) };
  }
  metrics.slots('transactional', 'granted', 1);
  metrics.waited('transactional', (sesStarted - waitStarted) / 1000);
  const result = turn.sent;
  metrics.sesCall('transactional', result.ok, (performance.now() - sesStarted) / 1000);
  if (result.ok) {
    metrics.sends('transactional', claimed.tenantId, 'sent', 'none');
    deps.logger.debug({ tenantId: claimed.tenantId, emailId, sesMessageId: result.providerMessageId }, 'transactional email sent');
    // What SES answered is kept through a database outage (as campaign batches keep theirs): lost,
    // the email would end `unknown` although SES accepted it.
    await recordPatiently(async () => {
      await deps.sql.begin(async (tx) => {
        await tx`update emails set status = 'sent', provider_message_id = ${result.providerMessageId}, sent_at = now(), raw = null, raw_size = ${claimed.raw.length}, held_reason = null, last_error = null, updated_at = now() where id = ${emailId}`;
        await tx`update email_recipients set status = 'sent', sent_at = coalesce(sent_at, now()), updated_at = now() where email_id = ${emailId} and status = 'queued'`;
      });
      // After the commit, not in it (earlyEvents.ts).
      await reopenEarlyEvents(deps.sql, [result.providerMessageId]);
    });
    return null;
  }
  return afterFailure(deps, emailId, claimed, result.failure);
}

async function claim(deps: Deps, emailId: string): Promise<Claimed | null> {
  const [row] = await deps.sql<StoredParts[]>`
    update emails set status = 'sending', sending_at = now(), held_reason = null, updated_at = now()
    where id = ${emailId} and status in ('queued', 'scheduled', 'held')
    returning tenant_id as "tenantId", raw, attempts, tags, from_address as "fromAddress", from_name as "fromName",
      reply_to as "replyTo", subject, html, text, headers`;
  if (!row) return null;
  const recipients = await deps.sql<{ address: string; kind: string }[]>`
    select address, kind from email_recipients where email_id = ${emailId} and status = 'queued' order by position`;
  const raw =
    row.raw ??
    (await composeRaw({
      from: { address: row.fromAddress, name: row.fromName },
      replyTo: row.replyTo,
      subject: row.subject,
      html: row.html,
      text: row.text,
      headers: row.headers,
      attachments: [],
      to: recipients.filter((r) => r.kind === 'to').map((r) => r.address),
      cc: recipients.filter((r) => r.kind === 'cc').map((r) => r.address),
    }));
  return { tenantId: row.tenantId, raw, attempts: row.attempts, tags: row.tags, recipients: recipients.map((r) => r.address) };
}

/** An email row as the send job reads it; raw is null unless acceptance had to build it (acceptEmail.rawIfBuiltNow). */
type StoredParts = {
  tenantId: string;
  raw: Buffer | null;
  attempts: number;
  tags: { name: string; value: string }[];
  fromAddress: string;
  fromName: string | null;
  replyTo: string[];
  subject: string;
  html: string | null;
  text: string | null;
  headers: Record<string, string>;
};

async function afterFailure(deps: Deps, emailId: string, claimed: Claimed, failure: SendFailure): Promise<NextStep> {
  const outcome = transactionalOutcome(claimed, failure);
  deps.metrics.sends.sends('transactional', claimed.tenantId, outcome, failure.kind);
  if (outcome !== 'requeued') {
    // SES's own words are in emails.last_error; the line says which email and what kind of error.
    deps.logger.warn({ tenantId: claimed.tenantId, emailId, errorClass: failure.kind, code: failure.code, status: outcome }, 'transactional send failed');
  }
  const requeue = async (inMs: number, attempts = claimed.attempts) => {
    await recordPatiently(() => deps.sql`update emails set status = 'queued', attempts = ${attempts}, last_error = ${failure.reason}, updated_at = now() where id = ${emailId} and status = 'sending'`);
    return { runAt: new Date(deps.now().getTime() + inMs) };
  };
  switch (failure.kind) {
    case 'throttled':
      return requeue(1000);
    case 'quota':
      await pauseTenantUntil(deps.sql, claimed.tenantId, new Date(deps.now().getTime() + QUOTA_PAUSE_MS), `${failure.reason} Sending resumes by itself when it frees up.`);
      return requeue(0);
    case 'account':
      return fail(deps, emailId, failure.reason);
    case 'transient': {
      const attempt = claimed.attempts + 1;
      if (attempt >= MAX_SEND_ATTEMPTS) return fail(deps, emailId, `${failure.reason} Gave up after ${attempt} attempts.`);
      return requeue(retryDelayMs(attempt), attempt);
    }
    case 'permanent':
      return fail(deps, emailId, failure.reason);
    case 'unknown':
      await recordPatiently(() => deps.sql`update emails set status = 'unknown', last_error = ${failure.reason}, updated_at = now() where id = ${emailId}`);
      return null;
  }
}

/** What afterFailure does with the email, as herald_sends_total names it. */
function transactionalOutcome(claimed: Claimed, failure: SendFailure): SendOutcome {
  switch (failure.kind) {
    case 'throttled':
    case 'quota':
      return 'requeued';
    case 'transient':
      return claimed.attempts + 1 >= MAX_SEND_ATTEMPTS ? 'failed' : 'requeued';
    case 'account':
    case 'permanent':
      return 'failed';
    case 'unknown':
      return 'unknown';
  }
}

async function fail(deps: Deps, emailId: string, reason: string): Promise<null> {
  await recordPatiently(() =>
    deps.sql.begin(async (tx) => {
      await tx`update emails set status = 'failed', failed_at = now(), last_error = ${reason}, raw = null, updated_at = now() where id = ${emailId}`;
      await tx`update email_recipients set status = 'failed', failed_at = now(), updated_at = now() where email_id = ${emailId} and status = 'queued'`;
    }),
  );
  return null;
}

/** Writes what SES answered, waiting out a database outage for as long as campaign outcomes do. */
const recordPatiently = <T>(write: () => Promise<T>): Promise<T> => writePatiently(write, OUTCOME_PATIENCE_MS);
