import type { Sql } from 'postgres';
import type { Deps } from '../../deps.js';
import { loadSendingChannel, type SendingChannel } from '../../sending/sendingChannel.js';

/** Short: a disconnect or new keys reach acceptance within seconds (the send step reads the channel itself). */
const TTL_MS = 5_000;

const caches = new WeakMap<Sql, Map<string, { at: number; channel: Promise<SendingChannel | null> }>>();

/**
 * The tenant's SES channel for accepting emails, read (a row and two
 * decryptions) at most every few seconds per process instead of for every
 * email. "Not connected" is not kept, so connecting takes effect at once.
 */
export function acceptingChannel(deps: Deps, tenantId: string, now = Date.now()): Promise<SendingChannel | null> {
  let cache = caches.get(deps.sql);
  if (!cache) caches.set(deps.sql, (cache = new Map()));
  const hit = cache.get(tenantId);
  if (hit && now - hit.at < TTL_MS) return hit.channel;
  const channel = loadSendingChannel(deps, tenantId);
  cache.set(tenantId, { at: now, channel });
  channel.then(
    (found) => found === null && cache.delete(tenantId),
    () => cache.delete(tenantId),
  );
  return channel;
}
