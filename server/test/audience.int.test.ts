import { beforeAll, describe, expect, it } from 'vitest';
import { signedUpAgent, type Agent } from './agent.js';
import { useHerald } from './useHerald.js';

const h = useHerald();
let owner: Agent;
beforeAll(async () => {
  owner = (await signedUpAgent(h.herald.url, 'Audience')).agent;
});

describe('contacts', () => {
  it('normalizes and validates emails, and keeps them unique per tenant', async () => {
    const { id } = await owner.trpc.contacts.create.mutate({ email: '  Mixed.Case@Example.COM ', firstName: 'Mia', attributes: { plan: 'pro' } });
    const contact = await owner.trpc.contacts.get.query({ id });
    expect(contact).toMatchObject({ email: 'mixed.case@example.com', firstName: 'Mia', lastName: null, attributes: { plan: 'pro' }, status: 'subscribed', lists: [], suppression: null });
    await expect(owner.trpc.contacts.create.mutate({ email: 'MIXED.case@example.com' })).rejects.toMatchObject({ data: { code: 'CONFLICT' } });
    await expect(owner.trpc.contacts.create.mutate({ email: 'nope' })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST', fieldErrors: { email: expect.any(String) } } });
    await expect(owner.trpc.contacts.create.mutate({ email: 'a@b.co', attributes: { 'Bad Key': 'x' } })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
    // Another tenant may hold the same address.
    const other = (await signedUpAgent(h.herald.url, 'Other')).agent;
    await expect(other.trpc.contacts.create.mutate({ email: 'mixed.case@example.com' })).resolves.toMatchObject({ id: expect.any(String) });
  });

  it('updates, refuses to resubscribe a suppressed address, and deletes', async () => {
    const { id } = await owner.trpc.contacts.create.mutate({ email: 'update-me@example.com' });
    expect(await owner.trpc.contacts.update.mutate({ id, firstName: 'New', lastName: null, status: 'unsubscribed' })).toMatchObject({ firstName: 'New', status: 'unsubscribed' });
    await owner.trpc.suppressions.add.mutate({ email: 'update-me@example.com' });
    await expect(owner.trpc.contacts.update.mutate({ id, status: 'subscribed' })).rejects.toMatchObject({ data: { code: 'PRECONDITION_FAILED' }, message: expect.stringContaining('suppressed (manual)') });
    expect((await owner.trpc.contacts.get.query({ id })).suppression).toMatchObject({ reason: 'manual' });
    await owner.trpc.contacts.create.mutate({ email: 'taken@example.com' });
    await expect(owner.trpc.contacts.update.mutate({ id, email: 'Taken@example.com' })).rejects.toMatchObject({ data: { code: 'CONFLICT' } });
    await owner.trpc.contacts.delete.mutate({ id });
    await expect(owner.trpc.contacts.get.query({ id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
  });

  it('searches by email, first or last name prefix and pages with a cursor', async () => {
    const who = (await signedUpAgent(h.herald.url, 'Search')).agent;
    for (let i = 0; i < 25; i++) await who.trpc.contacts.create.mutate({ email: `p${String(i).padStart(2, '0')}@example.com`, firstName: i % 2 ? 'Odd' : 'Even', lastName: `Num${i}` });
    const first = await who.trpc.contacts.list.query({ limit: 10 });
    expect(first.items.map((c) => c.email)).toEqual(Array.from({ length: 10 }, (_, i) => `p${String(i).padStart(2, '0')}@example.com`));
    const second = await who.trpc.contacts.list.query({ limit: 10, cursor: first.nextCursor! });
    const third = await who.trpc.contacts.list.query({ limit: 10, cursor: second.nextCursor! });
    expect(third.items).toHaveLength(5);
    expect(third.nextCursor).toBeNull();
    expect(new Set([...first.items, ...second.items, ...third.items].map((c) => c.id)).size).toBe(25);
    expect((await who.trpc.contacts.list.query({ search: 'odd' })).items).toHaveLength(12);
    expect((await who.trpc.contacts.list.query({ search: 'NUM2' })).items.map((c) => c.lastName).sort()).toEqual(['Num2', 'Num20', 'Num21', 'Num22', 'Num23', 'Num24']);
    expect((await who.trpc.contacts.list.query({ search: 'p1' })).items).toHaveLength(10);
    expect((await who.trpc.contacts.list.query({ search: '%' })).items).toHaveLength(0);
    expect(await who.trpc.contacts.count.query()).toEqual({ total: 25 });
  });
});

describe('lists', () => {
  it('creates, renames, adds and removes members with live counts, deletes', async () => {
    const { id: listId } = await owner.trpc.lists.create.mutate({ name: 'Newsletter' });
    await expect(owner.trpc.lists.create.mutate({ name: 'newsletter' })).rejects.toMatchObject({ data: { code: 'CONFLICT' } });
    const a = await owner.trpc.contacts.create.mutate({ email: 'la@example.com', listIds: [listId] });
    const b = await owner.trpc.contacts.create.mutate({ email: 'lb@example.com' });
    expect(await owner.trpc.lists.addContacts.mutate({ listId, contactIds: [a.id, b.id] })).toEqual({ added: 1 });
    expect((await owner.trpc.lists.get.query({ id: listId })).memberCount).toBe(2);
    expect((await owner.trpc.contacts.list.query({ listId })).items.map((c) => c.email)).toEqual(['la@example.com', 'lb@example.com']);
    await owner.trpc.contacts.delete.mutate({ id: b.id });
    expect((await owner.trpc.lists.get.query({ id: listId })).memberCount).toBe(1);
    expect(await owner.trpc.lists.removeContacts.mutate({ listId, contactIds: [a.id] })).toEqual({ removed: 1 });
    expect((await owner.trpc.lists.rename.mutate({ id: listId, name: 'Weekly' })).name).toBe('Weekly');
    await owner.trpc.lists.delete.mutate({ id: listId });
    expect((await owner.trpc.contacts.get.query({ id: a.id })).lists).toEqual([]);
  });
});

describe('suppressions', () => {
  it('adds (idempotently), searches, removes, and imports a CSV', async () => {
    const who = (await signedUpAgent(h.herald.url, 'Suppress')).agent;
    const first = await who.trpc.suppressions.add.mutate({ email: 'Blocked@Example.com' });
    expect(first).toMatchObject({ email: 'blocked@example.com', reason: 'manual' });
    expect((await who.trpc.suppressions.add.mutate({ email: 'blocked@example.com' })).id).toBe(first.id);
    const res = await fetch(`${h.herald.url}/api/suppressions/import`, {
      method: 'POST',
      headers: { cookie: who.cookie ?? '', origin: h.herald.url, 'content-type': 'text/csv' },
      body: 'Name,Email\nA,one@example.com\nB,BLOCKED@example.com\nC,not-an-email\nD,two@example.com\n',
    });
    expect(await res.json()).toEqual({ added: 2, alreadySuppressed: 1, invalid: [{ line: 4, value: 'not-an-email' }], invalidCount: 1 });
    const listed = await who.trpc.suppressions.list.query({});
    expect(listed.total).toBe(3);
    expect((await who.trpc.suppressions.list.query({ search: 'tw' })).items.map((s) => s.email)).toEqual(['two@example.com']);
    await who.trpc.suppressions.remove.mutate({ id: first.id });
    await expect(who.trpc.suppressions.remove.mutate({ id: first.id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    // As spreadsheets export it: a byte-order mark, semicolons, a blank line.
    const exported = await fetch(`${h.herald.url}/api/suppressions/import`, {
      method: 'POST',
      headers: { cookie: who.cookie ?? '', origin: h.herald.url, 'content-type': 'text/csv' },
      body: '\uFEFFEmail;Name\r\nthree@example.com;C\r\n\r\nfour@example.com;D\r\nfive;E\r\n',
    });
    expect(await exported.json()).toEqual({ added: 2, alreadySuppressed: 0, invalid: [{ line: 5, value: 'five' }], invalidCount: 1 });
    expect((await who.trpc.suppressions.list.query({})).total).toBe(4);
  });

  it('refuses a malformed or oversized CSV with a clear error and adds nobody', async () => {
    const who = (await signedUpAgent(h.herald.url, 'Suppress bad files')).agent;
    const post = (body: string | Buffer) =>
      fetch(`${h.herald.url}/api/suppressions/import`, {
        method: 'POST',
        headers: { cookie: who.cookie ?? '', origin: h.herald.url, 'content-type': 'text/csv' },
        body,
      });
    const malformed = await post('email\nfirst@example.com\n"second@example.com\nthird@example.com\n');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toBe('The file could not be read as CSV: a quoted field is never closed (line 3). Nothing was added.');
    const huge = await post(Buffer.alloc(51 * 1024 * 1024, 'a@example.com\n'));
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { message: string } }).error.message).toBe('The file is larger than 50 MB.');
    expect((await who.trpc.suppressions.list.query({})).total).toBe(0);
  });
});

describe('sender profile', () => {
  it('is incomplete until company name and postal address are saved', async () => {
    expect(await owner.trpc.tenant.getProfile.query()).toEqual({ companyName: null, postalAddress: null, complete: false });
    await expect(owner.trpc.tenant.updateProfile.mutate({ companyName: 'Audience Ltd', postalAddress: 'short' })).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
    expect(await owner.trpc.tenant.updateProfile.mutate({ companyName: 'Audience Ltd', postalAddress: '1 Main Street\nSpringfield 12345\nUSA' })).toEqual({
      companyName: 'Audience Ltd',
      postalAddress: '1 Main Street\nSpringfield 12345\nUSA',
      complete: true,
    });
  });
});
