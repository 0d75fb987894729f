import type { PendingQuery, Row, Sql, TransactionSql } from 'postgres';
import { likePrefix } from '../keyset.js';
import type { Condition, ConditionGroup, SegmentConditions } from './conditions.js';

type Tag = Sql | TransactionSql;
export type Fragment = PendingQuery<Row[]>;

/**
 * Compiles a validated condition tree to a boolean SQL fragment over a
 * `contacts ct` row of one tenant. Every value goes in as a bind parameter;
 * the only SQL text chosen here is picked from the tree's enum fields, never
 * built from its strings.
 *
 * Text conditions compare case-insensitively and treat a missing value as
 * the empty string, so "not equals x" includes contacts with no value and
 * "is set" means non-empty. LIKE patterns escape `\`, `%` and `_`, so a
 * value matches literally.
 *
 * Engagement and list conditions are set-based: the positive forms are
 * `ct.id in (select …)` (a semi-join under AND, a hashed subplan under OR),
 * the negative forms `not exists (select … where contact_id = ct.id)` (an
 * anti-join under AND, an index probe under OR), never `not in`, which
 * would rescan its subquery per row once the set outgrows work_mem.
 */
export function compileConditions(sql: Tag, tenantId: string, tree: SegmentConditions): Fragment {
  return combine(
    sql,
    tree.match,
    tree.conditions.map((entry) => ('conditions' in entry ? compileGroup(sql, tenantId, entry) : compileCondition(sql, tenantId, entry))),
  );
}

function compileGroup(sql: Tag, tenantId: string, group: ConditionGroup): Fragment {
  return combine(
    sql,
    group.match,
    group.conditions.map((c) => compileCondition(sql, tenantId, c)),
  );
}

/** No conditions match everyone: an empty segment is its whole base. */
function combine(sql: Tag, match: 'all' | 'any', parts: Fragment[]): Fragment {
  const [first, ...rest] = parts;
  if (!first) return sql`true`;
  const joiner = match === 'all' ? sql` and ` : sql` or `;
  return sql`(${rest.reduce((acc, part) => sql`${acc}${joiner}${part}`, first)})`;
}

function compileCondition(sql: Tag, tenantId: string, c: Condition): Fragment {
  switch (c.field) {
    case 'email':
      // Stored trimmed, lower-case, C collation: lower-casing the value is the whole case-insensitivity, and prefix search stays an index range.
      return emailCondition(sql, c);
    case 'firstName':
      return textCondition(sql, sql`coalesce(ct.first_name, '')`, c);
    case 'lastName':
      return textCondition(sql, sql`coalesce(ct.last_name, '')`, c);
    case 'attribute':
      return attributeCondition(sql, c);
    case 'createdAt':
      return dateCondition(sql, sql`ct.created_at`, c);
    case 'status':
      return c.op === 'is' ? sql`ct.status = ${c.value}::contact_status` : sql`ct.status <> ${c.value}::contact_status`;
    case 'list': {
      const members = sql`select lm.contact_id from list_members lm where lm.list_id = ${c.listId} and lm.tenant_id = ${tenantId}`;
      return c.op === 'in'
        ? sql`ct.id in (${members})`
        : sql`not exists (select 1 from list_members lm where lm.list_id = ${c.listId} and lm.tenant_id = ${tenantId} and lm.contact_id = ct.id)`;
    }
    case 'engagement':
      return engagementCondition(sql, tenantId, c);
  }
}

type TextOp = 'equals' | 'notEquals' | 'contains' | 'notContains' | 'startsWith' | 'endsWith' | 'isSet' | 'isNotSet';
type TextCondition = { op: TextOp; value?: string };

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** The comparisons a text condition needs, as SQL. */
type TextComparisons = {
  eq: (a: Fragment, b: string) => Fragment;
  ne: (a: Fragment, b: string) => Fragment;
  like: (a: Fragment, pattern: string) => Fragment;
  notLike: (a: Fragment, pattern: string) => Fragment;
};

/** Operators: the planner estimates them from the column's statistics. */
const operatorComparisons = (sql: Tag): TextComparisons => ({
  eq: (a, b) => sql`${a} = ${b}`,
  ne: (a, b) => sql`${a} <> ${b}`,
  like: (a, pattern) => sql`${a} like ${pattern}`,
  notLike: (a, pattern) => sql`${a} not like ${pattern}`,
});

/**
 * The same comparisons as function calls, for attribute values: Postgres
 * keeps no statistics on jsonb keys, so it guesses 0.5 % for `=` and then
 * probes `messages` row by row for a "never opened" beside "plan is gold"
 * (a third of the contacts: 1.1 s on a million). A boolean function's guess
 * is a third, nearer what segment attributes (plan, country, tier) select,
 * and the same tree takes 0.6 s with a hash anti-join.
 */
const functionComparisons = (sql: Tag): TextComparisons => ({
  eq: (a, b) => sql`texteq(${a}, ${b})`,
  ne: (a, b) => sql`textne(${a}, ${b})`,
  like: (a, pattern) => sql`textlike(${a}, ${pattern})`,
  notLike: (a, pattern) => sql`textnlike(${a}, ${pattern})`,
});

function textCondition(sql: Tag, column: Fragment, c: TextCondition, compare = operatorComparisons(sql)): Fragment {
  const value = (c.value ?? '').toLowerCase();
  const lowered = sql`lower(${column})`;
  switch (c.op) {
    case 'equals':
      return compare.eq(lowered, value);
    case 'notEquals':
      return compare.ne(lowered, value);
    case 'contains':
      return compare.like(lowered, `%${escapeLike(value)}%`);
    case 'notContains':
      return compare.notLike(lowered, `%${escapeLike(value)}%`);
    case 'startsWith':
      return compare.like(lowered, likePrefix(value));
    case 'endsWith':
      return compare.like(lowered, `%${escapeLike(value)}`);
    case 'isSet':
      return compare.ne(column, '');
    case 'isNotSet':
      return compare.eq(column, '');
  }
}

function emailCondition(sql: Tag, c: TextCondition): Fragment {
  const value = (c.value ?? '').toLowerCase();
  switch (c.op) {
    case 'equals':
      return sql`ct.email = ${value}::text collate "C"`;
    case 'notEquals':
      return sql`ct.email <> ${value}::text collate "C"`;
    case 'startsWith':
      return sql`ct.email like ${likePrefix(value)}::text collate "C"`;
    default:
      return textCondition(sql, sql`ct.email`, c);
  }
}

type AttributeCondition = Extract<Condition, { field: 'attribute' }>;

function attributeCondition(sql: Tag, c: AttributeCondition): Fragment {
  const raw = sql`(ct.attributes ->> ${c.name}::text)`;
  switch (c.op) {
    case 'numberEquals':
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return numberCondition(sql, raw, c.op, c.value);
    case 'before':
    case 'after':
    case 'withinLastDays':
    case 'moreThanDaysAgo':
      return dateCondition(sql, attributeTimestamp(sql, raw), c);
    default:
      return textCondition(sql, sql`coalesce(${raw}, '')`, c, functionComparisons(sql));
  }
}

/**
 * Attribute values are strings: only a plain decimal of at most 100
 * characters (so the cast cannot overflow) is a number; anything else is null
 * and matches no comparison. CASE guarantees the cast runs only on values
 * that passed. The pattern has no counted repetition: on a million contacts
 * `{1,30}` made this check cost three times the cast itself.
 */
const DECIMAL = String.raw`^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)\s*$`;
/**
 * Most numeric attributes are plain digits ("42"): this pattern, tried
 * first, matches them at about half the cost of DECIMAL (measured on a
 * million rows), which then only sees the rest. Same set either way.
 */
const DIGITS = '^[0-9]+$';

function numberCondition(sql: Tag, raw: Fragment, op: 'numberEquals' | 'gt' | 'gte' | 'lt' | 'lte', value: number): Fragment {
  const number = sql`(case when length(${raw}) > 100 then null when ${raw} ~ ${DIGITS} or ${raw} ~ ${DECIMAL} then ${raw}::numeric end)`;
  const operand = sql`${String(value)}::numeric`;
  switch (op) {
    case 'numberEquals':
      return sql`${number} = ${operand}`;
    case 'gt':
      return sql`${number} > ${operand}`;
    case 'gte':
      return sql`${number} >= ${operand}`;
    case 'lt':
      return sql`${number} < ${operand}`;
    case 'lte':
      return sql`${number} <= ${operand}`;
  }
}

/**
 * An attribute as an instant, or null when it is not an ISO-8601 date or
 * date-time that really exists (Postgres 15 has no non-throwing cast, so the
 * shape, the month's length and the zone are checked first; only then is it
 * cast). A value without a zone is UTC, whatever the session's time zone.
 */
const ISO_DATE = String.raw`^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?)?$`;
const ZONE_SUFFIX = String.raw`(Z|[+-][0-9]{2}(:?[0-9]{2})?)$`;

function attributeTimestamp(sql: Tag, raw: Fragment): Fragment {
  const year = sql`substr(${raw}, 1, 4)::int`;
  const month = sql`substr(${raw}, 6, 2)::int`;
  const lastDay = sql`extract(day from make_date(${year}, ${month}, 1) + interval '1 month - 1 day')`;
  const zoned = sql`(case when length(${raw}) = 10 then ${raw} || 'T00:00:00Z' when ${raw} ~ ${ZONE_SUFFIX} then ${raw} else ${raw} || 'Z' end)`;
  return sql`(case when ${raw} ~ ${ISO_DATE} and substr(${raw}, 1, 4) <> '0000' then
    case when substr(${raw}, 9, 2)::int <= ${lastDay} then ${zoned}::timestamptz end end)`;
}

type DateCondition = { op: 'before' | 'after'; value: string } | { op: 'withinLastDays' | 'moreThanDaysAgo'; value: number };

function dateCondition(sql: Tag, column: Fragment, c: DateCondition): Fragment {
  switch (c.op) {
    case 'before':
      return sql`${column} < ${new Date(c.value).toISOString()}::timestamptz`;
    case 'after':
      return sql`${column} > ${new Date(c.value).toISOString()}::timestamptz`;
    case 'withinLastDays':
      return sql`${column} >= now() - make_interval(days => ${c.value}::int)`;
    case 'moreThanDaysAgo':
      return sql`${column} < now() - make_interval(days => ${c.value}::int)`;
  }
}

type EngagementCondition = Extract<Condition, { field: 'engagement' }>;

/** Which milestone of a campaign message the condition asks about; each has a partial index (migration 0016). */
const milestoneOf = { opened: 'opened_at', notOpened: 'opened_at', clicked: 'clicked_at', notClicked: 'clicked_at', wasSent: 'sent_at', wasNotSent: 'sent_at' } as const;

function engagementCondition(sql: Tag, tenantId: string, c: EngagementCondition): Fragment {
  const milestone = sql(milestoneOf[c.op]);
  const since = c.withinDays === undefined ? sql`` : sql`and m.${milestone} >= now() - make_interval(days => ${c.withinDays}::int)`;
  const campaign = c.campaignId === undefined ? sql`` : sql`and m.campaign_id = ${c.campaignId}`;
  const engaged = sql`m.tenant_id = ${tenantId} and m.${milestone} is not null ${since} ${campaign}`;
  const negative = c.op === 'notOpened' || c.op === 'notClicked' || c.op === 'wasNotSent';
  return negative
    ? sql`not exists (select 1 from messages m where m.contact_id = ct.id and ${engaged})`
    : sql`ct.id in (select m.contact_id from messages m where ${engaged})`;
}
