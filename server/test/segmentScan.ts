import type { Sql } from 'postgres';
import type { Condition, SegmentConditions } from '../src/services/segments/conditions.js';

/**
 * A small tenant audience inserted row by row, and the segment semantics
 * evaluated in plain JavaScript over those rows: what the compiled SQL must
 * agree with.
 */
export type ScanContact = {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  attributes: Record<string, string>;
  status: 'subscribed' | 'unsubscribed' | 'bounced' | 'complained';
  createdAt: Date;
  lists: string[];
};
export type ScanMessage = { contactId: string; campaignId: string; sentAt: Date; openedAt: Date | null; clickedAt: Date | null };
export type Scan = { contacts: ScanContact[]; messages: ScanMessage[] };

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY);
const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** Literal wildcards, quotes, backslashes and SQL: each must match only itself. */
export const HOSTILE = ["o'hara", '50%', 'a_b', 'back\\slash', "'; drop table contacts; --", '%', '_', '\\'];
const LONG = `${'long'.repeat(249)}tail`; // 1,000 characters

const firstNames = [null, '', 'Ann', 'ANNE', 'anna', "O'Hara", '50% off', 'a_b', 'back\\slash', LONG, 'Bob'];
const lastNames = [null, 'Smith', 'smithson', "d'Arc", 'Blacksmith', '%', '_under', 'Zed'];
const cities = ['Paris', 'paris', 'Par%is', 'Lyon_', 'back\\slash', "It's", '', undefined, 'Parisian'];
const ages = ['30', '42', ' 7 ', '-3.5', 'abc', '12abc', '', '1e5', undefined, '999999999999999999999999999999', '1'.repeat(101), '5.', '.5'];
const signups = () => [
  '2024-01-15',
  '2024-02-29',
  '2023-02-29',
  '2024-13-01',
  'not a date',
  '2025-06-01T10:00:00+02:00',
  '2025-06-01 08:30',
  '0000-01-01',
  undefined,
  isoDay(daysAgo(3)),
  isoDay(daysAgo(100)),
  '2024-04-31',
];
const statuses = ['subscribed', 'unsubscribed', 'bounced', 'complained'] as const;

/** 60 contacts over two lists, with campaign messages on two campaigns, straight into the tenant's tables. */
export async function insertScanAudience(
  sql: Sql,
  tenant: { tenantId: string; lists: [string, string]; campaigns: [string, string] },
  emailPrefix = 'seg',
): Promise<Scan> {
  const signupValues = signups();
  const rows = Array.from({ length: 60 }, (_, i) => {
    const attributes: Record<string, string> = {};
    const city = cities[i % cities.length];
    const age = ages[(i * 5) % ages.length];
    const signup = signupValues[(i * 7) % signupValues.length];
    if (city !== undefined) attributes.city = city;
    if (age !== undefined) attributes.age = age;
    if (signup !== undefined) attributes.signup = signup;
    const tag = ['plain', ...HOSTILE.slice(0, 4)][i % 5];
    return {
      email: `${emailPrefix}${String(i).padStart(2, '0')}-${tag}@ex.test`,
      first_name: firstNames[i % firstNames.length] ?? null,
      last_name: lastNames[(i * 3) % lastNames.length] ?? null,
      attributes,
      status: statuses[(i * 3 + Math.floor(i / 4)) % 4] as ScanContact['status'],
      created_at: daysAgo(i * 2.5 + 0.3).toISOString(),
      lists: [...(i % 3 === 0 ? [tenant.lists[0]] : []), ...(i % 5 === 0 ? [tenant.lists[1]] : [])],
    };
  });
  const inserted = await sql<{ id: string; email: string }[]>`
    insert into contacts (tenant_id, email, first_name, last_name, attributes, status, created_at)
    select ${tenant.tenantId}, r.email, r.first_name, r.last_name, r.attributes, r.status::contact_status, r.created_at
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(email text, first_name text, last_name text, attributes jsonb, status text, created_at timestamptz)
    returning id, email`;
  const idOf = new Map(inserted.map((r) => [r.email, r.id]));
  const contacts: ScanContact[] = rows.map((r) => ({
    id: idOf.get(r.email) as string,
    email: r.email,
    firstName: r.first_name,
    lastName: r.last_name,
    attributes: r.attributes,
    status: r.status,
    createdAt: new Date(r.created_at),
    lists: r.lists,
  }));
  const members = contacts.flatMap((c) => c.lists.map((listId) => ({ list_id: listId, contact_id: c.id })));
  await sql`
    insert into list_members (list_id, contact_id, tenant_id)
    select r.list_id, r.contact_id, ${tenant.tenantId} from jsonb_to_recordset(${JSON.stringify(members)}::jsonb) as r(list_id uuid, contact_id uuid)`;

  const [first, second] = tenant.campaigns;
  const messages: ScanMessage[] = contacts.flatMap((c, i): ScanMessage[] => {
    const made: ScanMessage[] = [];
    if (i % 2 === 0) {
      const sentAt = daysAgo(i * 1.5 + 0.2);
      made.push({ contactId: c.id, campaignId: first, sentAt, openedAt: i % 4 === 0 ? new Date(sentAt.getTime() + 3_600_000) : null, clickedAt: i % 8 === 0 ? new Date(sentAt.getTime() + 7_200_000) : null });
    }
    if (i % 3 === 0) {
      const sentAt = daysAgo(40.5 - i / 10);
      made.push({ contactId: c.id, campaignId: second, sentAt, openedAt: i % 6 === 0 ? new Date(sentAt.getTime() + 60_000) : null, clickedAt: null });
    }
    return made;
  });
  const messageRows = messages.map((m) => ({
    contact_id: m.contactId,
    campaign_id: m.campaignId,
    to_address: contacts.find((c) => c.id === m.contactId)?.email,
    sent_at: m.sentAt.toISOString(),
    opened_at: m.openedAt?.toISOString() ?? null,
    clicked_at: m.clickedAt?.toISOString() ?? null,
    status: m.clickedAt ? 'clicked' : m.openedAt ? 'opened' : 'sent',
  }));
  await sql`
    insert into messages (tenant_id, contact_id, campaign_id, to_address, sent_at, opened_at, clicked_at, status)
    select ${tenant.tenantId}, r.contact_id, r.campaign_id, r.to_address, r.sent_at, r.opened_at, r.clicked_at, r.status::message_status
    from jsonb_to_recordset(${JSON.stringify(messageRows)}::jsonb) as r(contact_id uuid, campaign_id uuid, to_address text, sent_at timestamptz, opened_at timestamptz, clicked_at timestamptz, status text)`;
  return { contacts, messages };
}

const DECIMAL = /^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)\s*$/;
const ISO_DATE = /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?)?$/;

const asNumber = (v: string | undefined) => (v !== undefined && DECIMAL.test(v) && v.length <= 100 ? Number(v.trim()) : null);
function asDate(v: string | undefined): number | null {
  if (v === undefined || !ISO_DATE.test(v) || v.startsWith('0000')) return null;
  const [y, m, d] = [Number(v.slice(0, 4)), Number(v.slice(5, 7)), Number(v.slice(8, 10))];
  if (d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return null;
  const zoned = v.length === 10 ? `${v}T00:00:00Z` : /(Z|[+-][0-9]{2}(:?[0-9]{2})?)$/.test(v) ? v : `${v}Z`;
  return Date.parse(zoned.replace(' ', 'T'));
}

function text(actual: string, op: string, value: string | undefined): boolean {
  const a = actual.toLowerCase();
  const v = (value ?? '').toLowerCase();
  switch (op) {
    case 'equals':
      return a === v;
    case 'notEquals':
      return a !== v;
    case 'contains':
      return a.includes(v);
    case 'notContains':
      return !a.includes(v);
    case 'startsWith':
      return a.startsWith(v);
    case 'endsWith':
      return a.endsWith(v);
    case 'isSet':
      return a !== '';
    case 'isNotSet':
      return a === '';
  }
  throw new Error(`not a text op: ${op}`);
}

function date(actual: number | null, op: string, value: string | number): boolean {
  if (actual === null) return false;
  switch (op) {
    case 'before':
      return actual < Date.parse(value as string);
    case 'after':
      return actual > Date.parse(value as string);
    case 'withinLastDays':
      return actual >= Date.now() - (value as number) * DAY;
    case 'moreThanDaysAgo':
      return actual < Date.now() - (value as number) * DAY;
  }
  throw new Error(`not a date op: ${op}`);
}

function matchesCondition(scan: Scan, c: ScanContact, cond: Condition): boolean {
  switch (cond.field) {
    case 'email':
    case 'firstName':
    case 'lastName':
      return text(c[cond.field] ?? '', cond.op, 'value' in cond ? cond.value : undefined);
    case 'attribute': {
      const raw = c.attributes[cond.name];
      switch (cond.op) {
        case 'numberEquals':
        case 'gt':
        case 'gte':
        case 'lt':
        case 'lte': {
          const n = asNumber(raw);
          if (n === null) return false;
          return { numberEquals: n === cond.value, gt: n > cond.value, gte: n >= cond.value, lt: n < cond.value, lte: n <= cond.value }[cond.op];
        }
        case 'before':
        case 'after':
        case 'withinLastDays':
        case 'moreThanDaysAgo':
          return date(asDate(raw), cond.op, cond.value);
        default:
          return text(raw ?? '', cond.op, 'value' in cond ? cond.value : undefined);
      }
    }
    case 'createdAt':
      return date(c.createdAt.getTime(), cond.op, cond.value);
    case 'status':
      return (c.status === cond.value) === (cond.op === 'is');
    case 'list':
      return c.lists.includes(cond.listId) === (cond.op === 'in');
    case 'engagement': {
      const milestone = { opened: 'openedAt', notOpened: 'openedAt', clicked: 'clickedAt', notClicked: 'clickedAt', wasSent: 'sentAt', wasNotSent: 'sentAt' } as const;
      const key = milestone[cond.op];
      const since = cond.withinDays === undefined ? -Infinity : Date.now() - cond.withinDays * DAY;
      const engaged = scan.messages.some((m) => {
        const at = m[key];
        return m.contactId === c.id && at !== null && at.getTime() >= since && (cond.campaignId === undefined || m.campaignId === cond.campaignId);
      });
      return cond.op.startsWith('not') || cond.op === 'wasNotSent' ? !engaged : engaged;
    }
  }
}

/** The contacts a segment selects, by the scan, sorted by email like the preview. */
export function expectedMatches(scan: Scan, segment: { listId?: string | null; conditions: SegmentConditions }): ScanContact[] {
  const all = (match: 'all' | 'any', results: boolean[]) => (match === 'all' ? results.every(Boolean) : results.some(Boolean));
  return scan.contacts
    .filter((c) => !segment.listId || c.lists.includes(segment.listId))
    .filter((c) =>
      all(
        segment.conditions.match,
        segment.conditions.conditions.map((entry) =>
          'conditions' in entry ? all(entry.match, entry.conditions.map((cond) => matchesCondition(scan, c, cond))) : matchesCondition(scan, c, entry),
        ),
      ),
    )
    .sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
}
