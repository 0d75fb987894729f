import pg from 'pg';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { createShardOwnership, SHARD_LOCK_NAMESPACE, type ShardOwnership } from './shardOwnership.js';

const SHARDS = 2;
let database: TestDatabase;
let observer: Sql;
const clients: pg.Client[] = [];

/** One process's ownership, with its lock sessions named so a test can read or end them from outside. */
const processWithLocks = (name: string): { ownership: ShardOwnership; session: () => pg.Client } => {
  const mine: pg.Client[] = [];
  const connect = async () => {
    const client = new pg.Client({ connectionString: database.url, application_name: name });
    await client.connect();
    mine.push(client);
    clients.push(client);
    return client;
  };
  return { ownership: createShardOwnership(connect, SHARDS), session: () => mine[mine.length - 1] as pg.Client };
};

/** Which sessions (by application name) hold which shard, as Postgres sees it. */
const holders = async () =>
  observer<{ shard: number; holder: string }[]>`
    select l.objid::int as shard, a.application_name as holder from pg_locks l join pg_stat_activity a on a.pid = l.pid
    where l.locktype = 'advisory' and l.classid = ${SHARD_LOCK_NAMESPACE}::oid and l.objsubid = 2 and l.granted
      and l.database = (select oid from pg_database where datname = current_database())
    order by 1`;

beforeAll(async () => {
  database = await createTestDatabase(inject('adminDatabaseUrl'));
  observer = postgres(database.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await observer.end({ timeout: 5 });
  await database.drop();
});

describe('event shard ownership', () => {
  it('gives each shard to one process, one new shard per refresh, and never takes a held lock twice', async () => {
    const a = processWithLocks('owner-a');
    const b = processWithLocks('owner-b');
    const [first] = [...(await a.ownership.refresh(true))] as [number];
    expect([0, 1]).toContain(first);
    const second = 1 - first;
    expect(await b.ownership.refresh(true)).toEqual(new Set([second]));
    // Nothing is left to take; a refresh only reads what is held.
    for (let i = 0; i < 5; i += 1) expect(await a.ownership.refresh(true)).toEqual(new Set([first]));
    expect(await b.ownership.refresh(false)).toEqual(new Set([second]));
    expect(await holders()).toEqual([
      { shard: 0, holder: first === 0 ? 'owner-a' : 'owner-b' },
      { shard: 1, holder: first === 1 ? 'owner-a' : 'owner-b' },
    ]);

    // Taken once however many refreshes: one unlock frees it, and the other process takes it at its next refresh.
    const { rows } = await a.session().query('select pg_advisory_unlock($1::int, $2::int) as freed', [SHARD_LOCK_NAMESPACE, first]);
    expect(rows).toEqual([{ freed: true }]);
    expect(await a.ownership.refresh(false)).toEqual(new Set());
    expect(await b.ownership.refresh(true)).toEqual(new Set([0, 1]));
    expect(await a.ownership.refresh(true)).toEqual(new Set());
    await Promise.all([a.ownership.close(), b.ownership.close()]);
    expect(await holders()).toEqual([]);
  });

  it("frees a process's shards when its session ends; the process then holds none, and takes free ones again", async () => {
    const c = processWithLocks('owner-c');
    const d = processWithLocks('owner-d');
    await c.ownership.refresh(true);
    expect(await c.ownership.refresh(true)).toEqual(new Set([0, 1]));
    expect(await d.ownership.refresh(true)).toEqual(new Set());

    await observer`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'owner-c'`;
    // The backend goes (and its locks with it) a moment after it is told to.
    await vi.waitFor(async () => expect(await holders()).toEqual([]), { timeout: 5_000, interval: 20 });
    expect((await d.ownership.refresh(true)).size).toBe(1);
    expect(await d.ownership.refresh(true)).toEqual(new Set([0, 1]));
    // c's next refresh fails on the ended session or opens a new one; either way it holds nothing.
    expect(await c.ownership.refresh(true).catch(() => new Set<number>())).toEqual(new Set());
    expect(await c.ownership.refresh(true)).toEqual(new Set());
    expect((await holders()).map((h) => h.holder)).toEqual(['owner-d', 'owner-d']);

    await d.ownership.close();
    await c.ownership.refresh(true);
    expect(await c.ownership.refresh(true)).toEqual(new Set([0, 1]));
    await c.ownership.close();
  });
});
