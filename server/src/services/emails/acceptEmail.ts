import { AppError } from '../../errors.js';
import { acceptingChannel } from './channelCache.js';
import type { Deps } from '../../deps.js';
import { renderTemplateForSend } from '../templates/renderForSend.js';
import { composeRaw, rawSizeBound, type ComposedContent } from './compose.js';
import { requestHash } from './idempotency.js';
import { acceptanceChecks, recipientsOf, type Recipient } from './recipientChecks.js';
import { claimIdempotencyKey, replayFor } from './replay.js';
import { storeEmail, storeEmailGrouped, type NewEmail } from './storeEmail.js';
import type { EmailRequest, SendAnswer } from './types.js';
import { isVerifiedSender } from './verifiedSenders.js';

/** SES v1 refuses a raw message over 10 MB (after base64 of the attachments). */
export const MAX_RAW_BYTES = 10 * 1024 * 1024;

export type Sender = { tenantId: string; apiKeyId: string | null };

/**
 * Accepts one transactional email: checks the sender and every recipient,
 * renders the template, makes sure the MIME message fits SES's limit (so an
 * oversize email is refused now, not later), and stores it with its
 * recipients and its send job. The reads run side by side and the write is one statement shared
 * with the emails accepted at the same moment, so an email costs few round
 * trips. With an idempotency key, a retry of the same
 * request gets the first answer and sends nothing; a different request under
 * the key is a CONFLICT.
 */
export async function sendEmail(deps: Deps, sender: Sender, request: EmailRequest): Promise<SendAnswer> {
  const { tenantId } = sender;
  const key = request.idempotencyKey ?? null;
  const hash = key ? requestHash(request) : null;
  if (key && hash) {
    const earlier = await replayFor(deps.sql, tenantId, key, hash);
    if (earlier) return earlier;
  }

  const recipients = recipientsOf(request.to, request.cc, request.bcc);
  const [channel, { refused, hold }, content] = await Promise.all([
    acceptingChannel(deps, tenantId),
    acceptanceChecks(deps.sql, { tenantId, addresses: recipients.map((r) => r.address) }),
    contentOf(deps, tenantId, request),
  ]);
  if (!channel) throw new AppError('PRECONDITION_FAILED', 'Connect Amazon SES in Settings → Channels before sending email.', { problem: 'NO_CHANNEL' });
  if (!(await isVerifiedSender(channel, request.from.address))) {
    throw new AppError('BAD_REQUEST', `${request.from.address} is not a verified sender in your SES account (${channel.region}). Verify the address or its domain first.`, {
      fieldErrors: { from: 'Not a verified sender of your SES account.' },
    });
  }

  const accepted = recipients.filter((r) => !refused.has(r.address));
  const raw = accepted.length > 0 ? await rawIfBuiltNow(request, content.rendered, accepted) : null;
  if (raw && raw.length > MAX_RAW_BYTES) {
    const field = request.attachments?.length ? 'attachments' : request.html !== undefined ? 'html' : 'text';
    throw new AppError('PAYLOAD_TOO_LARGE', `The email is ${(raw.length / 1024 / 1024).toFixed(1)} MB once encoded; Amazon SES accepts at most 10 MB.`, {
      fieldErrors: { [field]: 'Too large in total: at most 10 MB once encoded.' },
    });
  }

  const scheduledAt = request.scheduledAt ? new Date(request.scheduledAt) : null;
  const later = scheduledAt !== null && scheduledAt.getTime() > deps.now().getTime();
  const status = accepted.length === 0 ? 'refused' : later ? 'scheduled' : hold ? 'held' : 'queued';
  const email: NewEmail = {
    tenantId,
    apiKeyId: sender.apiKeyId,
    idempotencyKey: key,
    requestHash: hash,
    from: request.from,
    replyTo: request.replyTo ?? [],
    ...content.rendered,
    templateId: content.templateId,
    templateVersion: content.version,
    tags: request.tags ?? [],
    headers: request.headers ?? {},
    attachments: (request.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, size: Buffer.byteLength(a.content, 'base64') })),
    raw,
    rawSize: raw?.length ?? null,
    status,
    heldReason: status === 'held' ? (hold?.reason ?? null) : null,
    scheduledAt: later ? scheduledAt : null,
    recipients: recipients.map((r) => ({ ...r, reason: refused.get(r.address) ?? null })),
  };

  let id: string;
  if (key && hash) {
    const stored = await deps.sql.begin(async (tx) => {
      const claim = await claimIdempotencyKey(tx, tenantId, key, hash);
      return claim.kind === 'replay' ? claim : { kind: 'new' as const, id: await storeEmail(tx, email) };
    });
    if (stored.kind === 'replay') return stored.answer;
    id = stored.id;
  } else {
    id = await storeEmailGrouped(deps.sql, email);
  }
  return {
    id,
    status,
    ...(email.heldReason ? { heldReason: email.heldReason } : {}),
    ...(email.scheduledAt ? { scheduledAt: email.scheduledAt.toISOString() } : {}),
    recipients: email.recipients.map((r) => (r.reason ? { email: r.address, status: 'refused' as const, reason: r.reason } : { email: r.address, status: 'accepted' as const })),
  };
}

async function contentOf(deps: Deps, tenantId: string, request: EmailRequest): Promise<{ rendered: ComposedContent; templateId: string | null; version: number | null }> {
  if (!request.templateId) {
    return { rendered: { subject: request.subject ?? '', html: request.html ?? null, text: request.text ?? null }, templateId: null, version: null };
  }
  const t = await renderTemplateForSend(deps, tenantId, request.templateId, request.variables ?? {});
  return { rendered: { subject: t.subject, html: t.html, text: t.text }, templateId: t.templateId, version: t.version };
}

/**
 * The MIME message, when it must be built at acceptance: attachments live
 * only in it (their bytes are not stored apart), and a message whose size
 * bound passes SES's limit is built to measure it exactly. Any other email
 * is built by its send job from the stored parts (transactionalSend.ts),
 * which keeps acceptance cheap and dates the message when it leaves.
 */
async function rawIfBuiltNow(request: EmailRequest, content: ComposedContent, accepted: Recipient[]): Promise<Buffer | null> {
  const attachments = request.attachments ?? [];
  if (attachments.length === 0 && rawSizeBound(request, content) <= MAX_RAW_BYTES) return null;
  return composeRaw({
    ...content,
    from: request.from,
    replyTo: request.replyTo ?? [],
    headers: request.headers ?? {},
    attachments,
    to: accepted.filter((r) => r.kind === 'to').map((r) => r.address),
    cc: accepted.filter((r) => r.kind === 'cc').map((r) => r.address),
  });
}
