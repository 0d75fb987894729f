import { CsvReadError, csvHead, detectDelimiter } from '../csvRecords.js';
import { isValidEmail, normalizeEmail } from '../emailAddress.js';

export class NotACsvError extends Error {
  override name = 'NotACsvError';
}

const SIGNATURES: Array<[number[], string]> = [
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x47, 0x49, 0x46, 0x38], 'a GIF image'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive or an Excel workbook (.xlsx)'],
  [[0xd0, 0xcf, 0x11, 0xe0], 'an old Excel or Word file (.xls/.doc)'],
];

/** Refuses files that are plainly not CSV text, with a reason a person can act on. */
export function assertLooksLikeText(head: Buffer): void {
  const exportHint = 'Export the sheet as "CSV UTF-8 (comma delimited)" and upload that file.';
  for (const [magic, what] of SIGNATURES) {
    if (magic.every((byte, i) => head[i] === byte)) throw new NotACsvError(`This file is not a CSV: it looks like ${what}. ${exportHint}`);
  }
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new NotACsvError(`This file is UTF-16 text; Herald reads UTF-8. ${exportHint}`);
  }
  if (head.includes(0)) throw new NotACsvError(`This file is not a CSV: it contains binary data. ${exportHint}`);
}

export type Sniffed = { delimiter: string; hasHeader: boolean; columns: string[]; preview: string[][] };

/**
 * Reads the first lines: delimiter, whether row one is a header (it is
 * unless it holds an email address), column names and a preview.
 */
export function sniffCsv(head: Buffer): Sniffed {
  let text = head.toString('utf8').replace(/^\uFEFF/, '');
  const lastNewline = text.lastIndexOf('\n');
  if (lastNewline > 0 && head.length >= 64 * 1024) text = text.slice(0, lastNewline);
  const delimiter = detectDelimiter(text);
  let rows: string[][];
  try {
    rows = csvHead(text, delimiter, 40);
  } catch (err) {
    if (!(err instanceof CsvReadError)) throw err;
    throw new NotACsvError(`This file could not be read as CSV: ${err.reason} (line ${err.line}).`);
  }
  const first = rows[0];
  if (!first || first.every((cell) => cell.trim() === '')) throw new NotACsvError('This file is empty: it has no rows to import.');
  const hasHeader = !first.some((cell) => isValidEmail(normalizeEmail(cell)));
  const width = Math.max(...rows.slice(0, 6).map((r) => r.length));
  const seen = new Map<string, number>();
  const columns = Array.from({ length: width }, (_, i) => {
    const base = (hasHeader ? first[i]?.trim() : '') || `Column ${i + 1}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base} (${n})`;
  });
  const preview = rows.slice(hasHeader ? 1 : 0, (hasHeader ? 1 : 0) + 5).map((r) => columns.map((_, i) => r[i] ?? ''));
  return { delimiter, hasHeader, columns, preview };
}

export type SuggestedMapping = { email: string | null; firstName: string | null; lastName: string | null; attributes: Record<string, string> };

const EMAIL_HEADER = /^(e-?mail( address)?|mail|email_address)$/i;
const FIRST_HEADER = /^(first[ _-]?name|given[ _-]?name|firstname|first|forename)$/i;
const LAST_HEADER = /^(last[ _-]?name|surname|family[ _-]?name|lastname|last)$/i;

/** Attribute names usable as merge tags: lower-case letters, digits and underscores. */
export function attributeName(column: string): string {
  return (
    column
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 64) || 'attribute'
  );
}

export function suggestMapping(sniffed: Sniffed): SuggestedMapping {
  const byHeader = (re: RegExp) => sniffed.columns.find((c) => re.test(c.trim())) ?? null;
  const byContent = sniffed.columns.find((_, i) => sniffed.preview.some((row) => isValidEmail(normalizeEmail(row[i] ?? '')))) ?? null;
  const email = byHeader(EMAIL_HEADER) ?? byContent;
  const firstName = byHeader(FIRST_HEADER);
  const lastName = byHeader(LAST_HEADER);
  const attributes: Record<string, string> = {};
  for (const column of sniffed.columns) {
    if (column !== email && column !== firstName && column !== lastName) attributes[column] = attributeName(column);
  }
  return { email, firstName, lastName, attributes };
}
