import { z } from 'zod';
import { attributeNames } from '../services/segments/attributeNames.js';
import { segmentConditionsSchema } from '../services/segments/conditions.js';
import { previewSegment } from '../services/segments/preview.js';
import { createSegment, deleteSegment, getSegment, listSegments, updateSegment } from '../services/segments/records.js';
import { router, tenantProcedure } from '../trpc/init.js';
import { idInput, nameInput } from './inputs.js';

/** The base list; null (or absent) means all contacts. */
const baseList = idInput.nullable();
const definition = { listId: baseList.optional(), conditions: segmentConditionsSchema };
const byId = z.object({ id: idInput });

// One object rather than a union, so a half-built tree in the builder gets field errors, not "no option matched".
const previewInput = z
  .object({ id: idInput.optional(), listId: baseList.optional(), conditions: segmentConditionsSchema.optional() })
  .refine((i) => (i.id === undefined) !== (i.conditions === undefined), { message: 'Preview a saved segment (id) or conditions being edited, not both.', path: ['conditions'] });

export const segmentsRouter = router({
  create: tenantProcedure
    .input(z.object({ name: nameInput('segment name', 200), ...definition }))
    .mutation(({ ctx, input }) => createSegment(ctx.deps, ctx.tenantId, { ...input, listId: input.listId ?? null })),
  update: tenantProcedure
    .input(z.object({ id: idInput, name: nameInput('segment name', 200).optional(), listId: baseList.optional(), conditions: segmentConditionsSchema.optional() }))
    .mutation(({ ctx, input: { id, ...patch } }) => updateSegment(ctx.deps, ctx.tenantId, id, patch)),
  get: tenantProcedure.input(byId).query(({ ctx, input }) => getSegment(ctx.deps, ctx.tenantId, input.id)),
  list: tenantProcedure.query(({ ctx }) => listSegments(ctx.deps, ctx.tenantId)),
  delete: tenantProcedure.input(byId).mutation(async ({ ctx, input }) => {
    await deleteSegment(ctx.deps, ctx.tenantId, input.id);
    return { ok: true as const };
  }),
  // A mutation like templates.preview although it only reads: a tree of long values would not fit in a GET's URL.
  preview: tenantProcedure
    .input(previewInput)
    .mutation(({ ctx, input }) =>
      previewSegment(ctx.deps, ctx.tenantId, input.id !== undefined ? { id: input.id } : { listId: input.listId ?? null, conditions: input.conditions ?? { match: 'all', conditions: [] } }),
    ),
  attributeNames: tenantProcedure.query(({ ctx }) => attributeNames(ctx.deps, ctx.tenantId)),
});
