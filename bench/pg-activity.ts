/**
 * Where a database's time goes while another bench runs: samples
 * pg_stat_activity every 5 ms and counts the active statements of client
 * backends by wait event (CPU when none) and statement text. A statement
 * statistics extension needs a server restart to load; this needs nothing.
 * Run beside a bench: `node --import tsx bench/pg-activity.ts --seconds 20`
 * (every database but the one it connects to; --database-url to choose it).
 */
import postgres from 'postgres';
import { benchArgs, say } from './lib.js';

const args = benchArgs({ seconds: { type: 'string', default: '20' }, top: { type: 'string', default: '15' } });
const sql = postgres(args['database-url']!, { max: 1, onnotice: () => {} });
const counts = new Map<string, number>();
const end = Date.now() + Number(args.seconds) * 1000;
let samples = 0;
while (Date.now() < end) {
  const rows = await sql<{ statement: string; wait: string | null }[]>`
    select left(regexp_replace(query, '\\s+', ' ', 'g'), 100) as statement, wait_event_type || ':' || wait_event as wait
    from pg_stat_activity
    where state = 'active' and backend_type = 'client backend' and datname <> current_database()`;
  samples += 1;
  for (const r of rows) counts.set(`${r.wait ?? 'CPU'} | ${r.statement}`, (counts.get(`${r.wait ?? 'CPU'} | ${r.statement}`) ?? 0) + 1);
  await new Promise((r) => setTimeout(r, 5));
}
await sql.end();
say(`${samples} samples of pg_stat_activity; active backends per statement and wait (CPU = no wait event):`);
for (const [key, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, Number(args.top))) say(`${String(n).padStart(6)}  ${key}`);
