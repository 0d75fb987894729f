/** SES v1's event types, as MatchingEventTypes names them. */
export const SES_EVENT_TYPES = [
  'send',
  'reject',
  'bounce',
  'complaint',
  'delivery',
  'open',
  'click',
  'renderingFailure',
  'deliveryDelay',
  'subscription',
] as const;
export type SesEventType = (typeof SES_EVENT_TYPES)[number];

/** An event destination; only SNS ones are simulated. */
export interface EventDestination {
  name: string;
  enabled: boolean;
  matchingEventTypes: SesEventType[];
  topicArn: string;
}

export interface ConfigurationSet {
  name: string;
  eventDestinations: EventDestination[];
}

/** Configuration sets made through the SES API, per account and region (as in SES); reset leaves them. */
export class ConfigurationSets {
  /** `accountId/region` → name → set, in creation order. */
  private readonly sets = new Map<string, Map<string, ConfigurationSet>>();

  find(accountId: string, region: string, name: string | null | undefined): ConfigurationSet | undefined {
    return name == null ? undefined : this.sets.get(`${accountId}/${region}`)?.get(name);
  }

  list(accountId: string, region: string): ConfigurationSet[] {
    return [...(this.sets.get(`${accountId}/${region}`)?.values() ?? [])];
  }

  /** The new set, or undefined when the name is taken. */
  create(accountId: string, region: string, name: string): ConfigurationSet | undefined {
    const key = `${accountId}/${region}`;
    let sets = this.sets.get(key);
    if (!sets) {
      sets = new Map();
      this.sets.set(key, sets);
    }
    if (sets.has(name)) return undefined;
    const set: ConfigurationSet = { name, eventDestinations: [] };
    sets.set(name, set);
    return set;
  }

  delete(accountId: string, region: string, name: string): boolean {
    return this.sets.get(`${accountId}/${region}`)?.delete(name) ?? false;
  }

  /** Every set with where it lives, for `GET /_simulator/configuration-sets`. */
  all(accountId?: string): (ConfigurationSet & { accountId: string; region: string })[] {
    return [...this.sets].flatMap(([key, sets]) => {
      const [owner = '', region = ''] = key.split('/');
      if (accountId !== undefined && owner !== accountId) return [];
      return [...sets.values()].map((set) => ({ accountId: owner, region, ...set }));
    });
  }
}
