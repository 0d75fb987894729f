import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startEventDrain, type EventDrain } from '../src/events/eventDrain.js';
import { SHARD_LOCK_NAMESPACE } from '../src/events/shardOwnership.js';
import { EVENT_SHARDS, shardOf } from '../src/events/shards.js';
import { readySender, simAccount, type Sender } from './sendingHelpers.js';
import { deliver, messageState, notification, sentCampaign, useHarness, type SentMessage } from './sesEventHelpers.js';
import { awsExample } from './snsHelpers.js';

const h = useHarness();
let sender: Sender;
let messages: SentMessage[];
const drains: EventDrain[] = [];
beforeAll(async () => {
  sender = await readySender(h.herald, h.sim, simAccount(), 'Drained');
  messages = (await sentCampaign(h, sender, 12, 'drained')).messages;
});
afterAll(async () => {
  await Promise.all(drains.map((d) => d.stop()));
});

/** Which lock sessions hold which shard, by backend pid. */
const holders = () =>
  h.herald.deps.sql<{ shard: number; pid: number }[]>`
    select objid::int as shard, pid from pg_locks
    where locktype = 'advisory' and classid = ${SHARD_LOCK_NAMESPACE}::oid and objsubid = 2 and granted
      and database = (select oid from pg_database where datname = current_database())
    order by 1`;

/** Every shard held, each by one session. */
const allHeld = () =>
  vi.waitFor(
    async () => {
      const rows = await holders();
      expect(rows.map((r) => r.shard)).toEqual(Array.from({ length: EVENT_SHARDS }, (_, i) => i));
      return rows;
    },
    { timeout: 10_000, interval: 50 },
  );

/** A Delivery for each message, posted to the webhook; resolves once each is applied (the message `delivered`). */
const deliveredNow = async (batch: SentMessage[]) => {
  await deliver(h, batch.map((m) => notification(h, sender.accountId, awsExample('delivery', { sesMessageId: m.providerId, accountId: sender.accountId, recipients: [m.to] }))));
  for (const m of batch) expect((await messageState(h, m.id)).status).toBe('delivered');
};

describe('event shards drained by worker processes', () => {
  it('covers every shard, and another process takes over the shards of one whose session ends or that stops', async () => {
    // The messages cover both shards, so each step below needs every shard drained.
    expect(new Set(messages.map((m) => shardOf(m.providerId))).size).toBe(EVENT_SHARDS);
    const before = await allHeld();
    await deliveredNow(messages.slice(0, 4));

    // A second worker process's drain, then the first one's lock session cut: the second takes what it can.
    const second = startEventDrain(h.herald.deps, h.herald.deps.env.databaseUrl as string, { ownershipEveryMs: 50 });
    drains.push(second);
    await h.herald.deps.sql`select pg_terminate_backend(pid) from pg_locks where pid = any(${before.map((r) => r.pid)})`;
    const after = await vi.waitFor(
      async () => {
        const rows = await allHeld();
        expect(rows.some((r) => before.some((b) => b.pid === r.pid))).toBe(false);
        return rows;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(second.owned().size).toBeGreaterThan(0);
    await deliveredNow(messages.slice(4, 8));

    // The second stops: its shards are free at once, and the first process's drain takes them back.
    const secondsShards = [...second.owned()];
    await second.stop();
    const last = await allHeld();
    for (const shard of secondsShards) expect(last.find((r) => r.shard === shard)?.pid).not.toBe(after.find((r) => r.shard === shard)?.pid);
    await deliveredNow(messages.slice(8, 12));
  });
});
