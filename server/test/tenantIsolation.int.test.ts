import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { appRouter } from '../src/routers/index.js';
import { startTestHerald, type TestHerald } from '../src/testing/index.js';
import { agent, signedUpAgent, type Agent } from './agent.js';

/**
 * Tenant B, with its session and with its API key, goes after tenant A's data
 * through every procedure. Each new procedure must get a case here: the last
 * test fails for any procedure that has none.
 */

type Tenant = { session: Agent; apiKey: Agent; tenantId: string; apiKeyId: string };
type World = { a: Tenant; b: Tenant };

async function makeTenant(url: string, name: string): Promise<Tenant> {
  const { agent: session, account } = await signedUpAgent(url, name);
  const created = await session.trpc.apiKeys.create.mutate({ name: `${name} key` });
  return { session, apiKey: agent(url, { bearer: created.key, origin: null }), tenantId: account.tenant.id, apiKeyId: created.id };
}

type Case = {
  /** What B tries; it must fail or only touch B's own data. */
  attack: (b: Agent, world: World) => Promise<unknown>;
  /** The error B gets, when the attempt is refused outright. */
  refusedWith?: string;
  /** A's data as seen by A after the attack must be what it was. */
  check?: (world: World, attempt: unknown) => Promise<void>;
};

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
};

let herald: TestHerald;
let world: World;
beforeAll(async () => {
  herald = await startTestHerald(inject('adminDatabaseUrl'));
  world = { a: await makeTenant(herald.url, 'Alpha'), b: await makeTenant(herald.url, 'Beta') };
});
afterAll(() => herald.stop());

async function snapshotOfA(): Promise<unknown> {
  return herald.deps.sql`select id, name, revoked_at from api_keys where tenant_id = ${world.a.tenantId} order by id`;
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

it('every procedure has an isolation case', () => {
  const procedures = Object.keys(appRouter._def.procedures).sort();
  expect(Object.keys(cases).sort()).toEqual(procedures);
});
