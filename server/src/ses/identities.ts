import {
  DeleteIdentityCommand,
  GetIdentityDkimAttributesCommand,
  GetIdentityVerificationAttributesCommand,
  type SESClient,
  VerifyDomainDkimCommand,
  VerifyDomainIdentityCommand,
  VerifyEmailIdentityCommand,
} from '@aws-sdk/client-ses';
import type { IdentityStatus } from './account.js';
import { callAws } from './awsErrors.js';

export type IdentityDetails = { status: IdentityStatus; verificationToken: string | null; dkim: { enabled: boolean; status: string; tokens: string[] } | null };

/** SES answers at most 100 identities per attribute call. */
const CHUNK = 100;

/** AWS mails the address a link; it is verified once someone clicks it. */
export async function verifyEmailIdentity(ses: SESClient, region: string, email: string): Promise<void> {
  await callAws('ses:VerifyEmailIdentity', region, () => ses.send(new VerifyEmailIdentityCommand({ EmailAddress: email })));
}

/** Starts domain verification (TXT token) and Easy DKIM (three CNAME tokens). Both are idempotent in SES. */
export async function verifyDomain(ses: SESClient, region: string, domain: string): Promise<{ verificationToken: string; dkimTokens: string[] }> {
  const verified = await callAws('ses:VerifyDomainIdentity', region, () => ses.send(new VerifyDomainIdentityCommand({ Domain: domain })));
  const dkim = await callAws('ses:VerifyDomainDkim', region, () => ses.send(new VerifyDomainDkimCommand({ Domain: domain })));
  return { verificationToken: verified.VerificationToken ?? '', dkimTokens: dkim.DkimTokens ?? [] };
}

export async function deleteIdentity(ses: SESClient, region: string, identity: string): Promise<void> {
  await callAws('ses:DeleteIdentity', region, () => ses.send(new DeleteIdentityCommand({ Identity: identity })));
}

/** Verification status and token, and DKIM state, of each identity (missing ones are left out, as SES does). */
export async function identityDetails(ses: SESClient, region: string, identities: string[]): Promise<Map<string, IdentityDetails>> {
  const details = new Map<string, IdentityDetails>();
  for (let i = 0; i < identities.length; i += CHUNK) {
    const chunk = identities.slice(i, i + CHUNK);
    const [verification, dkim] = await Promise.all([
      callAws('ses:GetIdentityVerificationAttributes', region, () => ses.send(new GetIdentityVerificationAttributesCommand({ Identities: chunk }))),
      callAws('ses:GetIdentityDkimAttributes', region, () => ses.send(new GetIdentityDkimAttributesCommand({ Identities: chunk }))),
    ]);
    for (const identity of chunk) {
      const v = verification.VerificationAttributes?.[identity];
      if (!v) continue;
      const d = dkim.DkimAttributes?.[identity];
      details.set(identity, {
        status: (v.VerificationStatus ?? 'NotStarted') as IdentityStatus,
        verificationToken: v.VerificationToken ?? null,
        dkim: d ? { enabled: d.DkimEnabled ?? false, status: d.DkimVerificationStatus ?? 'NotStarted', tokens: d.DkimTokens ?? [] } : null,
      });
    }
  }
  return details;
}
