import { and, asc, eq } from 'drizzle-orm';
import { renderEmail, type MergeContact, type RenderedEmail } from '../../rendering/render.js';
import { unsubscribeUrl } from '../../rendering/unsubscribeUrl.js';
import { contacts, listMembers } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import { loadCampaign } from './records.js';
import type { Deps } from '../../deps.js';
import { getProfile } from '../account/profile.js';
import { signUnsubscribeToken } from '../audience/unsubscribeTokens.js';
import { segmentMatch } from '../segments/audience.js';
import { loadSegmentDefinition } from '../segments/load.js';

export type CampaignPreview = RenderedEmail & {
  sampleContact: { email: string; firstName: string | null; lastName: string | null };
  /** The sample recipient's unsubscribe link (the footer's, and the List-Unsubscribe header's). */
  unsubscribeUrl: string;
};

const madeUp: MergeContact = { email: 'alex@example.com', firstName: 'Alex', lastName: 'Sample', attributes: {} };

const contactColumns = { id: contacts.id, email: contacts.email, firstName: contacts.firstName, lastName: contacts.lastName, attributes: contacts.attributes };

async function ownContact(deps: Deps, tenantId: string, contactId: string) {
  const [row] = await deps.db.select(contactColumns).from(contacts).where(and(eq(contacts.id, contactId), eq(contacts.tenantId, tenantId)));
  if (!row) throw new AppError('NOT_FOUND', 'No contact with this id.');
  return row;
}

/** Ordered by the member key, which the primary key index serves without a sort. */
async function firstMember(deps: Deps, tenantId: string, listId: string) {
  const [row] = await deps.db
    .select(contactColumns)
    .from(listMembers)
    .innerJoin(contacts, eq(contacts.id, listMembers.contactId))
    .where(and(eq(listMembers.listId, listId), eq(listMembers.tenantId, tenantId)))
    .orderBy(asc(listMembers.contactId))
    .limit(1);
  return row ?? null;
}

/** The first contact (by email) the segment matches now. */
async function firstMatch(deps: Deps, tenantId: string, segmentId: string) {
  const segment = await loadSegmentDefinition(deps, tenantId, segmentId);
  const [row] = await deps.sql<{ id: string; email: string; firstName: string | null; lastName: string | null; attributes: Record<string, string> }[]>`
    select ct.id, ct.email, ct.first_name as "firstName", ct.last_name as "lastName", ct.attributes
    from contacts ct where ${segmentMatch(deps.sql, tenantId, segment)} order by ct.email limit 1`;
  return row ?? null;
}

async function sampleRecipient(deps: Deps, tenantId: string, campaign: { listId: string | null; segmentId: string | null }) {
  if (campaign.listId) return firstMember(deps, tenantId, campaign.listId);
  if (campaign.segmentId) return firstMatch(deps, tenantId, campaign.segmentId);
  return null;
}

/**
 * The campaign as one recipient would get it: the given contact, else the
 * first of its audience, else a made-up one. With a real contact the unsubscribe
 * link is a genuine one (it works, as it would in the email).
 */
export async function previewCampaign(deps: Deps, tenantId: string, input: { id: string; contactId?: string }): Promise<CampaignPreview> {
  const { row } = await loadCampaign(deps, tenantId, input.id);
  const real = input.contactId ? await ownContact(deps, tenantId, input.contactId) : await sampleRecipient(deps, tenantId, row);
  const contact = real ?? madeUp;
  const url = real
    ? unsubscribeUrl(deps.env.publicUrl, signUnsubscribeToken(deps.keyring, { tenantId, contactId: real.id, campaignId: row.id }))
    : unsubscribeUrl(deps.env.publicUrl, 'preview');
  const profile = await getProfile(deps, tenantId);
  const rendered = renderEmail(row, contact, { companyName: profile.companyName, postalAddress: profile.postalAddress, unsubscribeUrl: url });
  return { ...rendered, sampleContact: { email: contact.email, firstName: contact.firstName, lastName: contact.lastName }, unsubscribeUrl: url };
}
