import { GetIdentityVerificationAttributesCommand, GetSendQuotaCommand, ListIdentitiesCommand, type SESClient } from '@aws-sdk/client-ses';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { sesClient, stsClient, type AwsClientOptions } from './clients.js';
import { callAws as call } from './awsErrors.js';

export type IdentityStatus = 'Success' | 'Pending' | 'Failed' | 'TemporaryFailure' | 'NotStarted';
export type SesIdentity = { identity: string; type: 'email' | 'domain'; status: IdentityStatus };
export type SendQuota = { maxSendRate: number; max24HourSend: number; sentLast24Hours: number; sandbox: boolean };

/** SES gives a new account 200 messages a day until production access is granted. */
const SANDBOX_DAILY_QUOTA = 200;
/** Enough for any real account; stops a runaway paging loop. */
const MAX_IDENTITIES = 5_000;

export async function getAccountId(opts: AwsClientOptions): Promise<string> {
  const sts = stsClient(opts);
  try {
    const out = await call('sts:GetCallerIdentity', opts.region, () => sts.send(new GetCallerIdentityCommand({})));
    if (!out.Account) throw new Error('GetCallerIdentity returned no account');
    return out.Account;
  } finally {
    sts.destroy();
  }
}

export async function getSendQuota(ses: SESClient, region: string): Promise<SendQuota> {
  const out = await call('ses:GetSendQuota', region, () => ses.send(new GetSendQuotaCommand({})));
  const max24HourSend = out.Max24HourSend ?? 0;
  return {
    maxSendRate: out.MaxSendRate ?? 0,
    max24HourSend,
    sentLast24Hours: out.SentLast24Hours ?? 0,
    sandbox: max24HourSend === SANDBOX_DAILY_QUOTA,
  };
}

/** Every email and domain identity of the account with its verification status. */
export async function listIdentities(ses: SESClient, region: string): Promise<SesIdentity[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call('ses:ListIdentities', region, () => ses.send(new ListIdentitiesCommand({ MaxItems: 1000, NextToken: nextToken })));
    names.push(...(page.Identities ?? []));
    nextToken = page.NextToken;
  } while (nextToken && names.length < MAX_IDENTITIES);

  const identities: SesIdentity[] = [];
  // GetIdentityVerificationAttributes takes at most 100 identities per call.
  for (let i = 0; i < names.length; i += 100) {
    const chunk = names.slice(i, i + 100);
    const out = await call('ses:GetIdentityVerificationAttributes', region, () =>
      ses.send(new GetIdentityVerificationAttributesCommand({ Identities: chunk })),
    );
    for (const identity of chunk) {
      const status = (out.VerificationAttributes?.[identity]?.VerificationStatus ?? 'NotStarted') as IdentityStatus;
      identities.push({ identity, type: identity.includes('@') ? 'email' : 'domain', status });
    }
  }
  return identities.sort((a, b) => a.type.localeCompare(b.type) || a.identity.localeCompare(b.identity));
}

/** A sender may send when its own address or its domain is verified. */
export function senderIsVerified(sender: string, identities: SesIdentity[]): boolean {
  const email = sender.toLowerCase();
  const domain = email.split('@')[1] ?? '';
  return identities.some((i) => i.status === 'Success' && (i.identity.toLowerCase() === email || i.identity.toLowerCase() === domain));
}

export type AccountCheck = { accountId: string; quota: SendQuota; identities: SesIdentity[] };

/** Validates keys with harmless read-only calls; nothing is ever sent. */
export async function checkAccount(opts: AwsClientOptions): Promise<AccountCheck> {
  const accountId = await getAccountId(opts);
  const ses = sesClient(opts);
  try {
    const quota = await getSendQuota(ses, opts.region);
    const identities = await listIdentities(ses, opts.region);
    return { accountId, quota, identities };
  } finally {
    ses.destroy();
  }
}
