import MailComposer from 'nodemailer/lib/mail-composer';
import type { EmailRequest } from './types.js';

export type ComposedContent = { subject: string; html: string | null; text: string | null };

/** What a MIME message is built from: the accepted request's parts, or the same read back from the emails row. */
export type MessageParts = ComposedContent & {
  from: { address: string; name: string | null };
  replyTo: string[];
  headers: Record<string, string>;
  attachments: { filename: string; contentType: string; content: string }[];
  to: string[];
  cc: string[];
};

/**
 * The raw MIME message of a transactional email. Bcc addresses are left out
 * of the headers (they go to SES as destinations only); custom headers were
 * allow-listed at the edge, so they cannot override From, To or Subject.
 */
export function composeRaw(parts: MessageParts): Promise<Buffer> {
  const composer = new MailComposer({
    from: parts.from.name ? { name: parts.from.name, address: parts.from.address } : parts.from.address,
    to: parts.to,
    ...(parts.cc.length > 0 ? { cc: parts.cc } : {}),
    ...(parts.replyTo.length > 0 ? { replyTo: parts.replyTo } : {}),
    subject: parts.subject,
    ...(parts.html !== null ? { html: parts.html } : {}),
    ...(parts.text !== null ? { text: parts.text } : {}),
    headers: parts.headers,
    attachments: parts.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content, encoding: 'base64' })),
  });
  return composer.compile().build();
}

/**
 * An upper bound of composeRaw's size, computed without building anything:
 * the worst MIME encoding of each part (quoted-printable of non-ASCII text is
 * 3 bytes a byte plus soft line breaks; base64 is 4/3 plus a CRLF every 76
 * characters; encoded-word headers likewise), plus generous room for the
 * structure. Building a message costs far more than checking it, so an email
 * whose bound is within SES's limit is accepted without being built.
 */
export function rawSizeBound(request: EmailRequest, content: ComposedContent): number {
  const worstText = (s: string | null | undefined) => (s ? Math.ceil(Buffer.byteLength(s) * 3.2) : 0);
  const base64Lines = (bytes: number) => Math.ceil((Math.ceil(bytes / 3) * 4 * 78) / 76);
  const addresses = [request.from.address, request.from.name ?? '', ...request.to, ...(request.cc ?? []), ...(request.replyTo ?? [])];
  const headers = Object.entries(request.headers ?? {}).flat();
  const structure = 4096 + 512 * (request.attachments?.length ?? 0);
  return (
    structure +
    worstText(content.subject) +
    worstText(content.html) +
    worstText(content.text) +
    [...addresses, ...headers].reduce((sum, s) => sum + worstText(s), 0) +
    (request.attachments ?? []).reduce((sum, a) => sum + worstText(a.filename) + base64Lines(Buffer.byteLength(a.content, 'base64')), 0)
  );
}
