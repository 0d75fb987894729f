import MailComposer from 'nodemailer/lib/mail-composer';

export type OutgoingEmail = {
  from: { name: string | null; address: string };
  to: string;
  replyTo: string | null;
  subject: string;
  html: string;
  text: string;
  /** The recipient's own one-click unsubscribe URL; null for a setup check sent to SES's mailbox simulator (no list to leave). */
  unsubscribeUrl: string | null;
};

/**
 * The raw MIME message for SendRawEmail, built by nodemailer's composer
 * (encodings, line lengths, multipart/alternative). List-Unsubscribe with
 * List-Unsubscribe-Post makes it RFC 8058 one-click, which Gmail and Yahoo
 * require of bulk senders; SES's DKIM signature covers both headers.
 */
export function buildRawEmail(email: OutgoingEmail): Promise<Buffer> {
  const composer = new MailComposer({
    from: email.from.name ? { name: email.from.name, address: email.from.address } : email.from.address,
    to: email.to,
    ...(email.replyTo ? { replyTo: email.replyTo } : {}),
    subject: email.subject,
    html: email.html,
    text: email.text,
    headers: email.unsubscribeUrl
      ? { 'List-Unsubscribe': `<${email.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
      : {},
  });
  return composer.compile().build();
}
