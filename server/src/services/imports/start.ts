import { addJob } from '../../queue/addJob.js';
import type { ImportMapping } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../../deps.js';

export type StartImportInput = { id: string; mapping: ImportMapping; listId?: string | undefined; onExisting: 'update' | 'skip' };

/**
 * Checks the mapping against the file's columns and queues the import job in
 * the same transaction as the status change, so a queued import always has
 * its job and a failed commit leaves neither.
 */
export async function startImport(deps: Deps, tenantId: string, input: StartImportInput): Promise<{ id: string }> {
  return deps.sql.begin(async (tx) => {
    const [row] = await tx<{ status: string; columns: string[] }[]>`
      select status, columns from contact_imports where id = ${input.id} and tenant_id = ${tenantId} for update`;
    if (!row) throw new AppError('NOT_FOUND', 'No import with this id.');
    if (row.status !== 'uploaded') throw new AppError('CONFLICT', 'This import has already been started.');
    const known = new Set(row.columns);
    const used = [input.mapping.email, input.mapping.firstName, input.mapping.lastName, ...Object.keys(input.mapping.attributes)].filter((c): c is string => Boolean(c));
    const unknown = used.filter((c) => !known.has(c));
    if (unknown.length > 0) throw new AppError('BAD_REQUEST', `The file has no column named ${unknown.map((c) => `"${c}"`).join(', ')}.`);
    if (new Set(used).size !== used.length) throw new AppError('BAD_REQUEST', 'Each column can be mapped to one field only.');
    if (input.listId) {
      const [list] = await tx`select 1 from lists where id = ${input.listId} and tenant_id = ${tenantId}`;
      if (!list) throw new AppError('NOT_FOUND', 'The list to import into does not exist.');
    }
    await tx`
      update contact_imports set status = 'queued', mapping = ${JSON.stringify(input.mapping)}::jsonb, list_id = ${input.listId ?? null}, on_existing = ${input.onExisting}
      where id = ${input.id}`;
    // One attempt: a failure is recorded on the import with its reason; the person can upload again.
    await addJob(tx, 'contacts__import', { importId: input.id }, { maxAttempts: 1, queueName: `import:${tenantId}` });
    return { id: input.id };
  });
}
