/**
 * What the segment builder offers: each field, its operators in words, and
 * what kind of value each operator takes. Mirrors the server's condition
 * schema (server/src/services/segments/conditions.ts), which validates
 * whatever is saved.
 */
export type FieldKey = 'email' | 'firstName' | 'lastName' | 'attribute' | 'createdAt' | 'status' | 'list' | 'engagement';
export type ValueKind = 'text' | 'none' | 'number' | 'date' | 'days' | 'status' | 'list' | 'engagement';

export type Operator = { op: string; label: string; value: ValueKind };

const textOperators: Operator[] = [
	{ op: 'equals', label: 'is', value: 'text' },
	{ op: 'notEquals', label: 'is not', value: 'text' },
	{ op: 'contains', label: 'contains', value: 'text' },
	{ op: 'notContains', label: 'does not contain', value: 'text' },
	{ op: 'startsWith', label: 'starts with', value: 'text' },
	{ op: 'endsWith', label: 'ends with', value: 'text' },
	{ op: 'isSet', label: 'is set', value: 'none' },
	{ op: 'isNotSet', label: 'is not set', value: 'none' }
];
const numberOperators: Operator[] = [
	{ op: 'numberEquals', label: '= (number)', value: 'number' },
	{ op: 'gt', label: '> (number)', value: 'number' },
	{ op: 'gte', label: '≥ (number)', value: 'number' },
	{ op: 'lt', label: '< (number)', value: 'number' },
	{ op: 'lte', label: '≤ (number)', value: 'number' }
];
const dateOperators: Operator[] = [
	{ op: 'before', label: 'is before', value: 'date' },
	{ op: 'after', label: 'is after', value: 'date' },
	{ op: 'withinLastDays', label: 'is within the last', value: 'days' },
	{ op: 'moreThanDaysAgo', label: 'is more than … ago', value: 'days' }
];

export const FIELDS: { key: FieldKey; label: string; operators: Operator[] }[] = [
	{ key: 'email', label: 'Email', operators: textOperators },
	{ key: 'firstName', label: 'First name', operators: textOperators },
	{ key: 'lastName', label: 'Last name', operators: textOperators },
	{ key: 'attribute', label: 'Attribute', operators: [...textOperators, ...numberOperators, ...dateOperators] },
	{ key: 'createdAt', label: 'Added to Herald', operators: dateOperators },
	{
		key: 'status',
		label: 'Status',
		operators: [
			{ op: 'is', label: 'is', value: 'status' },
			{ op: 'isNot', label: 'is not', value: 'status' }
		]
	},
	{
		key: 'list',
		label: 'List membership',
		operators: [
			{ op: 'in', label: 'is on', value: 'list' },
			{ op: 'notIn', label: 'is not on', value: 'list' }
		]
	},
	{
		key: 'engagement',
		label: 'Engagement',
		operators: [
			{ op: 'opened', label: 'opened', value: 'engagement' },
			{ op: 'notOpened', label: 'did not open', value: 'engagement' },
			{ op: 'clicked', label: 'clicked in', value: 'engagement' },
			{ op: 'notClicked', label: 'did not click in', value: 'engagement' },
			{ op: 'wasSent', label: 'was sent', value: 'engagement' },
			{ op: 'wasNotSent', label: 'was not sent', value: 'engagement' }
		]
	}
];

export const STATUSES = [
	{ value: 'subscribed', label: 'Subscribed' },
	{ value: 'unsubscribed', label: 'Unsubscribed' },
	{ value: 'bounced', label: 'Bounced' },
	{ value: 'complained', label: 'Complained' }
] as const;

export function fieldOf(key: string) {
	return FIELDS.find((f) => f.key === key) ?? FIELDS[0]!;
}

export function operatorOf(field: string, op: string): Operator {
	const operators = fieldOf(field).operators;
	return operators.find((o) => o.op === op) ?? operators[0]!;
}
