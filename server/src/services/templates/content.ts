import type { Template } from 'liquidjs';
import { AppError } from '../../errors.js';
import { htmlLiquid, plainLiquid } from '../../rendering/liquid.js';
import { templateError } from '../../rendering/render.js';

export type TemplateField = 'subject' | 'html' | 'text';
/** A variable the template expects; `sample` fills it in previews only, never in a send. */
export type TemplateVariable = { name: string; required: boolean; sample?: string | undefined };
/** What one version holds. A template has an HTML body, a text body or both. */
export type TemplateContent = { subject: string; html: string | null; text: string | null; variables: TemplateVariable[] };

/** RFC 5322's line limit: the subject is one header line. */
export const MAX_SUBJECT_CHARS = 998;
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
export const MAX_VARIABLES = 100;
/** A liquid identifier, so `{{ name }}` can reach it. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A BAD_REQUEST that forms can pin to the field (`error.data.details.fieldErrors`). */
export function fieldError(field: string, message: string): AppError {
  return new AppError('BAD_REQUEST', message, { field, fieldErrors: { [field]: message } });
}

/** The campaign editor's wording ("The HTML body has a template error: … (line 3)"), plus fieldErrors. */
export function liquidError(field: TemplateField, err: unknown, verb: 'has a template error' | 'could not be rendered'): AppError {
  return fieldError(field, templateError(field, err, verb).message);
}

export const engineOf = (field: TemplateField) => (field === 'html' ? htmlLiquid : plainLiquid);

export function parseField(field: TemplateField, source: string): Template[] {
  try {
    return engineOf(field).parse(source);
  } catch (err) {
    throw liquidError(field, err, 'has a template error');
  }
}

/** Whitespace-only bodies would send blank parts: they count as absent (a missing text part is made from the HTML). */
export const bodyOrNull = (body: string | null | undefined) => (body?.trim() ? body : null);

/** Refuses, at save, what could never be sent: a template that does not parse, or one with no body. */
export function checkContent(content: Pick<TemplateContent, 'subject' | 'html' | 'text'>): void {
  if (content.html === null && content.text === null) throw fieldError('html', 'Give the template an HTML body, a text body or both.');
  parseField('subject', content.subject);
  if (content.html !== null) parseField('html', content.html);
  if (content.text !== null) parseField('text', content.text);
}

/** The names of required variables that are absent, null or blank in `values`. */
export function missingVariables(declared: TemplateVariable[], values: Record<string, unknown>): string[] {
  const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
  return declared.filter((v) => v.required && blank(values[v.name])).map((v) => v.name);
}
