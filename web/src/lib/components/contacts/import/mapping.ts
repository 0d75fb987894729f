import { checkAttributeName, toAttributeName } from '../types';
import type { UploadedCsv } from './upload';

/** The list choice that means "create one with this name". */
export const NEW_LIST = '__new__';

/** The choices of the columns that hold a contact's own fields; only the email is required. */
export const PERSON_COLUMNS = [
	{ key: 'email', id: 'map-email', label: 'Email address column', none: null },
	{ key: 'firstName', id: 'map-first-name', label: 'First name column', none: 'None' },
	{ key: 'lastName', id: 'map-last-name', label: 'Last name column', none: 'None' }
] as const;

/** What to do with a column that isn't the email or a name. */
export interface ColumnPlan {
	include: boolean;
	/** The custom field it becomes, e.g. company_size. */
	name: string;
}

export interface MappingState {
	email: string;
	/** '' = none. */
	firstName: string;
	lastName: string;
	/** Every column has a plan, so switching a column's role back and forth keeps what was typed. */
	plans: Record<string, ColumnPlan>;
}

export type ColumnRole =
	| { kind: 'email' }
	| { kind: 'firstName' }
	| { kind: 'lastName' }
	| { kind: 'field'; name: string }
	| { kind: 'skip' };

export function initialMapping(uploaded: UploadedCsv): MappingState {
	const suggested = uploaded.suggestedMapping;
	const plans: Record<string, ColumnPlan> = {};
	for (const column of uploaded.columns) {
		const name = suggested.attributes[column];
		plans[column] = name ? { include: true, name } : { include: false, name: toAttributeName(column) };
	}
	return {
		email: suggested.email ?? '',
		firstName: suggested.firstName ?? '',
		lastName: suggested.lastName ?? '',
		plans
	};
}

export function roleOf(state: MappingState, column: string): ColumnRole {
	if (column === state.email) return { kind: 'email' };
	if (column === state.firstName) return { kind: 'firstName' };
	if (column === state.lastName) return { kind: 'lastName' };
	const plan = state.plans[column];
	return plan?.include ? { kind: 'field', name: plan.name.trim() } : { kind: 'skip' };
}

/** Columns that aren't the email or a name, in file order. */
export function otherColumns(state: MappingState, columns: string[]): string[] {
	return columns.filter((c) => c !== state.email && c !== state.firstName && c !== state.lastName);
}

export type MappingErrors = Partial<Record<'email' | 'firstName' | 'lastName', string>> & {
	/** Per column, for the custom field names. */
	fields?: Record<string, string>;
};

export function checkMapping(state: MappingState, columns: string[]): MappingErrors {
	const errors: MappingErrors = {};
	if (!state.email) errors.email = 'Choose the column that holds the email addresses.';
	if (state.firstName && state.firstName === state.email)
		errors.firstName = 'This column already holds the email addresses.';
	if (state.lastName && (state.lastName === state.email || state.lastName === state.firstName))
		errors.lastName = `This column is already used for the ${state.lastName === state.email ? 'email addresses' : 'first name'}.`;
	const fields: Record<string, string> = {};
	const seen = new Map<string, string>();
	for (const column of otherColumns(state, columns)) {
		const plan = state.plans[column];
		if (!plan?.include) continue;
		const name = plan.name.trim();
		const problem = checkAttributeName(name);
		if (problem) fields[column] = problem;
		else if (seen.has(name)) fields[column] = `“${seen.get(name)}” is already saved as ${name}. Choose another name.`;
		seen.set(name, column);
	}
	if (Object.keys(fields).length > 0) errors.fields = fields;
	return errors;
}

export function hasErrors(errors: MappingErrors): boolean {
	return Object.keys(errors).length > 0;
}

/** The mapping contacts.importStart expects. */
export function toImportMapping(state: MappingState, columns: string[]) {
	const attributes: Record<string, string> = {};
	for (const column of otherColumns(state, columns)) {
		const plan = state.plans[column];
		if (plan?.include) attributes[column] = plan.name.trim();
	}
	return {
		email: state.email,
		firstName: state.firstName || undefined,
		lastName: state.lastName || undefined,
		attributes
	};
}
