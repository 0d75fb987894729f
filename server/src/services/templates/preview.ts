import { AppError } from '../../errors.js';
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
  /**
   * Unsaved content that does not parse: why, by field; subject and bodies are then empty. An answer, not an
   * error, since half-typed Liquid is the normal state of an editor (a save of the same content is refused).
   */
  problem: { message: string; fieldErrors: Record<string, string> } | null;
};

/**
 * A message as a send would render it. A saved template's sample values
 * stand in for variables not given, so a preview with no input still shows
 * something real.
 */
export async function previewTemplate(deps: Pick<Deps, 'db'>, tenantId: string, input: PreviewInput): Promise<TemplatePreview> {
  if (!('id' in input)) {
    const content = { subject: input.subject, html: bodyOrNull(input.html), text: bodyOrNull(input.text) };
    try {
      checkContent(content);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const fieldErrors = (err.details?.fieldErrors as Record<string, string> | undefined) ?? {};
      return { subject: '', html: null, text: null, version: null, missingVariables: [], problem: { message: err.message, fieldErrors } };
    }
    return { ...renderContent(content, input.variables), version: null, missingVariables: [], problem: null };
  }
  const { content } = await loadVersion(deps, tenantId, input.id, input.version);
  const samples = Object.fromEntries(content.variables.filter((v): v is Required<TemplateVariable> => v.sample !== undefined).map((v) => [v.name, v.sample]));
  const scope = { ...samples, ...input.variables };
  return { ...renderContent(content, scope), version: content.version, missingVariables: missingVariables(content.variables, scope), problem: null };
}
