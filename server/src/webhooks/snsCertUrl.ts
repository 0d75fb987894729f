/**
 * Which SigningCertURLs (and SubscribeURLs) Herald may fetch for an SNS
 * message: only Amazon SNS's own host in the region of the message's topic,
 * or an allow-listed prefix (SNS_CERT_URL_ALLOW, simulators and tests).
 *
 * Why so strict: a signature only proves that whoever holds the certificate
 * signed the message. Trusting any *.amazonaws.com host let attackers host a
 * certificate in an S3 bucket; suffix or substring matches let look-alike
 * hosts (`sns.us-east-1.amazonaws.com.evil.test`) through; and fetching an
 * arbitrary URL from a webhook body is a server-side request forgery.
 */

/** `arn:aws:sns:<region>:<account>:<topic>` (also aws-cn / aws-us-gov partitions). */
const TOPIC_ARN = /^arn:aws(?:-cn|-us-gov)?:sns:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):[\w-]{1,256}$/;

export type TopicArn = { region: string; accountId: string };

export function parseTopicArn(arn: string): TopicArn | null {
  const match = TOPIC_ARN.exec(arn);
  return match ? { region: match[1] as string, accountId: match[2] as string } : null;
}

/** SNS's own host for a region: `sns.<region>.amazonaws.com`, `.com.cn` in China. */
export function snsHost(region: string): string {
  return `sns.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

/** A URL under one of the allow-listed prefixes, compared after parsing so `..` or userinfo tricks do not pass. */
function allowListed(url: URL, allow: readonly string[]): boolean {
  return allow.some((prefix) => {
    let base: URL;
    try {
      base = new URL(prefix);
    } catch {
      return false;
    }
    return url.origin === base.origin && !url.username && !url.password && url.pathname.startsWith(base.pathname);
  });
}

/**
 * True when the signing certificate may be fetched from `raw` for a message
 * of `topicArn`: https, no userinfo, no port, the SNS host of the topic's
 * region exactly, and a path `/SimpleNotificationService-<hex>.pem`.
 */
export function isTrustedCertUrl(raw: string, topicArn: string, allow: readonly string[] = []): boolean {
  const url = safeUrl(raw);
  if (!url) return false;
  if (allowListed(url, allow)) return true;
  const topic = parseTopicArn(topicArn);
  return (
    topic !== null &&
    url.protocol === 'https:' &&
    !url.username &&
    !url.password &&
    url.port === '' &&
    url.hostname === snsHost(topic.region) &&
    /^\/SimpleNotificationService-[0-9a-f]+\.pem$/.test(url.pathname) &&
    url.search === '' &&
    url.hash === ''
  );
}

/** True when a SubscribeURL may be visited to confirm a subscription to `topicArn` (same host rules, the ConfirmSubscription action). */
export function isTrustedSubscribeUrl(raw: string, topicArn: string, allow: readonly string[] = []): boolean {
  const url = safeUrl(raw);
  if (!url) return false;
  if (allowListed(url, allow)) return true;
  const topic = parseTopicArn(topicArn);
  return (
    topic !== null &&
    url.protocol === 'https:' &&
    !url.username &&
    !url.password &&
    url.port === '' &&
    url.hostname === snsHost(topic.region) &&
    url.pathname === '/' &&
    url.searchParams.get('Action') === 'ConfirmSubscription' &&
    url.searchParams.get('TopicArn') === topicArn
  );
}

function safeUrl(raw: string): URL | null {
  if (raw.length > 2048) return null;
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}
