import type { ActionHandler } from './actionContext.js';
import { invalidParameterValue, missingParameter } from './awsErrors.js';
import { bareAddress } from './identities.js';
import { verificationToken } from './identityStore.js';
import type { QueryParams } from './queryParams.js';
import { el, memberList, type Xml } from './queryXml.js';

const MAX_IDENTITIES_PER_LOOKUP = 100;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

function domainParam(params: QueryParams): string {
  const domain = params.get('Domain');
  if (domain === undefined) throw missingParameter('Domain');
  if (!DOMAIN.test(domain)) throw invalidParameterValue(`Invalid domain name <${domain}>.`);
  return domain;
}

/** Adds the address Pending (SES would now mail it a link); it reads Success after the account's delay. */
export const verifyEmailIdentity: ActionHandler = ({ state, account, params }) => {
  const address = params.get('EmailAddress');
  if (address === undefined) throw missingParameter('EmailAddress');
  if (bareAddress(address) !== address.trim()) throw invalidParameterValue(`Invalid email address <${address}>.`);
  state.identities.verify(account, address.trim(), state.clock());
  return [];
};

/** Adds the domain Pending and answers the TXT token GetIdentityVerificationAttributes reports for it. */
export const verifyDomainIdentity: ActionHandler = ({ state, account, params }) => {
  const domain = domainParam(params);
  state.identities.verify(account, domain, state.clock());
  return [el('VerificationToken', verificationToken(domain))];
};

export const verifyDomainDkim: ActionHandler = ({ state, account, params }) => {
  const domain = domainParam(params);
  return [memberList('DkimTokens', state.identities.requestDkim(account, domain, state.clock()))];
};

/** Unknown identities are left out of the map, as for verification attributes. */
export const getIdentityDkimAttributes: ActionHandler = ({ state, account, params }) => {
  const identities = params.members('Identities');
  if (identities.length > MAX_IDENTITIES_PER_LOOKUP) {
    throw invalidParameterValue(`You can request DKIM attributes for at most ${MAX_IDENTITIES_PER_LOOKUP} identities.`);
  }
  const entries: Xml[] = [];
  for (const identity of identities) {
    const dkim = state.identities.dkimOf(account, identity, state.clock());
    if (!dkim) continue;
    const tokens = dkim.tokens.length > 0 ? [memberList('DkimTokens', dkim.tokens)] : [];
    const value = el('value', el('DkimEnabled', String(dkim.enabled)), el('DkimVerificationStatus', dkim.status), ...tokens);
    entries.push(el('entry', el('key', identity), value));
  }
  return [el('DkimAttributes', ...entries)];
};

export const deleteIdentity: ActionHandler = ({ state, account, params }) => {
  const identity = params.get('Identity');
  if (identity === undefined) throw missingParameter('Identity');
  state.identities.remove(account, identity);
  return [];
};
