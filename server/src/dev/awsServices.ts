import { createHash } from 'node:crypto';
import type { SimAccount } from './accounts.js';
import { getIdentityVerificationAttributes, getSendQuota, listIdentities } from './accountActions.js';
import type { ActionHandler } from './actionContext.js';
import {
  createConfigurationSet,
  createConfigurationSetEventDestination,
  deleteConfigurationSet,
  deleteConfigurationSetEventDestination,
  describeConfigurationSet,
  listConfigurationSets,
  updateConfigurationSetEventDestination,
} from './configSetActions.js';
import { deleteIdentity, getIdentityDkimAttributes, verifyDomainDkim, verifyDomainIdentity, verifyEmailIdentity } from './identityActions.js';
import type { QueryParams } from './queryParams.js';
import { el, SES_NAMESPACE, SES_VERSION, SNS_NAMESPACE, SNS_VERSION, STS_NAMESPACE, STS_VERSION } from './queryXml.js';
import { sendEmail, sendRawEmail } from './sendActions.js';
import {
  createTopic,
  deleteTopic,
  getSubscriptionAttributes,
  getTopicAttributes,
  listSubscriptionsByTopic,
  listTopics,
  setTopicAttributes,
  subscribe,
  unsubscribe,
} from './snsActions.js';

/** One Query API the endpoint answers, chosen by the request's `Version`. */
export interface AwsService {
  version: string;
  namespace: string;
  /** The IAM prefix of its actions, as AccessDenied messages name them (`ses:GetSendQuota`). */
  iamPrefix: string;
  actions: Record<string, ActionHandler>;
  /** The resource an AccessDenied message names, for services whose actions act on one (SNS topics). */
  resourceOf?: (params: QueryParams, account: SimAccount, region: string) => string;
  /** The error code of an IAM denial when it is not `AccessDenied` (SNS: `AuthorizationError`). */
  accessDeniedCode?: string;
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
    VerifyEmailIdentity: verifyEmailIdentity,
    VerifyDomainIdentity: verifyDomainIdentity,
    VerifyDomainDkim: verifyDomainDkim,
    GetIdentityDkimAttributes: getIdentityDkimAttributes,
    DeleteIdentity: deleteIdentity,
    CreateConfigurationSet: createConfigurationSet,
    DescribeConfigurationSet: describeConfigurationSet,
    ListConfigurationSets: listConfigurationSets,
    DeleteConfigurationSet: deleteConfigurationSet,
    CreateConfigurationSetEventDestination: createConfigurationSetEventDestination,
    UpdateConfigurationSetEventDestination: updateConfigurationSetEventDestination,
    DeleteConfigurationSetEventDestination: deleteConfigurationSetEventDestination,
  },
};

const sns: AwsService = {
  version: SNS_VERSION,
  namespace: SNS_NAMESPACE,
  iamPrefix: 'sns',
  actions: {
    CreateTopic: createTopic,
    GetTopicAttributes: getTopicAttributes,
    SetTopicAttributes: setTopicAttributes,
    ListTopics: listTopics,
    DeleteTopic: deleteTopic,
    Subscribe: subscribe,
    ListSubscriptionsByTopic: listSubscriptionsByTopic,
    GetSubscriptionAttributes: getSubscriptionAttributes,
    Unsubscribe: unsubscribe,
  },
  accessDeniedCode: 'AuthorizationError',
  // IAM names the topic (or subscription) acted on; listing and creating act on the account's topics.
  resourceOf: (params, account, region) =>
    params.get('TopicArn') ??
    params.get('SubscriptionArn') ??
    `arn:aws:sns:${region}:${account.accountId}:${params.get('Name') ?? '*'}`,
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
  return [ses, sns, sts].find((s) => s.version === version);
}
