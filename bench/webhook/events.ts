/**
 * The SES events of a run, signed as SNS notifications beforehand (event
 * publishing format, like server/test/fixtures/ses-events): per 100 messages
 * 99 Delivery, 1 Bounce (Permanent), 1 Complaint, 40 Open, 15 Click: 1.56
 * events per message. They go in the order SES would publish them:
 * deliveries and bounces, then opens and complaints, then clicks.
 */
import { randomUUID } from 'node:crypto';
import { heraldMail, type Tenant } from '../event-tenant.js';
import { fixture } from '../sns.js';
import type { SignItem } from '../sign-job.js';
import type { Message } from './campaign.js';

export type EventType = 'Delivery' | 'Bounce' | 'Complaint' | 'Open' | 'Click';
export const EVENTS_PER_MESSAGE = 1.56;
const templates = Object.fromEntries(
  (['delivery', 'bounce', 'complaint', 'open', 'click'] as const).map((name) => [name, fixture(`ses-events/${name}.json`)]),
) as Record<'delivery' | 'bounce' | 'complaint' | 'open' | 'click', string>;

/** Per 100 messages: #0 bounces, #1 is delivered and complained about, 2–41 are opened, 2–16 also clicked. */
function eventsOf(i: number): EventType[][] {
  const k = i % 100;
  const first: EventType[] = [k === 0 ? 'Bounce' : 'Delivery'];
  const second: EventType[] = [...(k === 1 ? ['Complaint' as const] : []), ...(k >= 2 && k <= 41 ? ['Open' as const] : [])];
  const third: EventType[] = k >= 2 && k <= 16 ? ['Click'] : [];
  return [first, second, third];
}

export function expectations(messages: Message[]) {
  const statuses: Record<string, number> = {};
  let opens = 0;
  let clicks = 0;
  for (const m of messages) {
    const types = eventsOf(m.i).flat();
    const status = types.includes('Complaint') ? 'complained' : types.includes('Bounce') ? 'bounced' : types.includes('Click') ? 'clicked' : types.includes('Open') ? 'opened' : 'delivered';
    statuses[status] = (statuses[status] ?? 0) + 1;
    opens += types.filter((t) => t === 'Open').length;
    clicks += types.filter((t) => t === 'Click').length;
  }
  return { statuses, opens, clicks, suppressed: (statuses.bounced ?? 0) + (statuses.complained ?? 0) };
}

export type EventsContext = { tenant: Tenant; campaignId: string; topicArn: string; sentAt: string };

/** One SES event as SES publishes it through a configuration set, about message `m`. */
export function sesEvent(ctx: EventsContext, m: Message, type: EventType, at: Date, sendingAccountId = ctx.tenant.accountId): string {
  const name = type.toLowerCase() as keyof typeof templates;
  const event = JSON.parse(templates[name]) as Record<string, Record<string, unknown>>;
  const mail = event.mail!;
  Object.assign(mail, heraldMail({ accountId: sendingAccountId, tenantId: ctx.tenant.tenantId, campaignId: ctx.campaignId, messageId: m.id, sesId: m.sesId, to: m.to, sentAt: ctx.sentAt }));
  const detail = event[name]!;
  detail.timestamp = at.toISOString();
  if (type === 'Delivery') detail.recipients = [m.to];
  if (type === 'Bounce') detail.bouncedRecipients = [{ ...(detail.bouncedRecipients as object[])[0], emailAddress: m.to }];
  if (type === 'Complaint') detail.complainedRecipients = [{ emailAddress: m.to }];
  if (type === 'Click') detail.link = 'https://sender.test/autumn';
  return JSON.stringify(event);
}

/** The notifications of a run, in publishing order, and the wrong-account ones for the "verified, refused" baseline. */
export function plan(ctx: EventsContext, messages: Message[], baselineRequests: number): { events: SignItem[]; types: Record<string, number>; refused: SignItem[] } {
  const now = Date.now();
  const waves: SignItem[][] = [[], [], []];
  const types: Record<string, number> = {};
  for (const m of messages) {
    eventsOf(m.i).forEach((wave, w) => {
      for (const type of wave) {
        waves[w]!.push({ topicArn: ctx.topicArn, messageId: randomUUID(), message: sesEvent(ctx, m, type, new Date(now - (3 - w) * 30_000)) });
        types[type] = (types[type] ?? 0) + 1;
      }
    });
  }
  const refused = messages
    .slice(0, baselineRequests)
    .map((m) => ({ topicArn: ctx.topicArn, messageId: randomUUID(), message: sesEvent(ctx, m, 'Delivery', new Date(now), '999999999999') }));
  return { events: waves.flat(), types, refused };
}
