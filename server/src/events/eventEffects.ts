import type { SesEvent } from './sesEvent.js';
import { occurredAt } from './sesEvent.js';

/**
 * What one SES event means for the messages it names, as milestones. Every
 * effect is merged by taking the earliest time of each milestone, the
 * strongest bounce type, the sum of opens and clicks and all clicked links:
 * all commutative and (with each SNS message stored once) free of order, so
 * events may arrive in any order and the message ends in one state.
 */
export type Effect = {
  /** Any event proves SES accepted the message: this is what resolves an `unknown` send. */
  sentAt: string;
  deliveredAt: string | null;
  openedAt: string | null;
  clickedAt: string | null;
  bouncedAt: string | null;
  bounceType: BounceType | null;
  complainedAt: string | null;
  rejectedAt: string | null;
  opens: number;
  clicks: number;
  /** The link of each click (one entry per Click event), for the campaign's per-link counts. */
  links: string[];
  /** Suppress the named recipients' addresses for the tenant, and mark their contacts. */
  suppress: 'bounce' | 'complaint' | null;
  contactStatus: 'unsubscribed' | 'bounced' | 'complained' | null;
};

export type BounceType = 'Permanent' | 'Transient' | 'Undetermined';
/** A later permanent bounce is stronger news than a transient one; bounce_type keeps the strongest. */
export const BOUNCE_RANK: Record<BounceType, number> = { Undetermined: 1, Transient: 2, Permanent: 3 };

export function effectOf(event: SesEvent): Effect {
  const at = occurredAt(event);
  const effect: Effect = {
    sentAt: event.mail.timestamp,
    deliveredAt: null,
    openedAt: null,
    clickedAt: null,
    bouncedAt: null,
    bounceType: null,
    complainedAt: null,
    rejectedAt: null,
    opens: 0,
    clicks: 0,
    links: [],
    suppress: null,
    contactStatus: null,
  };
  switch (event.type) {
    case 'Delivery':
      return { ...effect, deliveredAt: at };
    // An open or a click means the email arrived, whether or not its Delivery event has.
    case 'Open':
      return { ...effect, deliveredAt: at, openedAt: at, opens: 1 };
    case 'Click':
      return { ...effect, deliveredAt: at, clickedAt: at, clicks: 1, links: event.click?.link ? [capUrl(event.click.link)] : [] };
    case 'Bounce': {
      const bounceType = event.bounce?.bounceType ?? 'Undetermined';
      // Only a permanent bounce suppresses: a transient one (mailbox full, …) may succeed next time.
      const permanent = bounceType === 'Permanent';
      return { ...effect, bouncedAt: at, bounceType, suppress: permanent ? 'bounce' : null, contactStatus: permanent ? 'bounced' : null };
    }
    case 'Complaint':
      return { ...effect, complainedAt: at, suppress: 'complaint', contactStatus: 'complained' };
    case 'Reject':
    case 'Rendering Failure':
      return { ...effect, rejectedAt: at };
    case 'Subscription':
      return { ...effect, contactStatus: event.subscription?.newTopicPreferences?.unsubscribeAll ? 'unsubscribed' : null };
    case 'Send':
    case 'DeliveryDelay':
      return effect;
  }
}

/** Longer links (tracking parameters gone wild) are kept as their first 2,048 characters. */
export const MAX_LINK_LENGTH = 2048;

/** Cut at the limit without splitting a surrogate pair: a lone surrogate is not valid JSON text for Postgres. */
function capUrl(url: string): string {
  if (url.length <= MAX_LINK_LENGTH) return url;
  const cut = /[\uD800-\uDBFF]/.test(url.charAt(MAX_LINK_LENGTH - 1)) ? MAX_LINK_LENGTH - 1 : MAX_LINK_LENGTH;
  return url.slice(0, cut);
}

const earliest = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : Date.parse(a) <= Date.parse(b) ? a : b);

/** Two effects on one message as one; commutative and associative. */
export function mergeEffects(a: Effect, b: Effect): Effect {
  const strongerBounce = (a.bounceType ? BOUNCE_RANK[a.bounceType] : 0) >= (b.bounceType ? BOUNCE_RANK[b.bounceType] : 0) ? a.bounceType : b.bounceType;
  return {
    sentAt: earliest(a.sentAt, b.sentAt) as string,
    deliveredAt: earliest(a.deliveredAt, b.deliveredAt),
    openedAt: earliest(a.openedAt, b.openedAt),
    clickedAt: earliest(a.clickedAt, b.clickedAt),
    bouncedAt: earliest(a.bouncedAt, b.bouncedAt),
    bounceType: strongerBounce,
    complainedAt: earliest(a.complainedAt, b.complainedAt),
    rejectedAt: earliest(a.rejectedAt, b.rejectedAt),
    opens: a.opens + b.opens,
    clicks: a.clicks + b.clicks,
    links: [...a.links, ...b.links],
    suppress: a.suppress === 'complaint' || b.suppress === 'complaint' ? 'complaint' : (a.suppress ?? b.suppress),
    contactStatus: strongerContactStatus(a.contactStatus, b.contactStatus),
  };
}

/** A contact only ever moves up: subscribed < unsubscribed < bounced < complained. */
export const CONTACT_RANK = { subscribed: 0, unsubscribed: 1, bounced: 2, complained: 3 } as const;

function strongerContactStatus(a: Effect['contactStatus'], b: Effect['contactStatus']): Effect['contactStatus'] {
  if (a === null) return b;
  if (b === null) return a;
  return CONTACT_RANK[a] >= CONTACT_RANK[b] ? a : b;
}
