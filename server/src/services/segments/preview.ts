import type { Deps } from '../../deps.js';
import { segmentMatch, type SegmentDefinition } from './audience.js';
import { loadSegmentDefinition } from './load.js';
import { assertOwnReferences } from './references.js';

export type SegmentMatch = { id: string; email: string; firstName: string | null; lastName: string | null; status: 'subscribed' | 'unsubscribed' | 'bounced' | 'complained' };
export type SegmentPreview = { count: number; matches: SegmentMatch[] };

const PREVIEW_MATCHES = 20;

/** Who matches now: how many, and the first 20 by email. The builder calls it while the tree is edited, unsaved. */
export async function previewSegment(deps: Deps, tenantId: string, input: { id: string } | SegmentDefinition): Promise<SegmentPreview> {
  let segment: SegmentDefinition;
  if ('id' in input) segment = await loadSegmentDefinition(deps, tenantId, input.id);
  else {
    await assertOwnReferences(deps, tenantId, input);
    segment = input;
  }
  const [[counted], matches] = await Promise.all([
    deps.sql<{ count: number }[]>`select count(*)::int as count from contacts ct where ${segmentMatch(deps.sql, tenantId, segment)}`,
    deps.sql<SegmentMatch[]>`
      select ct.id, ct.email, ct.first_name as "firstName", ct.last_name as "lastName", ct.status
      from contacts ct where ${segmentMatch(deps.sql, tenantId, segment)}
      order by ct.email limit ${PREVIEW_MATCHES}`,
  ]);
  return { count: counted?.count ?? 0, matches };
}
