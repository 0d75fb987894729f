import { z } from 'zod';
import { TAG_EMAIL, TAG_MESSAGE, TAG_TEST } from '../ses/messageTags.js';

/**
 * The SES event inside an SNS notification's `Message`, in both formats SES
 * publishes: configuration-set event publishing (`eventType`, with message
 * tags) and identity notifications (`notificationType`: Bounce, Complaint,
 * Delivery only, no tags). Objects are loose: SES adds fields over time.
 * Every event may name the recipients it is about; an event that names none
 * (Send, Open, Click, Reject, …) is about the whole message.
 */
const timestamp = z.iso.datetime({ offset: true });
const address = z.string().min(1).max(320);
const recipientList = z.array(z.looseObject({ emailAddress: address })).max(100);

const mail = z.looseObject({
  messageId: z.string().min(1).max(256),
  sendingAccountId: z.string().regex(/^\d{12}$/, 'mail.sendingAccountId must be a 12-digit AWS account id'),
  timestamp,
  destination: z.array(address).max(100).optional(),
  /** Event publishing only: each message tag as `{ name: [value] }`. */
  tags: z.record(z.string(), z.array(z.string())).optional(),
});

export const SES_EVENT_TYPES = ['Send', 'Delivery', 'Bounce', 'Complaint', 'Reject', 'Open', 'Click', 'Rendering Failure', 'DeliveryDelay', 'Subscription'] as const;
export type SesEventType = (typeof SES_EVENT_TYPES)[number];

const details = {
  delivery: z.looseObject({ timestamp, recipients: z.array(address).max(100) }),
  bounce: z.looseObject({
    bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
    bounceSubType: z.string().max(64),
    bouncedRecipients: recipientList,
    timestamp,
  }),
  complaint: z.looseObject({ complainedRecipients: recipientList, timestamp }),
  open: z.looseObject({ timestamp }),
  // No length cap here: refusing the event would lose the click (SNS does not retry a 4xx), and the
  // notification is bounded by SNS's 256 KB anyway; the effect keeps the first 2,048 characters.
  click: z.looseObject({ timestamp, link: z.string().optional() }),
  reject: z.looseObject({ reason: z.string().max(1024).optional() }),
  failure: z.looseObject({ errorMessage: z.string().max(4096).optional() }),
  deliveryDelay: z.looseObject({ timestamp, delayedRecipients: recipientList }),
  subscription: z.looseObject({ timestamp: timestamp.optional(), newTopicPreferences: z.looseObject({ unsubscribeAll: z.boolean().optional() }).optional() }),
};

const sesEventSchema = z.looseObject({
  eventType: z.enum(SES_EVENT_TYPES).optional(),
  notificationType: z.enum(['Bounce', 'Complaint', 'Delivery']).optional(),
  mail,
  delivery: details.delivery.optional(),
  bounce: details.bounce.optional(),
  complaint: details.complaint.optional(),
  open: details.open.optional(),
  click: details.click.optional(),
  reject: details.reject.optional(),
  failure: details.failure.optional(),
  deliveryDelay: details.deliveryDelay.optional(),
  subscription: details.subscription.optional(),
});

/** The detail object each type must carry (SES's field name for it). */
const DETAIL_OF: Record<SesEventType, keyof typeof details | null> = {
  Send: null,
  Delivery: 'delivery',
  Bounce: 'bounce',
  Complaint: 'complaint',
  Reject: 'reject',
  Open: 'open',
  Click: 'click',
  'Rendering Failure': 'failure',
  DeliveryDelay: 'deliveryDelay',
  Subscription: 'subscription',
};

export type SesEvent = z.infer<typeof sesEventSchema> & { type: SesEventType };

export type ParsedSesEvent = { ok: true; event: SesEvent } | { ok: false; error: string };

/** Validates an SES event (already JSON-parsed) and tells its type. */
export function parseSesEvent(raw: unknown): ParsedSesEvent {
  const parsed = sesEventSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `SES event: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}` };
  }
  const type = parsed.data.eventType ?? parsed.data.notificationType;
  if (!type) return { ok: false, error: 'SES event: neither eventType nor notificationType is set' };
  const detail = DETAIL_OF[type];
  if (detail && !parsed.data[detail]) return { ok: false, error: `SES event: a ${type} event needs its "${detail}" object` };
  return { ok: true, event: { ...parsed.data, type } };
}

/** When it happened: the type's own timestamp, else when SES accepted the message. */
export function occurredAt(event: SesEvent): string {
  const detail = DETAIL_OF[event.type];
  const own = detail ? (event[detail] as { timestamp?: string } | undefined)?.timestamp : undefined;
  return own ?? event.mail.timestamp;
}

/** The recipients an event is about, lower-cased; null when it is about the whole message. */
export function namedRecipients(event: SesEvent): string[] | null {
  const lower = (list: string[]) => list.map((a) => a.toLowerCase());
  switch (event.type) {
    case 'Delivery':
      return lower(event.delivery?.recipients ?? []);
    case 'Bounce':
      return lower((event.bounce?.bouncedRecipients ?? []).map((r) => r.emailAddress));
    case 'Complaint':
      return lower((event.complaint?.complainedRecipients ?? []).map((r) => r.emailAddress));
    case 'DeliveryDelay':
      return lower((event.deliveryDelay?.delayedRecipients ?? []).map((r) => r.emailAddress));
    default:
      return null;
  }
}

/** Herald's message id from the SES tags, when the event carries a well-formed one. */
export function heraldMessageId(event: SesEvent): string | null {
  return uuidTag(event, TAG_MESSAGE);
}

/** The test_sends row a test email's event belongs to (its `herald_test` tag). */
export function heraldTestSendId(event: SesEvent): string | null {
  return uuidTag(event, TAG_TEST);
}

/** The transactional email an event belongs to (its `herald_email` tag). */
export function heraldEmailId(event: SesEvent): string | null {
  return uuidTag(event, TAG_EMAIL);
}

function uuidTag(event: SesEvent, name: string): string | null {
  const value = event.mail.tags?.[name]?.[0];
  return value && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value) ? value.toLowerCase() : null;
}
