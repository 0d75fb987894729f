import type { EmailTag } from '../../db/schema/emails.js';

/** A transactional email as the edges validated it (routers/emails.inputs.ts). */
export type EmailRequest = {
  from: { address: string; name: string | null };
  to: string[];
  cc?: string[] | undefined;
  bcc?: string[] | undefined;
  replyTo?: string[] | undefined;
  subject?: string | undefined;
  html?: string | undefined;
  text?: string | undefined;
  templateId?: string | undefined;
  variables?: Record<string, unknown> | undefined;
  headers?: Record<string, string> | undefined;
  tags?: EmailTag[] | undefined;
  attachments?: { filename: string; contentType: string; content: string }[] | undefined;
  scheduledAt?: string | undefined;
  idempotencyKey?: string | undefined;
};

export type RecipientAnswer = { email: string; status: 'accepted' | 'refused'; reason?: string };

/**
 * What emails.send answers. `status`: `queued` (on its way), `scheduled`
 * (waits for scheduledAt), `held` (the tenant's sending is paused; `heldReason`
 * says why) or `refused` (every recipient was refused: nothing is sent).
 */
export type SendAnswer = {
  id: string;
  status: 'queued' | 'scheduled' | 'held' | 'refused';
  heldReason?: string;
  scheduledAt?: string;
  recipients: RecipientAnswer[];
};
