import { beforeAll, expect, it } from 'vitest';
import { fanOutSegmentChunk } from '../src/sending/segmentChunk.js';
import { signedUpAgent, type Agent } from './agent.js';
import { campaignInput } from './sendingHelpers.js';
import { useHerald } from './useHerald.js';

/** A segment's fan-out in chunks: a keyset on the contacts' emails, each match made a message exactly once. */

const h = useHerald();
let owner: Agent;
let tenantId: string;
let segmentId: string;
const CHUNK = 7;
const gold = new Set<string>();

beforeAll(async () => {
  owner = (await signedUpAgent(h.herald.url, 'Segments')).agent;
  const listId = (await owner.trpc.lists.create.mutate({ name: 'Everyone' })).id;
  const [list] = await h.herald.deps.sql<{ tenantId: string }[]>`select tenant_id as "tenantId" from lists where id = ${listId}`;
  tenantId = list!.tenantId;
  // Emails in an order unrelated to their ids; every other one is on the gold plan.
  for (let n = 0; n < 40; n++) {
    const email = `${'hgfedcba'[n % 8]}${n}@example.com`;
    const plan = n % 2 === 0 ? 'gold' : 'basic';
    if (plan === 'gold') gold.add(email);
    await owner.trpc.contacts.create.mutate({ email, attributes: { plan }, listIds: [listId] });
  }
  const segment = await owner.trpc.segments.create.mutate({
    name: 'Gold',
    listId,
    conditions: { match: 'all', conditions: [{ field: 'attribute', name: 'plan', op: 'equals', value: 'gold' }] },
  });
  segmentId = segment.id;
});

async function newCampaign(name: string): Promise<string> {
  const { id } = await owner.trpc.campaigns.create.mutate({ ...campaignInput(''), name, listId: undefined, segmentId });
  return id;
}

const chunk = (campaignId: string, cursor: string | null) =>
  h.herald.deps.sql.begin((tx) => fanOutSegmentChunk(tx, { campaignId, tenantId, segmentId, cursor, size: CHUNK }));

const recipientsOf = async (campaignId: string) =>
  (await h.herald.deps.sql<{ to: string }[]>`select to_address as to from messages where campaign_id = ${campaignId}`).map((r) => r.to).sort();

it('walks the matches in email order, chunk by chunk, until a chunk comes up short', async () => {
  const campaignId = await newCampaign('Chunks');
  const cursors: string[] = [];
  let cursor: string | null = null;
  for (;;) {
    const made: { last: string | null; members: number } = await chunk(campaignId, cursor);
    if (made.last) cursors.push(made.last);
    cursor = made.last ?? cursor;
    if (made.members < CHUNK) break;
  }
  const sorted = [...gold].sort();
  expect(await recipientsOf(campaignId)).toEqual(sorted);
  // Each chunk ends at a later email: every 7th match, then the last one.
  expect(cursors).toEqual([sorted[6], sorted[13], sorted[19]]);
});

it('starts again from the first email after a contact-id cursor of an earlier version, making nobody twice', async () => {
  const campaignId = await newCampaign('Upgraded mid-way');
  const first = await chunk(campaignId, null);
  expect(first.members).toBe(CHUNK);
  // A contact id as the earlier version left it: read as an email, it would skip the matches after the
  // first chunk up to those starting with "g".
  let cursor: string | null = 'ffffffff-ffff-4fff-bfff-ffffffffffff';
  for (;;) {
    const made = await chunk(campaignId, cursor);
    cursor = made.last ?? cursor;
    if (made.members < CHUNK) break;
  }
  expect(await recipientsOf(campaignId)).toEqual([...gold].sort());
});
