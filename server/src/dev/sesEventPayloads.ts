import { randomUUID } from 'node:crypto';
import { domainOf } from './identities.js';
import type { SimMessage } from './simulatorState.js';

/**
 * The JSON SES puts in an SNS notification's `Message`, in the two formats Herald must read
 * (AWS: "Contents of event data that Amazon SES publishes to Amazon SNS" and "Amazon SNS
 * notification contents for Amazon SES"; examples in shared/research/stack-facts.md):
 * configuration-set event publishing (`eventType`, with tags) for a send that names a
 * configuration set, identity notifications (`notificationType`, no tags) otherwise.
 */

/** One event and what it is about; recipients are the message's own addresses it concerns. */
export type SesEventDetail =
  | { kind: 'Send' }
  | { kind: 'Delivery'; recipients: string[] }
  | { kind: 'Bounce'; subType: 'General' | 'OnAccountSuppressionList'; recipients: string[] }
  | { kind: 'Complaint'; recipients: string[] }
  | { kind: 'Open' }
  | { kind: 'Click'; link: string; linkTags: Record<string, string[]> };

export type SesEventKind = SesEventDetail['kind'];

/** Only these exist as identity notifications; the rest needs a configuration set. */
export const IDENTITY_NOTIFICATION_KINDS: ReadonlySet<SesEventKind> = new Set(['Delivery', 'Bounce', 'Complaint']);

/** Facts about the sender that are not on the message itself. */
export interface SenderFacts {
  /** The verified identity that authorised the send (the address or its domain): `mail.sourceArn`. */
  identity: string;
  /** The IAM user that called SES: `ses:caller-identity`. */
  callerIdentity: string;
  /** Where the SES call came from: `ses:source-ip`. */
  sourceIp: string;
}

// Documentation addresses and SES-like host names: plausible, never someone's real machine.
const OPENER_IP = '192.0.2.1';
const REMOTE_MTA_IP = '192.0.2.25';
const USER_AGENT = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';
const SUPPRESSED =
  'Amazon SES did not send the message to this address because it is on the suppression list for your account. ' +
  'For more information about removing addresses from the suppression list, see the Amazon SES Developer Guide at ' +
  'https://docs.aws.amazon.com/ses/latest/dg/sending-email-suppression-list.html';

/** The SNS `Message` for one event, at time `at`. */
export function sesEventPayload(message: SimMessage, sender: SenderFacts, detail: SesEventDetail, at: Date): Record<string, unknown> {
  const publishing = message.configurationSetName !== null;
  if (!publishing && !IDENTITY_NOTIFICATION_KINDS.has(detail.kind)) {
    throw new Error(`SES sends no ${detail.kind} identity notification`);
  }
  const [key, body] = eventBody(message, detail, at, publishing);
  return publishing
    ? { eventType: detail.kind, mail: mailObject(message, sender, true), [key]: body }
    : { notificationType: detail.kind, [key]: body, mail: mailObject(message, sender, false) };
}

function eventBody(message: SimMessage, detail: SesEventDetail, at: Date, publishing: boolean): [string, Record<string, unknown>] {
  const timestamp = at.toISOString();
  const mta = `e226-55.smtp-out.${message.region}.amazonses.com`;
  switch (detail.kind) {
    case 'Send':
      return ['send', {}];
    case 'Delivery':
      return [
        'delivery',
        {
          timestamp,
          processingTimeMillis: Math.max(0, at.getTime() - Date.parse(message.acceptedAt)),
          recipients: detail.recipients,
          smtpResponse: '250 2.6.0 Message received',
          reportingMTA: mta,
          remoteMtaIp: REMOTE_MTA_IP,
        },
      ];
    case 'Bounce': {
      const suppressed = detail.subType === 'OnAccountSuppressionList';
      return [
        'bounce',
        {
          bounceType: 'Permanent',
          bounceSubType: detail.subType,
          bouncedRecipients: detail.recipients.map((emailAddress) => ({
            emailAddress,
            action: 'failed',
            status: '5.1.1',
            diagnosticCode: suppressed ? SUPPRESSED : 'smtp; 550 5.1.1 user unknown',
          })),
          timestamp,
          feedbackId: feedbackId(at),
          reportingMTA: suppressed ? 'dns; amazonses.com' : `dsn; ${mta}`,
          // Only the identity-notification example carries it, and only a real remote MTA has one.
          ...(!publishing && !suppressed ? { remoteMtaIp: REMOTE_MTA_IP } : {}),
        },
      ];
    }
    case 'Complaint':
      return [
        'complaint',
        {
          complainedRecipients: detail.recipients.map((emailAddress) => ({ emailAddress })),
          timestamp,
          feedbackId: feedbackId(at),
          userAgent: 'Amazon SES Mailbox Simulator',
          complaintFeedbackType: 'abuse',
          arrivalDate: timestamp,
        },
      ];
    case 'Open':
      return ['open', { ipAddress: OPENER_IP, timestamp, userAgent: USER_AGENT }];
    case 'Click':
      return ['click', { ipAddress: OPENER_IP, link: detail.link, linkTags: detail.linkTags, timestamp, userAgent: USER_AGENT }];
  }
}

/** `mail`: the same in every event of a message; identity notifications have no tags but say who sent. */
function mailObject(message: SimMessage, sender: SenderFacts, publishing: boolean): Record<string, unknown> {
  const sourceArn = `arn:aws:ses:${message.region}:${message.accountId}:identity/${sender.identity}`;
  const common = {
    headersTruncated: false,
    headers: message.headers.map((h) => ({ ...h })),
    commonHeaders: commonHeaders(message),
  };
  if (!publishing) {
    return {
      timestamp: message.acceptedAt,
      source: message.source,
      sourceArn,
      sourceIp: sender.sourceIp,
      callerIdentity: sender.callerIdentity,
      sendingAccountId: message.accountId,
      messageId: message.messageId,
      destination: [...message.destinations],
      ...common,
    };
  }
  const tags: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(message.tags)) tags[name] = [value];
  tags['ses:configuration-set'] = [message.configurationSetName ?? ''];
  tags['ses:source-ip'] = [sender.sourceIp];
  tags['ses:from-domain'] = [domainOf(message.source)];
  tags['ses:caller-identity'] = [sender.callerIdentity];
  return {
    timestamp: message.acceptedAt,
    source: message.source,
    sourceArn,
    sendingAccountId: message.accountId,
    messageId: message.messageId,
    destination: [...message.destinations],
    ...common,
    tags,
  };
}

/** SES's `commonHeaders`: address headers as lists, the rest as strings; absent headers are left out. */
function commonHeaders(message: SimMessage): Record<string, unknown> {
  const header = (name: string) => message.headers.find((h) => h.name.toLowerCase() === name)?.value;
  const out: Record<string, unknown> = {};
  for (const [name, key] of [['from', 'from'], ['reply-to', 'replyTo'], ['to', 'to'], ['cc', 'cc'], ['bcc', 'bcc']] as const) {
    const value = header(name);
    if (value !== undefined) out[key] = splitAddressList(value);
  }
  const date = header('date');
  if (date !== undefined) out.date = date;
  // SES keeps a Message-ID the sender set, and otherwise shows its own id.
  out.messageId = header('message-id') ?? message.messageId;
  if (message.subject !== null) out.subject = message.subject;
  return out;
}

/** `a@x, "Doe, Jane" <j@y>` → two entries; commas inside quotes or angle brackets do not split. */
function splitAddressList(value: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  let angle = false;
  for (const char of value) {
    if (char === '"') quoted = !quoted;
    else if (char === '<' && !quoted) angle = true;
    else if (char === '>' && !quoted) angle = false;
    if (char === ',' && !quoted && !angle) {
      out.push(current.trim());
      current = '';
    } else current += char;
  }
  out.push(current.trim());
  return out.filter(Boolean);
}

/** Like SES's: `0100` + 12 hex digits of time + a UUID + `-000000`. */
function feedbackId(at: Date): string {
  return `0100${at.getTime().toString(16).padStart(12, '0')}-${randomUUID()}-000000`;
}
