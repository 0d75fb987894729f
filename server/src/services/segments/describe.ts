import type { Condition, SegmentConditions } from './conditions.js';

/** Names of the lists and campaigns conditions refer to, by id. */
export type NameLookup = ReadonlyMap<string, string>;

const fieldNames = { email: 'email', firstName: 'first name', lastName: 'last name' } as const;
const textOps: Record<string, string> = {
  equals: 'is',
  notEquals: 'is not',
  contains: 'contains',
  notContains: 'does not contain',
  startsWith: 'starts with',
  endsWith: 'ends with',
  numberEquals: '=',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  before: 'before',
  after: 'after',
};
const engagementOps = {
  opened: 'opened',
  notOpened: 'never opened',
  clicked: 'clicked',
  notClicked: 'never clicked',
  wasSent: 'was sent',
  wasNotSent: 'was never sent',
} as const;

const quoted = (text: string) => `“${text.length > 40 ? `${text.slice(0, 39)}…` : text}”`;

function operation(subject: string, op: string, value: string | number | undefined): string {
  if (op === 'isSet') return `${subject} is set`;
  if (op === 'isNotSet') return `${subject} is not set`;
  if (op === 'withinLastDays') return `${subject} in the last ${value} days`;
  if (op === 'moreThanDaysAgo') return `${subject} more than ${value} days ago`;
  return `${subject} ${textOps[op] ?? op} ${typeof value === 'string' ? quoted(value) : value}`;
}

function describeCondition(c: Condition, names: NameLookup): string {
  switch (c.field) {
    case 'email':
    case 'firstName':
    case 'lastName':
      return operation(fieldNames[c.field], c.op, 'value' in c ? c.value : undefined);
    case 'attribute':
      return operation(c.name, c.op, 'value' in c ? c.value : undefined);
    case 'createdAt':
      return operation('created', c.op, c.value);
    case 'status':
      return `status ${c.op === 'is' ? 'is' : 'is not'} ${c.value}`;
    case 'list':
      return `${c.op === 'in' ? 'on' : 'not on'} ${quoted(names.get(c.listId) ?? 'a deleted list')}`;
    case 'engagement': {
      const what = c.campaignId ? quoted(names.get(c.campaignId) ?? 'a deleted campaign') : 'any campaign';
      const when = c.withinDays ? ` in the last ${c.withinDays} days` : '';
      return `${engagementOps[c.op]} ${what}${when}`;
    }
  }
}

/** A one-line summary for lists of segments, e.g. `status is subscribed and (opened any campaign in the last 30 days or city is “Paris”)`. */
export function describeConditions(tree: SegmentConditions, names: NameLookup): string {
  if (tree.conditions.length === 0) return 'everyone';
  const joiner = tree.match === 'all' ? ' and ' : ' or ';
  return tree.conditions
    .map((entry) => {
      if (!('conditions' in entry)) return describeCondition(entry, names);
      const inner = entry.conditions.map((c) => describeCondition(c, names)).join(entry.match === 'all' ? ' and ' : ' or ');
      return entry.conditions.length > 1 ? `(${inner})` : inner;
    })
    .join(joiner);
}

/** The list and campaign ids a tree names, for one lookup of their names. */
export function referencedIds(tree: SegmentConditions): string[] {
  return tree.conditions
    .flatMap((entry) => ('conditions' in entry ? entry.conditions : [entry]))
    .flatMap((c) => (c.field === 'list' ? [c.listId] : c.field === 'engagement' && c.campaignId ? [c.campaignId] : []));
}
