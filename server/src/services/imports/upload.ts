import type { Readable } from 'node:stream';
import { AppError } from '../../errors.js';
import type { Deps } from '../../deps.js';
import { assertLooksLikeText, NotACsvError, sniffCsv, suggestMapping, type SuggestedMapping } from './sniff.js';

// Each chunk passes through the server as a string a few times. At 64 KiB those strings stay below V8's
// large-object size (128 KiB) and die young; with 256 KiB chunks the server peaked at 307 MB over six
// imports against 284 MB (bench/import.ts, 2026-12-07).
const CHUNK_BYTES = 64 * 1024;
const SNIFF_BYTES = 64 * 1024;

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
 * Streams an uploaded CSV into the database in 256 KiB text chunks (so any worker
 * on any machine can read it, and no process holds the whole file), checking
 * as it goes that it is UTF-8 text within the size limit. It all happens in
 * one transaction: a refused file leaves nothing behind.
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
      const decoder = new TextDecoder('utf-8', { fatal: true });
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      let total = 0;
      let seq = 0;
      let head: Buffer | null = null;

      const flush = async () => {
        if (pendingBytes === 0) return;
        const data = Buffer.concat(pending, pendingBytes);
        if (!head) {
          head = data.subarray(0, SNIFF_BYTES);
          // Recognisable binary files get a better message than "not UTF-8".
          assertLooksLikeText(head);
        }
        let content: string;
        try {
          content = decoder.decode(data, { stream: true });
        } catch {
          throw new NotACsvError(`The file is not UTF-8 text (in its ${ordinal(Math.floor((total - pendingBytes) / 2 ** 20) + 1)} megabyte). Save it as "CSV UTF-8" and upload it again.`);
        }
        if (content.includes('\u0000')) throw new NotACsvError('This file is not a CSV: it contains binary data.');
        await tx`insert into import_chunks (import_id, seq, content) values (${id}, ${seq++}, ${content})`;
        pending = [];
        pendingBytes = 0;
      };

      for await (const piece of body as AsyncIterable<Buffer>) {
        total += piece.length;
        if (total > deps.env.importMaxBytes) {
          throw new AppError('PAYLOAD_TOO_LARGE', `The file is larger than ${deps.env.importMaxBytes / 1024 / 1024} MB. Split it into smaller files and import them one by one.`);
        }
        pending.push(piece);
        pendingBytes += piece.length;
        if (pendingBytes >= CHUNK_BYTES) await flush();
      }
      await flush();
      try {
        // A character cut off at the very end of the file.
        decoder.decode();
      } catch {
        throw new NotACsvError('The file is not UTF-8 text: it ends in the middle of a character. Save it as "CSV UTF-8" and upload it again.');
      }
      if (!head || total === 0) throw new NotACsvError('The file is empty: it has no rows to import.');

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
