import { listIdentities, senderIsVerified, type SesIdentity } from '../../ses/account.js';
import type { SendingChannel } from '../../sending/sendingChannel.js';

/** Long enough that a burst of sends asks SES once, short enough that a newly verified sender works within a minute. */
const TTL_MS = 60_000;

/**
 * The account's identities per channel client, kept briefly: listing them
 * takes two SES calls, which at thousands of emails a second would cost more
 * than the sends. Keyed by the process's shared SES client (Deps.sesClients
 * hands out one per credentials), so different keys never share an entry and
 * the cache goes away with the client.
 */
const cache = new WeakMap<object, { at: number; identities: Promise<SesIdentity[]> }>();

export async function isVerifiedSender(channel: SendingChannel, address: string, now = Date.now()): Promise<boolean> {
  const client = channel.client();
  let entry = cache.get(client);
  if (!entry || now - entry.at > TTL_MS) {
    entry = { at: now, identities: listIdentities(client, channel.region) };
    cache.set(client, entry);
    // A failed listing is not kept: the next email asks again.
    entry.identities.catch(() => cache.delete(client));
  }
  if (senderIsVerified(address, await entry.identities)) return true;
  // Just verified in SES? One fresh look before refusing.
  if (now - entry.at > 5_000) {
    cache.delete(client);
    return isVerifiedSender(channel, address, now);
  }
  return false;
}
