import { conflictOn, FormState } from '$lib/formState.svelte';
import type { ProblemDetails } from '$lib/errors';
import { trpc } from '$lib/trpc';
import { VARIABLE_NAME, type Template, type VariableRow } from './types';

const FIELDS = [
	['name', 'template-name'],
	['description', 'template-description'],
	['subject', 'template-subject'],
	['html', 'template-html'],
	['text', 'template-text']
] as const;

let nextKey = 0;
const rowsOf = (template: Template | null): VariableRow[] =>
	(template?.variables ?? []).map((v) => ({ key: nextKey++, name: v.name, required: v.required, sample: v.sample ?? '' }));

/**
 * The template being edited, the last saved copy to tell unsaved changes from it, and the save
 * itself: a new template becomes version 1, each change of content a new version.
 */
export class TemplateDraft {
	template = $state<Template | null>(null);
	name = $state('');
	description = $state('');
	subject = $state('');
	html = $state('');
	text = $state('');
	variables = $state<VariableRow[]>([]);
	readonly form = new FormState(FIELDS);
	#saved = $state('');

	constructor(template: Template | null) {
		this.load(template);
	}

	load(template: Template | null): void {
		this.template = template;
		this.name = template?.name ?? '';
		this.description = template?.description ?? '';
		this.subject = template?.subject ?? '';
		this.html = template?.html ?? '';
		this.text = template?.text ?? '';
		this.variables = rowsOf(template);
		this.#saved = this.#snapshot();
	}

	get dirty(): boolean {
		return this.#snapshot() !== this.#saved;
	}

	/** Sample values by variable name, for the preview. */
	get samples(): Record<string, string> {
		return Object.fromEntries(this.variables.filter((v) => v.name.trim()).map((v) => [v.name.trim(), v.sample]));
	}

	addVariable(): void {
		this.variables = [...this.variables, { key: nextKey++, name: '', required: false, sample: '' }];
	}

	removeVariable(key: number): void {
		this.variables = this.variables.filter((v) => v.key !== key);
	}

	/** Saves; the saved template, or null when it was refused (the form says why). */
	async save(): Promise<Template | null> {
		let saved: Template | null = null;
		const fields = {
			name: this.name.trim(),
			description: this.description.trim() || null,
			subject: this.subject,
			html: this.html.trim() ? this.html : null,
			text: this.text.trim() ? this.text : null,
			variables: this.variables.map((v) => ({ name: v.name.trim(), required: v.required, ...(v.sample ? { sample: v.sample } : {}) }))
		};
		await this.form.submit(
			async () => {
				const id = this.template?.id;
				saved = id ? await trpc.templates.update.mutate({ id, ...fields }) : await trpc.templates.create.mutate(fields);
			},
			{ check: () => this.#check(), onProblem: (problem) => this.#problemFields(problem) }
		);
		if (saved) this.load(saved);
		return saved;
	}

	/** What the server would refuse anyway, said before the round trip. */
	#check(): Record<string, string | undefined> {
		const errors: Record<string, string | undefined> = {
			name: this.name.trim() ? undefined : 'Name the template.',
			subject: this.subject.trim() ? undefined : 'Enter a subject.',
			html: this.html.trim() || this.text.trim() ? undefined : 'Give the template an HTML body, a text body or both.'
		};
		const names = this.variables.map((v) => v.name.trim());
		names.forEach((name, i) => {
			if (!VARIABLE_NAME.test(name)) errors[`variables.${i}.name`] = 'Use letters, digits and _, not starting with a digit (like first_name).';
			else if (names.indexOf(name) < i) errors[`variables.${i}.name`] = `${name} is declared twice.`;
		});
		return errors;
	}

	/** Template errors ("The HTML body has a template error: … (line 3)") and variable rows go inline. */
	#problemFields(problem: ProblemDetails): Record<string, string> | undefined {
		const known = FIELDS.map(([field]) => field as string);
		const inline = Object.fromEntries(
			Object.entries(problem.fieldErrors).filter(([field]) => known.includes(field) || field.startsWith('variables.'))
		);
		return Object.keys(inline).length > 0 ? inline : conflictOn('name')(problem);
	}

	#snapshot(): string {
		const { name, description, subject, html, text } = this;
		return JSON.stringify([name, description, subject, html, text, this.variables.map((v) => [v.name, v.required, v.sample])]);
	}
}
