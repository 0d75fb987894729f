import { setTimeout as sleep } from 'node:timers/promises';
import { logFailure } from '../db/outageReporter.js';
import type { Deps } from '../deps.js';
import { processEventBatch } from './processEvents.js';
import { EVENT_SHARDS } from './shards.js';
import { createShardOwnership, lockSession } from './shardOwnership.js';

/**
 * How long an owned shard with nothing pending waits before it looks again: the most an event waits for
 * its batch once stored (an accepted event should reach a browser within half a second; bench/metrics).
 */
export const DRAIN_POLL_MS = 100;
/** How often a process reads which shards it holds, and may take one that nobody holds. */
const OWNERSHIP_EVERY_MS = 1_000;
/** A process that already drains a shard tries for another only every this many refreshes, leaving it to idle ones. */
const MORE_EVERY = 3;
/** Pause after a batch failed (the database is away, most likely) before the shard is tried again. */
const FAILURE_PAUSE_MS = 1_000;
export const EVENT_BATCH = 500;

export type EventDrain = { stop: () => Promise<void>; owned: () => ReadonlySet<number> };

/**
 * Drains pending SES events in every worker process: each of the
 * EVENT_SHARDS shards is drained by the one process that owns it
 * (shardOwnership.ts), in batches one after the other while they come
 * full, and otherwise a poll every DRAIN_POLL_MS.
 *
 * Not a job per shard queued by the webhook: the add, the announcement to
 * every runner of every worker process (each then looked for a job) and the
 * completion cost Postgres more than the batches at the event rates of
 * campaigns, and each API process queued its own, so batches of a couple of
 * events were the rule (docs/benchmarks.md, scale-out). Now a shard's
 * batches come at most every DRAIN_POLL_MS however many API processes store
 * events, and an idle shard costs its owner one index probe per poll.
 * Events of shards no process drains (an earlier, larger shard count) are
 * left to the sweep's jobs (pendingSweep.ts).
 */
export function startEventDrain(deps: Deps, databaseUrl: string, opts: { ownershipEveryMs?: number } = {}): EventDrain {
  const ownership = createShardOwnership(lockSession(databaseUrl), EVENT_SHARDS);
  const abort = new AbortController();
  const owned = new Set<number>();
  const draining = new Map<number, Promise<void>>();

  const pause = (ms: number) => sleep(ms, undefined, { signal: abort.signal }).catch(() => undefined);

  const drain = async (shard: number) => {
    let taken = 0;
    while (owned.has(shard) && !abort.signal.aborted) {
      // Polls start DRAIN_POLL_MS apart, not DRAIN_POLL_MS after the last batch ended: an event stored
      // during a batch would otherwise wait for the batch and a whole poll on top.
      const started = performance.now();
      try {
        // The probe only after a poll that found nothing: while events come, the batch's own select is the look.
        taken = taken > 0 || (await hasPending(deps, shard)) ? await processEventBatch(deps, shard, EVENT_BATCH) : 0;
      } catch (err) {
        taken = 0;
        logFailure(deps, 'worker', err, 'processing SES events failed; the shard is tried again shortly', { shard });
        await pause(FAILURE_PAUSE_MS);
        continue;
      }
      if (taken < EVENT_BATCH) await pause(Math.max(0, DRAIN_POLL_MS - (performance.now() - started)));
    }
  };

  const refresh = async (round: number) => {
    let held: Set<number>;
    try {
      held = await ownership.refresh(owned.size === 0 || round % MORE_EVERY === 0);
    } catch (err) {
      // The lock session may be gone, and its locks with it: another process may be draining these shards now.
      logFailure(deps, 'worker', err, 'reading event shard ownership failed');
      held = new Set();
    }
    for (const shard of owned) if (!held.has(shard)) owned.delete(shard);
    for (const shard of held) {
      owned.add(shard);
      if (!draining.has(shard)) draining.set(shard, drain(shard).finally(() => draining.delete(shard)));
    }
  };

  const ownershipLoop = (async () => {
    for (let round = 0; !abort.signal.aborted; round += 1) {
      await refresh(round);
      await pause(opts.ownershipEveryMs ?? OWNERSHIP_EVERY_MS);
    }
  })();

  return {
    owned: () => owned,
    stop: async () => {
      abort.abort();
      await ownershipLoop;
      owned.clear();
      await Promise.all(draining.values());
      await ownership.close();
    },
  };
}

/** One probe of the shard's part of the partial "pending" index, so an idle poll is one statement, not a transaction. */
async function hasPending(deps: Pick<Deps, 'sql'>, shard: number): Promise<boolean> {
  const [row] = await deps.sql<{ any: boolean }[]>`select exists (select 1 from message_events where state = 'pending' and shard = ${shard}) as any`;
  return row?.any ?? false;
}
