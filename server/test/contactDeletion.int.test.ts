import { beforeAll, expect, it } from 'vitest';
import { holdContactsForFanOut } from '../src/db/tenantContactsLock.js';
import { runFanOut } from '../src/sending/fanOut.js';
import { signedUpAgent, type Agent } from './agent.js';
import { campaignInput } from './sendingHelpers.js';
import { useHerald } from './useHerald.js';

// messages.contact_id has no foreign key (migration 0019): deleting a contact nulls its messages itself,
// and waits for fan-out chunks in flight, so no message is left naming a contact that does not exist.
const h = useHerald();
let owner: Agent;
let tenantId: string;
let listId: string;
beforeAll(async () => {
  owner = (await signedUpAgent(h.herald.url, 'Deletion')).agent;
  listId = (await owner.trpc.lists.create.mutate({ name: 'Everyone' })).id;
  const [list] = await h.herald.deps.sql<{ tenantId: string }[]>`select tenant_id as "tenantId" from lists where id = ${listId}`;
  tenantId = list!.tenantId;
});

async function fannedOutCampaign(emails: string[]): Promise<{ campaignId: string; contactIds: string[] }> {
  const contactIds = [];
  for (const email of emails) contactIds.push((await owner.trpc.contacts.create.mutate({ email, listIds: [listId] })).id);
  const { id: campaignId } = await owner.trpc.campaigns.create.mutate(campaignInput(listId));
  await h.herald.deps.sql`update campaigns set status = 'sending', started_at = now() where id = ${campaignId}`;
  while ((await runFanOut(h.herald.deps, campaignId)) !== 'done');
  return { campaignId, contactIds };
}

const messagesOf = (campaignId: string) =>
  h.herald.deps.sql<{ contactId: string | null; to: string }[]>`
    select contact_id as "contactId", to_address as "to" from messages where campaign_id = ${campaignId} order by to_address`;

it('keeps a deleted contact’s messages as the record of what was sent, no longer naming it', async () => {
  const { campaignId, contactIds } = await fannedOutCampaign(['gone@example.com', 'stays@example.com']);
  await owner.trpc.contacts.delete.mutate({ id: contactIds[0]! });
  expect(await messagesOf(campaignId)).toEqual([
    { contactId: null, to: 'gone@example.com' },
    { contactId: contactIds[1], to: 'stays@example.com' },
  ]);
  // Another tenant's delete of the same id is refused and changes nothing.
  const other = (await signedUpAgent(h.herald.url, 'Intruder')).agent;
  await expect(other.trpc.contacts.delete.mutate({ id: contactIds[1]! })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
  expect((await messagesOf(campaignId))[1]).toEqual({ contactId: contactIds[1], to: 'stays@example.com' });
});

it('a deletion during a fan-out chunk waits for it, then nulls the message the chunk made', async () => {
  const { contactIds } = await fannedOutCampaign(['early@example.com']);
  const contactId = contactIds[0]!;
  const { id: campaignId } = await owner.trpc.campaigns.create.mutate({ ...campaignInput(listId), name: 'Second' });
  let deleted = false;
  let deletion: Promise<void> | undefined;
  // A chunk in flight: it holds the tenant's contacts lock and has written a message naming the contact.
  await h.herald.deps.sql.begin(async (tx) => {
    await holdContactsForFanOut(tx, tenantId);
    await tx`insert into messages (tenant_id, campaign_id, contact_id, to_address) values (${tenantId}, ${campaignId}, ${contactId}, 'early@example.com')`;
    deletion = owner.trpc.contacts.delete.mutate({ id: contactId }).then(() => void (deleted = true));
    // The deletion is queued behind the chunk's lock (seen in pg_locks), not finished.
    await expect
      .poll(async () => (await h.herald.deps.sql`select 1 from pg_locks where locktype = 'advisory' and not granted and database = (select oid from pg_database where datname = current_database())`).length, { timeout: 10_000 })
      .toBe(1);
    expect(deleted).toBe(false);
  });
  await deletion;
  expect(await messagesOf(campaignId)).toEqual([{ contactId: null, to: 'early@example.com' }]);
  expect((await h.herald.deps.sql`select 1 from contacts where id = ${contactId}`).length).toBe(0);
});
