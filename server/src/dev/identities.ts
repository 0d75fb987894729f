import type { SimIdentity, VerificationStatus } from './accounts.js';
import { invalidParameterValue } from './awsErrors.js';

/**
 * The SES mailbox simulator (`success@`, `bounce@`, `bounce+label@`, …): a valid recipient even from
 * the sandbox; it counts against the send rate but not the daily quota (SES developer guide).
 */
export const MAILBOX_SIMULATOR_DOMAIN = 'simulator.amazonses.com';

/** The bare address of `addr@x`, `Name <addr@x>` or `"Name, Inc." <addr@x>`. */
export function bareAddress(text: string): string {
  const angle = /<([^<>]*)>\s*$/.exec(text);
  const address = (angle?.[1] ?? text).trim();
  // SES's own wording for an address it cannot parse.
  if (!/^[^@\s]+@[^@\s]+$/.test(address)) throw invalidParameterValue(`Missing final '@domain'`);
  return address;
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

export function isIdentityDomain(identity: string): boolean {
  return !identity.includes('@');
}

/** An account's identities as they stand now (preset and API-added, see identityStore.ts). */
export type KnownIdentities = readonly SimIdentity[];

export function statusOf(known: KnownIdentities, identity: string): VerificationStatus | undefined {
  const wanted = identity.toLowerCase();
  return known.find((i) => i.identity.toLowerCase() === wanted)?.status;
}

/**
 * An address may be used when it is verified itself, or when its domain or a parent domain is
 * (SES lets a verified domain send from any address of it and of its subdomains).
 */
export function isVerifiedAddress(known: KnownIdentities, address: string): boolean {
  return verifiedIdentityFor(known, address) !== undefined;
}

/** The verified identity that lets `address` send (itself, or the nearest verified parent domain): SES's `sourceArn`. */
export function verifiedIdentityFor(known: KnownIdentities, address: string): string | undefined {
  if (statusOf(known, address) === 'Success') return address;
  const labels = domainOf(address).split('.');
  for (let i = 0; i < labels.length - 1; i += 1) {
    const domain = labels.slice(i).join('.');
    if (statusOf(known, domain) === 'Success') return domain;
  }
  return undefined;
}

export function isMailboxSimulator(address: string): boolean {
  return domainOf(address) === MAILBOX_SIMULATOR_DOMAIN;
}
