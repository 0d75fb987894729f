import { describe, expect, it } from 'vitest';
import { isTrustedCertUrl, isTrustedSubscribeUrl, parseTopicArn, snsHost } from './snsCertUrl.js';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:herald-events';
const GOOD = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem';

describe('parseTopicArn', () => {
  it('reads region and account', () => {
    expect(parseTopicArn(TOPIC)).toEqual({ region: 'us-east-1', accountId: '111122223333' });
    expect(parseTopicArn('arn:aws-cn:sns:cn-north-1:111122223333:t')).toEqual({ region: 'cn-north-1', accountId: '111122223333' });
  });
  it.each(['', 'arn:aws:sqs:us-east-1:111122223333:q', 'arn:aws:sns:us-east-1:1111:t', 'arn:aws:sns:us-east-1:111122223333:t/../x'])('refuses %j', (arn) => {
    expect(parseTopicArn(arn)).toBeNull();
  });
  it('names the SNS host of a region', () => {
    expect(snsHost('eu-west-1')).toBe('sns.eu-west-1.amazonaws.com');
    expect(snsHost('cn-north-1')).toBe('sns.cn-north-1.amazonaws.com.cn');
  });
});

describe('isTrustedCertUrl', () => {
  it('accepts the SNS certificate of the topic’s region', () => {
    expect(isTrustedCertUrl(GOOD, TOPIC)).toBe(true);
  });

  it.each([
    ['http instead of https', GOOD.replace('https:', 'http:')],
    ['an S3 bucket', 'https://s3.amazonaws.com/evil-bucket/SimpleNotificationService-abc.pem'],
    ['a look-alike host', 'https://sns.us-east-1.amazonaws.com.evil.test/SimpleNotificationService-abc.pem'],
    ['a host that only ends the same', 'https://evilsns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem'],
    ['userinfo', 'https://sns.us-east-1.amazonaws.com@evil.test/SimpleNotificationService-abc.pem'],
    ['userinfo on the real host', 'https://user:pw@sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem'],
    ['a port', 'https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-abc.pem'],
    ['another region than the topic', 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem'],
    ['a path that is not a .pem', 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.txt'],
    ['another file on the host', 'https://sns.us-east-1.amazonaws.com/other.pem'],
    ['a query string', `${GOOD}?redirect=https://evil.test`],
    ['the metadata service', 'http://169.254.169.254/latest/meta-data/'],
    ['not a URL', 'sns.us-east-1.amazonaws.com/x.pem'],
  ])('refuses %s', (_what, url) => {
    expect(isTrustedCertUrl(url, TOPIC)).toBe(false);
  });

  it('refuses everything for a malformed topic', () => {
    expect(isTrustedCertUrl(GOOD, 'arn:aws:sns:us-east-1:bad:topic')).toBe(false);
  });

  it('trusts allow-listed prefixes (simulators, tests) by origin and path, nothing around them', () => {
    const allow = ['http://127.0.0.1:4579/_simulator/certs/'];
    expect(isTrustedCertUrl('http://127.0.0.1:4579/_simulator/certs/sim.pem', TOPIC, allow)).toBe(true);
    expect(isTrustedCertUrl('http://127.0.0.1:4579/other/sim.pem', TOPIC, allow)).toBe(false);
    expect(isTrustedCertUrl('http://127.0.0.1:4580/_simulator/certs/sim.pem', TOPIC, allow)).toBe(false);
    expect(isTrustedCertUrl('http://x@127.0.0.1:4579/_simulator/certs/sim.pem', TOPIC, allow)).toBe(false);
    expect(isTrustedCertUrl('http://127.0.0.1:4579/_simulator/certs/sim.pem', TOPIC, ['not a url'])).toBe(false);
  });
});

describe('isTrustedSubscribeUrl', () => {
  const confirm = `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(TOPIC)}&Token=2336412f37`;
  it('accepts ConfirmSubscription for this topic on the SNS host of its region', () => {
    expect(isTrustedSubscribeUrl(confirm, TOPIC)).toBe(true);
  });
  it.each([
    ['another host', confirm.replace('sns.us-east-1.amazonaws.com', 'evil.test')],
    ['another region', confirm.replace('us-east-1.amazonaws', 'eu-west-1.amazonaws')],
    ['another action', confirm.replace('ConfirmSubscription', 'Unsubscribe')],
    ['another topic', confirm.replace('herald-events', 'other-topic')],
    ['http', confirm.replace('https:', 'http:')],
    ['the metadata service', 'http://169.254.169.254/latest/meta-data/iam/'],
  ])('refuses %s', (_what, url) => {
    expect(isTrustedSubscribeUrl(url, TOPIC)).toBe(false);
  });
});
