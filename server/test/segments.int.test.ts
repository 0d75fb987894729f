import { beforeAll, describe, expect, it } from 'vitest';
import type { Condition, SegmentConditions } from '../src/services/segments/conditions.js';
import { segmentMatch } from '../src/services/segments/audience.js';
import { signedUpAgent, type Agent } from './agent.js';
import { expectedMatches, HOSTILE, insertScanAudience, type Scan } from './segmentScan.js';
import { useHerald } from './useHerald.js';

/**
 * Segments against a scan: every operator and field kind, groups and
 * engagement conditions are compared with the same semantics computed in
 * JavaScript over the rows the test inserted.
 */

const h = useHerald();
let owner: Agent;
let tenantId: string;
let lists: [string, string];
let campaigns: [string, string];
let scan: Scan;

const draft = (listId: string, name: string) => ({
  name,
  channel: 'email' as const,
  subject: 'Hello',
  fromEmail: 'news@segments.test',
  html: '<p>Hi</p>',
  listId,
});

beforeAll(async () => {
  const signedUp = await signedUpAgent(h.herald.url, 'Segments');
  owner = signedUp.agent;
  tenantId = signedUp.account.tenant.id;
  lists = [(await owner.trpc.lists.create.mutate({ name: 'Readers' })).id, (await owner.trpc.lists.create.mutate({ name: 'Buyers' })).id];
  campaigns = [(await owner.trpc.campaigns.create.mutate(draft(lists[0], 'March news'))).id, (await owner.trpc.campaigns.create.mutate(draft(lists[0], 'Winter sale'))).id];
  scan = await insertScanAudience(h.herald.deps.sql, { tenantId, lists, campaigns });
});

/** Every contact the segment matches, straight from the compiled SQL (the preview shows only 20). */
async function matchedIds(segment: { listId: string | null; conditions: SegmentConditions }): Promise<string[]> {
  const sql = h.herald.deps.sql;
  const rows = await sql<{ id: string }[]>`select ct.id from contacts ct where ${segmentMatch(sql, tenantId, segment)} order by ct.email`;
  return rows.map((r) => r.id);
}

async function expectScanAgrees(conditions: SegmentConditions, listId: string | null = null) {
  const expected = expectedMatches(scan, { listId, conditions });
  const preview = await owner.trpc.segments.preview.mutate({ listId, conditions });
  const label = JSON.stringify({ listId, conditions }).slice(0, 300);
  expect(preview.count, label).toBe(expected.length);
  expect(preview.matches, label).toEqual(
    expected.slice(0, 20).map((c) => ({ id: c.id, email: c.email, firstName: c.firstName, lastName: c.lastName, status: c.status })),
  );
  expect(await matchedIds({ listId, conditions }), label).toEqual(expected.map((c) => c.id));
  return expected;
}

const one = (condition: Condition): SegmentConditions => ({ match: 'all', conditions: [condition] });
const textOps = ['equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'endsWith'] as const;

describe('each operator against the scan', () => {
  const textCases: [string, Condition][] = [];
  for (const op of textOps) {
    for (const value of ['ann', 'SMITH', 'x', ...HOSTILE]) {
      textCases.push([`firstName ${op} ${value}`, { field: 'firstName', op, value }]);
      textCases.push([`lastName ${op} ${value}`, { field: 'lastName', op, value }]);
      textCases.push([`email ${op} ${value}`, { field: 'email', op, value }]);
      textCases.push([`city ${op} ${value}`, { field: 'attribute', name: 'city', op, value }]);
    }
    textCases.push([`email ${op} SEG03-A_B@EX.TEST (case-insensitive)`, { field: 'email', op, value: 'SEG03-A_B@EX.TEST' }]);
    textCases.push([`city ${op} paris`, { field: 'attribute', name: 'city', op, value: 'paris' }]);
    textCases.push([`firstName ${op} a 1,000-character value`, { field: 'firstName', op, value: `${'long'.repeat(249)}tail` }]);
  }
  for (const op of ['isSet', 'isNotSet'] as const) {
    textCases.push([`firstName ${op}`, { field: 'firstName', op }]);
    textCases.push([`lastName ${op}`, { field: 'lastName', op }]);
    textCases.push([`email ${op}`, { field: 'email', op }]);
    textCases.push([`city ${op}`, { field: 'attribute', name: 'city', op }]);
    textCases.push([`missing attribute ${op}`, { field: 'attribute', name: 'nowhere', op }]);
  }

  it('text operators on email, first and last name and attributes, with hostile values matching literally', async () => {
    for (const [name, condition] of textCases) {
      await expect(expectScanAgrees(one(condition)), name).resolves.toBeDefined();
    }
    // The hostile values inject nothing: the table and its rows are all still there.
    const [row] = await h.herald.deps.sql<{ n: number }[]>`select count(*)::int as n from contacts where tenant_id = ${tenantId}`;
    expect(row?.n).toBe(60);
  });

  it('matches literal wildcards and quotes exactly', async () => {
    const percent = await expectScanAgrees(one({ field: 'firstName', op: 'contains', value: '%' }));
    expect(percent.map((c) => c.firstName)).toEqual(expect.arrayContaining(['50% off']));
    expect(percent.every((c) => c.firstName?.includes('%'))).toBe(true);
    const underscore = await expectScanAgrees(one({ field: 'email', op: 'contains', value: '_' }));
    expect(underscore.length).toBeGreaterThan(0);
    expect(underscore.every((c) => c.email.includes('_'))).toBe(true);
    const backslash = await expectScanAgrees(one({ field: 'attribute', name: 'city', op: 'equals', value: 'back\\slash' }));
    expect(backslash.length).toBeGreaterThan(0);
    const quote = await expectScanAgrees(one({ field: 'lastName', op: 'startsWith', value: "d'" }));
    expect(quote.map((c) => c.lastName)).toEqual(quote.map(() => "d'Arc"));
  });

  it('number comparisons on attributes ignore values that are not numbers', async () => {
    for (const op of ['numberEquals', 'gt', 'gte', 'lt', 'lte'] as const) {
      // SQL compares exact decimals; the scan uses doubles, so values stay where the two agree.
      for (const value of [30, 7, -3.5, 0, 0.5, 1e5, 12, 5e29]) {
        await expect(expectScanAgrees(one({ field: 'attribute', name: 'age', op, value })), `age ${op} ${value}`).resolves.toBeDefined();
      }
    }
    const seven = await expectScanAgrees(one({ field: 'attribute', name: 'age', op: 'numberEquals', value: 7 }));
    expect(seven.length).toBeGreaterThan(0);
    // A text attribute compared as a number matches nothing and raises nothing.
    expect(await expectScanAgrees(one({ field: 'attribute', name: 'city', op: 'gt', value: 0 }))).toEqual([]);
  });

  it('date comparisons on attributes and the created date ignore values that are not real dates', async () => {
    for (const op of ['before', 'after'] as const) {
      for (const value of ['2024-02-01', '2025-06-01T07:59:00Z', '2025-06-01T08:01:00Z', '2030-01-01']) {
        await expect(expectScanAgrees(one({ field: 'attribute', name: 'signup', op, value })), `signup ${op} ${value}`).resolves.toBeDefined();
      }
      await expect(expectScanAgrees(one({ field: 'createdAt', op, value: new Date(Date.now() - 30.1 * 86_400_000).toISOString() }))).resolves.toBeDefined();
    }
    for (const op of ['withinLastDays', 'moreThanDaysAgo'] as const) {
      for (const value of [1, 10, 50, 365]) {
        await expect(expectScanAgrees(one({ field: 'attribute', name: 'signup', op, value })), `signup ${op} ${value}`).resolves.toBeDefined();
        await expect(expectScanAgrees(one({ field: 'createdAt', op, value })), `created ${op} ${value}`).resolves.toBeDefined();
      }
    }
    // 2024-02-29 is a date, 2023-02-29 and 2024-04-31 are not; city values are not dates at all.
    const leap = await expectScanAgrees(one({ field: 'attribute', name: 'signup', op: 'before', value: '2024-03-01' }));
    expect(new Set(leap.map((c) => c.attributes.signup))).toEqual(new Set(['2024-01-15', '2024-02-29']));
    expect(await expectScanAgrees(one({ field: 'attribute', name: 'city', op: 'before', value: '2100-01-01' }))).toEqual([]);
  });

  it('status and list membership', async () => {
    for (const value of ['subscribed', 'unsubscribed', 'bounced', 'complained'] as const) {
      await expectScanAgrees(one({ field: 'status', op: 'is', value }));
      await expectScanAgrees(one({ field: 'status', op: 'isNot', value }));
    }
    for (const listId of lists) {
      expect((await expectScanAgrees(one({ field: 'list', op: 'in', listId }))).length).toBeGreaterThan(0);
      await expectScanAgrees(one({ field: 'list', op: 'notIn', listId }));
    }
  });

  it('engagement: opened, clicked, was sent, any campaign or one, within N days, and their negations', async () => {
    const ops = ['opened', 'notOpened', 'clicked', 'notClicked', 'wasSent', 'wasNotSent'] as const;
    for (const op of ops) {
      for (const campaignId of [undefined, ...campaigns]) {
        for (const withinDays of [undefined, 7, 30, 45]) {
          const condition = { field: 'engagement' as const, op, ...(campaignId ? { campaignId } : {}), ...(withinDays ? { withinDays } : {}) };
          await expect(expectScanAgrees(one(condition)), JSON.stringify(condition)).resolves.toBeDefined();
        }
      }
    }
    const neverOpened = await expectScanAgrees(one({ field: 'engagement', op: 'notOpened' }));
    expect(neverOpened.length).toBeGreaterThan(0);
    expect(neverOpened.length).toBeLessThan(60);
  });

  it('AND / OR groups, a base list, and an empty tree matching the whole base', async () => {
    const trees: SegmentConditions[] = [
      { match: 'all', conditions: [] },
      {
        match: 'all',
        conditions: [
          { field: 'status', op: 'is', value: 'subscribed' },
          { match: 'any', conditions: [{ field: 'attribute', name: 'city', op: 'equals', value: 'paris' }, { field: 'engagement', op: 'opened', withinDays: 30 }] },
        ],
      },
      {
        match: 'any',
        conditions: [
          { field: 'list', op: 'in', listId: lists[1] },
          { match: 'all', conditions: [{ field: 'attribute', name: 'age', op: 'gt', value: 10 }, { field: 'list', op: 'notIn', listId: lists[0] }] },
          { field: 'engagement', op: 'notClicked', campaignId: campaigns[0] },
        ],
      },
      {
        match: 'all',
        conditions: [
          { match: 'any', conditions: [{ field: 'firstName', op: 'startsWith', value: 'an' }, { field: 'lastName', op: 'contains', value: 'smith' }] },
          { match: 'any', conditions: [{ field: 'engagement', op: 'wasNotSent' }, { field: 'createdAt', op: 'withinLastDays', value: 60 }] },
        ],
      },
    ];
    for (const tree of trees) {
      await expectScanAgrees(tree);
      await expectScanAgrees(tree, lists[0]);
    }
    expect((await owner.trpc.segments.preview.mutate({ listId: lists[1], conditions: { match: 'all', conditions: [] } })).count).toBe(12);
  });
});

describe('saved segments', () => {
  const withCampaign = (): SegmentConditions => ({
    match: 'all',
    conditions: [
      { field: 'status', op: 'is', value: 'subscribed' },
      { match: 'any', conditions: [{ field: 'engagement', op: 'opened', campaignId: campaigns[0], withinDays: 30 }, { field: 'attribute', name: 'city', op: 'equals', value: 'Paris' }] },
    ],
  });

  it('creates, gets, lists (with base list name and a description), updates, previews by id and deletes', async () => {
    const { id } = await owner.trpc.segments.create.mutate({ name: 'Engaged Parisians', listId: lists[0], conditions: withCampaign() });
    const got = await owner.trpc.segments.get.query({ id });
    expect(got).toMatchObject({ id, name: 'Engaged Parisians', listId: lists[0], listName: 'Readers', conditions: withCampaign() });
    expect(got.description).toBe('status is subscribed and (opened “March news” in the last 30 days or city is “Paris”)');

    const listed = await owner.trpc.segments.list.query();
    expect(listed).toEqual([{ id, name: 'Engaged Parisians', listId: lists[0], listName: 'Readers', description: got.description, createdAt: got.createdAt, updatedAt: got.updatedAt }]);

    const byId = await owner.trpc.segments.preview.mutate({ id });
    expect(byId.count).toBe(expectedMatches(scan, { listId: lists[0], conditions: withCampaign() }).length);

    const updated = await owner.trpc.segments.update.mutate({ id, name: 'Everyone engaged', listId: null });
    expect(updated).toMatchObject({ name: 'Everyone engaged', listId: null, listName: null, conditions: withCampaign() });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(got.updatedAt));
    expect((await owner.trpc.segments.preview.mutate({ id })).count).toBe(expectedMatches(scan, { listId: null, conditions: withCampaign() }).length);

    await expect(owner.trpc.segments.create.mutate({ name: 'EVERYONE ENGAGED', conditions: { match: 'all', conditions: [] } })).rejects.toMatchObject({
      data: { code: 'CONFLICT', fieldErrors: { name: 'This name is taken.' } },
    });
    await owner.trpc.segments.delete.mutate({ id });
    await expect(owner.trpc.segments.get.query({ id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
  });

  it('refuses bad input with field errors', async () => {
    const bad = (conditions: unknown) => owner.trpc.segments.create.mutate({ name: 'Bad', conditions: conditions as SegmentConditions });
    await expect(bad({ match: 'all', conditions: [{ field: 'firstName', op: 'equals', value: 'x'.repeat(1001) }] })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { 'conditions.conditions.0.value': 'A value has at most 1,000 characters.' } },
    });
    await expect(bad({ match: 'all', conditions: [{ match: 'any', conditions: [{ field: 'attribute', name: 'age', op: 'gt', value: 'ten' }] }] })).rejects.toMatchObject({
      data: { fieldErrors: { 'conditions.conditions.0.conditions.0.value': 'Enter a number.' } },
    });
    await expect(bad({ match: 'all', conditions: [{ match: 'any', conditions: [{ match: 'all', conditions: [] }] }] })).rejects.toMatchObject({
      data: { fieldErrors: { 'conditions.conditions.0.conditions.0.field': expect.stringContaining('not other groups') } },
    });
    await expect(bad({ match: 'all', conditions: [{ field: 'createdAt', op: 'before', value: 'yesterday' }] })).rejects.toMatchObject({
      data: { fieldErrors: { 'conditions.conditions.0.value': 'Give a date like 2026-12-31.' } },
    });
    await expect(bad({ match: 'all', conditions: [{ field: 'engagement', op: 'opened', withinDays: 0 }] })).rejects.toMatchObject({
      data: { fieldErrors: { 'conditions.conditions.0.withinDays': 'At least 1 day.' } },
    });
    await expect(bad({ match: 'some', conditions: [] })).rejects.toMatchObject({ data: { fieldErrors: { 'conditions.match': expect.any(String) } } });
    await expect(owner.trpc.segments.create.mutate({ name: ' ', conditions: { match: 'all', conditions: [] } })).rejects.toMatchObject({
      data: { fieldErrors: { name: 'Enter a segment name.' } },
    });
    await expect(owner.trpc.segments.preview.mutate({})).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
  });

  it("refuses another tenant's list or campaign in a condition, or as the base, naming the condition", async () => {
    const other = (await signedUpAgent(h.herald.url, 'Other')).agent;
    const theirList = (await other.trpc.lists.create.mutate({ name: 'Theirs' })).id;
    const theirCampaign = (await other.trpc.campaigns.create.mutate(draft(theirList, 'Their news'))).id;
    const tree: SegmentConditions = {
      match: 'all',
      conditions: [{ field: 'status', op: 'is', value: 'subscribed' }, { match: 'any', conditions: [{ field: 'list', op: 'in', listId: lists[0] }, { field: 'list', op: 'notIn', listId: theirList }] }],
    };
    await expect(owner.trpc.segments.create.mutate({ name: 'Sneaky', conditions: tree })).rejects.toMatchObject({
      message: 'Condition 2.2: no list with this id.',
      data: { code: 'BAD_REQUEST', fieldErrors: { 'conditions.conditions.1.conditions.1.listId': 'No list with this id.' } },
    });
    await expect(owner.trpc.segments.preview.mutate({ conditions: tree })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
    await expect(owner.trpc.segments.create.mutate({ name: 'Sneaky', conditions: one({ field: 'engagement', op: 'opened', campaignId: theirCampaign }) })).rejects.toMatchObject({
      message: 'Condition 1: no campaign with this id.',
      data: { code: 'BAD_REQUEST', fieldErrors: { 'conditions.conditions.0.campaignId': 'No campaign with this id.' } },
    });
    await expect(owner.trpc.segments.create.mutate({ name: 'Sneaky', listId: theirList, conditions: { match: 'all', conditions: [] } })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND', fieldErrors: { listId: 'No list with this id.' } },
    });
    const { id } = await owner.trpc.segments.create.mutate({ name: 'Fine', conditions: one({ field: 'list', op: 'in', listId: lists[0] }) });
    await expect(owner.trpc.segments.update.mutate({ id, conditions: one({ field: 'list', op: 'in', listId: theirList }) })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
    const theirSegment = await other.trpc.segments.create.mutate({ name: 'Theirs', conditions: { match: 'all', conditions: [] } });
    const mine = await owner.trpc.campaigns.create.mutate(draft(lists[0], 'Mine'));
    await expect(owner.trpc.campaigns.update.mutate({ id: mine.id, segmentId: theirSegment.id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    await expect(owner.trpc.campaigns.create.mutate({ ...draft(lists[0], 'x'), listId: undefined, segmentId: theirSegment.id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    await owner.trpc.segments.delete.mutate({ id });
  });

  it('attribute names offered to the builder', async () => {
    expect(await owner.trpc.segments.attributeNames.query()).toEqual({ names: ['age', 'city', 'signup'] });
  });

  it('a list a segment uses cannot be deleted; the answer names the segment', async () => {
    const spare = (await owner.trpc.lists.create.mutate({ name: 'Spare' })).id;
    const based = await owner.trpc.segments.create.mutate({ name: 'Spare based', listId: spare, conditions: { match: 'all', conditions: [] } });
    await expect(owner.trpc.lists.delete.mutate({ id: spare })).rejects.toMatchObject({ data: { code: 'CONFLICT' }, message: 'The segment “Spare based” uses this list: change or delete the segment first.' });
    await owner.trpc.segments.update.mutate({ id: based.id, listId: null, conditions: { match: 'any', conditions: [{ match: 'all', conditions: [{ field: 'list', op: 'notIn', listId: spare }] }] } });
    await expect(owner.trpc.lists.delete.mutate({ id: spare })).rejects.toMatchObject({ data: { code: 'CONFLICT' }, message: expect.stringContaining('“Spare based”') });
    await owner.trpc.segments.delete.mutate({ id: based.id });
    await owner.trpc.lists.delete.mutate({ id: spare });
  });
});

describe('campaign audience', () => {
  it('a campaign goes to a list or a segment: setting one clears the other; views carry the segment', async () => {
    const segment = await owner.trpc.segments.create.mutate({ name: 'Subscribed', conditions: one({ field: 'status', op: 'is', value: 'subscribed' }) });
    const { id } = await owner.trpc.campaigns.create.mutate({ ...draft(lists[0], 'To a segment'), listId: undefined, segmentId: segment.id });
    expect(await owner.trpc.campaigns.get.query({ id })).toMatchObject({ listId: null, listName: null, segmentId: segment.id, segmentName: 'Subscribed' });
    expect((await owner.trpc.campaigns.list.query()).find((c) => c.id === id)).toMatchObject({ segmentId: segment.id, segmentName: 'Subscribed' });
    expect(await owner.trpc.campaigns.update.mutate({ id, listId: lists[0] })).toMatchObject({ listId: lists[0], listName: 'Readers', segmentId: null, segmentName: null });
    expect(await owner.trpc.campaigns.update.mutate({ id, segmentId: segment.id })).toMatchObject({ listId: null, segmentId: segment.id });
    await expect(owner.trpc.campaigns.update.mutate({ id, segmentId: segment.id, listId: lists[0] })).rejects.toMatchObject({
      data: { fieldErrors: { segmentId: 'A campaign goes to a list or a segment, not both.' } },
    });
    await expect(owner.trpc.campaigns.create.mutate({ ...draft(lists[0], 'Nowhere'), listId: undefined })).rejects.toMatchObject({
      data: { fieldErrors: { listId: 'Choose the list or segment this campaign goes to.' } },
    });
    // The preview's sample recipient is the segment's first match by email.
    const firstSubscribed = scan.contacts.filter((c) => c.status === 'subscribed').sort((x, y) => (x.email < y.email ? -1 : 1))[0];
    expect((await owner.trpc.campaigns.preview.query({ id })).sampleContact.email).toBe(firstSubscribed?.email);
    // The send check counts the segment's audience now: reachable matches, and the rest excluded.
    const check = await owner.trpc.campaigns.sendCheck.query({ id });
    const subscribed = scan.contacts.filter((c) => c.status === 'subscribed').length;
    expect(check).toMatchObject({ recipients: subscribed, excluded: 0, segmentName: 'Subscribed', listName: null });
    await owner.trpc.segments.update.mutate({ id: segment.id, conditions: { match: 'all', conditions: [] } });
    expect(await owner.trpc.campaigns.sendCheck.query({ id })).toMatchObject({ recipients: subscribed, excluded: 60 - subscribed });
  });
});
