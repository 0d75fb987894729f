/**
 * What the soak watches twice a second: messages the simulator accepted for
 * the sender (SES's own counter, GetSendQuota's SentLast24Hours, so it needs
 * no database), the pending SES events (the processing backlog), `/readyz`
 * and one tRPC read of the API. A failed read is recorded as null or its
 * status, never stops the probe: the database going away is the point.
 */
import { GetSendQuotaCommand } from '@aws-sdk/client-ses';
import type { Sql } from 'postgres';
import { sesClient } from '../../server/src/ses/clients.js';
import { sleep } from '../lib.js';

export type Sample = { at: number; sent: number | null; pending: number | null; ready: number; api: number };

const status = (p: Promise<Response>) => p.then((r) => r.status, () => 0);
/** `p`, or `fallback` after 1.5 s: one stalled read (the bench's own pool reconnecting) must not hold back the others' samples. */
const within = <T>(p: Promise<T>, fallback: T): Promise<T> =>
  Promise.race([p, new Promise<T>((resolve) => setTimeout(() => resolve(fallback), 1_500).unref())]);

export function startProbe(deps: { sql: Sql; url: string; cookie: string; simUrl: string; keys: { accessKeyId: string; secretAccessKey: string } }) {
  const ses = sesClient({ endpoint: deps.simUrl, region: 'us-east-1', credentials: deps.keys, requestTimeoutMs: 2_000 });
  const samples: Sample[] = [];
  let stopping = false;
  const done = (async () => {
    while (!stopping) {
      const at = Date.now();
      const [sent, pending, ready, api] = await Promise.all([
        within(ses.send(new GetSendQuotaCommand({})).then((q) => q.SentLast24Hours ?? 0, () => null), null),
        within(deps.sql<{ n: number }[]>`select count(*)::int as n from message_events where state = 'pending'`.then((r) => r[0]!.n, () => null), null),
        status(fetch(`${deps.url}/readyz`, { signal: AbortSignal.timeout(1_500) })),
        status(fetch(`${deps.url}/trpc/campaigns.list`, { headers: { cookie: deps.cookie }, signal: AbortSignal.timeout(1_500) })),
      ]);
      samples.push({ at, sent, pending, ready, api });
      await sleep(Math.max(0, 500 - (Date.now() - at)));
    }
  })();
  return {
    samples,
    stop: async () => {
      stopping = true;
      await done;
      ses.destroy();
    },
  };
}

/** Sends per second over the samples in [from, to): the simulator's counter difference over the time between. */
export function sendRate(samples: Sample[], from: number, to: number): number {
  const inside = samples.filter((s) => s.at >= from && s.at < to && s.sent !== null);
  if (inside.length < 2) return 0;
  const first = inside[0]!;
  const last = inside.at(-1)!;
  return (last.sent! - first.sent!) / ((last.at - first.at) / 1000);
}
