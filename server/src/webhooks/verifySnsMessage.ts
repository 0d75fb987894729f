import type { KeyObject } from 'node:crypto';
import type { SnsEnvelope } from './snsEnvelope.js';
import type { CertificateSource } from './snsCertificates.js';
import { isTrustedCertUrl, parseTopicArn } from './snsCertUrl.js';
import type { RefusalReason } from './refusals.js';
import { hasValidSnsSignature } from './snsSignature.js';

/** SNS signs when it sends; an older message is refused as a possible replay (SNS's retries end within an hour). */
export const MAX_MESSAGE_AGE_MS = 60 * 60 * 1000;
/** Clocks differ a little; a message from further in the future than this is not believed. */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export type Verdict =
  | { ok: true; topic: { region: string; accountId: string } }
  /** 4xx: the message is not genuine, or not for Herald. 503: the certificate could not be had right now (SNS retries). */
  | { ok: false; status: 400 | 403 | 503; reason: string; refusal: RefusalReason | null };

export type VerifyDeps = { certificates: CertificateSource; allow: readonly string[]; now: () => Date };

/**
 * Everything that must hold before Herald writes anything for an SNS
 * message: a topic ARN it can read, a fresh timestamp, a certificate URL on
 * the topic region's SNS host (or allow-listed), and a signature by that
 * certificate over exactly the fields SNS signs. Cheap checks come first so
 * a forged message costs no outbound request.
 */
export async function verifySnsMessage(deps: VerifyDeps, message: SnsEnvelope): Promise<Verdict> {
  const topic = parseTopicArn(message.TopicArn);
  if (!topic) return { ok: false, status: 400, reason: 'TopicArn is not an SNS topic ARN', refusal: 'malformed' };
  if (message.SignatureVersion !== '1' && message.SignatureVersion !== '2') {
    return { ok: false, status: 403, reason: 'SignatureVersion must be 1 or 2', refusal: 'bad-signature' };
  }
  const age = deps.now().getTime() - Date.parse(message.Timestamp);
  if (age > MAX_MESSAGE_AGE_MS) return { ok: false, status: 403, reason: 'message is older than one hour', refusal: 'stale-timestamp' };
  if (age < -MAX_CLOCK_SKEW_MS) return { ok: false, status: 403, reason: 'message timestamp is in the future', refusal: 'stale-timestamp' };
  if (!isTrustedCertUrl(message.SigningCertURL, message.TopicArn, deps.allow)) {
    return { ok: false, status: 403, reason: "SigningCertURL is not Amazon SNS's certificate host for the topic's region", refusal: 'untrusted-certificate-url' };
  }
  let key: KeyObject;
  try {
    key = await deps.certificates.get(message.SigningCertURL);
  } catch (err) {
    // A trusted host that answers with something else than a certificate (a redirect, an error page)
    // is refused; a host that cannot be reached at all may be back when SNS retries.
    const unreachable = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError' || err.message === 'fetch failed');
    return unreachable
      ? { ok: false, status: 503, reason: 'signing certificate could not be fetched', refusal: null }
      : { ok: false, status: 403, reason: 'SigningCertURL did not serve a certificate', refusal: 'untrusted-certificate-url' };
  }
  if (!hasValidSnsSignature(message, key)) return { ok: false, status: 403, reason: 'signature does not match', refusal: 'bad-signature' };
  return { ok: true, topic };
}
