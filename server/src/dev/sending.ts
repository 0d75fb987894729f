import { randomUUID } from 'node:crypto';
import type { ActionContext } from './actionContext.js';
import {
  accountSendingPaused,
  dailyQuotaExceeded,
  invalidParameterValue,
  maxSendRateExceeded,
  notVerified,
} from './awsErrors.js';
import { isMailboxSimulator, isVerifiedAddress } from './identities.js';
import type { SimMessage } from './simulatorState.js';

/** SES v1's cap on recipients per message, across To, Cc and Bcc. */
export const MAX_RECIPIENTS = 50;

/** A message as SendEmail/SendRawEmail described it, before SES's checks. */
export type SendDraft = Omit<SimMessage, 'messageId' | 'accountId' | 'accessKeyId' | 'region' | 'acceptedAt'> & {
  /** Further addresses that must be verified, like the Return-Path. */
  alsoVerify: string[];
};

/**
 * Applies SES's checks in a plausible order (shape, account state, identities, quota), then
 * records the message and hands it to the accepted-message hook. Synchronous from the quota check
 * to the record, so concurrent sends cannot overshoot the rate.
 */
export function acceptSend(ctx: ActionContext, draft: SendDraft): SimMessage {
  const { account, region, state } = ctx;
  const { alsoVerify, ...fields } = draft;
  if (fields.destinations.length === 0) throw invalidParameterValue("Missing required header 'To'.");
  if (fields.destinations.length > MAX_RECIPIENTS) throw invalidParameterValue(`Recipient count exceeds ${MAX_RECIPIENTS}.`);
  if (account.failures.accountPaused) throw accountSendingPaused();

  const known = state.identities.of(account, state.clock());
  const unverified = [fields.source, ...alsoVerify].filter((a) => !isVerifiedAddress(known, a));
  if (account.sandbox) {
    unverified.push(...fields.destinations.filter((a) => !isMailboxSimulator(a) && !isVerifiedAddress(known, a)));
  }
  if (unverified.length > 0) throw notVerified(region, [...new Set(unverified)]);

  const log = state.sendLog(account.accountId, region);
  // Never before a send already recorded: the log counts in arrival order, and calls finish their parse out of order.
  const span = { from: Math.max(ctx.arrivedAfter, log.latest()), to: Math.max(ctx.arrivedAt, log.latest()) };
  const weight = {
    rate: fields.destinations.length,
    daily: fields.destinations.filter((a) => !isMailboxSimulator(a)).length,
  };
  const now = log.place(span, weight, account.maxSendRate, account.max24HourSend);
  if (now === 'daily') throw dailyQuotaExceeded();
  if (now === 'rate') {
    state.rateRefusals.set(account.accountId, (state.rateRefusals.get(account.accountId) ?? 0) + 1);
    throw maxSendRateExceeded();
  }
  log.record(now, weight);

  const message: SimMessage = {
    messageId: sesMessageId(now),
    accountId: account.accountId,
    accessKeyId: account.accessKeyId,
    region,
    acceptedAt: new Date(now).toISOString(),
    ...fields,
    configurationSetName: fields.configurationSetName ?? account.defaultConfigurationSet,
  };
  state.messages.push(message);
  ctx.announce(message);
  return message;
}

/** `0100` + the acceptance time as 12 hex digits + a UUID + `-000000`, like `0100019a…-…-000000`. */
function sesMessageId(now: number): string {
  return `0100${now.toString(16).padStart(12, '0')}-${randomUUID()}-000000`;
}
