import { createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalSnsString, hasValidSnsSignature, type SignedSnsFields } from './snsSignature.js';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/sns/${name}`, import.meta.url), 'utf8');
const key = fixture('signing-key.pem');
const cert = fixture('signing-cert.pem');

function signed(fields: Omit<SignedSnsFields, 'Signature' | 'SignatureVersion'>, version: '1' | '2' = '2'): SignedSnsFields {
  const unsigned = { ...fields, SignatureVersion: version, Signature: '' };
  const canonical = canonicalSnsString(unsigned);
  if (canonical === null) throw new Error('unsigned type');
  return { ...unsigned, Signature: createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256').update(canonical).sign(key, 'base64') };
}

const notification = {
  Type: 'Notification',
  MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
  TopicArn: 'arn:aws:sns:us-east-1:111122223333:herald-events',
  Subject: 'Amazon SES Email Event Notification',
  Message: '{"eventType":"Delivery","mail":{"messageId":"0100abc"}}',
  Timestamp: '2026-11-28T01:00:00.000Z',
};

describe('canonicalSnsString', () => {
  it('lists the signed fields in AWS’s order, one name and value per line', () => {
    expect(canonicalSnsString({ ...notification, SignatureVersion: '2', Signature: '' })).toBe(
      'Message\n{"eventType":"Delivery","mail":{"messageId":"0100abc"}}\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n' +
        'Subject\nAmazon SES Email Event Notification\nTimestamp\n2026-11-28T01:00:00.000Z\n' +
        'TopicArn\narn:aws:sns:us-east-1:111122223333:herald-events\nType\nNotification\n',
    );
  });
  it('leaves out a missing Subject, refuses other missing fields and unknown types', () => {
    const { Subject: _s, ...noSubject } = notification;
    expect(canonicalSnsString({ ...noSubject, SignatureVersion: '2', Signature: '' })).not.toContain('Subject');
    expect(canonicalSnsString({ ...notification, Type: 'SubscriptionConfirmation', SignatureVersion: '2', Signature: '' })).toBeNull();
    expect(canonicalSnsString({ ...notification, Type: 'Surprise', SignatureVersion: '2', Signature: '' })).toBeNull();
  });
});

describe('hasValidSnsSignature', () => {
  it('accepts SignatureVersion 2 (SHA-256) and 1 (SHA-1) from the certificate’s key', () => {
    expect(hasValidSnsSignature(signed(notification, '2'), cert)).toBe(true);
    expect(hasValidSnsSignature(signed(notification, '1'), cert)).toBe(true);
  });

  it('accepts a signed SubscriptionConfirmation', () => {
    const confirmation = { ...notification, Type: 'SubscriptionConfirmation', SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription', Token: 'abc' };
    expect(hasValidSnsSignature(signed(confirmation), cert)).toBe(true);
  });

  it.each<[string, (m: SignedSnsFields) => SignedSnsFields]>([
    ['an altered message', (m) => ({ ...m, Message: m.Message.replace('Delivery', 'Bounce') })],
    ['another topic', (m) => ({ ...m, TopicArn: 'arn:aws:sns:us-east-1:999988887777:attacker' })],
    ['a version swapped after signing', (m) => ({ ...m, SignatureVersion: '1' })],
    ['an unknown version', (m) => ({ ...m, SignatureVersion: '3' })],
    ['no signature', (m) => ({ ...m, Signature: '' })],
    ['garbage signature', (m) => ({ ...m, Signature: '!!!not base64!!!' })],
  ])('refuses %s', (_what, tamper) => {
    expect(hasValidSnsSignature(tamper(signed(notification)), cert)).toBe(false);
  });

  it('refuses a certificate that is not one', () => {
    expect(hasValidSnsSignature(signed(notification), 'not a certificate')).toBe(false);
  });
});
