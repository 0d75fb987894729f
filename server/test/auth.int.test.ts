import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { agent, signedUpAgent } from './agent.js';
import { useHerald } from './useHerald.js';

const h = useHerald();

describe('sign up, sign in, me, sign out', () => {
  it('creates a tenant with its owner and a session cookie', async () => {
    const a = agent(h.herald.url);
    const account = await a.trpc.auth.signUp.mutate({ email: '  Ada@Example.COM ', password: 'a very long password', tenantName: ' Analytical Engines ' });
    expect(account.user.email).toBe('ada@example.com');
    expect(account.tenant.name).toBe('Analytical Engines');
    expect(account.role).toBe('owner');
    expect(a.cookie).toMatch(/^herald_session=/);
    expect(await a.trpc.auth.me.query()).toEqual(account);

    const rows = await h.herald.deps.sql`select m.role, t.name from memberships m join tenants t on t.id = m.tenant_id where m.user_id = ${account.user.id}`;
    expect(rows).toEqual([{ role: 'owner', name: 'Analytical Engines' }]);
  });

  it('sets an httpOnly, SameSite=Lax cookie and stores only a hash of the token', async () => {
    const res = await fetch(`${h.herald.url}/trpc/auth.signUp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'cookie@example.com', password: 'a very long password', tenantName: 'Cookies' }),
    });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i); // PUBLIC_URL is http here
    const token = /herald_session=([^;]+)/.exec(setCookie)?.[1];
    expect(token).toBeTruthy();
    const stored = await h.herald.deps.sql`select token_hash from sessions`;
    expect(stored.map((r) => r.token_hash)).not.toContain(token);
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it('refuses a second account with the same email, whatever its case', async () => {
    await signedUpAgent(h.herald.url).then(async ({ email }) => {
      const again = agent(h.herald.url).trpc.auth.signUp.mutate({ email: email.toUpperCase(), password: 'another long password', tenantName: 'Dup' });
      await expect(again).rejects.toMatchObject({ data: { code: 'CONFLICT', httpStatus: 409 }, message: expect.stringContaining('already exists') });
    });
  });

  it('signs in with the right password and out again, which revokes the session', async () => {
    const { email, password, account } = await signedUpAgent(h.herald.url, 'Globex');
    const b = agent(h.herald.url);
    expect(await b.trpc.auth.me.query()).toBeNull();
    expect(await b.trpc.auth.signIn.mutate({ email, password })).toEqual(account);
    const cookie = b.cookie;
    expect(await b.trpc.auth.me.query()).toEqual(account);

    await b.trpc.auth.signOut.mutate();
    expect(b.cookie).toBeUndefined();
    // The old cookie no longer works even if a client kept it.
    const replay = agent(h.herald.url);
    replay.cookie = cookie;
    expect(await replay.trpc.auth.me.query()).toBeNull();
    await expect(replay.trpc.apiKeys.list.query()).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
  });

  it('answers a wrong password and an unknown email alike', async () => {
    const { email } = await signedUpAgent(h.herald.url, 'Initech');
    const wrong = await agent(h.herald.url).trpc.auth.signIn.mutate({ email, password: 'not the password' }).catch((e: unknown) => e);
    const unknown = await agent(h.herald.url).trpc.auth.signIn.mutate({ email: 'nobody@nowhere.test', password: 'not the password' }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(TRPCClientError);
    expect(unknown).toBeInstanceOf(TRPCClientError);
    const shape = (e: unknown) => {
      const err = e as { message: string; data: { code: string; httpStatus: number } };
      return { message: err.message, code: err.data.code, status: err.data.httpStatus };
    };
    expect(shape(wrong)).toEqual(shape(unknown));
    expect(shape(wrong)).toEqual({ message: 'Email or password is incorrect.', code: 'UNAUTHORIZED', status: 401 });
  });
});

describe('API keys', () => {
  it('creates a key shown once, lists it without the secret, authenticates with it, and revokes it', async () => {
    const { agent: owner, account } = await signedUpAgent(h.herald.url, 'Keys');
    const created = await owner.trpc.apiKeys.create.mutate({ name: 'CRM sync' });
    expect(created.key).toMatch(/^hk_/);
    expect(created.key.startsWith(created.prefix)).toBe(true);

    const listed = await owner.trpc.apiKeys.list.query();
    expect(listed).toEqual([{ id: created.id, name: 'CRM sync', prefix: created.prefix, createdAt: created.createdAt, lastUsedAt: null }]);
    expect(JSON.stringify(listed)).not.toContain(created.key);
    const stored = await h.herald.deps.sql`select * from api_keys where id = ${created.id}`;
    expect(JSON.stringify(stored)).not.toContain(created.key);

    const service = agent(h.herald.url, { bearer: created.key, origin: null });
    const seen = await service.trpc.apiKeys.list.query();
    expect(seen.map((k) => k.id)).toEqual([created.id]);
    expect((await owner.trpc.apiKeys.list.query())[0]?.lastUsedAt).not.toBeNull();
    // A key belongs to a tenant, not a person: it has no session to sign out of.
    await expect(service.trpc.auth.signOut.mutate()).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    expect(account.tenant.id).toBeTruthy();

    await owner.trpc.apiKeys.revoke.mutate({ id: created.id });
    await expect(service.trpc.apiKeys.list.query()).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED' },
      message: 'The API key is invalid or has been revoked.',
    });
    expect(await owner.trpc.apiKeys.list.query()).toEqual([]);
    await expect(owner.trpc.apiKeys.revoke.mutate({ id: created.id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
  });
});
