/**
 * Why the webhook refused an SNS delivery, as the health panel groups them.
 * A delivery that could not be stored or confirmed right now (5xx, SNS
 * retries) is no refusal.
 */
export const REFUSAL_REASONS = ['bad-signature', 'untrusted-certificate-url', 'unknown-account', 'stale-timestamp', 'malformed'] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export const REFUSAL_LABELS: Record<RefusalReason, string> = {
  'bad-signature': 'Bad signature',
  'untrusted-certificate-url': 'Untrusted certificate or SubscribeURL',
  'unknown-account': 'Unknown AWS account',
  'stale-timestamp': 'Stale or future timestamp',
  malformed: 'Malformed message',
};
