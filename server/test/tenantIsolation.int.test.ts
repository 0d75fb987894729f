import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_ACCESS_KEY_ID, DEMO_SECRET_ACCESS_KEY, startSesSimulator, type SesSimulator } from '../src/dev/sesSimulator.js';
import { appRouter } from '../src/routers/index.js';
import { startTestHerald, type TestHerald } from '../src/testing/index.js';
import { agent, signedUpAgent, type Agent } from './agent.js';

/**
 * Tenant B, with its session and with its API key, goes after tenant A's data
 * through every procedure. Each new procedure must get a case here: the last
 * test fails for any procedure that has none.
 */

type Tenant = { session: Agent; apiKey: Agent; apiKeySecret: string; tenantId: string; apiKeyId: string };
type World = { a: Tenant; b: Tenant };

async function makeTenant(url: string, name: string): Promise<Tenant> {
  const { agent: session, account } = await signedUpAgent(url, name);
  const created = await session.trpc.apiKeys.create.mutate({ name: `${name} key` });
  await session.trpc.channels.email.connect.mutate({ ...demoKeys, senderEmail: `${name.toLowerCase()}@herald.test` });
  return { session, apiKey: agent(url, { bearer: created.key, origin: null }), apiKeySecret: created.key, tenantId: account.tenant.id, apiKeyId: created.id };
}

type Case = {
  /** What B tries; it must fail or only touch B's own data. */
  attack: (b: Agent, world: World) => Promise<unknown>;
  /** The error B gets, when the attempt is refused outright. */
  refusedWith?: string;
  /** A's data as seen by A after the attack must be what it was. */
  check?: (world: World, attempt: unknown) => Promise<void>;
};

const demoKeys = { accessKeyId: DEMO_ACCESS_KEY_ID, secretAccessKey: DEMO_SECRET_ACCESS_KEY, region: 'us-east-1' as const };

const cases: Record<string, Case | 'not tenant-scoped'> = {
  'auth.signUp': 'not tenant-scoped',
  'auth.signIn': 'not tenant-scoped',
  'auth.signOut': 'not tenant-scoped',
  'auth.me': 'not tenant-scoped',
  'apiKeys.list': {
    attack: (b) => b.trpc.apiKeys.list.query(),
    check: async (world, seen) => {
      expect((seen as Array<{ id: string }>).map((k) => k.id)).not.toContain(world.a.apiKeyId);
    },
  },
  'apiKeys.revoke': {
    attack: (b, world) => b.trpc.apiKeys.revoke.mutate({ id: world.a.apiKeyId }),
    refusedWith: 'NOT_FOUND',
  },
  'apiKeys.create': {
    attack: (b) => b.trpc.apiKeys.create.mutate({ name: 'created by B' }),
    check: async (world) => {
      const names = (await world.a.session.trpc.apiKeys.list.query()).map((k) => k.name);
      expect(names).not.toContain('created by B');
    },
  },
  'channels.email.get': {
    attack: (b) => b.trpc.channels.email.get.query(),
    check: async (_world, seen) => {
      expect(seen).toMatchObject({ senderEmail: 'beta@herald.test' });
    },
  },
  'channels.email.connect': {
    attack: (b) => b.trpc.channels.email.connect.mutate({ ...demoKeys, senderEmail: 'changed-by-b@herald.test' }),
    check: async (world) => {
      expect((await world.a.session.trpc.channels.email.get.query()).senderEmail).toBe('alpha@herald.test');
    },
  },
  'channels.email.checkKeys': {
    attack: (b) => b.trpc.channels.email.checkKeys.mutate(demoKeys),
  },
  'channels.email.verifiedEmails': {
    attack: (b) => b.trpc.channels.email.verifiedEmails.query(),
  },
  'channels.email.disconnect': {
    attack: async (b, world) => {
      await b.trpc.channels.email.disconnect.mutate();
      // Put B back for the next case; A must never have been touched.
      await world.b.session.trpc.channels.email.connect.mutate({ ...demoKeys, senderEmail: 'beta@herald.test' });
    },
    check: async (world) => {
      expect((await world.a.session.trpc.channels.email.get.query()).connected).toBe(true);
    },
  },
};

/** The plan's REST routes, with B's cookie or B's API key. */
const restCases: Array<{ method: 'GET' | 'POST' | 'DELETE'; path: string; body?: unknown }> = [
  { method: 'GET', path: '/api/tenant/channels/email' },
  { method: 'GET', path: '/api/tenant/channels/email/verified-emails' },
  { method: 'POST', path: '/api/tenant/channels/email', body: { ...demoKeys, senderEmail: 'rest-b@herald.test' } },
  { method: 'DELETE', path: '/api/tenant/channels/email' },
];

let sim: SesSimulator;
let herald: TestHerald;
let world: World;
beforeAll(async () => {
  sim = await startSesSimulator();
  herald = await startTestHerald(inject('adminDatabaseUrl'), { env: { SES_ENDPOINT: sim.url } });
  world = { a: await makeTenant(herald.url, 'Alpha'), b: await makeTenant(herald.url, 'Beta') };
});
afterAll(async () => {
  await herald.stop();
  await sim.stop();
});

async function snapshotOfA(): Promise<unknown> {
  return {
    apiKeys: await herald.deps.sql`select id, name, revoked_at from api_keys where tenant_id = ${world.a.tenantId} order by id`,
    channels: await herald.deps.sql`select * from tenant_channel_settings where tenant_id = ${world.a.tenantId}`,
  };
}

for (const [name, testCase] of Object.entries(cases)) {
  if (testCase === 'not tenant-scoped') continue;
  describe(name, () => {
    for (const credential of ['session', 'apiKey'] as const) {
      it(`tenant B's ${credential} cannot reach tenant A's data`, async () => {
        const before = await snapshotOfA();
        const attempt = await testCase.attack(world.b[credential], world).catch((err: unknown) => err);
        if (testCase.refusedWith) expect(attempt).toMatchObject({ data: { code: testCase.refusedWith } });
        await testCase.check?.(world, attempt);
        expect(await snapshotOfA()).toEqual(before);
      });
    }
  });
}

describe('REST routes', () => {
  for (const route of restCases) {
    for (const credential of ['session', 'apiKey'] as const) {
      it(`${route.method} ${route.path} with tenant B's ${credential} never touches tenant A`, async () => {
        const before = await snapshotOfA();
        const headers: Record<string, string> =
          credential === 'session'
            ? { cookie: world.b.session.cookie ?? '', origin: herald.url }
            : { authorization: `Bearer ${world.b.apiKeySecret}` };
        if (route.body) headers['content-type'] = 'application/json';
        const res = await fetch(`${herald.url}${route.path}`, { method: route.method, headers, body: route.body ? JSON.stringify(route.body) : undefined });
        expect(res.status).toBe(200);
        expect(JSON.stringify(await res.json())).not.toContain('alpha@herald.test');
        expect(await snapshotOfA()).toEqual(before);
        if (route.method !== 'GET') await world.b.session.trpc.channels.email.connect.mutate({ ...demoKeys, senderEmail: 'beta@herald.test' });
      });
    }
  }
});

it('every procedure has an isolation case', () => {
  const procedures = Object.keys(appRouter._def.procedures).sort();
  expect(Object.keys(cases).sort()).toEqual(procedures);
});
