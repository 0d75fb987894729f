import { SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import { sesTags, type MessageTags } from './messageTags.js';
import { checkDeparture, MissedDeparture, type Departure } from './departure.js';
import { classifySendError, type SendFailure } from './sendError.js';

export type RawEmail = {
  /** The whole MIME message (rendering/mime.ts). */
  raw: Buffer;
  /** Every address SES delivers to: To, Cc and Bcc alike (Bcc is in no header). */
  to: string | string[];
  /** The tenant's configuration set: without one SES publishes no events for the email. */
  configurationSetName: string | null;
  tags: MessageTags;
  /** A rate slot to leave within: past it the call rejects with MissedDeparture and nothing is sent. */
  departure?: Departure;
};

export type SendResult = { ok: true; providerMessageId: string } | { ok: false; failure: SendFailure };

/** One SendRawEmail call; resolves to SES's MessageId and throws the SDK's error. */
export async function sendRawEmail(ses: SESClient, email: RawEmail): Promise<string | undefined> {
  const command = new SendRawEmailCommand({
    RawMessage: { Data: email.raw },
    Destinations: Array.isArray(email.to) ? email.to : [email.to],
    ...(email.configurationSetName ? { ConfigurationSetName: email.configurationSetName } : {}),
    Tags: sesTags(email.tags),
  });
  const offTheWay = email.departure ? checkDeparture(ses, command, email.departure, email.raw.length) : null;
  try {
    const answer = await ses.send(command);
    return answer.MessageId;
  } finally {
    offTheWay?.();
  }
}

/**
 * The same call with SES's failure returned instead of thrown. A MissedDeparture is still thrown: the
 * request never left, so there is no outcome, and the caller takes a new slot (sending/sendTurn.ts).
 */
export async function settleSendRawEmail(ses: SESClient, email: RawEmail): Promise<{ ok: true; providerMessageId: string | undefined } | { ok: false; error: unknown }> {
  try {
    return { ok: true, providerMessageId: await sendRawEmail(ses, email) };
  } catch (err) {
    if (err instanceof MissedDeparture) throw err;
    return { ok: false, error: err };
  }
}

/** For the send pipeline: the failure classified (sendError.ts). */
export async function trySendRawEmail(ses: SESClient, email: RawEmail): Promise<SendResult> {
  const settled = await settleSendRawEmail(ses, email);
  if (!settled.ok) return { ok: false, failure: classifySendError(settled.error) };
  if (!settled.providerMessageId) return { ok: false, failure: { kind: 'unknown', code: 'NoMessageId', reason: 'SES answered without a MessageId.' } };
  return { ok: true, providerMessageId: settled.providerMessageId };
}
