import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/database.js';
import { maxSendsInAnyWindow } from '../testing/sendWindows.js';
import { DEFAULT_MAX_WAIT_MS, reserveSendSlot, reserveSendSlots, sendInterval, SLOT_LATENESS_TOLERANCE_MS, type SendSlot } from './rateLimiter.js';
import { sendAtTurn } from './sendTurn.js';
import { MissedDeparture, type Departure } from '../ses/departure.js';

// Every assertion is on the slot times the limiter hands out (database clock),
// never on wall-clock sleeps, so a slow machine cannot make them flaky. Epoch
// ms as doubles carry ~0.25 µs of rounding, hence toBeCloseTo(…, 2) on gaps.

let database: TestDatabase;
let sql: Sql;
beforeAll(async () => {
  database = await createTestDatabase(inject('adminDatabaseUrl'));
  sql = postgres(database.url, { max: 4, onnotice: () => {} });
});
afterAll(async () => {
  await sql.end({ timeout: 5 });
  await database.drop();
});

async function newTenant(): Promise<string> {
  const [row] = await sql<{ id: string }[]>`insert into tenants (name) values ('t') returning id`;
  return row!.id;
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);
const ats = (slots: SendSlot[]) => slots.map((s) => s.at);

describe('reserveSendSlot(s)', () => {
  it('spaces one tenant’s slots at least 1000/14 ms apart at 14/s, starting now', async () => {
    const tenantId = await newTenant();
    const slots: SendSlot[] = [];
    for (let i = 0; i < 30; i++) {
      const r = await reserveSendSlot({ sql }, { tenantId, ratePerSec: 14 });
      if (!r.reserved) throw new Error('refused');
      slots.push(r);
    }
    expect(slots[0]!.waitMs).toBe(0);
    // The local send window is never wider than the lateness the margin allows.
    for (const s of slots) expect(s.notAfter - s.notBefore).toBeLessThanOrEqual(SLOT_LATENESS_TOLERANCE_MS);
    for (const gap of gaps(ats(slots))) expect(gap).toBeGreaterThanOrEqual(1000 / 14);
    expect(maxSendsInAnyWindow(ats(slots))).toBeLessThanOrEqual(14);
    // The shared state is exactly one interval past the last slot handed out.
    const [row] = await sql<{ tat: number }[]>`select extract(epoch from tat)::float8 * 1000 as tat from send_rate_buckets where tenant_id = ${tenantId}`;
    expect(row!.tat).toBeCloseTo(slots.at(-1)!.at + sendInterval(14), 2);
  });

  it('never lets 3 concurrent workers put more than the rate into any one-second window', async () => {
    const tenantId = await newTenant();
    const workers = [0, 1, 2].map(() => postgres(database.url, { max: 4, onnotice: () => {} }));
    try {
      // 200 reservations at once: workers 1 and 2 one slot at a time, worker 3 in batches of 5.
      const singles = (w: Sql) =>
        Array.from({ length: 40 }, async () => {
          const r = await reserveSendSlot({ sql: w }, { tenantId, ratePerSec: 14 });
          if (!r.reserved) throw new Error('refused');
          return [r];
        });
      const batches = (w: Sql) => Array.from({ length: 24 }, async () => (await reserveSendSlots({ sql: w }, { tenantId, ratePerSec: 14, count: 5 })).slots);
      const results = await Promise.all([...singles(workers[0]!), ...singles(workers[1]!), ...batches(workers[2]!)]);
      const times = ats(results.flat()).sort((a, b) => a - b);
      expect(times).toHaveLength(200);
      for (const gap of gaps(times)) expect(gap).toBeGreaterThanOrEqual(1000 / 14);
      const most = maxSendsInAnyWindow(times);
      expect(most).toBeLessThanOrEqual(14);
      // Tight, not merely safe: a full second's worth of slots does fit.
      expect(most).toBe(14);
      // Each batch is consecutive slots.
      for (const batch of results.filter((b) => b.length === 5)) for (const gap of gaps(ats(batch))) expect(gap).toBeCloseTo(sendInterval(14), 2);
    } finally {
      await Promise.all(workers.map((w) => w.end({ timeout: 5 })));
    }
  });

  it('isolates tenants: a 1,000-slot backlog for one adds no wait to another', async () => {
    const busy = await newTenant();
    const quiet = await newTenant();
    const backlog = await reserveSendSlots({ sql }, { tenantId: busy, ratePerSec: 14, count: 1000, maxWaitMs: 120_000 });
    expect(backlog.slots).toHaveLength(1000);
    expect(backlog.slots.at(-1)!.waitMs).toBeCloseTo(999 * sendInterval(14), 0);

    const first = await reserveSendSlot({ sql }, { tenantId: quiet, ratePerSec: 14 });
    expect(first).toMatchObject({ reserved: true, waitMs: 0 });
    const second = await reserveSendSlot({ sql }, { tenantId: quiet, ratePerSec: 14 });
    if (!second.reserved || !first.reserved) throw new Error('refused');
    expect(second.at - first.at).toBeCloseTo(sendInterval(14), 2);
    // Meanwhile the busy tenant is a minute behind and is told to come back later.
    const late = await reserveSendSlot({ sql }, { tenantId: busy, ratePerSec: 14 });
    expect(late.reserved).toBe(false);
    expect(late.waitMs).toBeGreaterThan(DEFAULT_MAX_WAIT_MS);
  });

  it('leaves the connection’s synchronous_commit as it was (the asynchronous commit is per reservation)', async () => {
    const tenantId = await newTenant();
    const single = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const before = await single`show synchronous_commit`;
      await reserveSendSlot({ sql: single }, { tenantId, ratePerSec: 14 });
      await reserveSendSlot({ sql: single }, { tenantId, ratePerSec: 14 });
      expect(await single`show synchronous_commit`).toEqual(before);
    } finally {
      await single.end({ timeout: 5 });
    }
  });
});

describe('max wait, no burst (driven database clock)', () => {
  const T = Date.UTC(2026, 0, 1, 12);
  let now = T;
  const deps = () => ({ sql, databaseNow: () => now });
  const interval = sendInterval(1); // 1020 ms

  it('refuses a slot beyond maxWaitMs without taking it, and grants part of a batch', async () => {
    const tenantId = await newTenant();
    now = T;
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await reserveSendSlot(deps(), { tenantId, ratePerSec: 1, maxWaitMs: 2500 });
      if (!r.reserved) throw new Error('refused');
      waits.push(r.waitMs);
    }
    expect(waits).toEqual([0, interval, 2 * interval]);

    expect(await reserveSendSlot(deps(), { tenantId, ratePerSec: 1, maxWaitMs: 2500 })).toEqual({ reserved: false, waitMs: 3 * interval });
    // The refusal took nothing: the same slot is still the next one.
    expect(await reserveSendSlot(deps(), { tenantId, ratePerSec: 1, maxWaitMs: 2500 })).toEqual({ reserved: false, waitMs: 3 * interval });
    const taken = await reserveSendSlot(deps(), { tenantId, ratePerSec: 1, maxWaitMs: 5000 });
    expect(taken).toMatchObject({ reserved: true, at: T + 3 * interval, waitMs: 3 * interval });

    // A batch gets the slots that start within maxWaitMs (4080 … 9180 ms) and learns when the next is free.
    const batch = await reserveSendSlots(deps(), { tenantId, ratePerSec: 1, count: 10, maxWaitMs: 10_000 });
    expect(batch.slots.map((s) => s.waitMs)).toEqual([4, 5, 6, 7, 8, 9].map((k) => k * interval));
    expect(batch.nextFreeInMs).toBeCloseTo(10 * interval, 6);
    expect((await reserveSendSlots(deps(), { tenantId, ratePerSec: 1, count: 3, maxWaitMs: 1000 })).slots).toEqual([]);
  });

  it('gives an idle tenant no burst: slots after a pause are spaced from now', async () => {
    const tenantId = await newTenant();
    now = T;
    await reserveSendSlots(deps(), { tenantId, ratePerSec: 1, count: 2 });
    now = T + 3_600_000;
    const after = await reserveSendSlots(deps(), { tenantId, ratePerSec: 1, count: 3 });
    expect(after.slots.map((s) => [s.at, s.waitMs])).toEqual([
      [now, 0],
      [now + interval, interval],
      [now + 2 * interval, 2 * interval],
    ]);
  });

  it('spaces a fractional rate at 1000 / rate', async () => {
    const tenantId = await newTenant();
    now = T;
    const { slots } = await reserveSendSlots(deps(), { tenantId, ratePerSec: 0.5, count: 3 });
    expect(gaps(ats(slots))).toEqual([sendInterval(0.5), sendInterval(0.5)]);
    expect(sendInterval(0.5)).toBeCloseTo(2040, 6);
  });

  it('rejects nonsense arguments and forgets a deleted tenant', async () => {
    const tenantId = await newTenant();
    await expect(reserveSendSlot(deps(), { tenantId, ratePerSec: 0 })).rejects.toThrow(RangeError);
    await expect(reserveSendSlots(deps(), { tenantId, ratePerSec: 14, count: 0 })).rejects.toThrow(RangeError);
    await reserveSendSlot(deps(), { tenantId, ratePerSec: 14 });
    await sql`delete from tenants where id = ${tenantId}`;
    expect(await sql`select 1 from send_rate_buckets where tenant_id = ${tenantId}`).toHaveLength(0);
  });
});

describe('sendAtTurn', () => {
  const sendNow = async () => 'sent';
  it('replaces a slot the process missed with a fresh one instead of failing the send', async () => {
    const tenantId = await newTenant();
    // Where the tenant's bucket stood after each reservation (database clock, ms).
    const tats: number[] = [];
    const missFirst = async () => {
      const [row] = await sql<{ tat: number }[]>`select extract(epoch from tat)::float8 * 1000 as tat from send_rate_buckets where tenant_id = ${tenantId}`;
      return tats.push(row!.tat) > 1;
    };
    expect(await sendAtTurn({ sql }, { tenantId, ratePerSec: 14 }, sendNow, missFirst)).toEqual({ turn: 'go', sent: 'sent' });
    expect(tats).toHaveLength(2);
    // The second slot is a new reservation, at least one interval after the missed one, which is not handed out
    // again. Compared on the database's clock: local windows also differ by each reservation's round trip.
    expect(tats[1]! - tats[0]!).toBeGreaterThanOrEqual(sendInterval(14) - 1e-3);
  });

  it('takes a fresh slot for a request that could not leave within its own, and hands the send its window', async () => {
    const tenantId = await newTenant();
    const departures: number[] = [];
    const leavesSecondTime = async (departure: Departure) => {
      departures.push(departure.by);
      if (departures.length === 1) throw new MissedDeparture();
      return 'sent';
    };
    expect(await sendAtTurn({ sql }, { tenantId, ratePerSec: 14 }, leavesSecondTime)).toEqual({ turn: 'go', sent: 'sent' });
    expect(departures).toHaveLength(2);
    expect(departures[1]! - departures[0]!).toBeGreaterThanOrEqual(sendInterval(14) - 5);
    // Any other failure is the send's own: it is not tried again.
    await expect(sendAtTurn({ sql }, { tenantId, ratePerSec: 14 }, async () => Promise.reject(new Error('SES said no')))).rejects.toThrow('SES said no');
  });

  it('gives up after five missed slots, and says when the rate is taken too far ahead', async () => {
    const tenantId = await newTenant();
    let tries = 0;
    const alwaysLate = async () => (tries += 1) < 0;
    expect(await sendAtTurn({ sql }, { tenantId, ratePerSec: 14 }, sendNow, alwaysLate)).toEqual({ turn: 'late' });
    expect(tries).toBe(5);
    await reserveSendSlots({ sql }, { tenantId, ratePerSec: 14, count: 100, maxWaitMs: 60_000 });
    expect(await sendAtTurn({ sql }, { tenantId, ratePerSec: 14, maxWaitMs: 1_000 }, sendNow, alwaysLate)).toEqual({ turn: 'full' });
  });
});
