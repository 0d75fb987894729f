/**
 * bench/import: CSV import speed and server memory, and contacts page speed
 * at 1,000,000 contacts. Run: `npm run bench:import` (after `npm run build`).
 * Options: --database-url (a Postgres server to create a scratch database on),
 * --sizes 100000,1000000 --runs 3 (runs of every size). Goals checked for the 1,000,000-row file:
 * its import ≤ 15 × the raw COPY of the same file, and the server peak RSS < 300 MB.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import postgres from 'postgres';
import { createTestDatabase } from '../server/src/testing/database.js';
import { freePort } from '../server/src/testing/globalSetup.js';
import { benchArgs, checkGoal, machine, median, signUp, trpc } from './lib.js';
import { startServerProcess } from './procs.js';

const args = benchArgs({ sizes: { type: 'string', default: '100000,1000000' }, runs: { type: 'string', default: '3' } });
const sizes = args.sizes!.split(',').map(Number);
const runs = Number(args.runs);

async function writeCsv(rows: number, prefix: string): Promise<string> {
  const file = path.join(tmpdir(), `herald-bench-${prefix}-${rows}.csv`);
  const out = createWriteStream(file);
  out.write('email,first_name,last_name,city,plan\n');
  for (let i = 0; i < rows; i++) {
    if (!out.write(`${prefix}${i}@example.com,First${i % 5000},Last${i % 7919},City ${i % 300},${i % 3 ? 'pro' : 'free'}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return file;
}

/** Highest resident memory of the server seen in each phase of the last import. */
const rssByPhase: Record<string, number> = {};

async function runImport(url: string, cookie: string, file: string): Promise<{ seconds: number; status: Record<string, unknown> }> {
  const started = performance.now();
  for (const key of Object.keys(rssByPhase)) delete rssByPhase[key];
  const sampler = setInterval(() => {
    rssByPhase.upload = Math.max(rssByPhase.upload ?? 0, server.rssMb());
  }, 100);
  const res = await fetch(`${url}/api/contacts/imports?fileName=bench.csv`, {
    method: 'POST',
    headers: { cookie, origin: url, 'content-type': 'text/csv' },
    body: createReadStream(file) as unknown as BodyInit,
    duplex: 'half',
  } as RequestInit);
  const uploaded = (await res.json()) as { id: string; suggestedMapping: { email: string; firstName: string; lastName: string; attributes: Record<string, string> } };
  clearInterval(sampler);
  if (!res.ok) throw new Error(`upload: ${JSON.stringify(uploaded)}`);
  const m = uploaded.suggestedMapping;
  await trpc(url, cookie, 'contacts.importStart', { id: uploaded.id, mapping: m, onExisting: 'skip' }, 'mutation');
  for (;;) {
    const status = await trpc<Record<string, unknown>>(url, cookie, 'contacts.importStatus', { id: uploaded.id }, 'query');
    const phase = String(status.status);
    rssByPhase[phase] = Math.max(rssByPhase[phase] ?? 0, server.rssMb());
    if (status.status === 'done' || status.status === 'failed') return { seconds: (performance.now() - started) / 1000, status };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Baselines, on the same database: the same file COPYed raw into an unlogged table (the floor for any
 * import, and the goal's limit), then those rows written by one INSERT … SELECT into a table shaped like
 * `contacts` (its indexes, logged, ids rising in email order as the import makes them): what Postgres
 * alone needs for the rows an import writes.
 */
async function baselines(databaseUrl: string, file: string): Promise<{ copy: number; shaped: number }> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  await sql`create unlogged table if not exists bench_copy (email text, first_name text, last_name text, city text, plan text)`;
  await sql`truncate bench_copy`;
  let started = performance.now();
  const writable = await sql`copy bench_copy from stdin with (format csv, header true)`.writable();
  createReadStream(file).pipe(writable);
  await once(writable, 'finish');
  const copy = (performance.now() - started) / 1000;
  await sql`create table bench_contacts (like contacts including all)`;
  await sql`checkpoint`;
  started = performance.now();
  await sql`
    insert into bench_contacts (id, tenant_id, email, first_name, last_name, attributes)
    select lpad(to_hex(row_number() over (order by email)), 32, '0')::uuid, '00000000-0000-0000-0000-000000000001',
      email, first_name, last_name, jsonb_build_object('city', city, 'plan', plan)
    from bench_copy order by email`;
  const shaped = (performance.now() - started) / 1000;
  await sql`drop table bench_copy, bench_contacts`;
  await sql.end();
  return { copy, shaped };
}

async function timeQuery(url: string, cookie: string, input: Record<string, unknown>, repeats = 15): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    await trpc(url, cookie, 'contacts.list', input, 'query');
    times.push(performance.now() - started);
  }
  return median(times);
}

const database = await createTestDatabase(args['database-url']!);
const server = await startServerProcess(database.url, await freePort());
const lines: string[] = [];
const say = (line: string) => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};
try {
  say(`machine: ${machine()}; ${new Date().toISOString()}`);
  say(`server peak RSS after boot: ${server.peakRssMb().toFixed(0)} MB`);
  let bigCookie = '';
  for (const size of sizes) {
    const file = await writeCsv(size, `b${size}-`);
    const mb = (await stat(file)).size / 2 ** 20;
    const imports: number[] = [];
    const copies: number[] = [];
    const shaped: number[] = [];
    for (let r = 0; r < runs; r++) {
      const cookie = await signUp(server.url, `bench${size}r${r}`);
      const { seconds, status } = await runImport(server.url, cookie, file);
      if (status.status !== 'done' || status.created !== size) throw new Error(`import did not finish cleanly: ${JSON.stringify(status)}`);
      imports.push(seconds);
      const baseline = await baselines(database.url, file);
      copies.push(baseline.copy);
      shaped.push(baseline.shaped);
      if (size >= 1_000_000) bigCookie = cookie;
    }
    const phases = server.logs.filter((l) => l.includes('contact import finished')).at(-1);
    say(
      `import ${size.toLocaleString('en')} rows (${mb.toFixed(1)} MB): median ${median(imports).toFixed(2)} s over ${runs} run(s) ` +
        `[${imports.map((s) => s.toFixed(2)).join(', ')}]; raw COPY baseline ${median(copies).toFixed(2)} s; ratio ${(median(imports) / median(copies)).toFixed(1)}×; ` +
        `INSERT … SELECT into the shape of contacts ${median(shaped).toFixed(2)} s (import ${(median(imports) / median(shaped)).toFixed(1)}×); ` +
        `last run phases ${phases ? JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(phases)).filter(([k]) => k.endsWith('Ms')))) : '?'}`,
    );
    await rm(file);
    say(`server RSS by phase of the last run (MB): ${JSON.stringify(Object.fromEntries(Object.entries(rssByPhase).map(([k, v]) => [k, Math.round(v)])))}`);
    say(`server peak RSS (VmHWM) so far: ${server.peakRssMb().toFixed(0)} MB`);
    if (size === 1_000_000) checkGoal('CSV import of 1,000,000 rows against the raw COPY of the file', median(imports) / median(copies), { atMost: 15 });
  }
  if (sizes.includes(1_000_000)) checkGoal('server peak RSS against 300 MB', server.peakRssMb() / 300, { atMost: 1 });
  if (bigCookie) {
    const first = await trpc<{ items: Array<{ email: string }>; nextCursor: string }>(server.url, bigCookie, 'contacts.list', { limit: 50 }, 'query');
    const middle = Buffer.from('b1000000-500000@example.com').toString('base64url');
    const cases: Array<[string, Record<string, unknown>]> = [
      ['first page', { limit: 50 }],
      ['second page (cursor)', { limit: 50, cursor: first.nextCursor }],
      ['page in the middle (cursor)', { limit: 50, cursor: middle }],
      ['last page', { limit: 50, cursor: Buffer.from('b1000000-999990@example.com').toString('base64url') }],
      ['search email prefix "b1000000-77"', { limit: 50, search: 'b1000000-77' }],
      ['search first-name prefix "first42"', { limit: 50, search: 'first42' }],
      ['search last-name prefix "last7"', { limit: 50, search: 'last7' }],
      ['status filter unsubscribed (none)', { limit: 50, status: 'unsubscribed' }],
    ];
    for (const [name, input] of cases) say(`contacts.list over 1,000,000 contacts, ${name}: median ${(await timeQuery(server.url, bigCookie, input)).toFixed(1)} ms (HTTP round trip, 15 runs)`);
  }
} finally {
  await server.stop();
  await database.drop();
}
