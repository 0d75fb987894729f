/**
 * The 14/s tenant sending without a pause: a campaign to its whole list,
 * and the next one as soon as that one is `sent`. Calls that fail while the
 * database is away (503s, dropped connections) are tried again a second
 * later, as a user would click again.
 */
import type { Sql } from 'postgres';
import { createCampaign, type Tenant } from '../event-tenant.js';
import { sleep, trpc } from '../lib.js';

export type Sender = {
  campaigns: () => string[];
  /** No new campaign; waits until the one under way is `sent` (or `deadlineMs` passed). */
  finish: (deadlineMs: number) => Promise<void>;
};

/** `fn` until it succeeds or `stopping()` says to give up; null then. */
async function persist<T>(fn: () => Promise<T>, stopping: () => boolean): Promise<T | null> {
  while (!stopping()) {
    try {
      return await fn();
    } catch {
      await sleep(1_000);
    }
  }
  return null;
}

export function startSender(url: string, sql: Sql, tenant: Tenant): Sender {
  const campaigns: string[] = [];
  let finishing = false;
  let giveUpAt = Infinity;
  const stopping = () => Date.now() > giveUpAt;
  const done = (async () => {
    while (!finishing) {
      const id = await persist(() => createCampaign(url, tenant, `soak ${campaigns.length + 1}`), stopping);
      if (!id) return;
      campaigns.push(id);
      // An answer lost after the send went through leaves the campaign out of `draft`: then it is not sent again.
      const send = async () => {
        try {
          await trpc(url, tenant.cookie, 'campaigns.send', { id }, 'mutation');
        } catch (err) {
          const [row] = await sql<{ status: string }[]>`select status from campaigns where id = ${id}`;
          if (row?.status === 'draft') throw err;
        }
      };
      await persist(send, stopping);
      while (!stopping()) {
        const status = await sql<{ status: string }[]>`select status from campaigns where id = ${id}`.then((r) => r[0]?.status, () => null);
        if (status === 'sent') break;
        await sleep(1_000);
      }
    }
  })();
  return {
    campaigns: () => [...campaigns],
    finish: async (deadlineMs) => {
      finishing = true;
      giveUpAt = Date.now() + deadlineMs;
      await done;
    },
  };
}
