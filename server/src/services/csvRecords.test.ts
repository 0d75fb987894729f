import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CsvReadError, csvHead, eachCsvRecord } from './csvRecords.js';

async function read(text: string | string[], delimiting: Parameters<typeof eachCsvRecord>[1] = { delimiter: ',' }) {
  const records: Array<[number, string[]]> = [];
  await eachCsvRecord(Readable.from(typeof text === 'string' ? [Buffer.from(text)] : text.map((t) => Buffer.from(t))), delimiting, (record, line) => {
    records.push([line, record]);
  });
  return records;
}

describe('eachCsvRecord', () => {
  it('gives each record the line it starts on, quoted line breaks, commas and quotes included', async () => {
    expect(await read('email,note\r\na@x.io,"two\r\nlines, one field"\r\n\r\nb@x.io,say ""hi""\r\nc@x.io,6" tall,extra\r\n')).toEqual([
      [1, ['email', 'note']],
      [2, ['a@x.io', 'two\r\nlines, one field']],
      [4, ['']],
      [5, ['b@x.io', 'say ""hi""']],
      [6, ['c@x.io', '6" tall', 'extra']],
    ]);
  });

  it('reads records cut across chunks, and guesses the delimiter when asked', async () => {
    expect(await read(['email;na', 'me\na@x.io;"An', 'n"\nb@x.io;Bo\n'], { guess: true })).toEqual([
      [1, ['email', 'name']],
      [2, ['a@x.io', 'Ann']],
      [3, ['b@x.io', 'Bo']],
    ]);
  });

  it('refuses a quoted field that is never closed, or has text after its closing quote, naming its line', async () => {
    await expect(read('email\na@x.io\n"b@x.io\nc@x.io\n')).rejects.toMatchObject({ reason: 'a quoted field is never closed', line: 3 });
    const err = await read('email,name\na@x.io,"Ann"e\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CsvReadError);
    expect(err).toMatchObject({ reason: 'a quoted field has text after its closing quote', line: 2 });
  });

  it('waits for a promise returned by the callback, keeping every record in order', async () => {
    const text = Array.from({ length: 3000 }, (_, i) => `r${i}@x.io,${'x'.repeat(i % 50)}`).join('\n');
    const chunks = text.match(/[^]{1,1000}/g) ?? [];
    const seen: number[] = [];
    let waiting = 0;
    await eachCsvRecord(Readable.from(chunks.map((c) => Buffer.from(c))), { delimiter: ',' }, (record, line) => {
      expect(waiting).toBe(0);
      seen.push(line);
      expect(record[0]).toBe(`r${line - 1}@x.io`);
      if (line % 100 === 0) {
        waiting++;
        return new Promise((resolve) => setTimeout(() => resolve(waiting--), 2)).then(() => undefined);
      }
      return undefined;
    });
    expect(seen).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
  });

  it('rejects with what the callback or the input threw, and reads no further', async () => {
    let calls = 0;
    const failing = eachCsvRecord(Readable.from([Buffer.from('a\nb\nc\n')]), { delimiter: ',' }, () => {
      calls++;
      if (calls === 2) throw new Error('stop here');
    });
    await expect(failing).rejects.toThrow('stop here');
    expect(calls).toBe(2);
    const broken = new Readable({ read() {} });
    const reading = eachCsvRecord(broken, { delimiter: ',' }, () => undefined);
    broken.push('a\n');
    broken.destroy(new Error('connection lost'));
    await expect(reading).rejects.toThrow('connection lost');
  });
});

describe('csvHead', () => {
  it('gives the first records without the blank ones, and names the line of a malformed one', () => {
    expect(csvHead('email,name\n\na@x.io,Ann\n  \nb@x.io,Bo\nc@x.io,Cy\n', ',', 4)).toEqual([
      ['email', 'name'],
      ['a@x.io', 'Ann'],
    ]);
    expect(() => csvHead('email\n\n"a\nb\n', ',', 40)).toThrow(expect.objectContaining({ reason: 'a quoted field is never closed', line: 3 }));
  });
});
