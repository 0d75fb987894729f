import { createPrivateKey, createSign, randomUUID, type KeyObject } from 'node:crypto';
import { canonicalSnsString, type SignedSnsFields } from '../webhooks/snsSignature.js';

/**
 * Builds Amazon SNS HTTP(S) deliveries signed the way SNS signs them, for
 * the simulator, tests and benchmarks. Herald verifies them like real ones:
 * it trusts `certUrl` only when it is under an SNS_CERT_URL_ALLOW prefix.
 */
export type SnsSigner = {
  /** Where the signing certificate is served (becomes SigningCertURL). */
  certUrl: string;
  /** The private key of that certificate (PEM). */
  keyPem: string;
  /** '1' = SHA1withRSA, '2' = SHA256withRSA (default). */
  signatureVersion?: '1' | '2';
};

/** The JSON body SNS posts (all values strings, as SNS sends them). */
export type SnsEnvelope = SignedSnsFields & {
  SigningCertURL: string;
  UnsubscribeURL?: string;
};

type Common = { topicArn: string; messageId?: string; timestamp?: Date };

export function signedNotification(signer: SnsSigner, input: Common & { message: string | object; subject?: string }): SnsEnvelope {
  return sign(signer, {
    Type: 'Notification',
    MessageId: input.messageId ?? randomUUID(),
    TopicArn: input.topicArn,
    ...(input.subject === undefined ? {} : { Subject: input.subject }),
    Message: typeof input.message === 'string' ? input.message : JSON.stringify(input.message),
    Timestamp: (input.timestamp ?? new Date()).toISOString(),
    UnsubscribeURL: `${new URL(signer.certUrl).origin}/?Action=Unsubscribe&SubscriptionArn=${input.topicArn}:${randomUUID()}`,
  });
}

export function signedSubscriptionConfirmation(
  signer: SnsSigner,
  input: Common & { subscribeUrl: string; token: string; type?: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation' },
): SnsEnvelope {
  return sign(signer, {
    Type: input.type ?? 'SubscriptionConfirmation',
    MessageId: input.messageId ?? randomUUID(),
    TopicArn: input.topicArn,
    Token: input.token,
    Message: `You have chosen to subscribe to the topic ${input.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: input.subscribeUrl,
    Timestamp: (input.timestamp ?? new Date()).toISOString(),
  });
}

/**
 * Parsed keys by PEM: signing with the PEM text parses it on every call, which took two thirds of
 * each signature (0.85 against 0.27 ms with RSA-2048) and most of a busy simulator's CPU. A handful of
 * keys at most (one per simulator, one in tests), so the map stays tiny.
 */
const parsedKeys = new Map<string, KeyObject>();
function privateKeyOf(pem: string): KeyObject {
  let key = parsedKeys.get(pem);
  if (!key) parsedKeys.set(pem, (key = createPrivateKey(pem)));
  return key;
}

function sign(signer: SnsSigner, fields: Omit<SnsEnvelope, 'SignatureVersion' | 'Signature' | 'SigningCertURL'>): SnsEnvelope {
  const version = signer.signatureVersion ?? '2';
  const unsigned = { ...fields, SignatureVersion: version, Signature: '', SigningCertURL: signer.certUrl };
  const canonical = canonicalSnsString(unsigned);
  if (canonical === null) throw new Error(`cannot sign an SNS message of type ${fields.Type}`);
  const signature = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256').update(canonical, 'utf8').sign(privateKeyOf(signer.keyPem), 'base64');
  return { ...unsigned, Signature: signature };
}
