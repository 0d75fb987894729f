import { createHash } from 'node:crypto';
import type { SimAccount, SimIdentity } from './accounts.js';
import { limitExceeded } from './awsErrors.js';
import { isIdentityDomain, statusOf } from './identities.js';

/** SES allows 10,000 identities per account; a simulator needs far fewer, and a runaway test stops sooner. */
export const MAX_IDENTITIES = 1_000;

/** One identity added through the API; its status follows from the times, read against the clock. */
interface Requested {
  identity: string;
  requestedAt: number;
  dkimRequestedAt: number | null;
}

/** What the API changed in one account; the preset list in each key's config stays as given. */
interface AccountChanges {
  /** By lower-case name; an entry replaces a preset identity of the same name. */
  requested: Map<string, Requested>;
  /** Lower-case names of preset identities removed with DeleteIdentity. */
  deleted: Set<string>;
}

export interface DkimState {
  enabled: boolean;
  status: 'Pending' | 'Success' | 'NotStarted';
  tokens: string[];
}

const key = (identity: string) => identity.toLowerCase();

/**
 * Identities added, re-verified or deleted through the SES API, per account id: every IAM user
 * (access key) of an account sees the same ones, as in SES.
 */
export class IdentityStore {
  private readonly accounts = new Map<string, AccountChanges>();

  /** The account's identities now: the key's preset ones, minus deletions, plus API-added ones. */
  of(account: SimAccount, now: number): SimIdentity[] {
    const changes = this.accounts.get(account.accountId);
    if (!changes) return account.identities;
    const preset = account.identities.filter((i) => !changes.deleted.has(key(i.identity)) && !changes.requested.has(key(i.identity)));
    const added = [...changes.requested.values()].map(
      (r): SimIdentity => ({ identity: r.identity, status: isDue(account, r.requestedAt, now) ? 'Success' : 'Pending' }),
    );
    return [...preset, ...added];
  }

  /**
   * VerifyEmailIdentity / VerifyDomainIdentity: Pending now, Success once the account's delay has passed.
   * Idempotent: asking again neither restarts the wait nor touches an identity that is already verified.
   */
  verify(account: SimAccount, identity: string, now: number): void {
    const changes = this.changesOf(account.accountId);
    if (changes.requested.has(key(identity))) return;
    const known = this.of(account, now);
    if (statusOf(known, identity) === 'Success') return;
    if (known.length >= MAX_IDENTITIES) throw limitExceeded(`Maximum number of identities (${MAX_IDENTITIES}) exceeded.`);
    changes.deleted.delete(key(identity));
    changes.requested.set(key(identity), { identity, requestedAt: now, dkimRequestedAt: null });
  }

  /** VerifyDomainDkim: SES also verifies the domain through its DKIM records, so an unknown domain is added. */
  requestDkim(account: SimAccount, domain: string, now: number): string[] {
    this.verify(account, domain, now);
    const requested = this.changesOf(account.accountId).requested.get(key(domain));
    if (requested) requested.dkimRequestedAt ??= now;
    return dkimTokens(domain);
  }

  /** DeleteIdentity; an unknown identity is no error, as in SES. */
  remove(account: SimAccount, identity: string): void {
    const changes = this.changesOf(account.accountId);
    changes.requested.delete(key(identity));
    if (account.identities.some((i) => key(i.identity) === key(identity))) changes.deleted.add(key(identity));
  }

  /** GetIdentityDkimAttributes for one identity; undefined when the account does not have it. */
  dkimOf(account: SimAccount, identity: string, now: number): DkimState | undefined {
    const status = statusOf(this.of(account, now), identity);
    if (status === undefined) return undefined;
    const notStarted: DkimState = { enabled: false, status: 'NotStarted', tokens: [] };
    if (!isIdentityDomain(identity)) return notStarted;
    const requested = this.accounts.get(account.accountId)?.requested.get(key(identity));
    // A preset verified domain stands for one set up long ago, DKIM included.
    if (!requested) return status === 'Success' ? { enabled: true, status: 'Success', tokens: dkimTokens(identity) } : notStarted;
    if (requested.dkimRequestedAt === null) return notStarted;
    return { enabled: true, status: isDue(account, requested.dkimRequestedAt, now) ? 'Success' : 'Pending', tokens: dkimTokens(identity) };
  }

  private changesOf(accountId: string): AccountChanges {
    let changes = this.accounts.get(accountId);
    if (!changes) {
      changes = { requested: new Map(), deleted: new Set() };
      this.accounts.set(accountId, changes);
    }
    return changes;
  }
}

function isDue(account: SimAccount, since: number, now: number): boolean {
  return now - since >= account.identityVerificationDelayMs;
}

/** The TXT-record token SES asks a domain to publish; stable per domain. */
export function verificationToken(domain: string): string {
  return createHash('sha256').update(domain.toLowerCase()).digest('base64').slice(0, 44);
}

const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** The three CNAME tokens of Easy DKIM: 32 lower-case letters and digits each, stable per domain. */
export function dkimTokens(domain: string): string[] {
  return [1, 2, 3].map((n) =>
    [...createHash('sha256').update(`dkim:${n}:${domain.toLowerCase()}`).digest()].map((b) => TOKEN_ALPHABET[b % 36]).join(''),
  );
}
