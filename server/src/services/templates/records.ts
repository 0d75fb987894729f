import { and, eq } from 'drizzle-orm';
import { isUniqueViolation } from '../../db/pgErrors.js';
import { templates, templateVersions } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../../deps.js';
import { bodyOrNull, checkContent, type TemplateContent, type TemplateVariable } from './content.js';
import { loadVersion, templateNotFound, versionsOf } from './load.js';

export type TemplateView = {
  id: string;
  name: string;
  description: string | null;
  /** The version emails.send renders. */
  currentVersion: number;
  /** The version whose content this view shows (the current one unless another was asked for). */
  version: number;
  subject: string;
  html: string | null;
  text: string | null;
  variables: TemplateVariable[];
  createdAt: string;
  updatedAt: string;
  versions: { version: number; createdAt: string }[];
};

export type TemplateFields = { name: string; description: string | null } & TemplateContent;
export type TemplatePatch = Partial<TemplateFields>;

const nameTaken = (name: string) => new AppError('CONFLICT', `You already have a template called "${name}".`);

/** Only the known keys, in one order: jsonb hands objects back with its own key order. */
const plainVariables = (variables: TemplateVariable[]): TemplateVariable[] =>
  variables.map((v) => ({ name: v.name, required: v.required, ...(v.sample === undefined ? {} : { sample: v.sample }) }));

const sameContent = (a: TemplateContent, b: TemplateContent) =>
  a.subject === b.subject && a.html === b.html && a.text === b.text && JSON.stringify(plainVariables(a.variables)) === JSON.stringify(plainVariables(b.variables));

async function renamed<T>(name: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (name !== undefined && isUniqueViolation(err)) throw nameTaken(name);
    throw err;
  }
}

/** Saves version 1; a template that does not parse is refused, so a send never meets one. */
export async function createTemplate(deps: Deps, tenantId: string, input: TemplateFields): Promise<TemplateView> {
  const content = { subject: input.subject, html: bodyOrNull(input.html), text: bodyOrNull(input.text), variables: plainVariables(input.variables) };
  checkContent(content);
  const id = await renamed(input.name, () =>
    deps.db.transaction(async (tx) => {
      const now = deps.now();
      const [row] = await tx
        .insert(templates)
        .values({ tenantId, name: input.name, description: input.description, currentVersion: 1, createdAt: now, updatedAt: now })
        .returning({ id: templates.id });
      if (!row) throw new Error('template insert returned no row');
      await tx.insert(templateVersions).values({ templateId: row.id, tenantId, version: 1, ...content, createdAt: now });
      return row.id;
    }),
  );
  return getTemplate(deps, tenantId, { id });
}

/**
 * A change of content (subject, bodies, variables) adds a version and makes
 * it current; emails already sent keep pointing at the version they used.
 * Name and description are not content: changing only them adds no version.
 */
export async function updateTemplate(deps: Deps, tenantId: string, id: string, patch: TemplatePatch): Promise<TemplateView> {
  await renamed(patch.name, () =>
    deps.db.transaction(async (tx) => {
      // The row lock orders concurrent updates, so each gets its own next version number.
      const [locked] = await tx
        .select({ id: templates.id })
        .from(templates)
        .where(and(eq(templates.id, id), eq(templates.tenantId, tenantId)))
        .for('update');
      if (!locked) throw templateNotFound();
      const { template, content: current } = await loadVersion({ db: tx }, tenantId, id);
      const next: TemplateContent = {
        subject: patch.subject ?? current.subject,
        html: patch.html === undefined ? current.html : bodyOrNull(patch.html),
        text: patch.text === undefined ? current.text : bodyOrNull(patch.text),
        variables: plainVariables(patch.variables ?? current.variables),
      };
      const changed = !sameContent(next, current);
      if (changed) checkContent(next);
      const now = deps.now();
      const version = changed ? template.currentVersion + 1 : template.currentVersion;
      if (changed) await tx.insert(templateVersions).values({ templateId: id, tenantId, version, ...next, createdAt: now });
      await tx
        .update(templates)
        .set({ name: patch.name, description: patch.description, currentVersion: version, updatedAt: now })
        .where(and(eq(templates.id, id), eq(templates.tenantId, tenantId)));
    }),
  );
  return getTemplate(deps, tenantId, { id });
}

export async function getTemplate(deps: Deps, tenantId: string, input: { id: string; version?: number | undefined }): Promise<TemplateView> {
  const { template, content } = await loadVersion(deps, tenantId, input.id, input.version);
  return {
    id: template.id,
    name: template.name,
    description: template.description,
    currentVersion: template.currentVersion,
    version: content.version,
    subject: content.subject,
    html: content.html,
    text: content.text,
    variables: plainVariables(content.variables),
    createdAt: template.createdAt.toISOString(),
    updatedAt: template.updatedAt.toISOString(),
    versions: await versionsOf(deps, tenantId, template.id),
  };
}

/** Hard delete with its versions; emails sent from it keep their content, their template_id becomes null. */
export async function deleteTemplate(deps: Deps, tenantId: string, id: string): Promise<void> {
  const removed = await deps.db
    .delete(templates)
    .where(and(eq(templates.id, id), eq(templates.tenantId, tenantId)))
    .returning({ id: templates.id });
  if (removed.length === 0) throw templateNotFound();
}
