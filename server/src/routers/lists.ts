import { z } from 'zod';
import { addContactsToList, createList, deleteList, getList, listLists, removeContactsFromList, renameList } from '../services/audience/lists.js';
import { router, tenantProcedure } from '../trpc/init.js';
import { idInput, nameInput } from './inputs.js';

const members = z.object({ listId: idInput, contactIds: z.array(idInput).min(1, 'Choose at least one contact.').max(1000, 'At most 1000 contacts at a time.') });

export const listsRouter = router({
  create: tenantProcedure.input(z.object({ name: nameInput('list name') })).mutation(({ ctx, input }) => createList(ctx.deps, ctx.tenantId, input)),
  list: tenantProcedure.query(({ ctx }) => listLists(ctx.deps, ctx.tenantId)),
  get: tenantProcedure.input(z.object({ id: idInput })).query(({ ctx, input }) => getList(ctx.deps, ctx.tenantId, input.id)),
  rename: tenantProcedure.input(z.object({ id: idInput, name: nameInput('list name') })).mutation(({ ctx, input }) => renameList(ctx.deps, ctx.tenantId, input)),
  delete: tenantProcedure.input(z.object({ id: idInput })).mutation(async ({ ctx, input }) => {
    await deleteList(ctx.deps, ctx.tenantId, input.id);
    return { ok: true as const };
  }),
  addContacts: tenantProcedure.input(members).mutation(({ ctx, input }) => addContactsToList(ctx.deps, ctx.tenantId, input)),
  removeContacts: tenantProcedure.input(members).mutation(({ ctx, input }) => removeContactsFromList(ctx.deps, ctx.tenantId, input)),
});
