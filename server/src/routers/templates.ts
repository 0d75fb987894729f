import { z } from 'zod';
import { MAX_BODY_BYTES, MAX_SUBJECT_CHARS, MAX_VARIABLES, VARIABLE_NAME } from '../services/templates/content.js';
import { listTemplates } from '../services/templates/list.js';
import { previewTemplate } from '../services/templates/preview.js';
import { createTemplate, deleteTemplate, getTemplate, updateTemplate } from '../services/templates/records.js';
import { router, tenantProcedure } from '../trpc/init.js';
import { idInput, nameInput } from './inputs.js';

const MB = MAX_BODY_BYTES / 1024 / 1024;

const subject = z
  .string({ error: 'Enter a subject.' })
  .trim()
  .min(1, 'Enter a subject.')
  .max(MAX_SUBJECT_CHARS, `A subject has at most ${MAX_SUBJECT_CHARS} characters.`)
  .refine((s) => !/[\r\n]/.test(s), 'A subject must be a single line.');
// Bytes, not characters: the limit is about the size of the message SES gets.
const body = (what: string) =>
  z
    .string({ error: `The ${what} must be text.` })
    .refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_BODY_BYTES, `The ${what} is too large: at most ${MB} MB.`)
    .nullable();
const description = z.string().trim().max(500, 'A description has at most 500 characters.').transform((s) => s || null).nullable();

const variable = z.object({
  name: z.string({ error: 'Name the variable.' }).max(100, 'A variable name has at most 100 characters.').regex(VARIABLE_NAME, 'Variable names use letters, digits and _, and do not start with a digit (like first_name).'),
  required: z.boolean().default(false),
  sample: z.string().max(2000, 'A sample value has at most 2000 characters.').optional(),
});
const variables = z
  .array(variable)
  .max(MAX_VARIABLES, `A template declares at most ${MAX_VARIABLES} variables.`)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((v, i) => {
      if (seen.has(v.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `The variable ${v.name} is declared twice.` });
      seen.add(v.name);
    });
  });
/** Values for the template's variables: anything JSON can hold, reachable as {{ name }} or {{ order.total }}. */
const values = z.record(z.string().max(100, 'A variable name has at most 100 characters.'), z.unknown()).default({});

const fields = {
  name: nameInput('template name', 200),
  description: description.optional(),
  subject,
  html: body('HTML body').optional(),
  text: body('text body').optional(),
  variables: variables.optional(),
};

const byId = z.object({ id: idInput });
const versionInput = z.number({ error: 'A version is a number.' }).int('A version is a whole number.').min(1, 'Versions start at 1.');
const savedPreview = z.object({ id: idInput, version: versionInput.optional(), variables: values });
const unsavedPreview = z.object({ subject, html: body('HTML body').optional(), text: body('text body').optional(), variables: values });
const previewInput = z.union([savedPreview, unsavedPreview], { error: 'Give a template id, or a subject and a body, to preview.' });

export const templatesRouter = router({
  create: tenantProcedure
    .input(z.object(fields))
    .mutation(({ ctx, input }) =>
      createTemplate(ctx.deps, ctx.tenantId, { ...input, description: input.description ?? null, html: input.html ?? null, text: input.text ?? null, variables: input.variables ?? [] }),
    ),
  update: tenantProcedure
    .input(z.object({ id: idInput, ...fields }).partial().required({ id: true }))
    .mutation(({ ctx, input: { id, ...patch } }) => updateTemplate(ctx.deps, ctx.tenantId, id, patch)),
  get: tenantProcedure.input(z.object({ id: idInput, version: versionInput.optional() })).query(({ ctx, input }) => getTemplate(ctx.deps, ctx.tenantId, input)),
  list: tenantProcedure
    .input(
      z
        .object({
          search: z.string().max(200, 'A search has at most 200 characters.').optional(),
          cursor: z.string().max(400).optional(),
          limit: z.number().int().min(1).max(200).default(50),
        })
        .default({ limit: 50 }),
    )
    .query(({ ctx, input }) => listTemplates(ctx.deps, ctx.tenantId, input)),
  delete: tenantProcedure.input(byId).mutation(async ({ ctx, input }) => {
    await deleteTemplate(ctx.deps, ctx.tenantId, input.id);
    return { ok: true as const };
  }),
  // A mutation though it changes nothing: unsaved content can be megabytes, too much for a query's URL.
  preview: tenantProcedure.input(previewInput).mutation(({ ctx, input }) => previewTemplate(ctx.deps, ctx.tenantId, input)),
});
