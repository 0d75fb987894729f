import { Transform, type Readable } from 'node:stream';
import { CsvReadError, eachCsvRecord, isBlankRecord } from '../csvRecords.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../../deps.js';
import { isValidEmail, normalizeEmail } from '../emailAddress.js';

const MAX_BYTES = 50 * 1024 * 1024;
const BATCH = 5_000;
const MAX_REPORTED = 100;

export type SuppressionImportResult = { added: number; alreadySuppressed: number; invalid: Array<{ line: number; value: string }>; invalidCount: number };

/**
 * Adds every address of a CSV to the suppression list (reason manual): the
 * column named like "email", else the first column. All or nothing, in one
 * transaction; addresses already suppressed keep their first reason.
 */
export async function importSuppressions(deps: Deps, tenantId: string, source: string, body: Readable): Promise<SuppressionImportResult> {
  let bytes = 0;
  const limited = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      // A spreadsheet's UTF-8 byte-order mark is not part of the first field.
      if (bytes === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
      bytes += chunk.length;
      if (bytes > MAX_BYTES) done(new AppError('PAYLOAD_TOO_LARGE', `The file is larger than ${MAX_BYTES / 1024 / 1024} MB.`));
      else done(null, chunk);
    },
  });
  body.on('error', (err) => limited.destroy(err));
  body.pipe(limited);
  try {
    return await deps.sql.begin(async (tx) => {
      const result: SuppressionImportResult = { added: 0, alreadySuppressed: 0, invalid: [], invalidCount: 0 };
      let column = 0;
      let batch: string[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const unique = [...new Set(batch)];
        const added = await tx`
          insert into suppressions (tenant_id, email, reason, source)
          select ${tenantId}, email, 'manual', ${source} from unnest(${unique}::text[]) as email
          on conflict do nothing returning 1`;
        result.added += added.length;
        result.alreadySuppressed += batch.length - added.length;
        batch = [];
      };
      let first = true;
      await eachCsvRecord(limited, { guess: true }, (record, line) => {
        if (isBlankRecord(record)) return;
        if (first) {
          first = false;
          const header = record.findIndex((cell) => /^e-?mail( address)?$/i.test(cell.trim()));
          if (header >= 0) {
            column = header;
            return;
          }
        }
        const email = normalizeEmail(record[column] ?? '');
        if (!isValidEmail(email)) {
          result.invalidCount++;
          if (result.invalid.length < MAX_REPORTED) result.invalid.push({ line, value: (record[column] ?? '').slice(0, 100) });
          return;
        }
        batch.push(email);
        return batch.length >= BATCH ? flush() : undefined;
      });
      await flush();
      return result;
    });
  } catch (err) {
    if (err instanceof CsvReadError) throw new AppError('BAD_REQUEST', `The file could not be read as CSV: ${err.reason} (line ${err.line}). Nothing was added.`);
    throw err;
  } finally {
    // What was not read (a file refused for its size or its form) is drained: a request body left paused
    // would hold its keep-alive connection, and the next request on it would wait for ever.
    if (!body.readableEnded) {
      body.unpipe(limited);
      body.resume();
    }
  }
}
