import { and, eq } from 'drizzle-orm';
import { DecryptionError, decryptSecret, encryptSecret, type SecretContext } from '../../crypto/secretBox.js';
import { tenantChannelSettings } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import { checkAccount, getSendQuota, listIdentities, senderIsVerified, type SesIdentity } from '../../ses/account.js';
import { awsOptions, type AwsClientOptions } from '../../ses/clients.js';
import type { Deps } from '../../deps.js';
import { toEmailChannelView, type EmailChannelView } from './emailChannelView.js';
import { heraldSentLast24h } from './usage.js';

export type ConnectInput = {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  senderEmail: string;
  configurationSetName?: string | undefined;
};

type Row = typeof tenantChannelSettings.$inferSelect;
const TABLE = 'tenant_channel_settings';
const secretCtx = (tenantId: string, field: 'aws_access_key_id' | 'aws_secret_access_key'): SecretContext => ({ tenantId, table: TABLE, field });

export async function findEmailChannelRow(deps: Deps, tenantId: string): Promise<Row | undefined> {
  const [row] = await deps.db
    .select()
    .from(tenantChannelSettings)
    .where(and(eq(tenantChannelSettings.tenantId, tenantId), eq(tenantChannelSettings.channel, 'email')));
  return row;
}

/**
 * Checks the keys against AWS and, only when every check passes, stores
 * them encrypted. A failed attempt writes nothing, so an earlier working
 * connection stays exactly as it was.
 */
export async function connectEmailChannel(
  deps: Deps,
  tenantId: string,
  input: ConnectInput,
): Promise<EmailChannelView & { identities: SesIdentity[] }> {
  const check = await checkAccount(awsOptions(deps.env.sesEndpoint, input.region, { accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey }));
  if (!senderIsVerified(input.senderEmail, check.identities)) {
    const verified = check.identities.filter((i) => i.status === 'Success').map((i) => i.identity);
    throw new AppError(
      'BAD_REQUEST',
      `${input.senderEmail} is not a verified sender in your SES account in ${input.region}. ` +
        (verified.length > 0
          ? `Verified identities: ${verified.join(', ')}. Pick one of these, or verify ${input.senderEmail} (or its domain) in the SES console.`
          : `The account has no verified identities yet: verify ${input.senderEmail} or its domain in the SES console first.`),
      { verifiedIdentities: verified },
    );
  }
  const now = deps.now();
  const values = {
    ...(await eventSetupAfterConnect(deps, tenantId, { accountId: check.accountId, region: input.region, configurationSetName: input.configurationSetName })),
    awsAccessKeyId: encryptSecret(deps.keyring, secretCtx(tenantId, 'aws_access_key_id'), input.accessKeyId),
    awsSecretAccessKey: encryptSecret(deps.keyring, secretCtx(tenantId, 'aws_secret_access_key'), input.secretAccessKey),
    sesRegion: input.region,
    verifiedSenderEmail: input.senderEmail,
    isConnected: true,
    awsAccountId: check.accountId,
    maxSendRate: check.quota.maxSendRate,
    max24hSend: check.quota.max24HourSend,
    sentLast24h: check.quota.sentLast24Hours,
    sandbox: check.quota.sandbox,
    lastCheckedAt: now,
    lastError: null,
    connectedAt: now,
    updatedAt: now,
  };
  const [row] = await deps.db
    .insert(tenantChannelSettings)
    .values({ tenantId, channel: 'email', provider: 'ses', ...values })
    .onConflictDoUpdate({ target: [tenantChannelSettings.tenantId, tenantChannelSettings.channel], set: values })
    .returning();
  if (!row) throw new Error('channel upsert returned no row');
  deps.logger.info({ tenantId, region: input.region, awsAccountId: check.accountId }, 'email channel connected');
  return { ...toEmailChannelView(deps, row, input.accessKeyId), identities: check.identities };
}

export type EmailChannelState = EmailChannelView & { heraldSentLast24Hours: number };

/**
 * Reconnecting the same account and region (a new sender, rotated keys) keeps
 * the event-tracking setup, and the configuration set unless a new one is
 * named; another account or region starts over, since Herald's topic and
 * configuration set do not exist there.
 */
async function eventSetupAfterConnect(deps: Deps, tenantId: string, next: { accountId: string; region: string; configurationSetName: string | undefined }) {
  const previous = await findEmailChannelRow(deps, tenantId);
  const same = previous?.awsAccountId === next.accountId && previous.sesRegion === next.region;
  if (same && next.configurationSetName === undefined) return {};
  const keepSetup = same && next.configurationSetName === previous.configurationSetName;
  return {
    configurationSetName: next.configurationSetName ?? null,
    ...(keepSetup ? {} : { eventsTopicArn: null, eventsSubscriptionArn: null, eventsSetupAt: null, eventsSetupError: null }),
  };
}

export async function getEmailChannel(deps: Deps, tenantId: string): Promise<EmailChannelState> {
  const row = await findEmailChannelRow(deps, tenantId);
  const heraldSentLast24Hours = row?.isConnected ? await heraldSentLast24h(deps, tenantId) : 0;
  if (!row) return { ...toEmailChannelView(deps, null, undefined), heraldSentLast24Hours };
  try {
    return { ...toEmailChannelView(deps, row, storedCredentials(deps, row)?.accessKeyId), heraldSentLast24Hours };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { ...toEmailChannelView(deps, row, undefined), lastError: err.message, heraldSentLast24Hours };
  }
}

/** Reads SES's quota and 24-hour usage again (the settings page asks when it opens), then the channel as stored. */
export async function refreshEmailChannel(deps: Deps, tenantId: string): Promise<EmailChannelState> {
  const { row, region, options } = await requireConnectedChannel(deps, tenantId);
  try {
    const quota = await getSendQuota(deps.sesClients.get(options), region);
    await deps.db
      .update(tenantChannelSettings)
      .set({ maxSendRate: quota.maxSendRate, max24hSend: quota.max24HourSend, sentLast24h: quota.sentLast24Hours, sandbox: quota.sandbox, lastCheckedAt: deps.now(), lastError: null })
      .where(eq(tenantChannelSettings.id, row.id));
  } catch (err) {
    await recordCheck(deps, row.id, err instanceof AppError ? err.message : 'Could not read the send quota.');
    throw err;
  }
  return getEmailChannel(deps, tenantId);
}

/** Removes the stored keys from the row (not a flag) and marks the channel disconnected. */
export async function disconnectEmailChannel(deps: Deps, tenantId: string): Promise<EmailChannelView> {
  const [row] = await deps.db
    .update(tenantChannelSettings)
    .set({
      awsAccessKeyId: null,
      awsSecretAccessKey: null,
      isConnected: false,
      awsAccountId: null,
      maxSendRate: null,
      max24hSend: null,
      sentLast24h: null,
      sandbox: null,
      lastError: null,
      connectedAt: null,
      updatedAt: deps.now(),
    })
    .where(and(eq(tenantChannelSettings.tenantId, tenantId), eq(tenantChannelSettings.channel, 'email')))
    .returning();
  if (row) deps.logger.info({ tenantId }, 'email channel disconnected');
  return toEmailChannelView(deps, row ?? null, undefined);
}

/** Identities live from SES with the stored keys (the settings page's Refresh). */
export async function listVerifiedIdentities(deps: Deps, tenantId: string): Promise<SesIdentity[]> {
  const { row, region, options } = await requireConnectedChannel(deps, tenantId);
  try {
    const identities = await listIdentities(deps.sesClients.get(options), region);
    await recordCheck(deps, row.id, null);
    return identities;
  } catch (err) {
    await recordCheck(deps, row.id, err instanceof AppError ? err.message : 'Could not list identities.');
    throw err;
  }
}

export type ConnectedChannel = { row: Row; region: string; accountId: string; options: AwsClientOptions };

/** The connected channel with its keys decrypted for this call, or PRECONDITION_FAILED saying how to connect. */
export async function requireConnectedChannel(deps: Deps, tenantId: string): Promise<ConnectedChannel> {
  const row = await findEmailChannelRow(deps, tenantId);
  const credentials = row ? storedCredentials(deps, row) : null;
  if (!row?.isConnected || !credentials || !row.sesRegion || !row.awsAccountId) {
    throw new AppError('PRECONDITION_FAILED', 'Amazon SES is not connected. Connect it in Settings → Channels first.', { problem: 'NO_CHANNEL', fixPath: '/settings/channels' });
  }
  return { row, region: row.sesRegion, accountId: row.awsAccountId, options: awsOptions(deps.env.sesEndpoint, row.sesRegion, credentials) };
}

export async function recordCheck(deps: Deps, rowId: string, lastError: string | null): Promise<void> {
  await deps.db.update(tenantChannelSettings).set({ lastCheckedAt: deps.now(), lastError }).where(eq(tenantChannelSettings.id, rowId));
}

/** Decrypted only in memory, only for the call that needs them. */
export function storedCredentials(deps: Deps, row: Row): { accessKeyId: string; secretAccessKey: string } | null {
  if (!row.awsAccessKeyId || !row.awsSecretAccessKey) return null;
  try {
    return {
      accessKeyId: decryptSecret(deps.keyring, secretCtx(row.tenantId, 'aws_access_key_id'), row.awsAccessKeyId),
      secretAccessKey: decryptSecret(deps.keyring, secretCtx(row.tenantId, 'aws_secret_access_key'), row.awsSecretAccessKey),
    };
  } catch (err) {
    if (!(err instanceof DecryptionError)) throw err;
    deps.logger.error({ tenantId: row.tenantId, reason: err.message }, 'stored AWS keys cannot be decrypted');
    throw new AppError('PRECONDITION_FAILED', `The stored AWS keys cannot be decrypted (${err.message}) Connect Amazon SES again in Settings → Channels.`);
  }
}
