import type { PendingQuery, ReservedSql, Row } from 'postgres';
import type { Deps } from '../../deps.js';

export type ImportJob = {
  id: string;
  tenant_id: string;
  list_id: string | null;
  on_existing: 'update' | 'skip';
};

/**
 * New contacts written per statement; progress moves between slices, so a
 * small file gets about twenty steps and a large one 50k-row steps.
 */
const sliceFor = (rows: number) => Math.min(50_000, Math.max(2_000, Math.ceil(rows / 20)));

/** The top bits of a UUID's second half: its variant (RFC 9562), 10 in binary, as a signed 64-bit integer. */
const VARIANT_BITS = '-9223372036854775808';

/**
 * Writes the valid staged rows into `contacts` (and the list) in ONE
 * transaction. Contacts the tenant already has are updated or skipped with
 * one statement each; the new ones are inserted in email order (so the
 * unique index is filled left to right) by plain INSERTs, which cost half
 * what INSERT … ON CONFLICT does. A contact created by someone else meanwhile
 * makes a slice fail on the unique index: that slice is then redone with
 * ON CONFLICT, so the outcome is the same as if it had been there before.
 */
export async function writeContacts(deps: Deps, conn: ReservedSql, job: ImportJob, total: number): Promise<void> {
  const tenantId = job.tenant_id;
  // A reserved connection has no begin(); it is ours alone, so plain BEGIN/COMMIT is safe here.
  await conn.unsafe('begin');
  try {
    let updated = 0;
    if (job.on_existing === 'update') {
      const result = await conn`
        update contacts c set first_name = coalesce(r.first_name, c.first_name), last_name = coalesce(r.last_name, c.last_name),
          attributes = c.attributes || r.attributes, updated_at = now()
        from import_rows r where r.error is null and c.tenant_id = ${tenantId} and c.email = r.email`;
      updated = result.count;
    }
    if (job.list_id) {
      await conn`
        insert into list_members (list_id, contact_id, tenant_id)
        select ${job.list_id}, c.id, ${tenantId} from import_rows r join contacts c on c.tenant_id = ${tenantId} and c.email = r.email
        where r.error is null
        on conflict do nothing`;
    }
    await conn`drop table if exists import_new`;
    await conn`
      create temp table import_new as
      select row_number() over (order by email)::int as ord, email, first_name, last_name, attributes from import_rows r
      where error is null and not exists (select 1 from contacts c where c.tenant_id = ${tenantId} and c.email = r.email)`;
    await conn`alter table import_new add primary key (ord)`;
    const [{ fresh } = { fresh: 0 }] = await conn<{ fresh: number }[]>`select count(*)::int as fresh from import_new`;
    let done = total - fresh;
    await deps.sql`update contact_imports set rows_done = ${done} where id = ${job.id}`;

    let created = 0;
    const slice = sliceFor(fresh);
    const startMs = Date.now();
    for (let from = 0; from < fresh; from += slice) {
      const to = from + slice;
      // Ids in UUID version 7 layout: the import's start in milliseconds plus a counter in the time and
      // `rand_a` bits, then the variant bits and 62 random ones. Rising with `ord`, they append to the id
      // index instead of landing on a random page of it for every row. The random bits come from random(),
      // not gen_random_uuid(): its strong random source cost 2.5 µs a call here, 3 s of a million-row import,
      // and these bits only keep two imports started in the same millisecond apart.
      const rows = conn`
        select encode(int8send(((${startMs}::bigint + (ord - 1) / 4096) << 16) | 28672 | ((ord - 1) % 4096))
            || int8send(${VARIANT_BITS}::bigint | (floor(random() * 2147483648)::bigint << 31) | floor(random() * 2147483648)::bigint), 'hex')::uuid,
          ${tenantId}::uuid, email, first_name, last_name, attributes
        from import_new where ord > ${from} and ord <= ${to} order by ord`;
      await conn`savepoint slice`;
      try {
        const result = job.list_id
          ? await conn`
              with added as (insert into contacts (id, tenant_id, email, first_name, last_name, attributes) ${rows} returning id)
              insert into list_members (list_id, contact_id, tenant_id) select ${job.list_id}, id, ${tenantId} from added`
          : await conn`insert into contacts (id, tenant_id, email, first_name, last_name, attributes) ${rows}`;
        await conn`release savepoint slice`;
        created += result.count;
      } catch (err) {
        if ((err as { code?: string }).code !== '23505') throw err;
        await conn`rollback to savepoint slice`;
        const counts = await writeSliceOnConflict(conn, job, rows, from, to);
        created += counts.created;
        updated += counts.updated;
      }
      done += Math.min(slice, fresh - from);
      // Progress goes through another connection so the page sees it before the commit.
      await deps.sql`update contact_imports set rows_done = ${done} where id = ${job.id}`;
    }

    const [{ valid, failed } = { valid: 0, failed: 0 }] = await conn<{ valid: number; failed: number }[]>`
      select count(*) filter (where error is null)::int as valid, count(*) filter (where error is not null)::int as failed from import_rows`;
    await conn`insert into import_errors (import_id, line, email, reason) select ${job.id}, line, email, error from import_rows where error is not null`;
    await conn`
      update contact_imports set status = 'done', rows_done = ${total}, created = ${created}, updated = ${updated},
        skipped = ${valid - created - updated}, failed_rows = ${failed}, finished_at = now()
      where id = ${job.id}`;
    await conn`delete from import_chunks where import_id = ${job.id}`;
    await conn.unsafe('commit');
  } catch (err) {
    await conn.unsafe('rollback').catch(() => undefined);
    throw err;
  } finally {
    await conn`drop table if exists import_new`.catch(() => undefined);
  }
}

/** One slice of new contacts again, for when some of them appeared while the import ran. */
async function writeSliceOnConflict(
  conn: ReservedSql,
  job: ImportJob,
  rows: PendingQuery<Row[]>,
  from: number,
  to: number,
): Promise<{ created: number; updated: number }> {
  const written = await conn<{ inserted: boolean }[]>`
    insert into contacts (id, tenant_id, email, first_name, last_name, attributes) ${rows}
    on conflict (tenant_id, email) do ${
      job.on_existing === 'update'
        ? conn`update set first_name = coalesce(excluded.first_name, contacts.first_name),
             last_name = coalesce(excluded.last_name, contacts.last_name),
             attributes = contacts.attributes || excluded.attributes, updated_at = now()`
        : conn`nothing`
    }
    returning (xmax = 0) as inserted`;
  if (job.list_id) {
    await conn`
      insert into list_members (list_id, contact_id, tenant_id)
      select ${job.list_id}, c.id, ${job.tenant_id} from import_new n join contacts c on c.tenant_id = ${job.tenant_id} and c.email = n.email
      where n.ord > ${from} and n.ord <= ${to}
      on conflict do nothing`;
  }
  const created = written.filter((w) => w.inserted).length;
  return { created, updated: written.length - created };
}
