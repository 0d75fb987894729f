import { describe, expect, it } from 'vitest';
import { classifySendError } from './sendError.js';

/** Shapes as the AWS SDK throws them: service errors carry $fault and $metadata, network errors Node's code. */
const service = (name: string, message: string, status: number) =>
  Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
const network = (code: string, name = 'Error', message = `connect ${code}`) => Object.assign(new Error(message), { name, code });

describe('classifySendError', () => {
  it.each([
    [service('Throttling', 'Maximum sending rate exceeded.', 400), 'throttled'],
    [service('ThrottlingException', 'Daily message quota exceeded.', 400), 'quota'],
    [service('AccountSendingPausedException', 'Sending is paused for this account.', 400), 'account'],
    [service('InvalidClientTokenId', 'The security token included in the request is invalid.', 403), 'account'],
    [service('SignatureDoesNotMatch', 'signature', 403), 'account'],
    [service('AccessDenied', 'User: x is not authorized', 403), 'account'],
    [service('ConfigurationSetDoesNotExistException', 'no set', 400), 'account'],
    [service('MessageRejected', 'Email address is not verified.', 400), 'permanent'],
    [service('MailFromDomainNotVerifiedException', 'not verified', 400), 'permanent'],
    [service('InvalidParameterValue', 'Illegal address', 400), 'permanent'],
    [service('SomethingNew', 'a 4xx SES never documented', 400), 'permanent'],
    // A bare 400/408 (no error in the body), as the SDK reports it: from the HTTP layer, not from SES's checks.
    [service('Unknown', 'Unknown', 400), 'transient'],
    [service('Unknown', 'Unknown', 408), 'transient'],
    [service('InternalFailure', 'failed', 500), 'transient'],
    [service('ServiceUnavailable', 'unavailable', 503), 'transient'],
    [network('ECONNREFUSED'), 'transient'],
    [network('ENOTFOUND'), 'transient'],
    [network('EAI_AGAIN'), 'transient'],
    [network('ETIMEDOUT', 'TimeoutError', '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 5000 ms.'), 'transient'],
    [network('ETIMEDOUT', 'TimeoutError', '@smithy/node-http-handler - [ERROR] a request has exceeded the configured 15000 ms requestTimeout.'), 'unknown'],
    [network('ECONNRESET', 'TimeoutError', 'read ECONNRESET'), 'unknown'],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'unknown'],
    ['a string thrown by mistake', 'unknown'],
  ] as const)('%s → %s', (error, kind) => {
    expect(classifySendError(error).kind).toBe(kind);
  });

  it('keeps the AWS code in the reason', () => {
    expect(classifySendError(service('MessageRejected', 'Illegal address', 400)).reason).toBe('SES rejected the message: Illegal address (AWS error: MessageRejected)');
  });
});
