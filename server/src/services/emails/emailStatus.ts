/** The message status model (DESIGN §4) plus the states before SES has the email. */
export type EmailStatus =
  | 'scheduled' | 'queued' | 'held' | 'sending' | 'sent' | 'delivered' | 'opened' | 'clicked'
  | 'bounced' | 'complained' | 'rejected' | 'failed' | 'unknown' | 'refused';

const PROGRESS = ['sent', 'delivered', 'opened', 'clicked'];
/** What matters most about an email with several recipients: a complaint, then a bounce, then a rejection. */
const OUTCOMES = ['complained', 'bounced', 'rejected', 'failed'];

/**
 * One status for a whole email. Before SES has it, where it stands on the
 * way (queued, held…); after, its recipients' statuses: the gravest outcome
 * any of them had, else the least progress all of them reached (an email to
 * two people is "delivered" once both got it). Suppressed recipients never
 * got it and do not count.
 */
export function deriveEmailStatus(sendStatus: string, recipientStatuses: string[]): EmailStatus {
  if (sendStatus !== 'sent') return sendStatus as EmailStatus;
  const live = recipientStatuses.filter((s) => s !== 'suppressed');
  for (const outcome of OUTCOMES) if (live.includes(outcome)) return outcome as EmailStatus;
  const ranks = live.map((s) => PROGRESS.indexOf(s)).filter((r) => r >= 0);
  return (ranks.length ? PROGRESS[Math.min(...ranks)] : 'sent') as EmailStatus;
}
