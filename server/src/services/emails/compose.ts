import MailComposer from 'nodemailer/lib/mail-composer';
import type { EmailRequest } from './types.js';

export type ComposedContent = { subject: string; html: string | null; text: string | null };

/**
 * The raw MIME message of a transactional email. Bcc addresses are left out
 * of the headers (they go to SES as destinations only); custom headers were
 * allow-listed at the edge, so they cannot override From, To or Subject.
 */
export function composeRaw(request: EmailRequest, content: ComposedContent, recipients: { to: string[]; cc: string[] }): Promise<Buffer> {
  const composer = new MailComposer({
    from: request.from.name ? { name: request.from.name, address: request.from.address } : request.from.address,
    to: recipients.to,
    ...(recipients.cc.length > 0 ? { cc: recipients.cc } : {}),
    ...(request.replyTo?.length ? { replyTo: request.replyTo } : {}),
    subject: content.subject,
    ...(content.html !== null ? { html: content.html } : {}),
    ...(content.text !== null ? { text: content.text } : {}),
    headers: request.headers ?? {},
    attachments: (request.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content, encoding: 'base64' })),
  });
  return composer.compile().build();
}
