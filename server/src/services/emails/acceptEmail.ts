import { AppError } from '../../errors.js';
import { addJob } from '../../queue/addJob.js';
import { loadSendingChannel } from '../../sending/sendingChannel.js';
import type { Deps } from '../../deps.js';
import { renderTemplateForSend } from '../templates/renderForSend.js';
import { composeRaw, type ComposedContent } from './compose.js';
import { answerOf, claimIdempotencyKey, replayFor } from './replay.js';
import { requestHash } from './idempotency.js';
import { recipientsOf, refusedRecipients } from './recipientChecks.js';
import { sendingHold } from './sendingHold.js';
import type { EmailRequest, SendAnswer } from './types.js';
import { isVerifiedSender } from './verifiedSenders.js';

/** SES v1 refuses a raw message over 10 MB (after base64 of the attachments). */
export const MAX_RAW_BYTES = 10 * 1024 * 1024;

export type Sender = { tenantId: string; apiKeyId: string | null };

/**
 * Accepts one transactional email: checks the sender and every recipient,
 * renders the template, builds the MIME message (so an oversize email is
 * refused now, not later), and stores it with its recipients and its send
 * job in one transaction. With an idempotency key, a retry of the same
 * request gets the first answer and sends nothing; a different request
 * under the key is a CONFLICT.
 */
export async function sendEmail(deps: Deps, sender: Sender, request: EmailRequest): Promise<SendAnswer> {
  const { tenantId } = sender;
  const hash = request.idempotencyKey ? requestHash(request) : null;
  if (request.idempotencyKey && hash) {
    const earlier = await replayFor(deps.sql, tenantId, request.idempotencyKey, hash);
    if (earlier) return earlier;
  }

  const channel = await loadSendingChannel(deps, tenantId);
  if (!channel) throw new AppError('PRECONDITION_FAILED', 'Connect Amazon SES in Settings → Channels before sending email.', { problem: 'NO_CHANNEL' });
  if (!(await isVerifiedSender(channel, request.from.address))) {
    throw new AppError('BAD_REQUEST', `${request.from.address} is not a verified sender in your SES account (${channel.region}). Verify the address or its domain first.`, {
      fieldErrors: { from: 'Not a verified sender of your SES account.' },
    });
  }

  const content = await contentOf(deps, tenantId, request);
  const recipients = recipientsOf(request.to, request.cc, request.bcc);
  const refused = await refusedRecipients(deps.sql, tenantId, recipients.map((r) => r.address));
  const accepted = recipients.filter((r) => !refused.has(r.address));
  const raw = await composeRaw(request, content.rendered, {
    to: accepted.filter((r) => r.kind === 'to').map((r) => r.address),
    cc: accepted.filter((r) => r.kind === 'cc').map((r) => r.address),
  });
  if (raw.length > MAX_RAW_BYTES) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The email is ${(raw.length / 1024 / 1024).toFixed(1)} MB with its attachments encoded; Amazon SES accepts at most 10 MB.`, {
      fieldErrors: { attachments: 'Too large in total: at most 10 MB once encoded.' },
    });
  }

  const scheduledAt = request.scheduledAt ? new Date(request.scheduledAt) : null;
  const later = scheduledAt !== null && scheduledAt.getTime() > deps.now().getTime();
  const hold = accepted.length > 0 ? await sendingHold(deps.sql, tenantId) : null;
  const status = accepted.length === 0 ? 'refused' : later ? 'scheduled' : hold ? 'held' : 'queued';

  const stored = await deps.sql.begin(async (tx) => {
    const claim = request.idempotencyKey && hash ? await claimIdempotencyKey(tx, tenantId, request.idempotencyKey, hash) : null;
    if (claim?.kind === 'replay') return { replay: claim.answer };
    const [row] = await tx<{ id: string }[]>`
      insert into emails (tenant_id, api_key_id, idempotency_key, request_hash, from_address, from_name, reply_to, subject, html, text,
        template_id, template_version, tags, headers, attachments, raw, raw_size, status, held_reason, scheduled_at, last_error)
      values (${tenantId}, ${sender.apiKeyId}, ${request.idempotencyKey ?? null}, ${hash}, ${request.from.address}, ${request.from.name},
        ${JSON.stringify(request.replyTo ?? [])}::jsonb, ${content.rendered.subject}, ${content.rendered.html}, ${content.rendered.text},
        ${content.templateId}, ${content.version}, ${JSON.stringify(request.tags ?? [])}::jsonb, ${JSON.stringify(request.headers ?? {})}::jsonb,
        ${JSON.stringify((request.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, size: Buffer.byteLength(a.content, 'base64') })))}::jsonb,
        ${accepted.length > 0 ? raw : null}, ${raw.length}, ${status}, ${status === 'held' ? (hold?.reason ?? null) : null}, ${scheduledAt?.toISOString() ?? null},
        ${status === 'refused' ? 'Every recipient was refused; nothing was sent.' : null})
      returning id`;
    const id = (row as { id: string }).id;
    await tx`
      insert into email_recipients (email_id, tenant_id, address, kind, status, suppression_reason)
      select ${id}, ${tenantId}, r.address, r.kind::recipient_kind, (case when r.reason is null then 'queued' else 'suppressed' end)::message_status, r.reason
      from jsonb_to_recordset(${JSON.stringify(recipients.map((r) => ({ ...r, reason: refused.get(r.address) ?? null })))}::jsonb) as r(address text, kind text, reason text)`;
    if (status !== 'refused') await addJob(tx, 'emails__send', { emailId: id }, { jobKey: `email:${id}`, ...(later && scheduledAt ? { runAt: scheduledAt } : {}) });
    // Read back inside the transaction, so a first answer and every replay of it are built the same way.
    return { replay: null, answer: await answerOf(tx, tenantId, id) };
  });
  const answer = stored.replay ?? ('answer' in stored ? stored.answer : null);
  if (!answer) throw new Error('the email just stored is gone');
  return answer;
}

async function contentOf(deps: Deps, tenantId: string, request: EmailRequest): Promise<{ rendered: ComposedContent; templateId: string | null; version: number | null }> {
  if (!request.templateId) {
    return { rendered: { subject: request.subject ?? '', html: request.html ?? null, text: request.text ?? null }, templateId: null, version: null };
  }
  const t = await renderTemplateForSend(deps, tenantId, request.templateId, request.variables ?? {});
  return { rendered: { subject: t.subject, html: t.html, text: t.text }, templateId: t.templateId, version: t.version };
}
