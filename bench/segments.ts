/**
 * bench/segments: segment evaluation at 1,000,000 contacts (issue "Segments",
 * performance section). Herald's API runs in this process on a scratch
 * database (no worker, no SES). Contacts, attributes, list membership and an
 * engagement history of three past campaigns are built set-based in SQL
 * (generate_series). Two parts:
 *  - preview: `segments.preview` over HTTP (count plus the first 20) with
 *    three conditions, one of them an engagement condition; median of --runs.
 *    Target ≤ 1 s.
 *  - fanout: runFanOut in this process until done, for a campaign to the
 *    plain list of all 1,000,000 contacts and for one to a segment matching
 *    the same 1,000,000 (three conditions, one of them engagement), alternated
 *    in one invocation; the ratio of the medians. Target ≤ 1.5.
 * Run: `node --import tsx bench/segments.ts --database-url postgres://…/test` (about 10 min on 2 cores).
 * Options: --contacts 1000000 --runs 5 --fanout-runs 2 --parts preview,fanout; --keep-database yes leaves the
 * scratch database (its URL printed) for EXPLAIN.
 */
import { randomBytes } from 'node:crypto';
import { runFanOut } from '../server/src/sending/fanOut.js';
import type { SegmentConditions } from '../server/src/services/segments/conditions.js';
import { createTestDatabase } from '../server/src/testing/database.js';
import { benchArgs, fmt, loadAverages, machine, median, say, signUp, trpc } from './lib.js';
import { startApi } from './send-tenant.js';

const args = benchArgs({
  contacts: { type: 'string', default: '1000000' },
  runs: { type: 'string', default: '5' },
  'fanout-runs': { type: 'string', default: '2' },
  parts: { type: 'string', default: 'preview,fanout' },
  'keep-database': { type: 'string', default: 'no' },
});
const size = Number(args.contacts);
const parts = new Set(args.parts!.split(','));

const database = await createTestDatabase(args['database-url']!);
// No SES endpoint is called: the fan-out runs in this process and no send lane ever runs.
const api = await startApi(database.url, 'http://127.0.0.1:9', `bench:${randomBytes(32).toString('base64')}`);
const { sql } = api.deps;
const seconds = (since: number) => (performance.now() - since) / 1000;

say(`machine: ${machine()}; load average ${loadAverages()}`);
const cookie = await signUp(api.url, 'SegmentBench');
const call = <T>(path: string, input: unknown, kind: 'query' | 'mutation' = 'mutation') => trpc<T>(api.url, cookie, path, input, kind);
const { id: listId } = await call<{ id: string }>('lists.create', { name: 'Everyone' });
const [tenant] = await sql<{ tenantId: string }[]>`select tenant_id as "tenantId" from lists where id = ${listId}`;
const tenantId = tenant!.tenantId;
const draft = (name: string, audience: { listId: string } | { segmentId: string }) =>
  call<{ id: string }>('campaigns.create', { name, channel: 'email', subject: 'Hello', fromEmail: 'news@sender.test', html: '<p>Hi {{ first_name }}</p>', ...audience });

let started = performance.now();
// Every contact subscribed and on the list; age 18–97; plan gold / silver / basic; created over two years.
await sql`
  with made as (
    insert into contacts (tenant_id, email, first_name, attributes, created_at)
    select ${tenantId}, 'reader-' || i || '@inbox.test', 'Reader' || i,
      jsonb_build_object('age', (18 + i % 80)::text, 'plan', (array['gold', 'silver', 'basic'])[1 + i % 3], 'city', 'City ' || (i % 300)),
      now() - (i % 730) * interval '1 day'
    from generate_series(1, ${size}) i
    returning id
  )
  insert into list_members (list_id, contact_id, tenant_id) select ${listId}, id, ${tenantId} from made`;
say(`seeded ${size.toLocaleString('en')} contacts on one list in ${seconds(started).toFixed(1)} s`);

// Engagement history: three campaigns 20, 50 and 80 days ago, each sent to half the contacts; a third of those opened, a tenth clicked.
started = performance.now();
const past = [];
for (const [n, daysAgo] of [20, 50, 80].entries()) {
  const { id } = await draft(`Past ${n + 1}`, { listId });
  past.push(id);
  await sql`
    insert into messages (tenant_id, campaign_id, contact_id, to_address, status, sent_at, opened_at, clicked_at)
    select ${tenantId}, ${id}, ct.id, ct.email,
      (case when h % 10 = 0 then 'clicked' when h % 3 = 0 then 'opened' else 'delivered' end)::message_status,
      now() - ${daysAgo} * interval '1 day',
      case when h % 3 = 0 or h % 10 = 0 then now() - ${daysAgo} * interval '1 day' + interval '2 hours' end,
      case when h % 10 = 0 then now() - ${daysAgo} * interval '1 day' + interval '3 hours' end
    from (select id, email, abs(hashtext(id::text || ${id})) as h from contacts where tenant_id = ${tenantId}) ct
    where h % 2 = ${n % 2}`;
}
await sql`vacuum analyze contacts, list_members, messages`;
const [history] = await sql<{ n: number }[]>`select count(*)::int as n from messages where tenant_id = ${tenantId}`;
say(`seeded ${history!.n.toLocaleString('en')} messages of 3 past campaigns in ${seconds(started).toFixed(1)} s (then VACUUM ANALYZE)`);

type Preview = { count: number; matches: unknown[] };
async function timePreviews(label: string, conditions: SegmentConditions): Promise<void> {
  const times: number[] = [];
  let count = 0;
  for (let run = 0; run < Number(args.runs); run++) {
    const t = performance.now();
    count = (await call<Preview>('segments.preview', { conditions })).count;
    times.push(seconds(t));
  }
  say(`preview ${label}: ${count.toLocaleString('en')} matches; ${fmt(times, 3)} s (count + first 20 over HTTP); load average ${loadAverages()}`);
}

if (parts.has('preview')) {
  const engaged: SegmentConditions = {
    match: 'all',
    conditions: [
      { field: 'status', op: 'is', value: 'subscribed' },
      { field: 'attribute', name: 'age', op: 'gte', value: 30 },
      { field: 'engagement', op: 'opened', withinDays: 60 },
    ],
  };
  await timePreviews('status is subscribed AND age ≥ 30 AND opened any campaign in the last 60 days', engaged);
  await timePreviews('plan is gold AND created in the last 365 days AND never opened', {
    match: 'all',
    conditions: [
      { field: 'attribute', name: 'plan', op: 'equals', value: 'gold' },
      { field: 'createdAt', op: 'withinLastDays', value: 365 },
      { field: 'engagement', op: 'notOpened' },
    ],
  });
  await timePreviews(`age < 40 AND (clicked “Past 1” OR city is “City 7”)`, {
    match: 'all',
    conditions: [
      { field: 'attribute', name: 'age', op: 'lt', value: 40 },
      { match: 'any', conditions: [{ field: 'engagement', op: 'clicked', campaignId: past[0]! }, { field: 'attribute', name: 'city', op: 'equals', value: 'City 7' }] },
    ],
  });
}

/** Fan-out of one campaign to `audience`, from `sending` to fanned out, calling the fan-out job's function until done. */
async function timeFanOut(name: string, audience: { listId: string } | { segmentId: string }): Promise<number> {
  const { id } = await draft(name, audience);
  await sql`update campaigns set status = 'sending', started_at = now() where id = ${id}`;
  const t = performance.now();
  while ((await runFanOut(api.deps, id)) !== 'done');
  const took = seconds(t);
  const [made] = await sql<{ n: number }[]>`select count(*)::int as n from messages where campaign_id = ${id}`;
  if (made!.n !== size) throw new Error(`${name}: fan-out made ${made!.n} messages, expected ${size}`);
  // Cancelled and deleted so every run starts from the same table sizes.
  await sql`update campaigns set status = 'cancelled' where id = ${id}`;
  await sql`delete from campaigns where id = ${id}`;
  await sql`vacuum analyze messages`;
  return took;
}

if (parts.has('fanout')) {
  // Matches every contact, but only after evaluating all three conditions: no one clicked in the last day.
  const everyone: SegmentConditions = {
    match: 'all',
    conditions: [
      { field: 'status', op: 'is', value: 'subscribed' },
      { field: 'attribute', name: 'age', op: 'gte', value: 18 },
      { field: 'engagement', op: 'notClicked', withinDays: 1 },
    ],
  };
  const { id: segmentId } = await call<{ id: string }>('segments.create', { name: 'All adults not clicking today', conditions: everyone });
  const listTimes: number[] = [];
  const segmentTimes: number[] = [];
  for (let run = 0; run < Number(args['fanout-runs']); run++) {
    listTimes.push(await timeFanOut(`list ${run}`, { listId }));
    say(`fan-out run ${run + 1}, list of ${size.toLocaleString('en')}: ${listTimes.at(-1)!.toFixed(2)} s; load average ${loadAverages()}`);
    segmentTimes.push(await timeFanOut(`segment ${run}`, { segmentId }));
    say(`fan-out run ${run + 1}, segment matching ${size.toLocaleString('en')}: ${segmentTimes.at(-1)!.toFixed(2)} s; load average ${loadAverages()}`);
  }
  say(`fan-out list: ${fmt(listTimes, 2)} s; segment: ${fmt(segmentTimes, 2)} s; ratio segment/list ${(median(segmentTimes) / median(listTimes)).toFixed(2)}`);
}

await api.stop();
if (args['keep-database'] === 'yes') say(`database kept: ${database.url}`);
else await database.drop();
