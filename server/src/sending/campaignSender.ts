import type { SESClient } from '@aws-sdk/client-ses';
import type { campaigns } from '../db/schema/index.js';
import type { Deps } from '../deps.js';
import { buildRawEmail } from '../rendering/mime.js';
import { compileEmail, type EmailRenderer } from '../rendering/render.js';
import { unsubscribeUrl } from '../rendering/unsubscribeUrl.js';
import type { Departure } from '../ses/departure.js';
import { trySendRawEmail, type SendResult } from '../ses/sendRawEmail.js';
import { getProfile, type SenderProfile } from '../services/account/profile.js';
import { signUnsubscribeToken } from '../services/audience/unsubscribeTokens.js';
import type { ClaimedMessage } from './claims.js';
import type { SendingChannel } from './sendingChannel.js';

type CampaignRow = typeof campaigns.$inferSelect;

/**
 * Everything that stays the same for every recipient of one campaign,
 * prepared once per sender run: templates parsed once, the tenant's SES client.
 */
export type CampaignSender = {
  tenantId: string;
  campaignId: string;
  /** Renders and builds one recipient's MIME message; throws when the template cannot render for this contact. */
  build: (message: ClaimedMessage) => Buffer;
  /** Rejects with MissedDeparture when the request could not leave within `departure` (nothing was sent). */
  send: (message: ClaimedMessage, raw: Buffer, departure?: Departure) => Promise<SendResult>;
};

export async function campaignSender(deps: Deps, campaign: CampaignRow, channel: SendingChannel): Promise<CampaignSender> {
  const render: EmailRenderer = compileEmail(campaign);
  const profile: SenderProfile = await getProfile(deps, campaign.tenantId);
  const ses: SESClient = channel.client();
  const sesCall = deps.metrics.sends.sesCall;
  return {
    tenantId: campaign.tenantId,
    campaignId: campaign.id,
    build: (message) => {
      const token = signUnsubscribeToken(deps.keyring, { tenantId: campaign.tenantId, contactId: message.contactId, campaignId: campaign.id });
      const url = unsubscribeUrl(deps.env.publicUrl, token);
      const email = render(
        { email: message.toAddress, firstName: message.firstName, lastName: message.lastName, attributes: message.attributes },
        { companyName: profile.companyName, postalAddress: profile.postalAddress, unsubscribeUrl: url },
      );
      return buildRawEmail({
        from: { name: campaign.fromName, address: campaign.fromEmail },
        to: message.toAddress,
        replyTo: campaign.replyTo,
        ...email,
        unsubscribeUrl: url,
      });
    },
    send: async (message, raw, departure) => {
      const started = performance.now();
      const result = await trySendRawEmail(ses, {
        raw,
        to: message.toAddress,
        configurationSetName: channel.configurationSetName,
        tags: { tenantId: campaign.tenantId, campaignId: campaign.id, messageId: message.id },
        ...(departure ? { departure } : {}),
      });
      sesCall('campaign', result.ok, (performance.now() - started) / 1000);
      return result;
    },
  };
}
