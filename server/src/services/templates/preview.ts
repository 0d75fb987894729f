import type { Deps } from '../../deps.js';
import { bodyOrNull, checkContent, missingVariables, type TemplateVariable } from './content.js';
import { loadVersion } from './load.js';
import { renderContent, type RenderedTemplate } from './renderContent.js';

export type PreviewInput =
  | { id: string; version?: number | undefined; variables: Record<string, unknown> }
  /** Unsaved content, as typed in the editor. */
  | { subject: string; html?: string | null | undefined; text?: string | null | undefined; variables: Record<string, unknown> };

export type TemplatePreview = RenderedTemplate & {
  /** The saved version rendered; null for unsaved content. */
  version: number | null;
  /** Required variables the preview had no value for: a send without them would be refused. */
  missingVariables: string[];
};

/**
 * A message as a send would render it. A saved template's sample values
 * stand in for variables not given, so a preview with no input still shows
 * something real.
 */
export async function previewTemplate(deps: Pick<Deps, 'db'>, tenantId: string, input: PreviewInput): Promise<TemplatePreview> {
  if (!('id' in input)) {
    const content = { subject: input.subject, html: bodyOrNull(input.html), text: bodyOrNull(input.text) };
    checkContent(content);
    return { ...renderContent(content, input.variables), version: null, missingVariables: [] };
  }
  const { content } = await loadVersion(deps, tenantId, input.id, input.version);
  const samples = Object.fromEntries(content.variables.filter((v): v is Required<TemplateVariable> => v.sample !== undefined).map((v) => [v.name, v.sample]));
  const scope = { ...samples, ...input.variables };
  return { ...renderContent(content, scope), version: content.version, missingVariables: missingVariables(content.variables, scope) };
}
