import { z } from 'zod';
import { emailInput, idInput } from './inputs.js';

/** SES refuses a raw message over 10 MB; base64 inflates attachments by a third, so the body limit is higher. */
export const MAX_RECIPIENTS_PER_FIELD = 50;
const MAX_BODY_CHARS = 2_000_000;

/**
 * Headers a sender may set. Never the ones that decide who gets the email or
 * who it claims to be from (From, To, Cc, Bcc, Subject, Reply-To, Sender,
 * Return-Path) nor the MIME structure: those come from their own fields.
 */
const ALLOWED_HEADERS = new Set(['list-unsubscribe', 'list-unsubscribe-post', 'list-id', 'in-reply-to', 'references', 'precedence', 'auto-submitted']);
export const isAllowedHeader = (name: string) => /^x-[a-z0-9-]{1,60}$/i.test(name) || ALLOWED_HEADERS.has(name.toLowerCase());

const addressList = (what: string, min = 0) =>
  z
    .union([emailInput, z.array(emailInput)], { error: `Give ${what} as an email address or a list of them.` })
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .pipe(
      z
        .array(z.string())
        .min(min, `Give at least one ${what} address.`)
        .max(MAX_RECIPIENTS_PER_FIELD, `At most ${MAX_RECIPIENTS_PER_FIELD} ${what} addresses per email.`),
    );

/** `news@example.com` or `Example News <news@example.com>`. */
const fromInput = z
  .string({ error: 'Give the sender, like "Example <news@example.com>".' })
  .trim()
  .max(320, 'The sender is too long.')
  .transform((value, ctx) => {
    const named = /^(.*?)\s*<([^<>\s]+)>$/.exec(value);
    const address = (named ? named[2] : value) ?? '';
    const name = named?.[1]?.replace(/^"|"$/g, '').trim() || null;
    if (!z.email().safeParse(address).success) {
      ctx.addIssue({ code: 'custom', message: 'Give the sender as news@example.com or "Example <news@example.com>".' });
      return z.NEVER;
    }
    return { address: address.toLowerCase(), name };
  });

const tagPart = z
  .string()
  .min(1, 'A tag name or value cannot be empty.')
  .max(256, 'A tag name or value has at most 256 characters.')
  .regex(/^[A-Za-z0-9_-]+$/, 'Tags may use letters, digits, _ and - only (SES message tag rules).');

const attachmentInput = z.strictObject({
  filename: z.string().trim().min(1, 'Name the attachment file.').max(255, 'A file name has at most 255 characters.').regex(/^[^/\\\r\n]+$/, 'A file name cannot contain slashes or line breaks.'),
  contentType: z.string().trim().regex(/^[\w.+-]+\/[\w.+-]+$/, 'Give a content type like application/pdf.').default('application/octet-stream'),
  content: z.base64({ error: 'Give the attachment content as base64.' }),
});

export const sendEmailInput = z
  .strictObject({
    from: fromInput,
    to: addressList('recipient', 1),
    cc: addressList('cc').optional(),
    bcc: addressList('bcc').optional(),
    replyTo: addressList('reply-to').optional(),
    subject: z.string().trim().min(1, 'Give the email a subject.').max(998, 'A subject has at most 998 characters.').optional(),
    html: z.string().max(MAX_BODY_CHARS, 'The HTML body has at most 2,000,000 characters.').optional(),
    text: z.string().max(MAX_BODY_CHARS, 'The text body has at most 2,000,000 characters.').optional(),
    templateId: idInput.optional(),
    variables: z.record(z.string(), z.unknown()).optional(),
    headers: z
      .record(z.string(), z.string().max(998, 'A header value has at most 998 characters.').regex(/^[^\r\n]*$/, 'A header value cannot contain line breaks.'))
      .superRefine((headers, ctx) => {
        if (Object.keys(headers).length > 20) ctx.addIssue({ code: 'custom', message: 'At most 20 headers.' });
        for (const name of Object.keys(headers)) {
          if (!isAllowedHeader(name)) ctx.addIssue({ code: 'custom', path: [name], message: `The ${name} header cannot be set here: use X-… headers, List-Unsubscribe, In-Reply-To or References (From, To, Subject and the rest have their own fields).` });
        }
      })
      .optional(),
    tags: z
      .array(z.strictObject({ name: tagPart.refine((n) => !n.startsWith('herald_'), "Tag names starting with herald_ are Herald's own."), value: tagPart }))
      .max(10, 'At most 10 tags per email.')
      .refine((tags) => new Set(tags.map((t) => t.name)).size === tags.length, 'Each tag name may appear once.')
      .optional(),
    attachments: z.array(attachmentInput).max(20, 'At most 20 attachments per email.').optional(),
    scheduledAt: z.iso.datetime({ offset: true, error: 'Give scheduledAt as an ISO time, like 2026-12-24T09:00:00Z.' }).optional(),
    idempotencyKey: z.string().trim().min(1).max(256, 'An idempotency key has at most 256 characters.').optional(),
  })
  .superRefine((input, ctx) => {
    if (input.templateId) {
      for (const field of ['subject', 'html', 'text'] as const) {
        if (input[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `Give either templateId or ${field}, not both: the template supplies it.` });
      }
    } else {
      if (input.subject === undefined) ctx.addIssue({ code: 'custom', path: ['subject'], message: 'Give the email a subject (or a templateId).' });
      if (!input.html && !input.text) ctx.addIssue({ code: 'custom', path: ['html'], message: 'Give an html or a text body (or a templateId).' });
      if (input.variables) ctx.addIssue({ code: 'custom', path: ['variables'], message: 'variables go with a templateId.' });
    }
  });

export type SendEmailInput = z.output<typeof sendEmailInput>;
