import { createHash } from 'node:crypto';
import type { ActionHandler } from './actionContext.js';
import { invalidParameterValue } from './awsErrors.js';
import { isIdentityDomain, statusOf } from './identities.js';
import { double, el, memberList, type Xml } from './queryXml.js';

const MAX_IDENTITIES_PER_LOOKUP = 100;

export const getSendQuota: ActionHandler = ({ state, account, region }) => [
  el('SentLast24Hours', double(state.sendLog(account.accountId, region).sentLast24Hours(state.clock()))),
  el('Max24HourSend', double(account.max24HourSend)),
  el('MaxSendRate', double(account.maxSendRate)),
];

/** Lists every identity whatever its status, filtered by IdentityType, paged by MaxItems/NextToken. */
export const listIdentities: ActionHandler = ({ account, params }) => {
  const type = params.get('IdentityType');
  if (type !== undefined && type !== 'EmailAddress' && type !== 'Domain') {
    throw invalidParameterValue(`Invalid IdentityType <${type}>: must be EmailAddress or Domain.`);
  }
  const maxItems = params.get('MaxItems') === undefined ? 1_000 : Number(params.get('MaxItems'));
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1_000) {
    throw invalidParameterValue('MaxItems must be between 1 and 1000.');
  }
  const offset = decodeNextToken(params.get('NextToken'));

  const all = account.identities
    .map((i) => i.identity)
    .filter((identity) => type === undefined || (type === 'Domain') === isIdentityDomain(identity));
  const page = all.slice(offset, offset + maxItems);
  const next = offset + page.length;
  const result: Xml[] = [memberList('Identities', page)];
  if (next < all.length) result.push(el('NextToken', encodeNextToken(next)));
  return result;
};

/** Unknown identities are left out of the map, as SES does. */
export const getIdentityVerificationAttributes: ActionHandler = ({ account, params }) => {
  const identities = params.members('Identities');
  if (identities.length > MAX_IDENTITIES_PER_LOOKUP) {
    throw invalidParameterValue(`You can request verification attributes for at most ${MAX_IDENTITIES_PER_LOOKUP} identities.`);
  }
  const entries: Xml[] = [];
  for (const identity of identities) {
    const status = statusOf(account, identity);
    if (status === undefined) continue;
    // Domains carry the TXT-record token SES asked to publish; email addresses have none.
    const token = isIdentityDomain(identity) ? [el('VerificationToken', verificationToken(identity))] : [];
    entries.push(el('entry', el('key', identity), el('value', el('VerificationStatus', status), ...token)));
  }
  return [el('VerificationAttributes', ...entries)];
};

/** Opaque to callers, like SES's; here the offset of the next page. */
function encodeNextToken(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64');
}

function decodeNextToken(token: string | undefined): number {
  if (token === undefined) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
  if (!match) throw invalidParameterValue('Invalid NextToken.');
  return Number(match[1]);
}

function verificationToken(domain: string): string {
  return createHash('sha256').update(domain.toLowerCase()).digest('base64').slice(0, 44);
}
