import { checkAccount, type SendQuota, type SesIdentity } from '../../ses/account.js';
import { awsOptions } from '../../ses/clients.js';
import type { Deps } from '../../deps.js';

export type KeyCheck = { accountId: string; quota: SendQuota; identities: SesIdentity[] };

/**
 * Validates a key pair and lists the account's identities without storing
 * anything, so the settings form can offer the verified senders before the
 * tenant commits to connecting.
 */
export async function checkEmailKeys(deps: Deps, input: { accessKeyId: string; secretAccessKey: string; region: string }): Promise<KeyCheck> {
  return checkAccount(awsOptions(deps.env.sesEndpoint, input.region, { accessKeyId: input.accessKeyId, secretAccessKey: input.secretAccessKey }));
}
