import type { RouterOutputs } from '$lib/trpc';

export type EmailChannel = RouterOutputs['channels']['email']['get'];
export type ConnectResult = RouterOutputs['channels']['email']['connect'];
export type KeyCheck = RouterOutputs['channels']['email']['checkKeys'];
export type Identity = KeyCheck['identities'][number];
export type IdentityStatus = Identity['status'];

/** Where the last "Connect to SES" on this page stands; null when none was tried. */
export type Attempt = { state: 'connecting' } | { state: 'failed'; message: string };
export type EventDelivery = RouterOutputs['channels']['email']['events'];
