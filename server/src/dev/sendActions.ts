import { type AddressObject, type EmailAddress, simpleParser } from 'mailparser';
import type { ActionHandler } from './actionContext.js';
import { invalidParameterValue, missingParameter } from './awsErrors.js';
import { bareAddress } from './identities.js';
import { el } from './queryXml.js';
import { acceptSend } from './sending.js';

/** SendEmail: SES builds the MIME itself, so the recorded headers are the ones it would write. */
export const sendEmail: ActionHandler = (ctx) => {
  const { params } = ctx;
  const sourceText = params.get('Source');
  if (!sourceText) throw missingParameter('Source');
  const to = params.members('Destination.ToAddresses');
  const cc = params.members('Destination.CcAddresses');
  const bcc = params.members('Destination.BccAddresses');
  const replyTo = params.members('ReplyToAddresses');
  const subject = params.get('Message.Subject.Data') ?? null;
  const returnPath = params.get('ReturnPath');

  const headers = [
    { name: 'From', value: sourceText },
    ...(replyTo.length > 0 ? [{ name: 'Reply-To', value: replyTo.join(', ') }] : []),
    ...(to.length > 0 ? [{ name: 'To', value: to.join(', ') }] : []),
    ...(cc.length > 0 ? [{ name: 'Cc', value: cc.join(', ') }] : []),
    ...(subject !== null ? [{ name: 'Subject', value: subject }] : []),
    { name: 'MIME-Version', value: '1.0' },
  ];
  const message = acceptSend(ctx, {
    action: 'SendEmail',
    source: bareAddress(sourceText),
    destinations: [...to, ...cc, ...bcc].map(bareAddress),
    alsoVerify: returnPath ? [bareAddress(returnPath)] : [],
    configurationSetName: params.get('ConfigurationSetName') ?? null,
    tags: params.tags(),
    headers,
    subject,
    html: params.get('Message.Body.Html.Data') ?? null,
    text: params.get('Message.Body.Text.Data') ?? null,
  });
  return [el('MessageId', message.messageId)];
};

/**
 * SendRawEmail: the sender is Source or else the From header, the recipients Destinations or
 * else the To/Cc/Bcc headers, with SES's messages when neither is there.
 */
export const sendRawEmail: ActionHandler = async (ctx) => {
  const { params } = ctx;
  const data = params.get('RawMessage.Data');
  if (!data) throw missingParameter('RawMessage.Data');
  const parsed = await simpleParser(Buffer.from(data, 'base64'));

  const source = params.get('Source') ?? parsed.from?.value[0]?.address;
  if (!source) throw invalidParameterValue("Missing required header 'From'.");
  const given = params.members('Destinations');
  const destinations = given.length > 0 ? given : [parsed.to, parsed.cc, parsed.bcc].flatMap(addressesOf);

  const message = acceptSend(ctx, {
    action: 'SendRawEmail',
    source: bareAddress(source),
    destinations: destinations.map(bareAddress),
    alsoVerify: [],
    configurationSetName: params.get('ConfigurationSetName') ?? null,
    tags: params.tags(),
    headers: parsed.headerLines.map(({ line }) => {
      const colon = line.indexOf(':');
      // Unfold continuation lines (RFC 5322 §2.2.3) so values read as one line.
      return { name: line.slice(0, colon).trim(), value: line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim() };
    }),
    subject: parsed.subject ?? null,
    html: typeof parsed.html === 'string' ? parsed.html : null,
    text: parsed.text ?? null,
  });
  return [el('MessageId', message.messageId)];
};

function addressesOf(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  const flatten = (list: EmailAddress[]): string[] =>
    list.flatMap((a) => (a.group ? flatten(a.group) : a.address ? [a.address] : []));
  return objects.flatMap((o) => flatten(o.value));
}
