import { AppError } from '../../errors.js';
import type { Deps } from '../../deps.js';
import { missingVariables } from './content.js';
import { loadVersion } from './load.js';
import { renderContent } from './renderContent.js';

export type RenderedForSend = { templateId: string; version: number; subject: string; html: string | null; text: string | null };

/**
 * What emails.send sends for a template: the tenant's current version,
 * rendered with the caller's variables (no samples: those are for previews).
 * A required variable that is absent or blank is a 400 naming it, rather
 * than an email with a hole in it. `version` is what the email records.
 */
export async function renderTemplateForSend(
  deps: Pick<Deps, 'sql' | 'db'>,
  tenantId: string,
  templateId: string,
  variables: Record<string, unknown>,
): Promise<RenderedForSend> {
  const { content } = await loadVersion(deps, tenantId, templateId);
  const missing = missingVariables(content.variables, variables);
  if (missing.length > 0) {
    throw new AppError('BAD_REQUEST', `Missing template variables: ${missing.join(', ')}.`, {
      missingVariables: missing,
      fieldErrors: Object.fromEntries(missing.map((name) => [`variables.${name}`, 'Required by the template.'])),
    });
  }
  return { templateId, version: content.version, ...renderContent(content, variables) };
}
