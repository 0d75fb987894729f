import type { ImportMapping } from '../../db/schema/index.js';
import { isValidEmail, normalizeEmail } from '../emailAddress.js';

export type MappedRow = {
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  attributes: Record<string, string>;
  error: string | null;
};

const MAX_NAME = 200;
const MAX_ATTRIBUTE = 2000;

const clip = (text: string) => (text.length > 60 ? `${text.slice(0, 60)}…` : text);

function problemOf(raw: string, email: string, firstName: string | null, lastName: string | null, attributes: Record<string, string>): string | null {
  if (!raw) return 'Missing email address';
  if (!isValidEmail(email)) return `Invalid email address: ${clip(raw)}`;
  if ((firstName?.length ?? 0) > MAX_NAME || (lastName?.length ?? 0) > MAX_NAME) return `A name is longer than ${MAX_NAME} characters`;
  if (Object.values(attributes).some((v) => v.length > MAX_ATTRIBUTE)) return `A value is longer than ${MAX_ATTRIBUTE} characters`;
  return null;
}

/** Turns one CSV record into a contact row, or a row with the reason it cannot be imported. */
export function rowMapper(columns: string[], mapping: ImportMapping) {
  const index = (column: string | undefined) => (column ? columns.indexOf(column) : -1);
  const emailAt = index(mapping.email);
  const firstAt = index(mapping.firstName);
  const lastAt = index(mapping.lastName);
  const attributeAt = Object.entries(mapping.attributes).map(([column, name]) => [index(column), name] as const);
  const cell = (record: string[], at: number) => (at >= 0 ? (record[at] ?? '').trim() : '');

  return (record: string[]): MappedRow => {
    const raw = cell(record, emailAt);
    const email = normalizeEmail(raw);
    const firstName = cell(record, firstAt) || null;
    const lastName = cell(record, lastAt) || null;
    const attributes: Record<string, string> = {};
    for (const [at, name] of attributeAt) {
      const value = cell(record, at);
      if (value !== '') attributes[name] = value;
    }
    return { email: email || null, firstName, lastName, attributes, error: problemOf(raw, email, firstName, lastName, attributes) };
  };
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const escapeCopy = (text: string) =>
  NEEDS_ESCAPE.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : text;

/**
 * One line of COPY's text format: tab-separated, \N for null, backslash escapes.
 * A plain loop that leaves clean values as they are: it runs once per row of a
 * million-row file, where map/join and a replace on every value cost ~2 s.
 * Numbers (line numbers) are written with toFixed: String(n) and `${n}` go through
 * V8's number-to-string cache, which allocates each new text straight in the old
 * generation, where a million line numbers stayed until the next full collection
 * (~25 MB of the server's peak during an import; bench/import.ts).
 */
export function copyLine(values: Array<string | number | null>): string {
  let line = '';
  for (const v of values) line += `${v === null ? '\\N' : typeof v === 'number' ? v.toFixed(0) : escapeCopy(v)}\t`;
  return `${line.slice(0, -1)}\n`;
}
