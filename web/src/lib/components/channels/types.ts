import type { RouterOutputs } from '$lib/trpc';

export type EmailChannel = RouterOutputs['channels']['email']['get'];
export type ConnectResult = RouterOutputs['channels']['email']['connect'];
export type KeyCheck = RouterOutputs['channels']['email']['checkKeys'];
export type Identity = KeyCheck['identities'][number];
export type IdentityStatus = Identity['status'];

/** Where the last "Connect to SES" on this page stands; null when none was tried. */
export type Attempt = { state: 'connecting' } | { state: 'failed'; message: string };
/** Whether SES events reach Herald, from one set of current facts (channels.email.health). */
export type EmailHealth = RouterOutputs['channels']['email']['health'];
export type EventSetupResult = RouterOutputs['channels']['email']['setupEvents'];
export type TestBatch = RouterOutputs['channels']['email']['testEmails'];
export type TestSend = TestBatch['sends'][number];
/** An identity of the account with its DKIM state and, for a domain, the DNS records to publish. */
export type SenderIdentity = RouterOutputs['channels']['email']['identities']['list']['identities'][number];
export type DnsRecord = SenderIdentity['records'][number];

/** The identities of a kind whose verification succeeded, as addresses or domains. */
export const verifiedOf = (identities: Identity[] | null, type: Identity['type']): string[] =>
	(identities ?? []).filter((i) => i.type === type && i.status === 'Success').map((i) => i.identity);

/** What the hint under a sender field can depend on (VerifiedSenderPicker). */
export type SenderChoice = { listed: boolean; emails: string[]; domains: string[] };
