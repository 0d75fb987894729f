import { htmlToText } from '../../rendering/render.js';
import { engineOf, fieldError, liquidError, MAX_BODY_BYTES, MAX_SUBJECT_CHARS, parseField, type TemplateContent, type TemplateField } from './content.js';

export type RenderedTemplate = { subject: string; html: string | null; text: string | null };

function renderField(field: TemplateField, source: string, scope: Record<string, unknown>): string {
  const parsed = parseField(field, source);
  try {
    return engineOf(field).renderSync(parsed, scope) as string;
  } catch (err) {
    // The engines' render and memory limits stop a runaway loop here.
    throw liquidError(field, err, 'could not be rendered');
  }
}

const LABELS = { html: 'The HTML body', text: 'The text body' } as const;

function checkBodySize(field: 'html' | 'text', body: string | null): void {
  if (body !== null && Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) {
    throw fieldError(field, `${LABELS[field]} is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB once rendered.`);
  }
}

/**
 * Renders one message from a version's content with `scope` as the liquid
 * variables. Without a text body the text part is made from the rendered
 * HTML, as for campaigns. The limits apply to the output, since variables
 * can make a small template large.
 */
export function renderContent(content: Pick<TemplateContent, 'subject' | 'html' | 'text'>, scope: Record<string, unknown>): RenderedTemplate {
  // A header is one line, whatever a variable holds.
  const subject = renderField('subject', content.subject, scope).replace(/[\r\n]+/g, ' ').trim();
  if (subject.length > MAX_SUBJECT_CHARS) throw fieldError('subject', `The subject is longer than ${MAX_SUBJECT_CHARS} characters once rendered.`);
  const html = content.html === null ? null : renderField('html', content.html, scope);
  const text = content.text === null ? (html === null ? null : htmlToText(html)) : renderField('text', content.text, scope);
  checkBodySize('html', html);
  checkBodySize('text', text);
  return { subject, html, text };
}
