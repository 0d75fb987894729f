import { AppError } from '../../errors.js';
import { listIdentities, type IdentityStatus } from '../../ses/account.js';
import { deleteIdentity, identityDetails, verifyDomain, verifyEmailIdentity } from '../../ses/identities.js';
import type { Deps } from '../../deps.js';
import { domainDnsRecords, type DnsRecord } from './dnsRecords.js';
import { requireConnectedChannel } from './emailChannel.js';

export type SenderIdentity = {
  identity: string;
  type: 'email' | 'domain';
  status: IdentityStatus;
  dkim: { enabled: boolean; status: string } | null;
  /** Herald asked SES to verify it, so Herald may remove it. */
  addedByHerald: boolean;
  /** For a domain: the DNS records to publish. */
  records: DnsRecord[];
};

export type AddIdentityInput = { email: string } | { domain: string };

async function addedByHerald(deps: Deps, tenantId: string, region: string): Promise<Set<string>> {
  const rows = await deps.sql<{ identity: string }[]>`select lower(identity) as identity from sender_identities where tenant_id = ${tenantId} and region = ${region}`;
  return new Set(rows.map((r) => r.identity));
}

/** Every identity of the account in the channel's region, with status, DKIM and (for domains) the DNS records. */
export async function listSenderIdentities(deps: Deps, tenantId: string): Promise<{ region: string; identities: SenderIdentity[] }> {
  const channel = await requireConnectedChannel(deps, tenantId);
  const ses = deps.sesClients.get(channel.options);
  const names = (await listIdentities(ses, channel.region)).map((i) => i.identity);
  const [details, ours] = await Promise.all([identityDetails(ses, channel.region, names), addedByHerald(deps, tenantId, channel.region)]);
  const identities = names.map((identity): SenderIdentity => {
    const d = details.get(identity);
    const type = identity.includes('@') ? 'email' : 'domain';
    return {
      identity,
      type,
      status: d?.status ?? 'NotStarted',
      dkim: d?.dkim ? { enabled: d.dkim.enabled, status: d.dkim.status } : null,
      addedByHerald: ours.has(identity.toLowerCase()),
      records: type === 'domain' ? domainDnsRecords(identity, d?.verificationToken ?? null, d?.dkim?.tokens ?? []) : [],
    };
  });
  return { region: channel.region, identities };
}

/** Asks SES to verify an address (AWS mails it a link) or a domain (DNS records); adding one twice changes nothing. */
export async function addSenderIdentity(deps: Deps, tenantId: string, input: AddIdentityInput): Promise<SenderIdentity> {
  const channel = await requireConnectedChannel(deps, tenantId);
  const ses = deps.sesClients.get(channel.options);
  const identity = ('email' in input ? input.email : input.domain).toLowerCase();
  if ('email' in input) await verifyEmailIdentity(ses, channel.region, identity);
  else await verifyDomain(ses, channel.region, identity);
  await deps.sql`
    insert into sender_identities (tenant_id, identity, region) values (${tenantId}, ${identity}, ${channel.region})
    on conflict (tenant_id, region, lower(identity)) do nothing`;
  deps.logger.info({ tenantId, identity, region: channel.region }, 'sender identity added');
  const details = (await identityDetails(ses, channel.region, [identity])).get(identity);
  const type = 'email' in input ? 'email' : 'domain';
  return {
    identity,
    type,
    status: details?.status ?? 'Pending',
    dkim: details?.dkim ? { enabled: details.dkim.enabled, status: details.dkim.status } : null,
    addedByHerald: true,
    records: type === 'domain' ? domainDnsRecords(identity, details?.verificationToken ?? null, details?.dkim?.tokens ?? []) : [],
  };
}

/** Removes an identity from SES, only one Herald added: others may be in use elsewhere, and are the console's to remove. */
export async function removeSenderIdentity(deps: Deps, tenantId: string, identity: string): Promise<{ removed: true }> {
  const channel = await requireConnectedChannel(deps, tenantId);
  const ours = await addedByHerald(deps, tenantId, channel.region);
  if (!ours.has(identity.toLowerCase())) {
    throw new AppError('FORBIDDEN', `Herald did not add ${identity}, so it does not remove it: it may be in use outside Herald. Remove it in the Amazon SES console if you are sure.`);
  }
  await deleteIdentity(deps.sesClients.get(channel.options), channel.region, identity);
  await deps.sql`delete from sender_identities where tenant_id = ${tenantId} and region = ${channel.region} and lower(identity) = ${identity.toLowerCase()}`;
  deps.logger.info({ tenantId, identity, region: channel.region }, 'sender identity removed');
  return { removed: true };
}
