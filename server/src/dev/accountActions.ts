import type { ActionHandler } from './actionContext.js';
import { invalidParameterValue } from './awsErrors.js';
import { isIdentityDomain, statusOf } from './identities.js';
import { verificationToken } from './identityStore.js';
import { pageOf } from './paging.js';
import { double, el, memberList, type Xml } from './queryXml.js';

const MAX_IDENTITIES_PER_LOOKUP = 100;

export const getSendQuota: ActionHandler = ({ state, account, region }) => [
  el('SentLast24Hours', double(state.sendLog(account.accountId, region).sentLast24Hours(state.clock()))),
  el('Max24HourSend', double(account.max24HourSend)),
  el('MaxSendRate', double(account.maxSendRate)),
];

/** Lists every identity whatever its status, filtered by IdentityType, paged by MaxItems/NextToken. */
export const listIdentities: ActionHandler = ({ state, account, params }) => {
  const type = params.get('IdentityType');
  if (type !== undefined && type !== 'EmailAddress' && type !== 'Domain') {
    throw invalidParameterValue(`Invalid IdentityType <${type}>: must be EmailAddress or Domain.`);
  }
  const maxItems = params.get('MaxItems') === undefined ? 1_000 : Number(params.get('MaxItems'));
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1_000) {
    throw invalidParameterValue('MaxItems must be between 1 and 1000.');
  }
  const all = state.identities
    .of(account, state.clock())
    .map((i) => i.identity)
    .filter((identity) => type === undefined || (type === 'Domain') === isIdentityDomain(identity));
  const { page, nextToken } = pageOf(all, params.get('NextToken'), maxItems, () => invalidParameterValue('Invalid NextToken.'));
  const result: Xml[] = [memberList('Identities', page)];
  if (nextToken !== undefined) result.push(el('NextToken', nextToken));
  return result;
};

/** Unknown identities are left out of the map, as SES does. */
export const getIdentityVerificationAttributes: ActionHandler = ({ state, account, params }) => {
  const identities = params.members('Identities');
  if (identities.length > MAX_IDENTITIES_PER_LOOKUP) {
    throw invalidParameterValue(`You can request verification attributes for at most ${MAX_IDENTITIES_PER_LOOKUP} identities.`);
  }
  const known = state.identities.of(account, state.clock());
  const entries: Xml[] = [];
  for (const identity of identities) {
    const status = statusOf(known, identity);
    if (status === undefined) continue;
    // Domains carry the TXT-record token SES asked to publish; email addresses have none.
    const token = isIdentityDomain(identity) ? [el('VerificationToken', verificationToken(identity))] : [];
    entries.push(el('entry', el('key', identity), el('value', el('VerificationStatus', status), ...token)));
  }
  return [el('VerificationAttributes', ...entries)];
};
