import type { tenantChannelSettings } from '../../db/schema/index.js';
import type { Deps } from '../../deps.js';

/** What any caller may see of the email channel: never the secret, never the whole key id. */
export type EmailChannelView = {
  connected: boolean;
  region: string | null;
  senderEmail: string | null;
  accessKeyIdMasked: string | null;
  accountId: string | null;
  quota: { maxSendRate: number; max24HourSend: number; sentLast24Hours: number } | null;
  sandbox: boolean | null;
  configurationSetName: string | null;
  lastCheckedAt: string | null;
  lastError: string | null;
  connectedAt: string | null;
  /** SES said the daily quota is spent: Herald sends nothing for this tenant before then. */
  sendingPausedUntil: string | null;
  sendingPausedReason: string | null;
  /** Where SNS must deliver SES events for this installation. */
  webhookUrl: string;
};

export function maskAccessKeyId(accessKeyId: string): string {
  return `••••${accessKeyId.slice(-4)}`;
}

export function toEmailChannelView(deps: Deps, row: typeof tenantChannelSettings.$inferSelect | null, accessKeyId: string | undefined): EmailChannelView {
  const webhookUrl = new URL('/webhooks/email', deps.env.publicUrl).toString();
  return {
    connected: row?.isConnected ?? false,
    region: row?.sesRegion ?? null,
    senderEmail: row?.verifiedSenderEmail ?? null,
    accessKeyIdMasked: accessKeyId ? maskAccessKeyId(accessKeyId) : null,
    accountId: row?.awsAccountId ?? null,
    quota:
      row?.maxSendRate != null && row.max24hSend != null
        ? { maxSendRate: row.maxSendRate, max24HourSend: row.max24hSend, sentLast24Hours: row.sentLast24h ?? 0 }
        : null,
    sandbox: row?.sandbox ?? null,
    configurationSetName: row?.configurationSetName ?? null,
    lastCheckedAt: row?.lastCheckedAt?.toISOString() ?? null,
    lastError: row?.lastError ?? null,
    connectedAt: row?.connectedAt?.toISOString() ?? null,
    sendingPausedUntil: row?.sendingPausedUntil && row.sendingPausedUntil > deps.now() ? row.sendingPausedUntil.toISOString() : null,
    sendingPausedReason: row?.sendingPausedUntil && row.sendingPausedUntil > deps.now() ? row.sendingPausedReason : null,
    webhookUrl,
  };
}
