/**
 * SES message tags Herald puts on every email: letters, digits, `_` and `-`
 * only, which uuids satisfy. SES returns them in every event of the email,
 * which is how an event finds its message even before the SES MessageId is
 * recorded.
 */
export const TAG_TENANT = 'herald_tenant';
export const TAG_CAMPAIGN = 'herald_campaign';
export const TAG_MESSAGE = 'herald_message';
/** A campaign's test send: belongs to no message. */
export const TAG_TEST = 'herald_test';

export type MessageTags = { tenantId: string; campaignId: string } & ({ messageId: string } | { test: true });

export function sesTags(tags: MessageTags): { Name: string; Value: string }[] {
  return [
    { Name: TAG_TENANT, Value: tags.tenantId },
    { Name: TAG_CAMPAIGN, Value: tags.campaignId },
    'messageId' in tags ? { Name: TAG_MESSAGE, Value: tags.messageId } : { Name: TAG_TEST, Value: 'true' },
  ];
}
