/**
 * SES message tags Herald puts on every email: letters, digits, `_` and `-`
 * only, which uuids satisfy. SES returns them in every event of the email,
 * which is how an event finds its message even before the SES MessageId is
 * recorded.
 */
export const TAG_TENANT = 'herald_tenant';
export const TAG_CAMPAIGN = 'herald_campaign';
export const TAG_MESSAGE = 'herald_message';
/** A test email (campaign "Send test", channel "Send test emails"): the test_sends row it belongs to, not a message. */
export const TAG_TEST = 'herald_test';
/** A transactional email (emails.send): the emails row it belongs to. */
export const TAG_EMAIL = 'herald_email';

export type MessageTags = { tenantId: string } & (
  | { campaignId: string; messageId: string }
  | { campaignId?: string | undefined; testSendId: string }
  /** The sender's own tags ride along; their names never start with herald_ (checked at the edge). */
  | { emailId: string; extra: { name: string; value: string }[] }
);

export function sesTags(tags: MessageTags): { Name: string; Value: string }[] {
  const own = [{ Name: TAG_TENANT, Value: tags.tenantId }];
  if ('emailId' in tags) return [...own, { Name: TAG_EMAIL, Value: tags.emailId }, ...tags.extra.map((t) => ({ Name: t.name, Value: t.value }))];
  return [
    ...own,
    ...(tags.campaignId ? [{ Name: TAG_CAMPAIGN, Value: tags.campaignId }] : []),
    'messageId' in tags ? { Name: TAG_MESSAGE, Value: tags.messageId } : { Name: TAG_TEST, Value: tags.testSendId },
  ];
}
