import type { Deps } from '../../deps.js';
import { decodeCursor, encodeCursor, likePrefix } from '../keyset.js';
import { toContactView, type ContactStatus, type ContactView } from './contacts.js';

export type ContactQuery = {
  search?: string | undefined;
  status?: ContactStatus | undefined;
  listId?: string | undefined;
  /** Opaque: the last email of the previous page. */
  cursor?: string | undefined;
  limit: number;
};

export type ContactPage = { items: ContactView[]; nextCursor: string | null };


/**
 * Keyset pages ordered by email. Each search branch (email, first name, last
 * name prefix) is an index range read cut at the page size; a page without
 * a search costs the same at the millionth contact as at the first.
 */
export async function listContacts(deps: Deps, tenantId: string, query: ContactQuery): Promise<ContactPage> {
  const { sql } = deps;
  const after = decodeCursor(query.cursor);
  const take = query.limit + 1;
  const filters = sql`
    ${query.status ? sql`and status = ${query.status}` : sql``}
    ${query.listId ? sql`and exists (select 1 from list_members m where m.list_id = ${query.listId} and m.contact_id = contacts.id and m.tenant_id = ${tenantId})` : sql``}`;
  const columns = sql`id, tenant_id, email, first_name, last_name, attributes, status, created_at, updated_at`;
  const search = query.search?.trim().toLowerCase();
  const prefix = search ? likePrefix(search) : '';
  // A search first picks the page's emails — the email branch reads its index in email order, the name
  // branches read their name index and sort the matches by email — then loads just those rows.
  const rows = search
    ? await sql`
        with page as (
          (select email from contacts where tenant_id = ${tenantId} and email like ${prefix} and email > ${after} ${filters} order by email limit ${take})
          union
          (select email from contacts where tenant_id = ${tenantId} and lower(first_name) collate "C" like ${prefix} and email > ${after} ${filters} order by email limit ${take})
          union
          (select email from contacts where tenant_id = ${tenantId} and lower(last_name) collate "C" like ${prefix} and email > ${after} ${filters} order by email limit ${take})
          order by email limit ${take}
        )
        select ${columns} from contacts where tenant_id = ${tenantId} and email in (select email from page) order by email`
    : await sql`select ${columns} from contacts where tenant_id = ${tenantId} and email > ${after} ${filters} order by email limit ${take}`;
  const page = rows.slice(0, query.limit).map((r) =>
    toContactView({
      id: r.id,
      tenantId: r.tenant_id,
      email: r.email,
      firstName: r.first_name,
      lastName: r.last_name,
      attributes: r.attributes,
      status: r.status,
      createdAt: new Date(r.created_at),
      updatedAt: new Date(r.updated_at),
    }),
  );
  const last = page.at(-1);
  return { items: page, nextCursor: rows.length > query.limit && last ? encodeCursor(last.email) : null };
}

export async function countContacts(deps: Deps, tenantId: string): Promise<{ total: number }> {
  const [row] = await deps.sql<{ total: number }[]>`select count(*)::int as total from contacts where tenant_id = ${tenantId}`;
  return { total: row?.total ?? 0 };
}
