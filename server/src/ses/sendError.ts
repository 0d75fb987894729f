import { asSdkError } from './sdkError.js';

/**
 * What a failed SendRawEmail means for the message, and for the tenant.
 *
 * - throttled: SES's per-second rate was exceeded; try again shortly, no attempt spent.
 * - quota: the 24-hour quota is spent; no attempt spent, the tenant's sending waits.
 * - account: nothing this account sends can succeed (paused account, bad or
 *   revoked keys, missing permission, missing configuration set); the message
 *   is kept for later, the tenant's campaigns pause.
 * - transient: SES did not take the message (5xx, or the request never left);
 *   retried with backoff, a limited number of times.
 * - permanent: SES refused this message; retrying cannot help.
 * - unknown: the request may have reached SES and we never heard back; the
 *   message may have been sent, so it is never retried blindly.
 */
export type SendFailureKind = 'throttled' | 'quota' | 'account' | 'transient' | 'permanent' | 'unknown';
export type SendFailure = { kind: SendFailureKind; code: string; reason: string };

const ACCOUNT_CODES = new Set([
  'AccountSendingPausedException',
  'ConfigurationSetSendingPausedException',
  'ConfigurationSetDoesNotExistException',
  'ConfigurationSetDoesNotExist',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'AccessDeniedException',
  'ExpiredToken',
  'ExpiredTokenException',
  'MissingAuthenticationToken',
]);

const PERMANENT_CODES = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'MailFromDomainNotVerified',
  'InvalidParameterValue',
  'InvalidParameterCombination',
  'MissingParameter',
]);

/** Failures before any byte reached SES: DNS, refused or unreachable, or no connection within the connect timeout. */
const NEVER_LEFT_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);

export function classifySendError(raw: unknown): SendFailure {
  const err = asSdkError(raw);
  // Service errors carry $fault and name the AWS code; network errors carry Node's code (ECONNRESET…).
  const code = err.$fault ? err.name : (err.code ?? err.name) || 'Error';
  const status = err.$metadata?.httpStatusCode ?? 0;
  const said = (text: string) => `${text} (AWS error: ${code})`;

  // SES uses one code for both limits; only the message tells them apart.
  if (code === 'Throttling' || code === 'ThrottlingException') {
    return /daily message quota/i.test(err.message)
      ? { kind: 'quota', code, reason: said("Your SES account's 24-hour sending quota is used up.") }
      : { kind: 'throttled', code, reason: said('SES said the maximum sending rate was exceeded.') };
  }
  if (ACCOUNT_CODES.has(code)) return { kind: 'account', code, reason: said(accountReason(code, err.message)) };
  if (PERMANENT_CODES.has(code)) return { kind: 'permanent', code, reason: said(`SES rejected the message: ${err.message}`) };
  if (NEVER_LEFT_CODES.has(err.code ?? '') || (err.name === 'TimeoutError' && /did not establish a connection/.test(err.message))) {
    return { kind: 'transient', code: err.code ?? err.name, reason: `Herald could not reach Amazon SES (${err.code ?? err.name}).` };
  }
  // The request was (possibly) on the wire and no answer came: SES may have accepted it.
  if (err.name === 'TimeoutError' || err.code === 'ECONNRESET' || err.code === 'EPIPE' || /socket hang up/i.test(err.message)) {
    return { kind: 'unknown', code: err.code ?? err.name, reason: 'No answer from Amazon SES after the message was handed over; it may or may not have been sent.' };
  }
  if (status >= 500) return { kind: 'transient', code, reason: said(`Amazon SES had a problem answering (HTTP ${status}).`) };
  // SES names every error it answers with. A 4xx with no code in its body (the SDK then says `Unknown`) came
  // from the HTTP layer in front of the service (a request timed out or unreadable there, seen once in a soak
  // against the simulator's Node server): the message was not looked at, so failing it for good would be wrong.
  if (status >= 400 && code === 'Unknown') return { kind: 'transient', code, reason: `Amazon SES answered HTTP ${status} without saying why; the message was not taken.` };
  if (status >= 400) return { kind: 'permanent', code, reason: said(`SES refused the message: ${err.message}`) };
  return { kind: 'unknown', code, reason: `Sending failed unexpectedly after the message may have reached SES: ${err.message}` };
}

function accountReason(code: string, message: string): string {
  switch (code) {
    case 'AccountSendingPausedException':
      return 'Amazon SES has paused sending for your AWS account. Check the SES console (account dashboard) for the reason.';
    case 'ConfigurationSetSendingPausedException':
      return 'Sending is paused for the SES configuration set Herald uses. Resume it in the SES console.';
    case 'ConfigurationSetDoesNotExistException':
    case 'ConfigurationSetDoesNotExist':
      return 'The SES configuration set named in Settings → Channels does not exist. Fix the name or create the set.';
    case 'AccessDenied':
    case 'AccessDeniedException':
      return `The AWS keys are not allowed to send (ses:SendRawEmail): ${message}`;
    default:
      return 'AWS no longer accepts the stored keys. Connect Amazon SES again in Settings → Channels.';
  }
}
