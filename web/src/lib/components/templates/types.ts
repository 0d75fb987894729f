import type { RouterOutputs } from '$lib/trpc';

export type TemplatePage = RouterOutputs['templates']['list'];
export type TemplateSummary = TemplatePage['items'][number];
export type Template = RouterOutputs['templates']['get'];
export type TemplatePreview = RouterOutputs['templates']['preview'];

/** One declared variable as the editor holds it: the sample is text, empty when none. */
export interface VariableRow {
	/** Stable key for the row while its name is being typed. */
	key: number;
	name: string;
	required: boolean;
	sample: string;
}

/** The same rule as the server's: a liquid identifier, so {{ name }} reaches it. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
