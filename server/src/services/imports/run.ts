import { once } from 'node:events';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { ImportMapping } from '../../db/schema/index.js';
import type { Deps } from '../../deps.js';
import { copyLine, rowMapper } from './rowMapper.js';
import { writeContacts } from './writeContacts.js';
import { CsvReadError, eachCsvRecord, isBlankRecord } from '../csvRecords.js';

type Claimed = {
  id: string;
  tenant_id: string;
  delimiter: string;
  has_header: boolean;
  columns: string[];
  mapping: ImportMapping;
  list_id: string | null;
  on_existing: 'update' | 'skip';
};

class ImportDataError extends Error {}

/**
 * Runs one import: stream the stored file through the CSV reader into a temporary
 * table with COPY (flat memory, whatever the size), mark duplicates, then
 * write contacts and list memberships with set-based SQL in ONE transaction,
 * so a failure leaves nothing half-imported. Safe to re-run: it only claims
 * an import that is queued, or that a crashed run left mid-way.
 */
export async function runImport(deps: Deps, importId: string): Promise<void> {
  const [job] = await deps.sql<Claimed[]>`
    update contact_imports set status = 'parsing', bytes_read = 0, rows_done = 0
    where id = ${importId} and status in ('queued', 'parsing', 'importing')
    returning id, tenant_id, delimiter, has_header, columns, mapping, list_id, on_existing`;
  if (!job) return;
  const conn = await deps.sql.reserve();
  const started = performance.now();
  const phases: Record<string, number> = {};
  const mark = (phase: string) => (phases[phase] = Math.round(performance.now() - started));
  try {
    await conn`drop table if exists import_rows`;
    await conn`create temp table import_rows (line int primary key, email text collate "C", first_name text, last_name text, attributes jsonb, error text)`;
    await parseInto(deps, conn, job);
    mark('parsedMs');
    const [{ total } = { total: 0 }] = await conn<{ total: number }[]>`select count(*)::int as total from import_rows`;
    await conn`
      update import_rows r set error = 'Duplicate of line ' || d.first_line
      from (select line, min(line) over (partition by email) as first_line from import_rows where error is null) d
      where r.line = d.line and d.line <> d.first_line`;
    mark('dedupedMs');
    await deps.sql`update contact_imports set status = 'importing', rows_total = ${total} where id = ${importId}`;
    await writeContacts(deps, conn, job, total);
    mark('writtenMs');
    // Fresh statistics keep the contact pages on their indexes after a large import.
    if (total >= 10_000) await deps.sql`analyze contacts`;
    deps.logger.info({ importId, tenantId: job.tenant_id, rows: total, ...phases }, 'contact import finished');
  } catch (err) {
    const reason = err instanceof ImportDataError ? err.message : 'The import stopped because of an internal error. Please upload the file again.';
    if (!(err instanceof ImportDataError)) deps.logger.error({ err, importId }, 'contact import failed');
    await deps.sql`update contact_imports set status = 'failed', error = ${reason}, finished_at = now() where id = ${importId}`;
  } finally {
    await conn`drop table if exists import_rows`.catch(() => undefined);
    conn.release();
  }
}

async function parseInto(deps: Deps, conn: Awaited<ReturnType<Deps['sql']['reserve']>>, job: Claimed): Promise<void> {
  const mapRow = rowMapper(job.columns, job.mapping);
  const fetchChunk = (seq: number) => {
    // Raw: the text's UTF-8 bytes (each stored chunk holds whole characters, services/imports/chunkCopy.ts).
    // Decoded into strings by the driver, a million-row file left ~25 MB of them in V8's old generation
    // until the next full collection (bench/import.ts).
    const chunk = deps.sql`select content from import_chunks where import_id = ${job.id} and seq = ${seq}`
      .raw()
      .then((rows) => rows[0]?.[0] as Buffer | undefined);
    // A read still on its way when the parse stops (a CSV error) must not become an unhandled rejection.
    chunk.catch(() => undefined);
    return chunk;
  };
  async function* fileChunks() {
    let bytes = 0;
    let reported = 0;
    // The next chunk is on its way while this one is parsed.
    let next = fetchChunk(0);
    for (let seq = 0; ; seq++) {
      const chunk = await next;
      if (!chunk) {
        // All of it: the stored text can be a few bytes shorter than the upload (a BOM is not kept).
        await deps.sql`update contact_imports set bytes_read = bytes_total where id = ${job.id}`;
        return;
      }
      next = fetchChunk(seq + 1);
      yield chunk;
      bytes += chunk.length;
      // Progress per megabyte (the page polls it; chunks are much smaller than that).
      if (bytes - reported >= 2 ** 20) {
        reported = bytes;
        await deps.sql`update contact_imports set bytes_read = ${bytes} where id = ${job.id}`;
      }
    }
  }
  const copy = await conn`copy import_rows (line, email, first_name, last_name, attributes, error) from stdin`.writable();
  // A failed COPY (Postgres refused it, the connection dropped) stops the reading at the next record.
  let copyError: unknown;
  copy.on('error', (err) => (copyError ??= err));
  // COPY data goes out in ~64 KB writes: one socket write per row would dominate the run time.
  let batch = '';
  const send = (): void | Promise<void> => {
    if (copyError) throw copyError;
    const full = !copy.write(batch);
    batch = '';
    // The reader waits while the connection's buffer is full, so memory stays flat (`once` rejects on an error meanwhile).
    if (full) return once(copy, 'drain').then(() => undefined);
  };
  try {
    await eachCsvRecord(Readable.from(fileChunks()), { delimiter: job.delimiter }, (record, line) => {
      if (isBlankRecord(record) || (line === 1 && job.has_header)) return;
      const row = mapRow(record);
      batch += copyLine([line, row.email, row.firstName, row.lastName, JSON.stringify(row.attributes), row.error]);
      if (batch.length >= 65_536) return send();
    });
  } catch (err) {
    copy.destroy();
    if (err instanceof CsvReadError) throw new ImportDataError(`The file could not be read as CSV: ${err.reason} (line ${err.line}). Nothing was imported.`);
    throw err;
  }
  if (copyError) throw copyError;
  copy.end(batch);
  await finished(copy);
}
