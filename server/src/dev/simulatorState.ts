import type { SimAccount } from './accounts.js';
import { ConfigurationSets } from './configSets.js';
import { IdentityStore } from './identityStore.js';
import { SendLog } from './sendLog.js';
import { SnsTopics } from './snsTopics.js';

/** One message SES accepted: what tests count, and what a later step turns into SES events. */
export interface SimMessage {
  /** SES format: `0100` + 12 hex digits of the acceptance time, a UUID, `-000000`. */
  messageId: string;
  accountId: string;
  accessKeyId: string;
  /** The region the request was signed for. */
  region: string;
  action: 'SendEmail' | 'SendRawEmail';
  /** The envelope sender: the Source parameter, or the raw message's From address. */
  source: string;
  /** Every recipient SES delivers to (To, Cc and Bcc, or SendRawEmail's Destinations). */
  destinations: string[];
  configurationSetName: string | null;
  /** SES message tags (`Tags.member.N.Name/Value`). */
  tags: Record<string, string>;
  /** Message headers in order, original case, as SES's `mail.headers` carries them. */
  headers: { name: string; value: string }[];
  subject: string | null;
  html: string | null;
  text: string | null;
  /** ISO-8601. */
  acceptedAt: string;
}

/** An account as the control endpoints show it: never the secret. */
export type PublicSimAccount = Omit<SimAccount, 'secretAccessKey'>;

/** Everything one simulator instance knows; nothing is module-global. */
export class SimulatorState {
  private readonly accounts = new Map<string, SimAccount>();
  private readonly sendLogs = new Map<string, SendLog>();
  readonly messages: SimMessage[] = [];
  /**
   * Sends refused with `Maximum sending rate exceeded`, per account: the attempts that would have put
   * more than the account's rate into one second, which the accepted messages alone cannot show.
   */
  readonly rateRefusals = new Map<string, number>();
  /** What the SES and SNS APIs set up (identities, configuration sets, topics): kept across reset, like accounts. */
  readonly identities = new IdentityStore();
  readonly configSets = new ConfigurationSets();
  readonly topics = new SnsTopics();
  private readonly resetListeners: Array<() => void> = [];

  constructor(
    accounts: SimAccount[],
    /** Milliseconds since the epoch; injectable so rate tests need not race the wall clock. */
    readonly clock: () => number = Date.now,
  ) {
    for (const account of accounts) this.putAccount(account);
  }

  putAccount(account: SimAccount): void {
    this.accounts.set(account.accessKeyId, account);
  }

  findAccount(accessKeyId: string): SimAccount | undefined {
    return this.accounts.get(accessKeyId);
  }

  listAccounts(): PublicSimAccount[] {
    return [...this.accounts.values()].map(({ secretAccessKey: _secret, ...rest }) => rest);
  }

  /** SES quotas are per account and per region, whichever IAM user sends. */
  sendLog(accountId: string, region: string): SendLog {
    const key = `${accountId}/${region}`;
    let log = this.sendLogs.get(key);
    if (!log) {
      log = new SendLog();
      this.sendLogs.set(key, log);
    }
    return log;
  }

  messagesOf(accountId?: string): SimMessage[] {
    return accountId === undefined ? [...this.messages] : this.messages.filter((m) => m.accountId === accountId);
  }

  /** Forgets messages and quota counters (and, through listeners, scheduled SES events); accounts and API-made setup stay. */
  reset(): void {
    this.messages.length = 0;
    this.sendLogs.clear();
    this.rateRefusals.clear();
    for (const listener of this.resetListeners) listener();
  }

  /** Lets the event engine forget what it scheduled for messages that no longer exist. */
  onReset(listener: () => void): void {
    this.resetListeners.push(listener);
  }
}
