import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/** COPY's binary format: signature, then 32-bit flags and header-extension length, both zero. */
const HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
/** A field count of -1 ends the data. */
const TRAILER = Buffer.from([0xff, 0xff]);
/** Field count, then length and value of import_id (uuid, 16 bytes) and seq (int4), then content's length. */
const ROW_HEAD_BYTES = 2 + 4 + 16 + 4 + 4 + 4;

export type ChunkCopy = {
  /** One import_chunks row; `text` is already checked to be whole UTF-8 characters. */
  add: (seq: number, text: Buffer) => Promise<void>;
  /** Ends the COPY and waits for Postgres to take it. */
  end: () => Promise<void>;
};

/**
 * Writes import_chunks rows (import_id, seq, content) to a
 * `COPY … FROM STDIN WITH (FORMAT binary)` stream. In the binary format a text
 * value is its UTF-8 bytes, so an uploaded file reaches Postgres as the bytes
 * it arrived in: no JavaScript string per chunk. Those strings, each held by
 * the driver until its insert returned, were promoted to the old generation
 * and made up most of the server's memory growth during an upload
 * (bench/import.ts). Postgres checks the encoding of every value again.
 */
export function chunkCopy(copy: Writable, importId: string): ChunkCopy {
  const id = Buffer.from(importId.replace(/-/g, ''), 'hex');
  let started = false;
  const write = async (data: Buffer) => {
    if (!copy.write(data)) await once(copy, 'drain');
  };
  return {
    async add(seq, text) {
      const head = Buffer.allocUnsafe(ROW_HEAD_BYTES);
      let at = head.writeInt16BE(3, 0);
      at = head.writeInt32BE(id.length, at);
      at += id.copy(head, at);
      at = head.writeInt32BE(4, at);
      at = head.writeInt32BE(seq, at);
      head.writeInt32BE(text.length, at);
      await write(started ? head : Buffer.concat([HEADER, head]));
      started = true;
      await write(text);
    },
    async end() {
      if (!started) await write(HEADER);
      copy.end(TRAILER);
      await finished(copy);
    },
  };
}

/**
 * How many bytes at the end of `data` begin a UTF-8 character that the data
 * does not finish (0 to 3): a chunk boundary of the upload can fall inside a
 * character, and those bytes belong with the next chunk.
 */
export function unfinishedCharacterBytes(data: Buffer): number {
  for (let back = 1; back <= Math.min(3, data.length); back++) {
    const byte = data[data.length - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead byte
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}
