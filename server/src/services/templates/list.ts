import type { Deps } from '../../deps.js';
import { decodeCursor, encodeCursor, likePrefix } from '../keyset.js';
import { fieldError } from './content.js';

export type TemplateSummary = {
  id: string;
  name: string;
  description: string | null;
  currentVersion: number;
  /** The current version's subject (its liquid source). */
  subject: string;
  createdAt: string;
  updatedAt: string;
};
export type TemplatePage = { items: TemplateSummary[]; nextCursor: string | null };
export type TemplateQuery = {
  /** Part of the name, any case. */
  search?: string | undefined;
  /** Opaque: where the previous page ended. */
  cursor?: string | undefined;
  limit: number;
};

type Row = {
  id: string;
  name: string;
  description: string | null;
  current_version: number;
  subject: string;
  created_at: string;
  updated_at: string;
  /** updated_at to the microsecond: a JS Date would round it to the millisecond and repeat or skip rows. */
  position: string;
};

// The page's last (updated_at, id): newest first, the id breaking ties.
const POSITION = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z) ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

function positionOf(cursor: string | undefined): { at: string; id: string } | null {
  if (!cursor) return null;
  const match = POSITION.exec(decodeCursor(cursor));
  if (!match?.[1] || !match[2] || Number.isNaN(Date.parse(match[1]))) throw fieldError('cursor', 'This page cursor is not valid: start again from the first page.');
  return { at: match[1], id: match[2] };
}

/** Keyset pages, most recently updated first, read along templates_tenant_updated_idx; without the bodies. */
export async function listTemplates(deps: Pick<Deps, 'sql'>, tenantId: string, query: TemplateQuery): Promise<TemplatePage> {
  const { sql } = deps;
  const after = positionOf(query.cursor);
  const search = query.search?.trim().toLowerCase();
  const rows = await sql<Row[]>`
    select t.id, t.name, t.description, t.current_version, v.subject, t.created_at, t.updated_at,
      to_char(t.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || ' ' || t.id as position
    from templates t
    join template_versions v on v.template_id = t.id and v.version = t.current_version
    where t.tenant_id = ${tenantId}
      ${search ? sql`and lower(t.name) like ${`%${likePrefix(search)}`}` : sql``}
      ${after ? sql`and (t.updated_at, t.id) < (${after.at}::timestamptz, ${after.id}::uuid)` : sql``}
    order by t.updated_at desc, t.id desc
    limit ${query.limit + 1}`;
  const items = rows.slice(0, query.limit).map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    currentVersion: r.current_version,
    subject: r.subject,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  }));
  const last = rows[query.limit - 1];
  return { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last.position) : null };
}
