/**
 * The `read` part's campaign, written in SQL the way the pipeline writes
 * messages, so that the counter triggers keep the counters: the fan-out
 * insert, then UPDATE waves over id ranges on several connections.
 */
import postgres, { type Sql } from 'postgres';

/** Marks the campaign sent (two days ago), as the pipeline leaves it. */
export const markSent = (sql: Sql, campaignId: string) =>
  sql`update campaigns set status = 'sent', started_at = now() - interval '3 days', sent_at = now() - interval '2 days' where id = ${campaignId}`;

/** The hash that picks each message's fate and times, and its parts. */
const H = `(hashtext(id::text) & 2147483647)`;
const fate = `(${H} % 10000)`;
const spread = (mod: number) => `((${H} / 10000) % ${mod})`;
const MILESTONE_COLUMNS = ['sent_at', 'delivered_at', 'opened_at', 'clicked_at', 'bounced_at', 'complained_at', 'rejected_at'] as const;
/** The status after setting `column` to `value`, as applyEffects computes it. */
const statusWith = (column: (typeof MILESTONE_COLUMNS)[number], value: string) =>
  `message_status_by_milestones(status, ${MILESTONE_COLUMNS.map((c) => (c === column ? value : c)).join(', ')})`;
const milestone = (column: (typeof MILESTONE_COLUMNS)[number], value: string, extra = '') => `${column} = ${value}, status = ${statusWith(column, value)}${extra ? `, ${extra}` : ''}`;

/** The UPDATE waves after the fan-out, each over every id range; $4 is the campaign's base time. */
const WAVES: { name: string; set: string; where: string }[] = [
  {
    name: 'sent (100 %, over an hour)',
    set: `status = 'sent', sending_at = $4::timestamptz + ${spread(3600)} * interval '1 second', sent_at = $4::timestamptz + ${spread(3600)} * interval '1 second', provider_message_id = '0100019' || md5(id::text) || '-000000', updated_at = now()`,
    where: 'true',
  },
  { name: 'delivered (97 %)', set: milestone('delivered_at', `sent_at + (1 + ${spread(30)}) * interval '1 second'`), where: `${fate} >= 300` },
  {
    name: 'bounced (2 %: 1.2 % Permanent, 0.8 % Transient)',
    set: milestone('bounced_at', `sent_at + (1 + ${spread(60)}) * interval '1 second'`, `bounce_type = case when ${fate} < 120 then 'Permanent' else 'Transient' end`),
    where: `${fate} < 200`,
  },
  { name: 'opened (30 %, over two days)', set: milestone('opened_at', `delivered_at + ${spread(172800)} * interval '1 second'`, `open_count = 1 + ${spread(3)}`), where: `${fate} >= 300 and ${fate} % 100 < 31` },
  { name: 'clicked (7.8 %)', set: milestone('clicked_at', `opened_at + ${spread(600)} * interval '1 second'`, 'click_count = 1'), where: `${fate} >= 300 and ${fate} % 100 < 8` },
  { name: 'complained (0.05 %)', set: milestone('complained_at', `delivered_at + interval '5 hours'`), where: `${fate} >= 300 and ${fate} % 2000 = 1999` },
];

/**
 * `parts` half-open id ranges covering the uuid space (ids are random, so each holds about as many
 * messages). The last ends at ffffffff-…, which gen_random_uuid() never makes (its version digit is 4).
 */
function idRanges(parts: number): [string, string][] {
  const bound = (i: number) => (i >= parts ? 'ffffffff-ffff-ffff-ffff-ffffffffffff' : `${Math.floor((i * 0x100000000) / parts).toString(16).padStart(8, '0')}-0000-0000-0000-000000000000`);
  return Array.from({ length: parts }, (_, i) => [bound(i), bound(i + 1)]);
}

export type Phase = { name: string; ms: number; rows: number };


/**
 * `n` single-connection clients whose backends fall on different counter shards (the triggers use
 * `pg_backend_pid() % 8`), so the counters end up spread over `n` shards, as several senders and
 * processing jobs leave them.
 */
export async function shardLanes(databaseUrl: string, n: number): Promise<{ lanes: Sql[]; shards: number[]; end: () => Promise<void> }> {
  const lanes: Sql[] = [];
  const shards: number[] = [];
  const spare: Sql[] = [];
  for (let tries = 0; lanes.length < n && tries < 64; tries++) {
    const lane = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    const [row] = await lane<{ shard: number }[]>`select pg_backend_pid() % 8 as shard`;
    // A colliding one stays open until the end, so that the next connection gets another backend.
    if (shards.includes(row!.shard)) spare.push(lane);
    else {
      lanes.push(lane);
      shards.push(row!.shard);
    }
  }
  await Promise.all(spare.map((l) => l.end()));
  return { lanes, shards, end: async () => void (await Promise.all(lanes.map((l) => l.end()))) };
}

/** Writes the campaign's messages: fan-out insert in chunks (one connection), then the waves over id ranges on all lanes at once. */
export async function writeMessages(lanes: Sql[], tenantId: string, campaignId: string, count: number, chunk: number): Promise<Phase[]> {
  const phases: Phase[] = [];
  const sql = lanes[0]!;
  let started = performance.now();
  for (let first = 1; first <= count; first += chunk) {
    const last = Math.min(count, first + chunk - 1);
    await sql`
      insert into messages (tenant_id, campaign_id, to_address, status)
      select ${tenantId}, ${campaignId}, 'r' || i || '@inbox.test', 'queued' from generate_series(${first}::int, ${last}::int) i`;
  }
  phases.push({ name: `fan-out insert (queued, ${chunk.toLocaleString('en')} per statement)`, ms: performance.now() - started, rows: count });
  // What autovacuum would soon do after a million inserts; without it the waves are planned on an empty table's statistics.
  await sql`analyze messages`;
  const ranges = idRanges(Math.max(1, Math.ceil(count / chunk)));
  const [base] = await sql<{ at: string }[]>`select (now() - interval '3 days')::text as at`;
  for (const wave of WAVES) {
    started = performance.now();
    let next = 0;
    let rows = 0;
    const text = `update messages set ${wave.set} where campaign_id = $1 and id >= $2::uuid and id < $3::uuid and ${wave.where}`;
    const work = async (lane: Sql) => {
      for (let i = next++; i < ranges.length; i = next++) {
        const [lo, hi] = ranges[i]!;
        const { count: updated } = await lane.unsafe(text, text.includes('$4') ? [campaignId, lo, hi, base!.at] : [campaignId, lo, hi]);
        rows += updated;
      }
    };
    await Promise.all(lanes.map(work));
    phases.push({ name: wave.name, ms: performance.now() - started, rows });
  }
  return phases;
}
