import { createVerify, type KeyObject } from 'node:crypto';

/** The envelope fields that take part in an SNS signature (all strings, as SNS sends them). */
export type SignedSnsFields = {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  Subject?: string | undefined;
  SubscribeURL?: string | undefined;
  Token?: string | undefined;
  SignatureVersion: string;
  Signature: string;
};

/**
 * The string SNS signs, per message type (AWS: "Verifying the signatures of
 * Amazon SNS messages"): each field name and value on its own line, in
 * this order, a field left out when absent (only Subject may be).
 */
const SIGNED_FIELDS: Record<string, (keyof SignedSnsFields)[]> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

/** Null for a type SNS does not sign (such a message is never trusted). */
export function canonicalSnsString(message: SignedSnsFields): string | null {
  const fields = SIGNED_FIELDS[message.Type];
  if (!fields) return null;
  let out = '';
  for (const field of fields) {
    const value = message[field];
    if (value === undefined) {
      if (field === 'Subject') continue;
      return null;
    }
    out += `${field}\n${value}\n`;
  }
  return out;
}

/** SignatureVersion 1 is RSA with SHA-1, 2 is RSA with SHA-256; anything else is refused. */
const ALGORITHMS: Record<string, string> = { '1': 'RSA-SHA1', '2': 'RSA-SHA256' };

/** True only when the certificate (a PEM or its public key, fetched from a trusted URL) signed exactly these fields. */
export function hasValidSnsSignature(message: SignedSnsFields, certificate: string | KeyObject): boolean {
  const algorithm = ALGORITHMS[message.SignatureVersion];
  const canonical = canonicalSnsString(message);
  if (!algorithm || canonical === null) return false;
  try {
    return createVerify(algorithm).update(canonical, 'utf8').verify(certificate, message.Signature, 'base64');
  } catch {
    return false; // a certificate or signature that does not even parse
  }
}
