import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { SimAccount } from './accounts.js';
import type { ActionContext } from './actionContext.js';
import {
  AwsQueryError,
  accessDenied,
  messageRejected,
  internalFailure,
  invalidAction,
  invalidClientTokenId,
  invalidParameterValue,
  serviceUnavailable,
  signatureDoesNotMatch,
  throttling,
} from './awsErrors.js';
import { serviceFor, userArn } from './awsServices.js';
import { QueryParams } from './queryParams.js';
import { errorResponse, SES_NAMESPACE, successResponse } from './queryXml.js';
import { parseAuthorization, signatureMatches } from './sigv4.js';
import type { SimMessage, SimulatorState } from './simulatorState.js';

/** A 10 MB SendRawEmail grows by a third in base64 and a little more in form encoding. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface AwsEndpointDeps {
  state: SimulatorState;
  logger: Logger;
  announce(message: SimMessage): void;
  askToConfirm: ActionContext['askToConfirm'];
  /** How long the request may have waited unseen for a stalled event loop (ms; loopWatch.ts). */
  arrivalUncertaintyMs(): number;
}

/** Answers one `POST /` of the SES or STS Query API, always with an AWS-shaped body. */
export async function answerAwsRequest(deps: AwsEndpointDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const arrivedAt = deps.state.clock();
  const arrivedAfter = arrivedAt - deps.arrivalUncertaintyMs();
  const requestId = randomUUID();
  let namespace = SES_NAMESPACE;
  let status = 200;
  let body: string;
  let action = '';
  try {
    const raw = await readBody(req);
    const params = new QueryParams(raw.toString('utf8'));
    const service = serviceFor(params.get('Version'));
    namespace = service?.namespace ?? SES_NAMESPACE;
    action = params.get('Action') ?? '';
    const { account, region } = await authenticate(deps.state, req, raw);
    // hasOwn: `Action=constructor` must not reach Object.prototype.
    const handler = service && Object.hasOwn(service.actions, action) ? service.actions[action] : undefined;
    const iamAction = service && handler ? `${service.iamPrefix}:${action}` : undefined;
    const denial = { resource: service?.resourceOf?.(params, account, region), code: service?.accessDeniedCode };
    await applyInjectedFailures(account, iamAction, denial);
    if (!service || !handler) throw invalidAction(action);
    const sending = action === 'SendEmail' || action === 'SendRawEmail';
    if (sending) applyInjectedSendFailures(account, params);
    const result = await handler({ state: deps.state, account, region, params, arrivedAt, arrivedAfter, announce: deps.announce, askToConfirm: deps.askToConfirm });
    if (sending && account.failures.stallAfterAcceptMs > 0) await delay(account.failures.stallAfterAcceptMs);
    body = successResponse(service.namespace, action, result, requestId);
  } catch (error) {
    const awsError = error instanceof AwsQueryError ? error : internalFailure();
    if (awsError !== error) deps.logger.error({ err: error, requestId }, 'SES simulator: unexpected error');
    status = awsError.status;
    body = errorResponse(namespace, awsError, requestId);
  }
  deps.logger.debug({ requestId, action, status }, 'SES simulator: answered');
  // The SDK reads the request id from this header, not from the body.
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  res.end(body);
}

/** Like AWS: who is asking (the key), whether they hold its secret (the signature), and where (the region). */
async function authenticate(state: SimulatorState, req: IncomingMessage, body: Buffer): Promise<{ account: SimAccount; region: string }> {
  const auth = parseAuthorization(req.headers.authorization);
  const account = state.findAccount(auth.accessKeyId);
  if (!account || account.failures.invalidKey) throw invalidClientTokenId();
  const signed = { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body };
  if (!(await signatureMatches(signed, auth, account.secretAccessKey))) throw signatureDoesNotMatch();
  return { account, region: auth.region };
}

/**
 * Failures configured for the key, in the order AWS would meet them: slowness, outage, IAM,
 * throttling. `iamAction` (`ses:GetSendQuota`) is undefined for an action the simulator lacks.
 */
async function applyInjectedFailures(
  account: SimAccount,
  iamAction: string | undefined,
  denial: { resource: string | undefined; code: string | undefined },
): Promise<void> {
  const { failures } = account;
  if (failures.latencyMs > 0) await delay(failures.latencyMs);
  if (failures.serverError === 500) throw internalFailure();
  if (failures.serverError === 503) throw serviceUnavailable();
  if (iamAction === undefined) return;
  const action = iamAction.slice(iamAction.indexOf(':') + 1);
  if (failures.accessDenied.some((denied) => denied === action || denied === iamAction)) {
    throw accessDenied(userArn(account), iamAction, denial.resource, denial.code);
  }
  if (failures.throttleAll) {
    // SES words a throttled send differently from a throttled API call; callers tell them apart by message.
    throw throttling(action === 'SendEmail' || action === 'SendRawEmail' ? 'Maximum sending rate exceeded.' : 'Rate exceeded');
  }
}

/** Scripted errors for sends: the next queued one, or a refused recipient. */
function applyInjectedSendFailures(account: SimAccount, params: QueryParams): void {
  const next = account.failures.sendErrors.shift();
  if (next) throw new AwsQueryError(next.code, next.message, next.status);
  const rejected = account.failures.rejectRecipients;
  if (rejected.length === 0) return;
  const recipients = [...params.members('Destinations'), ...params.members('Destination.ToAddresses')];
  if (recipients.some((r) => rejected.includes(r.toLowerCase()))) throw messageRejected('Illegal address');
}

/** Reads the whole body; an oversized one is drained (not kept) so the answer can still be written. */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > MAX_BODY_BYTES) throw invalidParameterValue(`Request body exceeds ${MAX_BODY_BYTES} bytes.`);
  return Buffer.concat(chunks);
}
