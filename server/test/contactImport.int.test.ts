import { beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { startTestHerald } from '../src/testing/index.js';
import { signedUpAgent, type Agent } from './agent.js';
import { errorReport, importCsv, upload } from './importHelpers.js';
import { useHerald } from './useHerald.js';

const h = useHerald({ roles: { http: true, worker: true } });
let owner: Agent;
let tenantId: string;
beforeAll(async () => {
  const signed = await signedUpAgent(h.herald.url, 'Importer');
  owner = signed.agent;
  tenantId = signed.account.tenant.id;
});

async function contactByEmail(email: string) {
  const [row] = await h.herald.deps.sql`select email, first_name, last_name, attributes from contacts where tenant_id = ${tenantId} and email = ${email}`;
  return row;
}

describe('CSV import', () => {
  it('handles a BOM, CRLF line ends, quoted commas and newlines, and maps extra columns to attributes', async () => {
    const csv = '\uFEFFEmail,First Name,Last Name,Company\r\n' + 'bom1@example.com,Ann,Lee,"Acme, Inc."\r\n' + 'bom2@example.com,"Bo\r\nBo",Ng,"Quote ""Q"" Ltd"\r\n';
    const status = await importCsv(h.herald.url, owner, csv);
    expect(status).toMatchObject({ status: 'done', rowsTotal: 2, created: 2, failedRows: 0, percent: 100 });
    // The whole upload counts as read, though the BOM is not kept with the text.
    expect(status.bytesRead).toBe(Buffer.byteLength(csv));
    expect(await contactByEmail('bom1@example.com')).toEqual({ email: 'bom1@example.com', first_name: 'Ann', last_name: 'Lee', attributes: { company: 'Acme, Inc.' } });
    expect(await contactByEmail('bom2@example.com')).toMatchObject({ first_name: 'Bo\r\nBo', attributes: { company: 'Quote "Q" Ltd' } });
  });

  it('detects a semicolon delimiter and a file without a header row', async () => {
    const uploaded = await upload(h.herald.url, owner, 'semi1@example.com;Sam;One\nsemi2@example.com;Sue;Two\n');
    expect(uploaded.body).toMatchObject({ delimiter: ';', hasHeader: false, columns: ['Column 1', 'Column 2', 'Column 3'] });
    expect(uploaded.body.suggestedMapping.email).toBe('Column 1');
    const status = await importCsv(h.herald.url, owner, 'Email;Vorname\nsemi3@example.com;Jan\n');
    expect(status).toMatchObject({ status: 'done', created: 1 });
    expect(await contactByEmail('semi3@example.com')).toMatchObject({ attributes: { vorname: 'Jan' } });
  });

  it('reports duplicate rows, invalid emails and skips empty lines, with line numbers in a downloadable CSV', async () => {
    const csv = ['email,first_name', 'dup@example.com,First', '', 'not-an-email,Bad', 'DUP@example.com,Second', ',NoEmail', '', 'ok@example.com,Fine', ''].join('\n');
    const status = await importCsv(h.herald.url, owner, csv);
    expect(status).toMatchObject({ status: 'done', rowsTotal: 5, created: 2, failedRows: 3 });
    expect(await contactByEmail('dup@example.com')).toMatchObject({ first_name: 'First' });
    const report = await errorReport(h.herald.url, owner, status.errorsUrl!);
    expect(report.trim().split('\n')).toEqual(['line,email,reason', '4,not-an-email,Invalid email address: not-an-email', '5,dup@example.com,Duplicate of line 2', '6,,Missing email address']);
  });

  it('updates or skips existing contacts as chosen, and adds everyone to the list', async () => {
    const list = await owner.trpc.lists.create.mutate({ name: 'Imported' });
    await owner.trpc.contacts.create.mutate({ email: 'existing@example.com', firstName: 'Old' });
    const skipped = await importCsv(h.herald.url, owner, 'email,first name\nexisting@example.com,New\nfresh@example.com,Fresh\n', { listId: list.id, onExisting: 'skip' });
    expect(skipped).toMatchObject({ created: 1, updated: 0, skipped: 1 });
    expect(await contactByEmail('existing@example.com')).toMatchObject({ first_name: 'Old' });
    const updated = await importCsv(h.herald.url, owner, 'email,first name\nexisting@example.com,New\n', { listId: list.id, onExisting: 'update' });
    expect(updated).toMatchObject({ created: 0, updated: 1, skipped: 0 });
    expect(await contactByEmail('existing@example.com')).toMatchObject({ first_name: 'New' });
    expect((await owner.trpc.lists.get.query({ id: list.id })).memberCount).toBe(2);
  });

  it('a contact created while the import writes is updated as if it had been there before', async () => {
    const list = await owner.trpc.lists.create.mutate({ name: 'Raced' });
    // Uncommitted when the import looks for existing contacts, committed while it inserts the new ones.
    const other = await h.herald.deps.sql.reserve();
    await other.unsafe('begin');
    await other`insert into contacts (tenant_id, email, first_name, last_name) values (${tenantId}, 'race@example.com', 'Early', 'Kept')`;
    const finished = importCsv(h.herald.url, owner, 'email,first name\nrace-a@example.com,A\nrace@example.com,Late\nrace-b@example.com,B\n', { listId: list.id, onExisting: 'update' });
    await vi.waitFor(
      async () => {
        const [waiting] = await h.herald.deps.sql`select 1 from pg_stat_activity where datname = current_database() and wait_event = 'transactionid'`;
        if (!waiting) throw new Error('the import is not waiting for the other transaction yet');
      },
      { timeout: 10_000, interval: 50 },
    );
    await other.unsafe('commit');
    other.release();
    expect(await finished).toMatchObject({ status: 'done', created: 2, updated: 1, skipped: 0 });
    expect(await contactByEmail('race@example.com')).toMatchObject({ first_name: 'Late', last_name: 'Kept' });
    expect((await owner.trpc.lists.get.query({ id: list.id })).memberCount).toBe(3);
  });

  it('keeps characters cut by the chunk boundaries of an upload, and names the megabyte of a byte that is not UTF-8', async () => {
    // ~300 KB of 1-, 2-, 3- and 4-byte characters: the 64 KiB chunk boundaries fall inside some of them.
    const rows = Array.from({ length: 6000 }, (_, i) => `mb${i}@example.com,Zoë😀${i},日本${i}`);
    const status = await importCsv(h.herald.url, owner, `email,first_name,last_name\n${rows.join('\n')}\n`);
    expect(status).toMatchObject({ status: 'done', created: 6000, failedRows: 0 });
    const [kept] = await h.herald.deps.sql`
      select count(*)::int as n from contacts
      where tenant_id = ${tenantId} and email like 'mb%' and first_name = 'Zoë😀' || split_part(split_part(email, '@', 1), 'mb', 2)
        and last_name = '日本' || split_part(split_part(email, '@', 1), 'mb', 2)`;
    expect(kept?.n).toBe(6000);

    const latin1Later = Buffer.concat([Buffer.from(`email\n${'a@example.com\n'.repeat(100_000)}`), Buffer.from('caf\xe9@example.com\n', 'latin1')]);
    expect(latin1Later.length).toBeGreaterThan(2 ** 20);
    expect((await upload(h.herald.url, owner, latin1Later)).body.error?.message).toMatch(/not UTF-8 text \(in its 2nd megabyte\)/);
    const cutOff = Buffer.from('email\nzoe@example.com,Zoë', 'utf8');
    expect((await upload(h.herald.url, owner, cutOff.subarray(0, cutOff.length - 1))).body.error?.message).toMatch(/ends in the middle of a character/);
  });

  it('imports a 20 MB file', async () => {
    const lines = ['email,first_name,last_name,city,notes'];
    let i = 0;
    while (lines.join('\n').length < 20 * 1024 * 1024 && i < 1_000_000) {
      const chunk: string[] = [];
      for (let k = 0; k < 10_000; k++, i++) chunk.push(`big${i}@example.com,First${i},Last${i},City ${i % 100},"Note with, comma ${i}"`);
      lines.push(...chunk);
    }
    const csv = `${lines.join('\n')}\n`;
    expect(Buffer.byteLength(csv)).toBeGreaterThan(20 * 1024 * 1024);
    const status = await importCsv(h.herald.url, owner, csv);
    expect(status).toMatchObject({ status: 'done', rowsTotal: i, created: i, failedRows: 0 });
    const [row] = await h.herald.deps.sql`select count(*)::int as n from contacts where tenant_id = ${tenantId} and email like 'big%'`;
    expect(row?.n).toBe(i);
  }, 120_000);

  it('refuses a PNG renamed .csv, UTF-16 and non-UTF-8 text, leaving nothing behind', async () => {
    const [before] = await h.herald.deps.sql`select (select count(*) from contact_imports) as imports, (select count(*) from import_chunks) as chunks`;
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
    const refusedPng = await upload(h.herald.url, owner, png, 'photo.csv');
    expect(refusedPng.status).toBe(400);
    expect(refusedPng.body.error?.message).toMatch(/not a CSV: it looks like a PNG image/);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('email\r\na@b.co\r\n', 'utf16le')]);
    expect((await upload(h.herald.url, owner, utf16)).body.error?.message).toMatch(/UTF-16/);
    const latin1 = Buffer.from('email,name\ncafe@example.com,Caf\xe9\n', 'latin1');
    expect((await upload(h.herald.url, owner, latin1)).body.error?.message).toMatch(/not UTF-8 text/);
    expect((await upload(h.herald.url, owner, '')).body.error?.message).toMatch(/empty/);
    const [after] = await h.herald.deps.sql`select (select count(*) from contact_imports) as imports, (select count(*) from import_chunks) as chunks`;
    expect(after).toEqual(before);
  });

  it('a file over the size limit is refused with 413 and leaves nothing behind', async () => {
    const small = await startTestHerald(inject('adminDatabaseUrl'), { env: { IMPORT_MAX_MB: '1' } });
    try {
      const { agent: a } = await signedUpAgent(small.url, 'Small');
      const big = `email\n${'x'.repeat(60)}@example.com\n`.repeat(20_000);
      const refused = await upload(small.url, a, big);
      expect(refused.status).toBe(413);
      expect(refused.body.error?.message).toMatch(/larger than 1 MB/);
      const [left] = await small.deps.sql`select (select count(*) from contact_imports)::int as imports, (select count(*) from import_chunks)::int as chunks`;
      expect(left).toEqual({ imports: 0, chunks: 0 });
    } finally {
      await small.stop();
    }
  });

  it('a file that is not valid CSV fails clearly and imports nothing', async () => {
    const early = await upload(h.herald.url, owner, 'email,name\nq0@example.com,"unclosed\n');
    expect(early.status).toBe(400);
    expect(early.body.error?.message).toBe('This file could not be read as CSV: a quoted field is never closed (line 2).');
    // Past the lines checked at upload, the job finds it: the whole import fails, nothing is written.
    const good = Array.from({ length: 100 }, (_, i) => `q${i + 1}@example.com,ok`);
    const csv = ['email,name', ...good, 'late@example.com,"unclosed', 'q999@example.com,x', ''].join('\n');
    const status = await importCsv(h.herald.url, owner, csv);
    expect(status.status).toBe('failed');
    expect(status.error).toBe('The file could not be read as CSV: a quoted field is never closed (line 102). Nothing was imported.');
    expect(await contactByEmail('q1@example.com')).toBeUndefined();
  });

  it('refuses a mapping to a column the file does not have, and a second start', async () => {
    const uploaded = await upload(h.herald.url, owner, 'email\nm@example.com\n');
    expect(uploaded.status).toBe(200);
    await expect(owner.trpc.contacts.importStart.mutate({ id: uploaded.body.id, mapping: { email: 'E-Mail', attributes: {} } })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
      message: 'The file has no column named "E-Mail".',
    });
    await owner.trpc.contacts.importStart.mutate({ id: uploaded.body.id, mapping: { email: 'email', attributes: {} } });
    await expect(owner.trpc.contacts.importStart.mutate({ id: uploaded.body.id, mapping: { email: 'email', attributes: {} } })).rejects.toMatchObject({ data: { code: 'CONFLICT' } });
  });
});
