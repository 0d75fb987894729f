import { createHash } from 'node:crypto';
import type { SimAccount } from './accounts.js';
import { getIdentityVerificationAttributes, getSendQuota, listIdentities } from './accountActions.js';
import type { ActionHandler } from './actionContext.js';
import { el, SES_NAMESPACE, SES_VERSION, STS_NAMESPACE, STS_VERSION } from './queryXml.js';
import { sendEmail, sendRawEmail } from './sendActions.js';

/** One Query API the endpoint answers, chosen by the request's `Version`. */
export interface AwsService {
  version: string;
  namespace: string;
  /** The IAM prefix of its actions, as AccessDenied messages name them (`ses:GetSendQuota`). */
  iamPrefix: string;
  actions: Record<string, ActionHandler>;
}

export const userArn = (account: SimAccount) => `arn:aws:iam::${account.accountId}:user/${account.userName}`;

/** IAM user ids are `AIDA` + 17 upper-case characters; stable per user here. */
function userId(account: SimAccount): string {
  const digest = createHash('sha256').update(userArn(account)).digest('base64');
  return `AIDA${digest.replace(/[^A-Za-z0-9]/g, '').toUpperCase().slice(0, 17)}`;
}

const ses: AwsService = {
  version: SES_VERSION,
  namespace: SES_NAMESPACE,
  iamPrefix: 'ses',
  actions: {
    SendEmail: sendEmail,
    SendRawEmail: sendRawEmail,
    GetSendQuota: getSendQuota,
    ListIdentities: listIdentities,
    GetIdentityVerificationAttributes: getIdentityVerificationAttributes,
  },
};

const sts: AwsService = {
  version: STS_VERSION,
  namespace: STS_NAMESPACE,
  iamPrefix: 'sts',
  actions: {
    GetCallerIdentity: ({ account }) => [
      el('Arn', userArn(account)),
      el('UserId', userId(account)),
      el('Account', account.accountId),
    ],
  },
};

export function serviceFor(version: string | undefined): AwsService | undefined {
  return [ses, sts].find((s) => s.version === version);
}
