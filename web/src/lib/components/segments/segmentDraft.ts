import { operatorOf, type FieldKey } from './conditionCatalog';

/**
 * The builder edits conditions as forms do: every input a string, every row
 * a stable key. `toConditions` turns that into the tree the server takes,
 * leaving out rows not filled in yet (counted, so the page can say so).
 */
export type DraftCondition = {
	kind: 'condition';
	key: number;
	field: FieldKey;
	op: string;
	name: string;
	value: string;
	listId: string;
	campaignId: string;
	withinDays: string;
};
export type DraftGroup = { kind: 'group'; key: number; match: 'all' | 'any'; conditions: DraftCondition[] };
export type DraftSegment = { match: 'all' | 'any'; items: (DraftCondition | DraftGroup)[] };

type Json = Record<string, unknown>;
export type ConditionTree = { match: 'all' | 'any'; conditions: Json[] };

let nextKey = 1;

export function newCondition(field: FieldKey = 'email'): DraftCondition {
	const op = operatorOf(field, '').op;
	return { kind: 'condition', key: nextKey++, field, op, name: '', value: field === 'status' ? 'subscribed' : '', listId: '', campaignId: '', withinDays: '' };
}

export function newGroup(): DraftGroup {
	return { kind: 'group', key: nextKey++, match: 'any', conditions: [newCondition()] };
}

/** A number input bound with bind:value holds a number (or null when empty), not the string its type says. */
const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** One row as the server takes it, or null while it is not filled in. */
function conditionOf(row: DraftCondition): Json | null {
	const c = { ...row, value: text(row.value), withinDays: text(row.withinDays) };
	const { value: kind, op } = operatorOf(c.field, c.op);
	const base: Json = { field: c.field, op, ...(c.field === 'attribute' ? { name: c.name.trim() } : {}) };
	if (c.field === 'attribute' && !c.name.trim()) return null;
	switch (kind) {
		case 'none':
			return base;
		case 'text':
			return c.value === '' ? null : { ...base, value: c.value };
		case 'number':
			return c.value.trim() === '' || !Number.isFinite(Number(c.value)) ? null : { ...base, value: Number(c.value) };
		case 'date':
			return c.value === '' ? null : { ...base, value: c.value };
		case 'days':
			return /^\d+$/.test(c.value.trim()) && Number(c.value) >= 1 ? { ...base, value: Number(c.value) } : null;
		case 'status':
			return c.value ? { ...base, value: c.value } : null;
		case 'list':
			return c.listId ? { ...base, listId: c.listId } : null;
		case 'engagement': {
			const days = c.withinDays.trim();
			if (days !== '' && !(/^\d+$/.test(days) && Number(days) >= 1)) return null;
			return { ...base, ...(c.campaignId ? { campaignId: c.campaignId } : {}), ...(days ? { withinDays: Number(days) } : {}) };
		}
	}
}

export function toConditions(draft: DraftSegment): { tree: ConditionTree; incomplete: number } {
	let incomplete = 0;
	const keep = (c: DraftCondition) => {
		const made = conditionOf(c);
		if (!made) incomplete += 1;
		return made;
	};
	const conditions: Json[] = [];
	for (const item of draft.items) {
		if (item.kind === 'condition') {
			const made = keep(item);
			if (made) conditions.push(made);
		} else {
			const inner = item.conditions.map(keep).filter((c): c is Json => c !== null);
			if (inner.length > 0) conditions.push({ match: item.match, conditions: inner });
		}
	}
	return { tree: { match: draft.match, conditions }, incomplete };
}

/** A saved tree back into rows. */
export function fromConditions(tree: ConditionTree): DraftSegment {
	const row = (c: Json): DraftCondition => {
		const field = String(c.field) as FieldKey;
		const value = c.value === undefined ? '' : String(c.value);
		return {
			...newCondition(field),
			op: String(c.op),
			name: typeof c.name === 'string' ? c.name : '',
			value: field === 'attribute' || field === 'createdAt' ? dateInputValue(value) : value,
			listId: typeof c.listId === 'string' ? c.listId : '',
			campaignId: typeof c.campaignId === 'string' ? c.campaignId : '',
			withinDays: c.withinDays === undefined ? '' : String(c.withinDays)
		};
	};
	return {
		match: tree.match,
		items: tree.conditions.map((c) =>
			'match' in c && Array.isArray(c.conditions)
				? { kind: 'group', key: nextKey++, match: c.match as 'all' | 'any', conditions: (c.conditions as Json[]).map(row) }
				: row(c)
		)
	};
}

/** A saved ISO date shown in a date input (YYYY-MM-DD); anything else as it is. */
function dateInputValue(value: string): string {
	return /^\d{4}-\d{2}-\d{2}T/.test(value) ? value.slice(0, 10) : value;
}
