import { AppError } from '../errors.js';
import { asSdkError, type SdkError } from './sdkError.js';

/** The IAM action behind each call Herald makes while connecting, to name a missing permission. */
export type AwsAction =
  | 'sts:GetCallerIdentity'
  | 'ses:GetSendQuota'
  | 'ses:ListIdentities'
  | 'ses:GetIdentityVerificationAttributes'
  | 'ses:SendRawEmail'
  | 'ses:CreateConfigurationSet'
  | 'ses:DescribeConfigurationSet'
  | 'ses:CreateConfigurationSetEventDestination'
  | 'ses:UpdateConfigurationSetEventDestination'
  | 'ses:VerifyEmailIdentity'
  | 'ses:VerifyDomainIdentity'
  | 'ses:VerifyDomainDkim'
  | 'ses:GetIdentityDkimAttributes'
  | 'ses:DeleteIdentity'
  | 'sns:CreateTopic'
  | 'sns:GetTopicAttributes'
  | 'sns:SetTopicAttributes'
  | 'sns:Subscribe'
  | 'sns:ListSubscriptionsByTopic';

/** Runs one AWS call and turns its failure into an AppError that names the call. */
export async function callAws<T>(action: AwsAction, region: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw explainAwsError(err, action, region);
  }
}

const NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

export function isNetworkError(err: SdkError): boolean {
  return NETWORK_CODES.has(err.code ?? '') || err.name === 'TimeoutError' || err.name === 'RequestTimeout' || /socket hang up|timed out|timeout/i.test(err.message);
}

/**
 * Explains an AWS failure in words a marketer can act on, always naming the
 * AWS error code so an engineer can look it up.
 */
export function explainAwsError(raw: unknown, action: AwsAction, region: string): AppError {
  const err = asSdkError(raw);
  const code = err.name || 'Error';
  const details = { awsErrorCode: code, action };
  switch (code) {
    case 'InvalidClientTokenId':
    case 'UnrecognizedClientException':
      return new AppError('BAD_REQUEST', `AWS does not recognise this Access Key ID. Check that you copied it whole and that the key is still active in IAM. (AWS error: ${code})`, details);
    case 'SignatureDoesNotMatch':
      return new AppError('BAD_REQUEST', `The Secret Access Key does not belong to this Access Key ID. Paste the secret again, exactly as IAM showed it. (AWS error: ${code})`, details);
    // AuthorizationError is SNS's word for an IAM denial.
    case 'AccessDenied':
    case 'AccessDeniedException':
    case 'AuthorizationError':
    case 'AuthorizationErrorException':
      return new AppError(
        'BAD_REQUEST',
        `These keys are valid, but their IAM user is not allowed to call ${action}. Add ${action} to the user's policy (the AWS setup guide, /help/aws-setup in Herald or docs/aws-setup.md, lists what each part of Herald needs) and try again. (AWS error: ${code})`,
        details,
      );
    case 'Throttling':
    case 'ThrottlingException':
      return new AppError('TOO_MANY_REQUESTS', `AWS is limiting how fast these keys can call ${action} right now. Wait a few seconds and try again. (AWS error: ${code})`, details);
    case 'ExpiredToken':
    case 'ExpiredTokenException':
      return new AppError('BAD_REQUEST', `These are temporary credentials that have expired. Use a long-term IAM access key instead. (AWS error: ${code})`, details);
  }
  if (isNetworkError(err)) {
    return new AppError('BAD_GATEWAY', `Herald could not reach Amazon SES in ${region}. Check your network, or try again in a minute. (${err.code ?? code})`, details);
  }
  if ((err.$metadata?.httpStatusCode ?? 0) >= 500 || err.$fault === 'server') {
    return new AppError('BAD_GATEWAY', `Amazon SES in ${region} had a problem answering. Try again in a minute. (AWS error: ${code})`, details);
  }
  return new AppError('BAD_REQUEST', `AWS refused ${action}: ${err.message} (AWS error: ${code})`, details);
}
