import { SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import { compileEmail, type EmailRenderer } from '../campaigns/render.js';
import { unsubscribeUrl } from '../campaigns/unsubscribeUrl.js';
import type { campaigns } from '../db/schema/index.js';
import type { Deps } from '../services/deps.js';
import { getProfile, type SenderProfile } from '../services/profile.js';
import { signUnsubscribeToken } from '../services/unsubscribeTokens.js';
import type { ClaimedMessage } from './claims.js';
import { buildRawEmail } from './mime.js';
import { classifySendError, type SendFailure } from './sendError.js';
import type { SendingChannel } from './sendingChannel.js';

type CampaignRow = typeof campaigns.$inferSelect;

/** SES message tags: letters, digits, `_` and `-` only, which uuids satisfy. They come back in every SES event. */
export const TAG_TENANT = 'herald_tenant';
export const TAG_CAMPAIGN = 'herald_campaign';
export const TAG_MESSAGE = 'herald_message';

export type SendResult = { ok: true; providerMessageId: string } | { ok: false; failure: SendFailure };

/**
 * Everything that stays the same for every recipient of one campaign,
 * prepared once per sender run: templates parsed once, one SES client.
 */
export type CampaignSender = {
  /** Renders and builds one recipient's MIME message; throws when the template cannot render for this contact. */
  build: (message: ClaimedMessage) => Promise<Buffer>;
  send: (message: ClaimedMessage, raw: Buffer) => Promise<SendResult>;
  close: () => void;
};

export async function campaignSender(deps: Deps, campaign: CampaignRow, channel: SendingChannel): Promise<CampaignSender> {
  const render: EmailRenderer = compileEmail(campaign);
  const profile: SenderProfile = await getProfile(deps, campaign.tenantId);
  const ses: SESClient = channel.client();
  return {
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
    send: async (message, raw) => {
      try {
        const answer = await ses.send(
          new SendRawEmailCommand({
            RawMessage: { Data: raw },
            Destinations: [message.toAddress],
            ...(channel.configurationSetName ? { ConfigurationSetName: channel.configurationSetName } : {}),
            Tags: [
              { Name: TAG_TENANT, Value: campaign.tenantId },
              { Name: TAG_CAMPAIGN, Value: campaign.id },
              { Name: TAG_MESSAGE, Value: message.id },
            ],
          }),
        );
        if (!answer.MessageId) return { ok: false, failure: { kind: 'unknown', code: 'NoMessageId', reason: 'SES answered without a MessageId.' } };
        return { ok: true, providerMessageId: answer.MessageId };
      } catch (err) {
        return { ok: false, failure: classifySendError(err) };
      }
    },
    close: () => ses.destroy(),
  };
}
