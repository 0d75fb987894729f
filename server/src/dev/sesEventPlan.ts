import { isMailboxSimulator } from './identities.js';
import { IDENTITY_NOTIFICATION_KINDS, type SesEventDetail } from './sesEventPayloads.js';
import type { SimEventsOptions } from './simEventsOptions.js';
import type { SimMessage } from './simulatorState.js';

/** One event to post, `atMs` after the message was accepted. */
export interface PlannedEvent {
  atMs: number;
  detail: SesEventDetail;
}

type PlanOptions = Pick<
  SimEventsOptions,
  'deliveryDelayMs' | 'openDelayMs' | 'clickDelayMs' | 'openProbability' | 'clickProbability' | 'random'
>;

/** What the SES mailbox simulator does with each address (the `+label` part is ignored, as SES does). */
type Outcome = 'delivered' | 'bounce' | 'complaint' | 'suppressed' | 'reader';

function outcomeOf(address: string): Outcome {
  if (!isMailboxSimulator(address)) return 'reader';
  const local = address.slice(0, address.lastIndexOf('@')).split('+')[0]?.toLowerCase();
  if (local === 'bounce') return 'bounce';
  if (local === 'complaint') return 'complaint';
  if (local === 'suppressionlist') return 'suppressed';
  // success@, ooto@ (the auto-reply goes to the sender, SES reports a Delivery) and anything else.
  return 'delivered';
}

/**
 * The events SES would publish for a message, in time order: Send at once; one Delivery naming
 * every delivered recipient and one Bounce per kind of bounce, after the delivery delay; a
 * Complaint some time after delivery; then, per ordinary recipient, an Open and a Click by chance.
 * Without a configuration set only identity notifications remain (Delivery, Bounce, Complaint).
 */
export function planSesEvents(message: SimMessage, options: PlanOptions): PlannedEvent[] {
  const between = ([min, max]: [number, number]) => min + Math.floor(options.random() * (max - min + 1));
  const byOutcome = (wanted: Outcome[]) => message.destinations.filter((d) => wanted.includes(outcomeOf(d)));
  const plan: PlannedEvent[] = [{ atMs: 0, detail: { kind: 'Send' } }];

  const deliveredAt = between(options.deliveryDelayMs);
  const delivered = byOutcome(['delivered', 'complaint', 'reader']);
  if (delivered.length > 0) plan.push({ atMs: deliveredAt, detail: { kind: 'Delivery', recipients: delivered } });
  const bounced = byOutcome(['bounce']);
  if (bounced.length > 0) plan.push({ atMs: deliveredAt, detail: { kind: 'Bounce', subType: 'General', recipients: bounced } });
  const suppressed = byOutcome(['suppressed']);
  if (suppressed.length > 0) {
    plan.push({ atMs: deliveredAt, detail: { kind: 'Bounce', subType: 'OnAccountSuppressionList', recipients: suppressed } });
  }
  const complained = byOutcome(['complaint']);
  if (complained.length > 0) {
    plan.push({ atMs: deliveredAt + between(options.deliveryDelayMs), detail: { kind: 'Complaint', recipients: complained } });
  }

  const link = firstLink(message.html);
  for (const _reader of byOutcome(['reader'])) {
    if (!(options.random() < options.openProbability)) continue;
    const openedAt = deliveredAt + between(options.openDelayMs);
    plan.push({ atMs: openedAt, detail: { kind: 'Open' } });
    if (options.random() < options.clickProbability) {
      plan.push({ atMs: openedAt + between(options.clickDelayMs), detail: { kind: 'Click', ...link } });
    }
  }

  const ordered = plan.sort((a, b) => a.atMs - b.atMs); // stable: Send, Delivery, Bounce keep their order on ties
  return message.configurationSetName === null ? ordered.filter((e) => IDENTITY_NOTIFICATION_KINDS.has(e.detail.kind)) : ordered;
}

/**
 * SNS promises no order: each event moves to an independent random time within the span the
 * ordered plan covers (at least the delivery window), so a Delivery may arrive before its Send.
 */
export function reorderPlan(plan: PlannedEvent[], options: Pick<SimEventsOptions, 'deliveryDelayMs' | 'random'>): PlannedEvent[] {
  const windowMs = Math.max(options.deliveryDelayMs[1], ...plan.map((e) => e.atMs));
  return plan.map((e) => ({ ...e, atMs: Math.floor(options.random() * (windowMs + 1)) })).sort((a, b) => a.atMs - b.atMs);
}

/** The first link of the HTML, with its `ses:tags="k:v;…"` (SES's link tags); a stand-in without HTML. */
function firstLink(html: string | null): { link: string; linkTags: Record<string, string[]> } {
  const anchor = html ? /<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')[^>]*>/i.exec(html) : null;
  const href = anchor?.[1] ?? anchor?.[2];
  if (!anchor || !href) return { link: 'https://example.com/', linkTags: {} };
  const linkTags: Record<string, string[]> = {};
  const tags = /\bses:tags\s*=\s*"([^"]*)"/i.exec(anchor[0])?.[1] ?? '';
  for (const pair of tags.split(';')) {
    const [name, value] = pair.split(':').map((s) => s.trim());
    if (name && value !== undefined) linkTags[name] = [value];
  }
  return { link: href.replace(/&amp;/g, '&'), linkTags };
}
