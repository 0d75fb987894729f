import { toIso } from '../../db/times.js';
import type { Deps } from '../../deps.js';

export type ContactMessage = {
  id: string;
  campaignId: string;
  campaignName: string;
  status: string;
  sentAt: string | null;
  lastError: string | null;
  /** Why it was skipped, for `suppressed`. */
  suppressionReason: string | null;
  updatedAt: string;
};

const HISTORY_LIMIT = 50;

export async function contactMessages(deps: Deps, tenantId: string, contactId: string): Promise<ContactMessage[]> {
  const rows = await deps.sql<(Omit<ContactMessage, 'sentAt' | 'updatedAt'> & { sentAt: string | null; updatedAt: string })[]>`
    select m.id, m.campaign_id as "campaignId", c.name as "campaignName", m.status, m.sent_at as "sentAt",
      m.last_error as "lastError", m.suppression_reason as "suppressionReason", m.updated_at as "updatedAt"
    from messages m join campaigns c on c.id = m.campaign_id
    where m.contact_id = ${contactId} and m.tenant_id = ${tenantId}
    order by m.created_at desc, m.id desc
    limit ${HISTORY_LIMIT}`;
  return rows.map((r) => ({ ...r, sentAt: r.sentAt ? toIso(r.sentAt) : null, updatedAt: toIso(r.updatedAt) }));
}
