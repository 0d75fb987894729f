import type { SESClient } from '@aws-sdk/client-ses';
import { effectiveRate } from './rateLimiter.js';
import { awsOptions } from '../ses/clients.js';
import { findEmailChannelRow, storedCredentials } from '../services/channels/emailChannel.js';
import type { Deps } from '../deps.js';

/** What a sender needs of the tenant's SES connection. */
export type SendingChannel = {
  tenantId: string;
  region: string;
  configurationSetName: string | null;
  /** Sends per second: min(tenant cap, SES MaxSendRate), 14 when neither is known. */
  ratePerSec: number;
  sendingPausedUntil: Date | null;
  /** The process's client for these keys (Deps.sesClients); shared, so never destroyed by the caller. */
  client: () => SESClient;
};

/** Null when SES is not connected (or its keys are gone). */
export async function loadSendingChannel(deps: Deps, tenantId: string): Promise<SendingChannel | null> {
  const row = await findEmailChannelRow(deps, tenantId);
  if (!row?.isConnected || !row.sesRegion) return null;
  const credentials = storedCredentials(deps, row);
  if (!credentials) return null;
  const region = row.sesRegion;
  return {
    tenantId,
    region,
    configurationSetName: row.configurationSetName,
    ratePerSec: effectiveRate(row.rateLimitPerSec, row.maxSendRate),
    sendingPausedUntil: row.sendingPausedUntil,
    client: () => deps.sesClients.get({ ...awsOptions(deps.env.sesEndpoint, region, credentials), requestTimeoutMs: deps.env.sesRequestTimeoutMs }),
  };
}
