/**
 * One "worker process" of bench/rate.ts: reserves a slot, sleeps until it,
 * "sends" (records the time), and repeats until it has sent its share. Talks
 * to the parent over the fork IPC channel: 'ready' → 'go' → result.
 */
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { reserveSendSlot } from '../server/src/sending/rateLimiter.js';
import { waitForSlot } from '../server/src/sending/waitForSlot.js';

export type WorkerResult = { sentAt: number[]; latenessMs: number[]; missed: number; refused: number };

const { values } = parseArgs({
  options: { 'database-url': { type: 'string' }, tenant: { type: 'string' }, rate: { type: 'string' }, sends: { type: 'string' } },
});
const sql = postgres(values['database-url']!, { max: 1, onnotice: () => {} });
const tenantId = values.tenant!;
const ratePerSec = Number(values.rate);
const result: WorkerResult = { sentAt: [], latenessMs: [], missed: 0, refused: 0 };

await sql`select 1`;
process.send!('ready');
await once(process, 'message');
while (result.sentAt.length < Number(values.sends)) {
  const slot = await reserveSendSlot({ sql }, { tenantId, ratePerSec });
  if (!slot.reserved) {
    // A real job would be rescheduled; here the worker just comes back then.
    result.refused++;
    await sleep(slot.waitMs);
  } else if (await waitForSlot(slot)) {
    const now = performance.now();
    // timeOrigin + now: sub-millisecond wall-clock time, comparable across processes on one machine.
    result.sentAt.push(performance.timeOrigin + now);
    result.latenessMs.push(now - slot.notBefore);
  } else {
    result.missed++;
  }
}
await sql.end({ timeout: 5 });
process.send!(result);
