import type { Sql } from 'postgres';
import { inBatch, timeLeft, type Pace } from './batches.js';

/** 256 chunks of 64 KiB (imports/upload.ts): 16 MiB of file text per transaction. */
const CHUNKS_PER_BATCH = 256;

export type ImportFilesRemoved = { uploads: number; chunks: number };

/**
 * Deletes uploaded CSV files nobody will read again:
 * - uploads never started, created before `cutoff`, go whole (import row and
 *   file), one per transaction. They are deleted together, not chunk by chunk,
 *   so an owner who starts one at that very moment either gets the whole file
 *   or finds the upload gone, never half a file; the row and its chunks are
 *   rows no other session touches, so the transaction blocks nobody.
 * - failed imports (never retried; a new upload is the way) that finished
 *   before `cutoff` lose their file and keep their row, error and report.
 * Finished imports delete their own file when they finish (imports/writeContacts.ts).
 */
export async function purgeImportFiles(sql: Sql, cutoff: Date, pace: Pace): Promise<ImportFilesRemoved> {
  const removed: ImportFilesRemoved = { uploads: 0, chunks: 0 };
  while (timeLeft(pace)) {
    const result = await inBatch(sql, pace, 'import_chunks', async (tx) => {
      const [upload] = await tx<{ id: string }[]>`
        select id from contact_imports where status = 'uploaded' and created_at < ${cutoff.toISOString()}::text::timestamptz
        order by created_at limit 1 for update skip locked`;
      if (!upload) return [];
      const [chunks] = await tx<{ n: number }[]>`
        with d as (delete from import_chunks where import_id = ${upload.id} returning 1) select count(*)::int as n from d`;
      await tx`delete from contact_imports where id = ${upload.id}`;
      return [{ chunks: chunks?.n ?? 0 }];
    }, (r) => r[0]?.chunks ?? 0);
    const [gone] = result ?? [];
    if (!gone) break;
    removed.uploads += 1;
    removed.chunks += gone.chunks;
  }
  while (timeLeft(pace)) {
    const result = await inBatch(sql, pace, 'import_chunks', (tx) => tx<{ n: number }[]>`
      with doomed as (
        select c.import_id, c.seq from contact_imports i join import_chunks c on c.import_id = i.id
        where i.status = 'failed' and i.finished_at < ${cutoff.toISOString()}::text::timestamptz
        limit ${CHUNKS_PER_BATCH}
      ), d as (
        delete from import_chunks c using doomed where c.import_id = doomed.import_id and c.seq = doomed.seq returning 1
      )
      select count(*)::int as n from d`, (r) => r[0]?.n ?? 0);
    if (!result) break;
    const [batch] = result;
    removed.chunks += batch?.n ?? 0;
    if ((batch?.n ?? 0) < CHUNKS_PER_BATCH) break;
  }
  return removed;
}
