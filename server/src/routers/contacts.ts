import { z } from 'zod';
import { countContacts, listContacts } from '../services/audience/contactSearch.js';
import { createContact, deleteContact, getContact, updateContact } from '../services/audience/contacts.js';
import { startImport } from '../services/imports/start.js';
import { importStatus, recentImports } from '../services/imports/status.js';
import { router, tenantProcedure } from '../trpc/init.js';
import { emailInput, idInput } from './inputs.js';

const nameField = z.string().trim().max(200, 'A name has at most 200 characters.');
const attributeKey = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'Attribute names use lower-case letters, digits and _ (like company_size).');
const attributes = z
  .record(attributeKey, z.string().max(2000, 'An attribute value has at most 2000 characters.'))
  .refine((a) => Object.keys(a).length <= 50, 'A contact has at most 50 attributes.');
const statusFilter = z.enum(['subscribed', 'unsubscribed', 'bounced', 'complained']);

const mapping = z.object({
  email: z.string().min(1, 'Choose the column that holds email addresses.'),
  firstName: z.string().min(1).optional(),
  lastName: z.string().min(1).optional(),
  attributes: z.record(z.string(), attributeKey).default({}),
});

export const contactsRouter = router({
  create: tenantProcedure
    .input(
      z.object({
        email: emailInput,
        firstName: nameField.optional(),
        lastName: nameField.optional(),
        attributes: attributes.optional(),
        listIds: z.array(idInput).max(50).optional(),
      }),
    )
    .mutation(({ ctx, input }) => createContact(ctx.deps, ctx.tenantId, input)),

  get: tenantProcedure.input(z.object({ id: idInput })).query(({ ctx, input }) => getContact(ctx.deps, ctx.tenantId, input.id)),

  list: tenantProcedure
    .input(
      z.object({
        search: z.string().max(254).optional(),
        status: statusFilter.optional(),
        listId: idInput.optional(),
        cursor: z.string().max(400).optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(({ ctx, input }) => listContacts(ctx.deps, ctx.tenantId, input)),

  count: tenantProcedure.query(({ ctx }) => countContacts(ctx.deps, ctx.tenantId)),

  update: tenantProcedure
    .input(
      z.object({
        id: idInput,
        email: emailInput.optional(),
        firstName: nameField.nullable().optional(),
        lastName: nameField.nullable().optional(),
        attributes: attributes.optional(),
        status: z.enum(['subscribed', 'unsubscribed']).optional(),
      }),
    )
    .mutation(({ ctx, input }) => updateContact(ctx.deps, ctx.tenantId, input)),

  delete: tenantProcedure.input(z.object({ id: idInput })).mutation(async ({ ctx, input }) => {
    await deleteContact(ctx.deps, ctx.tenantId, input.id);
    return { ok: true as const };
  }),

  /** Starts an uploaded import (POST /api/contacts/imports) with the chosen column mapping. */
  importStart: tenantProcedure
    .input(z.object({ id: idInput, mapping, listId: idInput.optional(), onExisting: z.enum(['update', 'skip']).default('skip') }))
    .mutation(({ ctx, input }) => startImport(ctx.deps, ctx.tenantId, input)),

  importStatus: tenantProcedure.input(z.object({ id: idInput })).query(({ ctx, input }) => importStatus(ctx.deps, ctx.tenantId, input.id)),

  imports: tenantProcedure.query(({ ctx }) => recentImports(ctx.deps, ctx.tenantId)),
});
