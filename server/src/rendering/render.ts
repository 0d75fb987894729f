import { compile as compileHtmlToText } from 'html-to-text';
import type { Template } from 'liquidjs';
import { AppError } from '../errors.js';
import { appendToHtml, type Footer, footerHtml, footerText } from './footer.js';
import { htmlLiquid, plainLiquid } from './liquid.js';

export type EmailTemplates = { subject: string; html: string; text: string | null };
export type MergeContact = { email: string; firstName: string | null; lastName: string | null; attributes: Record<string, string> };
export type RenderedEmail = { subject: string; html: string; text: string };
export type EmailRenderer = (contact: MergeContact, footer: Footer) => RenderedEmail;

const FIELD_NAMES = { subject: 'The subject', html: 'The HTML body', text: 'The text body' } as const;
type Field = keyof typeof FIELD_NAMES;

/** The plain-text part made from an HTML body when none is given (campaigns and transactional templates alike). */
export const htmlToText = compileHtmlToText({
  wordwrap: 78,
  selectors: [
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'img', format: 'skip' },
  ],
});

/** "The HTML body has a template error: tag {% if %} not closed (line 3)". */
export function templateError(field: Field, err: unknown, verb: string): AppError {
  const raw = err instanceof Error ? err.message : String(err);
  const position = /, line:(\d+), col:\d+$/.exec(raw);
  const message = position ? `${raw.slice(0, position.index)} (line ${position[1]})` : raw;
  return new AppError('BAD_REQUEST', `${FIELD_NAMES[field]} ${verb}: ${message}`, { field });
}

function parse(field: Field, source: string): Template[] {
  try {
    return (field === 'html' ? htmlLiquid : plainLiquid).parse(source);
  } catch (err) {
    throw templateError(field, err, 'has a template error');
  }
}

/** The names a template can use: `first_name`, `email`, each attribute by its key, and all of them under `contact.`. */
function scopeOf(contact: MergeContact): Record<string, unknown> {
  const fields = { ...contact.attributes, first_name: contact.firstName ?? '', last_name: contact.lastName ?? '', email: contact.email };
  return { ...fields, contact: fields };
}

/** Throws BAD_REQUEST naming the first field whose template does not parse. */
export function validateTemplates(templates: EmailTemplates): void {
  compileEmail(templates);
}

/**
 * Parses once; the returned function renders one recipient's message, so a
 * send job pays for parsing once per campaign, not once per recipient.
 */
export function compileEmail(templates: EmailTemplates): EmailRenderer {
  const subject = parse('subject', templates.subject);
  const html = parse('html', templates.html);
  const text = templates.text ? parse('text', templates.text) : null;
  const render = (field: Field, parsed: Template[], scope: Record<string, unknown>): string => {
    try {
      return (field === 'html' ? htmlLiquid : plainLiquid).renderSync(parsed, scope) as string;
    } catch (err) {
      throw templateError(field, err, 'could not be rendered');
    }
  };
  return (contact, footer) => {
    const scope = scopeOf(contact);
    const body = render('html', html, scope);
    return {
      // A header is one line, whatever a contact's attribute holds.
      subject: render('subject', subject, scope).replace(/[\r\n]+/g, ' ').trim(),
      html: appendToHtml(body, footerHtml(footer)),
      text: `${text ? render('text', text, scope) : htmlToText(body)}\n\n${footerText(footer)}`,
    };
  };
}

export function renderEmail(templates: EmailTemplates, contact: MergeContact, footer: Footer): RenderedEmail {
  return compileEmail(templates)(contact, footer);
}
