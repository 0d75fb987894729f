/**
 * An error answered in the AWS Query shape. The SDK turns `code` into the thrown error's `name`
 * (a modeled class such as `MessageRejected` when SES models it, else a plain service exception),
 * `message` into its message and `status` into `$metadata.httpStatusCode`.
 */
export class AwsQueryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'AwsQueryError';
  }

  /** AWS says `Sender` for the caller's fault and `Receiver` for its own. */
  get type(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

// Messages are AWS's own wording, so code that classifies errors by message (the two kinds of
// Throttling) behaves here as it will against SES.

export const missingAuthenticationToken = () =>
  new AwsQueryError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);

export const incompleteSignature = (detail: string) => new AwsQueryError('IncompleteSignature', detail, 400);

export const invalidClientTokenId = () =>
  new AwsQueryError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);

export const signatureDoesNotMatch = () =>
  new AwsQueryError(
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    403,
  );

/**
 * IAM names the resource when the action has one (SNS topics); SES's account-wide actions end at the action.
 * SNS reports the denial under its own code, AuthorizationError.
 */
export const accessDenied = (userArn: string, iamAction: string, resource?: string, code = 'AccessDenied') =>
  new AwsQueryError(
    code,
    `User: ${userArn} is not authorized to perform: ${iamAction}${resource === undefined ? '' : ` on resource: ${resource}`}`,
    403,
  );

export const invalidAction = (action: string) =>
  new AwsQueryError('InvalidAction', `The action ${action} is not valid for this web service.`, 400);

export const throttling = (message: string) => new AwsQueryError('Throttling', message, 400);

export const maxSendRateExceeded = () => throttling('Maximum sending rate exceeded.');

export const dailyQuotaExceeded = () => throttling('Daily message quota exceeded.');

export const internalFailure = () =>
  new AwsQueryError(
    'InternalFailure',
    'The request processing has failed because of an unknown error, exception or failure.',
    500,
  );

export const serviceUnavailable = () =>
  new AwsQueryError('ServiceUnavailable', 'Service is unable to handle request.', 503);

export const invalidParameterValue = (message: string) => new AwsQueryError('InvalidParameterValue', message, 400);

export const missingParameter = (name: string) =>
  new AwsQueryError('MissingParameter', `The request must contain the parameter ${name}.`, 400);

export const messageRejected = (message: string) => new AwsQueryError('MessageRejected', message, 400);

/** SES lists every identity that failed, and names the region in upper case. */
export const notVerified = (region: string, identities: string[]) =>
  messageRejected(
    `Email address is not verified. The following identities failed the check in region ${region.toUpperCase()}: ${identities.join(', ')}`,
  );

export const accountSendingPaused = () =>
  new AwsQueryError('AccountSendingPausedException', 'Sending is paused for this account.', 400);

// SNS's own codes (NotFound is a 404 there, InvalidParameter its 400 for bad input).

export const snsNotFound = (message: string) => new AwsQueryError('NotFound', message, 404);

export const snsInvalidParameter = (detail: string) => new AwsQueryError('InvalidParameter', `Invalid parameter: ${detail}`, 400);

// SES configuration sets and identities.

export const configurationSetAlreadyExists = (name: string) =>
  new AwsQueryError('ConfigurationSetAlreadyExists', `Configuration set <${name}> already exists.`, 400);

export const configurationSetDoesNotExist = (name: string) =>
  new AwsQueryError('ConfigurationSetDoesNotExist', `Configuration set <${name}> does not exist.`, 400);

export const eventDestinationAlreadyExists = (name: string, set: string) =>
  new AwsQueryError('EventDestinationAlreadyExists', `Event destination ${name} already exists in configuration set ${set}.`, 400);

export const eventDestinationDoesNotExist = (name: string, set: string) =>
  new AwsQueryError('EventDestinationDoesNotExist', `No EventDestination found for ${name} in configuration set ${set}.`, 400);

export const invalidSnsDestination = (topicArn: string) =>
  new AwsQueryError('InvalidSNSDestination', `SNS topic <${topicArn}> not found.`, 400);

export const limitExceeded = (message: string) => new AwsQueryError('LimitExceeded', message, 400);
