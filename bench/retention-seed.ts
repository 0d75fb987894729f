/**
 * Seeds message_events for bench/retention.ts with set-based SQL: `rows`
 * events over `days` days up to now, in the order Herald receives them (the
 * heap is in received_at order, as in production). Four events per message
 * (Send, Delivery, Open, Click; 2 % of deliveries are bounces), 200 AWS
 * accounts of very different sizes (the largest holds about a sixth of all
 * events, the median one about 0.2 %), 5 % transactional emails (email_id instead of message_id), 1 %
 * orphans, a few hundred pending at the end. Payloads are SES event JSON of
 * about 900 bytes (mail with headers and tags, plus the event's own part).
 *
 * The table's indexes and keys are dropped for the load and built again
 * afterwards (much faster than maintaining them row by row); foreign keys
 * come back NOT VALID, since the linked messages and emails are not seeded:
 * new rows are checked as in production, the seeded ones never are.
 */
import type { Sql } from 'postgres';
import { say } from './lib.js';

export const ACCOUNTS = 200;

export async function seedMessageEvents(sql: Sql, rows: number, days: number): Promise<void> {
  const started = performance.now();
  await sql`insert into tenants (id, name) select md5('t' || k)::uuid, 'Tenant ' || k from generate_series(0, ${ACCOUNTS - 1}) k on conflict do nothing`;
  const constraints = await sql<{ name: string; def: string }[]>`
    select conname as name, pg_get_constraintdef(oid) as def from pg_constraint where conrelid = 'message_events'::regclass order by contype desc`;
  const indexes = await sql<{ name: string; def: string }[]>`
    select indexname as name, indexdef as def from pg_indexes
    where tablename = 'message_events' and indexname not in (select conname from pg_constraint where conrelid = 'message_events'::regclass)`;
  for (const c of constraints) await sql.unsafe(`alter table message_events drop constraint ${c.name}`);
  for (const i of indexes) await sql.unsafe(`drop index ${i.name}`);

  const step = 1_000_000;
  for (let from = 0; from < rows; from += step) {
    const to = Math.min(rows, from + step);
    const t = performance.now();
    await sql`
      insert into message_events (id, sns_message_id, topic_arn, aws_account_id, tenant_id, message_id, email_id, event_type,
        ses_message_id, occurred_at, received_at, processed_at, state, shard, payload)
      select gen_random_uuid(), md5('sns' || i)::uuid::text, 'arn:aws:sns:eu-west-1:' || acct || ':herald-ses-events', acct,
        case when orphan then null else md5('t' || a)::uuid end,
        case when orphan or transactional then null else md5('m' || m)::uuid end,
        case when transactional and not orphan then md5('e' || m)::uuid end,
        kind, ses_id, at - interval '2 seconds', at, case when pending then null else at + interval '50 ms' end,
        (case when pending then 'pending' when orphan then 'orphan' else 'applied' end)::event_state, (i % 4)::smallint,
        format('{"eventType":"%s","mail":{"timestamp":"%s","source":"news@tenant%s.example","sourceArn":"arn:aws:ses:eu-west-1:%s:identity/tenant%s.example",'
          '"sendingAccountId":"%s","messageId":"%s","destination":["contact%s@example.org"],"headersTruncated":false,"headers":[{"name":"From","value":"News <news@tenant%s.example>"},'
          '{"name":"To","value":"contact%s@example.org"},{"name":"Subject","value":"Our monthly newsletter"},{"name":"MIME-Version","value":"1.0"}],'
          '"commonHeaders":{"from":["News <news@tenant%s.example>"],"to":["contact%s@example.org"],"messageId":"%s","subject":"Our monthly newsletter"},'
          '"tags":{"ses:operation":["SendRawEmail"],"ses:configuration-set":["herald"],"ses:source-ip":["203.0.113.10"],"ses:from-domain":["tenant%s.example"],"herald-message-id":["%s"]}},%s}',
          kind, at, a, acct, a, acct, ses_id, m, a, m, a, m, ses_id, a, md5('m' || m)::uuid,
          case kind
            when 'Send' then '"send":{}'
            when 'Delivery' then format('"delivery":{"timestamp":"%s","processingTimeMillis":512,"recipients":["contact%s@example.org"],"smtpResponse":"250 2.0.0 OK","reportingMTA":"a1-23.smtp-out.eu-west-1.amazonses.com"}', at, m)
            when 'Bounce' then format('"bounce":{"bounceType":"Permanent","bounceSubType":"General","bouncedRecipients":[{"emailAddress":"contact%s@example.org","status":"5.1.1"}],"timestamp":"%s"}', m, at)
            when 'Open' then format('"open":{"timestamp":"%s","userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)","ipAddress":"198.51.100.7"}', at)
            else format('"click":{"timestamp":"%s","userAgent":"Mozilla/5.0","ipAddress":"198.51.100.7","link":"https://tenant%s.example/offer","linkTags":{}}', at, a)
          end)::jsonb
      from generate_series(${from}::bigint, ${to - 1}::bigint) i
      cross join lateral (select i / 4 as m, (i % 4)::int as k) mk
      cross join lateral (
        select floor(${ACCOUNTS} * power((abs(hashint8(m)) % 1000000) / 1000000.0, 3))::int as a,
          abs(hashint8(m + 7777777)) % 100 < 5 as transactional,
          abs(hashint8(m + 3333333)) % 100 = 0 as orphan,
          i >= ${rows} - 400 as pending,
          now() - make_interval(days => ${days}) + make_interval(secs => i * (${days} * 86400.0 / ${rows})) as at,
          '0102018c' || substr(md5('s' || m), 1, 24) || '-' || md5('x' || m)::uuid || '-000000' as ses_id
      ) v
      cross join lateral (
        select lpad((100000000000 + a)::text, 12, '0') as acct,
          case k when 0 then 'Send' when 1 then (case when abs(hashint8(m + 5)) % 50 = 0 then 'Bounce' else 'Delivery' end) when 2 then 'Open' else 'Click' end as kind
      ) w`;
    say(`seed: rows ${from.toLocaleString('en')}–${to.toLocaleString('en')} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  for (const c of constraints) {
    const t = performance.now();
    const fk = c.def.startsWith('FOREIGN KEY');
    await sql.unsafe(`alter table message_events add constraint ${c.name} ${c.def}${fk ? ' not valid' : ''}`);
    say(`seed: constraint ${c.name} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  for (const i of indexes) {
    const t = performance.now();
    await sql.unsafe(i.def);
    say(`seed: index ${i.name} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  await sql`vacuum (analyze) message_events`;
  say(`seed: ${rows.toLocaleString('en')} events in ${((performance.now() - started) / 1000).toFixed(0)} s (set-based SQL, then indexes, VACUUM ANALYZE)`);
}
