import { beforeAll, describe, expect, it } from 'vitest';
import { signedUpAgent, type Agent } from './agent.js';
import { useHerald } from './useHerald.js';

const h = useHerald();
let owner: Agent;
let listId: string;
beforeAll(async () => {
  owner = (await signedUpAgent(h.herald.url, 'Campaigns')).agent;
  await owner.trpc.tenant.updateProfile.mutate({ companyName: 'Campaigns Inc', postalAddress: 'Harbour Road 7\n20457 Hamburg' });
  listId = (await owner.trpc.lists.create.mutate({ name: 'Readers' })).id;
});

const draft = () => ({
  name: 'Spring launch',
  channel: 'email' as const,
  subject: 'Hello {{ first_name | default: "there" }}',
  fromEmail: 'news@campaigns.test',
  fromName: 'Campaigns News',
  html: '<html><body><p>Hi {{ first_name }}, your plan: {{ plan }}</p></body></html>',
  listId,
});

describe('campaign drafts', () => {
  it('creates, updates, gets, lists (newest first, with the list name) and deletes', async () => {
    const { id } = await owner.trpc.campaigns.create.mutate(draft());
    expect(await owner.trpc.campaigns.get.query({ id })).toMatchObject({
      id,
      channel: 'email',
      status: 'draft',
      fromName: 'Campaigns News',
      replyTo: null,
      text: null,
      listId,
      listName: 'Readers',
      createdAt: expect.stringMatching(/Z$/),
      sentAt: null,
    });
    const updated = await owner.trpc.campaigns.update.mutate({ id, subject: 'New subject', replyTo: 'reply@campaigns.test', text: 'Plain {{ first_name }}' });
    expect(updated).toMatchObject({ subject: 'New subject', replyTo: 'reply@campaigns.test', text: 'Plain {{ first_name }}', name: 'Spring launch' });
    expect((await owner.trpc.campaigns.update.mutate({ id, text: '  ' })).text).toBeNull();

    const second = await owner.trpc.campaigns.create.mutate({ ...draft(), name: 'Second' });
    const listed = await owner.trpc.campaigns.list.query();
    expect(listed.map((c) => c.id)).toEqual([second.id, id]);
    expect(listed[0]).toMatchObject({ name: 'Second', listName: 'Readers' });
    expect(listed[0]).not.toHaveProperty('html');

    await owner.trpc.campaigns.delete.mutate({ id: second.id });
    await expect(owner.trpc.campaigns.get.query({ id: second.id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
  });

  it('refuses a template that does not parse, changing nothing', async () => {
    await expect(owner.trpc.campaigns.create.mutate({ ...draft(), name: 'Broken', html: '<p>\n{% if first_name %}\n</p>' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
      message: expect.stringMatching(/^The HTML body has a template error: .*\(line 2\)$/),
    });
    expect((await owner.trpc.campaigns.list.query()).map((c) => c.name)).not.toContain('Broken');
    const { id } = await owner.trpc.campaigns.create.mutate(draft());
    const before = await owner.trpc.campaigns.get.query({ id });
    await expect(owner.trpc.campaigns.update.mutate({ id, name: 'Renamed', subject: 'Hi {{ first_name | nope }}' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
      message: 'The subject has a template error: undefined filter: nope (line 1)',
    });
    expect(await owner.trpc.campaigns.get.query({ id })).toEqual(before);
  });

  it('validates the inputs with clear messages', async () => {
    await expect(owner.trpc.campaigns.create.mutate({ ...draft(), fromEmail: 'not-an-email' })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST', fieldErrors: { fromEmail: expect.any(String) } } });
    await expect(owner.trpc.campaigns.create.mutate({ ...draft(), subject: 'a\r\nBcc: x@evil.test' })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST', fieldErrors: { subject: 'A subject must be a single line.' } } });
    await expect(owner.trpc.campaigns.create.mutate({ ...draft(), html: 'x'.repeat(1_000_001) })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST', fieldErrors: { html: expect.stringContaining('too large') } } });
  });

  it("refuses another tenant's list", async () => {
    const other = (await signedUpAgent(h.herald.url, 'Other')).agent;
    const foreign = await other.trpc.lists.create.mutate({ name: 'Theirs' });
    await expect(owner.trpc.campaigns.create.mutate({ ...draft(), listId: foreign.id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    const { id } = await owner.trpc.campaigns.create.mutate(draft());
    await expect(owner.trpc.campaigns.update.mutate({ id, listId: foreign.id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
  });

  it('edits and deletes drafts only', async () => {
    const { id } = await owner.trpc.campaigns.create.mutate(draft());
    await h.herald.deps.sql`update campaigns set status = 'sending' where id = ${id}`;
    await expect(owner.trpc.campaigns.update.mutate({ id, name: 'Too late' })).rejects.toMatchObject({ data: { code: 'CONFLICT' }, message: 'Only a draft or a scheduled campaign can be edited.' });
    await expect(owner.trpc.campaigns.delete.mutate({ id })).rejects.toMatchObject({ data: { code: 'CONFLICT' } });
    expect((await owner.trpc.campaigns.get.query({ id })).name).toBe('Spring launch');
  });

  it('keeps a draft whose list is deleted, without an audience', async () => {
    const temp = await owner.trpc.lists.create.mutate({ name: 'Temporary' });
    const { id } = await owner.trpc.campaigns.create.mutate({ ...draft(), listId: temp.id });
    await owner.trpc.lists.delete.mutate({ id: temp.id });
    expect(await owner.trpc.campaigns.get.query({ id })).toMatchObject({ listId: null, listName: null });
  });
});

describe('preview', () => {
  it('renders for a real contact with a working unsubscribe link and the postal address', async () => {
    const contact = await owner.trpc.contacts.create.mutate({ email: 'reader@example.com', firstName: 'Rosa', lastName: '<b>Lee</b>', attributes: { plan: 'gold' } });
    const { id } = await owner.trpc.campaigns.create.mutate({ ...draft(), html: '<html><body><p>Hi {{ first_name }} {{ last_name }}, your plan: {{ plan }}</p></body></html>' });
    const preview = await owner.trpc.campaigns.preview.query({ id, contactId: contact.id });
    expect(preview.subject).toBe('Hello Rosa');
    expect(preview.html).toContain('<p>Hi Rosa &lt;b&gt;Lee&lt;/b&gt;, your plan: gold</p>');
    expect(preview.html).toContain('Campaigns Inc<br>Harbour Road 7<br>20457 Hamburg');
    expect(preview.text).toContain('Hi Rosa <b>Lee</b>, your plan: gold');
    expect(preview.text).toContain('Harbour Road 7\n20457 Hamburg');
    expect(preview.sampleContact).toEqual({ email: 'reader@example.com', firstName: 'Rosa', lastName: '<b>Lee</b>' });

    const url = /Unsubscribe: (\S+)/.exec(preview.text)?.[1];
    expect(url).toMatch(/\/u\/[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(preview.html).toContain(`href="${url}"`);
    const path = new URL(url!).pathname;
    const res = await fetch(`${h.herald.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(res.status).toBe(200);
    expect((await owner.trpc.contacts.get.query({ id: contact.id })).status).toBe('unsubscribed');
  });

  it("uses the list's first contact, else a made-up one; refuses an unknown contact", async () => {
    const list = await owner.trpc.lists.create.mutate({ name: 'Preview list' });
    const { id } = await owner.trpc.campaigns.create.mutate({ ...draft(), listId: list.id });
    const sample = await owner.trpc.campaigns.preview.query({ id });
    expect(sample.sampleContact).toEqual({ email: 'alex@example.com', firstName: 'Alex', lastName: 'Sample' });
    expect(sample.subject).toBe('Hello Alex');
    expect(sample.text).toMatch(/Unsubscribe: http.*\/u\/preview$/);

    await owner.trpc.contacts.create.mutate({ email: 'member@example.com', firstName: 'Mo', listIds: [list.id] });
    const member = await owner.trpc.campaigns.preview.query({ id });
    expect(member.sampleContact.email).toBe('member@example.com');
    expect(member.subject).toBe('Hello Mo');

    const other = (await signedUpAgent(h.herald.url, 'Stranger')).agent;
    const theirs = await other.trpc.contacts.create.mutate({ email: 'theirs@example.com' });
    await expect(owner.trpc.campaigns.preview.query({ id, contactId: theirs.id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
  });
});
