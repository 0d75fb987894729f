import { and, desc, eq } from 'drizzle-orm';
import { templates, templateVersions } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import type { Deps } from '../../deps.js';

export type TemplateRow = typeof templates.$inferSelect;
export type VersionRow = typeof templateVersions.$inferSelect;

export const templateNotFound = () => new AppError('NOT_FOUND', 'No template with this id.');

// Ids reach here from API callers (emails.send); a malformed one is simply not a template, not a database error.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The tenant's template with one version (the current one unless `version` is given); NOT_FOUND otherwise. */
export async function loadVersion(deps: Pick<Deps, 'db'>, tenantId: string, id: string, version?: number): Promise<{ template: TemplateRow; content: VersionRow }> {
  if (!UUID.test(id)) throw templateNotFound();
  const [found] = await deps.db
    .select({ template: templates, content: templateVersions })
    .from(templates)
    .innerJoin(
      templateVersions,
      and(eq(templateVersions.templateId, templates.id), version === undefined ? eq(templateVersions.version, templates.currentVersion) : eq(templateVersions.version, version)),
    )
    .where(and(eq(templates.id, id), eq(templates.tenantId, tenantId)));
  if (found) return found;
  if (version !== undefined) {
    const [exists] = await deps.db.select({ id: templates.id }).from(templates).where(and(eq(templates.id, id), eq(templates.tenantId, tenantId)));
    if (exists) throw new AppError('NOT_FOUND', `This template has no version ${version}.`);
  }
  throw templateNotFound();
}

/** Every version's number and time, newest first; the caller has checked the template is the tenant's. */
export async function versionsOf(deps: Pick<Deps, 'db'>, tenantId: string, id: string): Promise<{ version: number; createdAt: string }[]> {
  const rows = await deps.db
    .select({ version: templateVersions.version, createdAt: templateVersions.createdAt })
    .from(templateVersions)
    .where(and(eq(templateVersions.templateId, id), eq(templateVersions.tenantId, tenantId)))
    .orderBy(desc(templateVersions.version));
  return rows.map((r) => ({ version: r.version, createdAt: r.createdAt.toISOString() }));
}
