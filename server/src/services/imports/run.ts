import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import type { ImportMapping } from '../../db/schema/index.js';
import type { Deps } from '../../deps.js';
import { copyLine, rowMapper } from './rowMapper.js';

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

/**
 * Lines written per statement in the import phase; progress moves between
 * slices, so a small file gets about twenty steps and a large one 50k-line steps.
 */
const sliceFor = (lines: number) => Math.min(50_000, Math.max(2_000, Math.ceil(lines / 20)));

class ImportDataError extends Error {}

function newlinesIn(record: string[]): number {
  let count = 0;
  for (const field of record) {
    for (let at = field.indexOf('\n'); at !== -1; at = field.indexOf('\n', at + 1)) count++;
  }
  return count;
}

/**
 * Runs one import: stream the stored file through csv-parse into a temporary
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
  async function* fileChunks() {
    let bytes = 0;
    for (let seq = 0; ; seq++) {
      const [chunk] = await deps.sql<{ content: string }[]>`select content from import_chunks where import_id = ${job.id} and seq = ${seq}`;
      if (!chunk) return;
      yield chunk.content;
      bytes += Buffer.byteLength(chunk.content);
      await deps.sql`update contact_imports set bytes_read = ${bytes} where id = ${job.id}`;
    }
  }
  async function* copyRows(records: AsyncIterable<string[]>) {
    // Line numbers are counted here rather than with csv-parse's `info` option, which halves its speed:
    // a record spans one line plus the line breaks inside its quoted fields.
    let line = 0;
    // COPY data goes out in ~64 KB writes: one socket write per row would dominate the run time.
    let batch = '';
    for await (const record of records) {
      const start = line + 1;
      line = start + newlinesIn(record);
      if (record.length === 1 && record[0]?.trim() === '') continue; // empty line
      if (start === 1 && job.has_header) continue;
      const row = mapRow(record);
      batch += copyLine([start, row.email, row.firstName, row.lastName, JSON.stringify(row.attributes), row.error]);
      if (batch.length >= 65_536) {
        yield batch;
        batch = '';
      }
    }
    if (batch) yield batch;
  }
  const parser = parse({ delimiter: job.delimiter, bom: true, relax_column_count: true, relax_quotes: true });
  const copy = await conn`copy import_rows (line, email, first_name, last_name, attributes, error) from stdin`.writable();
  try {
    await pipeline(fileChunks, parser, copyRows, copy);
  } catch (err) {
    if (err instanceof CsvError) throw new ImportDataError(`The file could not be read as CSV near line ${(err as CsvError & { lines?: number }).lines ?? '?'}: ${err.message}. Nothing was imported.`);
    throw err;
  }
}

async function writeContacts(deps: Deps, conn: Awaited<ReturnType<Deps['sql']['reserve']>>, job: Claimed, total: number): Promise<void> {
  const [{ last } = { last: 0 }] = await conn<{ last: number }[]>`select coalesce(max(line), 0)::int as last from import_rows`;
  // A reserved connection has no begin(); it is ours alone, so plain BEGIN/COMMIT is safe here.
  await conn.unsafe('begin');
  try {
    const tx = conn;
    let created = 0;
    let updated = 0;
    let done = 0;
    const slice = sliceFor(last);
    for (let from = 0; from < last; from += slice) {
      const to = from + slice;
      const written = await tx<{ inserted: boolean }[]>`
        insert into contacts (tenant_id, email, first_name, last_name, attributes)
        select ${job.tenant_id}, email, first_name, last_name, attributes from import_rows
        where error is null and line > ${from} and line <= ${to}
        on conflict (tenant_id, email) do ${
          job.on_existing === 'update'
            ? tx`update set first_name = coalesce(excluded.first_name, contacts.first_name),
                 last_name = coalesce(excluded.last_name, contacts.last_name),
                 attributes = contacts.attributes || excluded.attributes, updated_at = now()`
            : tx`nothing`
        }
        returning (xmax = 0) as inserted`;
      created += written.filter((w) => w.inserted).length;
      updated += written.filter((w) => !w.inserted).length;
      if (job.list_id) {
        await tx`
          insert into list_members (list_id, contact_id, tenant_id)
          select ${job.list_id}, c.id, ${job.tenant_id} from import_rows r
          join contacts c on c.tenant_id = ${job.tenant_id} and c.email = r.email
          where r.error is null and r.line > ${from} and r.line <= ${to}
          on conflict do nothing`;
      }
      const [{ n } = { n: 0 }] = await tx<{ n: number }[]>`select count(*)::int as n from import_rows where line > ${from} and line <= ${to}`;
      done += n;
      // Progress goes through another connection so the page sees it before the commit.
      await deps.sql`update contact_imports set rows_done = ${done} where id = ${job.id}`;
    }
    const [{ valid, failed } = { valid: 0, failed: 0 }] = await tx<{ valid: number; failed: number }[]>`
      select count(*) filter (where error is null)::int as valid, count(*) filter (where error is not null)::int as failed from import_rows`;
    await tx`insert into import_errors (import_id, line, email, reason) select ${job.id}, line, email, error from import_rows where error is not null`;
    await tx`
      update contact_imports set status = 'done', rows_done = ${total}, created = ${created}, updated = ${updated},
        skipped = ${valid - created - updated}, failed_rows = ${failed}, finished_at = now()
      where id = ${job.id}`;
    await tx`delete from import_chunks where import_id = ${job.id}`;
    await conn.unsafe('commit');
  } catch (err) {
    await conn.unsafe('rollback').catch(() => undefined);
    throw err;
  }
}
