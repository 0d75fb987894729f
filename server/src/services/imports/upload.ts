import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { AppError } from '../../errors.js';
import type { Deps } from '../../deps.js';
import { chunkCopy, unfinishedCharacterBytes, type ChunkCopy } from './chunkCopy.js';
import { assertLooksLikeText, NotACsvError, sniffCsv, suggestMapping, type SuggestedMapping } from './sniff.js';

// The import reads the file back one chunk per query (as bytes, run.ts): 64 KiB keeps what is in flight small
// and a 100 MB file at ~1,600 reads.
const CHUNK_BYTES = 64 * 1024;
const SNIFF_BYTES = 64 * 1024;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const ordinal = (n: number) => `${n}${n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th'}`;

export type UploadedImport = {
  id: string;
  fileName: string;
  bytes: number;
  columns: string[];
  hasHeader: boolean;
  delimiter: string;
  preview: string[][];
  suggestedMapping: SuggestedMapping;
};

/**
 * Streams an uploaded CSV into the database in 64 KiB chunks (so any worker on
 * any machine can read it, and no process holds the whole file), checking as
 * it goes that it is UTF-8 text within the size limit. The chunks go in with
 * one binary COPY (chunkCopy.ts). It all happens in one transaction: a refused
 * file leaves nothing behind.
 */
export async function receiveUpload(
  deps: Deps,
  scope: { tenantId: string; userId: string | null },
  fileName: string,
  body: Readable,
): Promise<UploadedImport> {
  try {
    return await deps.sql.begin(async (tx) => {
      const [created] = await tx<{ id: string }[]>`
        insert into contact_imports (tenant_id, created_by, file_name, delimiter, has_header, columns, preview, bytes_total)
        values (${scope.tenantId}, ${scope.userId}, ${fileName}, ',', true, '[]', '[]', 0) returning id`;
      const id = created!.id;
      const stream = await tx`copy import_chunks (import_id, seq, content) from stdin with (format binary)`.writable();
      // Its errors reach copyChunks through the write and end promises; destroying it below emits ours again.
      stream.on('error', () => {});
      const { head, total } = await copyChunks(deps, body, chunkCopy(stream, id)).catch((err: unknown) => {
        // Aborts the COPY (if still open), so that the transaction can roll back.
        stream.destroy(err instanceof Error ? err : new Error(String(err)));
        throw err;
      });
      const sniffed = sniffCsv(head);
      await tx`
        update contact_imports set delimiter = ${sniffed.delimiter}, has_header = ${sniffed.hasHeader},
          columns = ${JSON.stringify(sniffed.columns)}::jsonb, preview = ${JSON.stringify(sniffed.preview)}::jsonb, bytes_total = ${total}
        where id = ${id}`;
      return { id, fileName, bytes: total, ...sniffed, suggestedMapping: suggestMapping(sniffed) };
    });
  } catch (err) {
    if (err instanceof NotACsvError) throw new AppError('BAD_REQUEST', err.message);
    throw err;
  }
}

/** Reads the body into checked chunks; returns the file's first bytes (for sniffing) and its size. */
async function copyChunks(deps: Deps, body: Readable, copy: ChunkCopy): Promise<{ head: Buffer; total: number }> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let total = 0;
  let seq = 0;
  let head: Buffer | null = null;

  const flush = async (last: boolean) => {
    if (pendingBytes === 0) return;
    let data = Buffer.concat(pending, pendingBytes);
    if (!head) {
      head = data.subarray(0, SNIFF_BYTES);
      // Recognisable binary files get a better message than "not UTF-8".
      assertLooksLikeText(head);
      if (data.subarray(0, 3).equals(BOM)) data = data.subarray(3); // the BOM is not part of the text
    }
    const unfinished = unfinishedCharacterBytes(data);
    if (last && unfinished > 0) {
      throw new NotACsvError('The file is not UTF-8 text: it ends in the middle of a character. Save it as "CSV UTF-8" and upload it again.');
    }
    const text = data.subarray(0, data.length - unfinished);
    if (!isUtf8(text)) {
      throw new NotACsvError(`The file is not UTF-8 text (in its ${ordinal(Math.floor((total - pendingBytes) / 2 ** 20) + 1)} megabyte). Save it as "CSV UTF-8" and upload it again.`);
    }
    if (text.includes(0)) throw new NotACsvError('This file is not a CSV: it contains binary data.');
    // The start of a character cut off by the chunk boundary goes with the next chunk.
    pending = unfinished > 0 ? [Buffer.from(data.subarray(data.length - unfinished))] : [];
    pendingBytes = unfinished;
    if (text.length > 0) await copy.add(seq++, text);
  };

  for await (const piece of body as AsyncIterable<Buffer>) {
    total += piece.length;
    if (total > deps.env.importMaxBytes) {
      throw new AppError('PAYLOAD_TOO_LARGE', `The file is larger than ${deps.env.importMaxBytes / 1024 / 1024} MB. Split it into smaller files and import them one by one.`);
    }
    pending.push(piece);
    pendingBytes += piece.length;
    if (pendingBytes >= CHUNK_BYTES) await flush(false);
  }
  await flush(true);
  if (!head || total === 0) throw new NotACsvError('The file is empty: it has no rows to import.');
  await copy.end();
  return { head, total };
}
