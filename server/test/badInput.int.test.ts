import { describe, expect, it } from 'vitest';
import { agent, rawCall, signedUpAgent } from './agent.js';
import { useHerald } from './useHerald.js';

const h = useHerald();

type ErrorBody = { error: { message: string; data: { code: string; httpStatus: number; fieldErrors: Record<string, string> | null } } };
const errorOf = (json: unknown) => (json as ErrorBody).error;

async function countRows(): Promise<number> {
  const [row] = await h.herald.deps.sql<{ n: number }[]>`select (select count(*) from users) + (select count(*) from tenants) + (select count(*) from sessions) + (select count(*) from api_keys) as n`;
  return Number(row?.n);
}

describe('malformed and invalid input gets a clear 4xx and changes nothing', () => {
  it('malformed JSON', async () => {
    const before = await countRows();
    const res = await rawCall(h.herald.url, 'auth.signUp', { body: '{"email": "a@b.co", "password": ' });
    expect(res.status).toBe(400);
    expect(errorOf(res.json)).toMatchObject({ data: { code: 'BAD_REQUEST' }, message: expect.stringContaining('not valid JSON') });
    expect(await countRows()).toBe(before);
  });

  it('missing and mistyped fields name the field', async () => {
    const before = await countRows();
    const missing = await rawCall(h.herald.url, 'auth.signUp', { body: JSON.stringify({ email: 'x@example.com' }) });
    expect(missing.status).toBe(400);
    expect(errorOf(missing.json).data.fieldErrors).toEqual({ password: 'Choose a password.', tenantName: 'Enter a company name.' });
    expect(errorOf(missing.json).message).toContain('password: Choose a password.');

    const mistyped = await rawCall(h.herald.url, 'auth.signUp', { body: JSON.stringify({ email: 42, password: ['x'], tenantName: {} }) });
    expect(mistyped.status).toBe(400);
    expect(Object.keys(errorOf(mistyped.json).data.fieldErrors ?? {}).sort()).toEqual(['email', 'password', 'tenantName']);

    const badEmail = await rawCall(h.herald.url, 'auth.signUp', { body: JSON.stringify({ email: 'not-an-email', password: 'long enough password', tenantName: 'X' }) });
    expect(errorOf(badEmail.json).data.fieldErrors).toEqual({ email: 'Enter a valid email address, like name@example.com.' });
    expect(await countRows()).toBe(before);
  });

  it('a 1 MB password is refused without hashing it', async () => {
    const before = await countRows();
    const huge = 'p'.repeat(1_000_000);
    const started = Date.now();
    const signUp = await rawCall(h.herald.url, 'auth.signUp', { body: JSON.stringify({ email: 'big@example.com', password: huge, tenantName: 'Big' }) });
    expect(signUp.status).toBe(400);
    expect(errorOf(signUp.json).data.fieldErrors).toEqual({ password: 'A password has at most 200 characters.' });
    const signIn = await rawCall(h.herald.url, 'auth.signIn', { body: JSON.stringify({ email: 'big@example.com', password: huge }) });
    expect(signIn.status).toBe(400);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await countRows()).toBe(before);
  });

  it('a body over the 4 MiB limit gets 413', async () => {
    const res = await rawCall(h.herald.url, 'auth.signIn', { body: JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(5 * 1024 * 1024) }) });
    expect(res.status).toBe(413);
  });

  it('unknown procedures get 404', async () => {
    const res = await rawCall(h.herald.url, 'auth.deleteEverything', { body: '{}' });
    expect(res.status).toBe(404);
    expect(errorOf(res.json).data.code).toBe('NOT_FOUND');
    const get = await rawCall(h.herald.url, 'nope.nothing', { method: 'GET' });
    expect(get.status).toBe(404);
  });

  it('a query sent as a mutation (and vice versa) is refused', async () => {
    const res = await rawCall(h.herald.url, 'auth.me', { body: '{}' });
    expect(res.status).toBe(405);
    const get = await rawCall(h.herald.url, 'auth.signIn', { method: 'GET' });
    expect(get.status).toBe(405);
  });
});

describe('credentials that do not hold', () => {
  it('a forged session cookie is unauthorized', async () => {
    const forged = agent(h.herald.url);
    forged.cookie = 'herald_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    expect(await forged.trpc.auth.me.query()).toBeNull();
    await expect(forged.trpc.apiKeys.list.query()).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED', httpStatus: 401 },
      message: 'Your session has expired. Sign in again.',
    });
  });

  it('an expired session cookie is unauthorized', async () => {
    const { agent: a, account } = await signedUpAgent(h.herald.url, 'Expiry');
    await h.herald.deps.sql`update sessions set expires_at = now() - interval '1 minute' where user_id = ${account.user.id}`;
    expect(await a.trpc.auth.me.query()).toBeNull();
    await expect(a.trpc.apiKeys.create.mutate({ name: 'x' })).rejects.toMatchObject({ data: { code: 'UNAUTHORIZED' } });
    const [row] = await h.herald.deps.sql`select count(*)::int as n from api_keys where tenant_id = ${account.tenant.id}`;
    expect(row?.n).toBe(0);
  });

  it('garbage and revoked API keys are unauthorized', async () => {
    const garbage = await rawCall(h.herald.url, 'apiKeys.list', { method: 'GET', headers: { authorization: 'Bearer hk_garbage' } });
    expect(garbage.status).toBe(401);
    const notBearer = await rawCall(h.herald.url, 'apiKeys.list', { method: 'GET', headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(notBearer.status).toBe(401);

    const { agent: owner } = await signedUpAgent(h.herald.url, 'Revoked');
    const { id, key } = await owner.trpc.apiKeys.create.mutate({ name: 'temp' });
    await owner.trpc.apiKeys.revoke.mutate({ id });
    const revoked = await rawCall(h.herald.url, 'apiKeys.create', { body: JSON.stringify({ name: 'sneaky' }), headers: { authorization: `Bearer ${key}` } });
    expect(revoked.status).toBe(401);
    expect(errorOf(revoked.json).message).toBe('The API key is invalid or has been revoked.');
    expect(await owner.trpc.apiKeys.list.query()).toEqual([]);
  });

  it('a cookie-authenticated write from a foreign or missing Origin is refused (CSRF)', async () => {
    const { agent: owner } = await signedUpAgent(h.herald.url, 'Csrf');
    const cookie = owner.cookie ?? '';
    const foreign = await rawCall(h.herald.url, 'apiKeys.create', { body: JSON.stringify({ name: 'csrf' }), headers: { cookie, origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(errorOf(foreign.json).message).toContain('Origin check failed');
    const none = await rawCall(h.herald.url, 'apiKeys.create', { body: JSON.stringify({ name: 'csrf' }), headers: { cookie } });
    expect(none.status).toBe(403);
    expect(await owner.trpc.apiKeys.list.query()).toEqual([]);
    // A login form posted from another site is refused as well.
    const loginCsrf = await rawCall(h.herald.url, 'auth.signIn', { body: JSON.stringify({ email: 'a@b.co', password: 'whatever' }), headers: { origin: 'https://evil.example' } });
    expect(loginCsrf.status).toBe(403);
  });
});

describe('password guessing', () => {
  it('twenty quick wrong passwords get rate-limited, and the right password is refused while limited', async () => {
    const { email, password } = await signedUpAgent(h.herald.url, 'Guess');
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await rawCall(h.herald.url, 'auth.signIn', { body: JSON.stringify({ email, password: `guess-${i}` }) });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(10).fill(429));
    const limited = await rawCall(h.herald.url, 'auth.signIn', { body: JSON.stringify({ email, password }) });
    expect(limited.status).toBe(429);
    expect(errorOf(limited.json).message).toMatch(/Too many failed sign-in attempts\. Try again in \d+ minutes?\./);
  });
});
