import { z } from 'zod';

/**
 * A segment's conditions: a tree with one level of nesting (the root's
 * conditions may be groups; a group's may not), each condition a field, an
 * operator and a value typed by the operator. Compiled to parameterized SQL
 * (services/segments/compile.ts); never string-built from these values.
 */
const textOps = ['equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'endsWith', 'isSet', 'isNotSet'] as const;
const numberOps = ['numberEquals', 'gt', 'gte', 'lt', 'lte'] as const;
const dateOps = ['before', 'after', 'withinLastDays', 'moreThanDaysAgo'] as const;

const text = z.string().max(1000, 'A value has at most 1,000 characters.');
const days = z.number().int().min(1, 'At least 1 day.').max(3650, 'At most 3,650 days.');
/** A calendar date or an ISO-8601 instant (years 1000–9999); a date alone means midnight UTC. */
const date = z.string().refine((s) => /^[1-9]\d{3}-\d{2}-\d{2}/.test(s) && !Number.isNaN(Date.parse(s)), 'Give a date like 2026-12-31.');

const textCondition = <F extends string>(field: F) =>
  z.discriminatedUnion('op', [
    z.object({ field: z.literal(field), op: z.enum(['equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'endsWith']), value: text }),
    z.object({ field: z.literal(field), op: z.enum(['isSet', 'isNotSet']) }),
  ]);

const attributeName = z.string().trim().min(1, 'Name the attribute.').max(100, 'An attribute name has at most 100 characters.');
const attributeCondition = z.discriminatedUnion('op', [
  z.object({ field: z.literal('attribute'), name: attributeName, op: z.enum(['equals', 'notEquals', 'contains', 'notContains', 'startsWith', 'endsWith']), value: text }),
  z.object({ field: z.literal('attribute'), name: attributeName, op: z.enum(['isSet', 'isNotSet']) }),
  z.object({ field: z.literal('attribute'), name: attributeName, op: z.enum(numberOps), value: z.number({ error: 'Enter a number.' }).finite('Enter a number.') }),
  z.object({ field: z.literal('attribute'), name: attributeName, op: z.enum(['before', 'after']), value: date }),
  z.object({ field: z.literal('attribute'), name: attributeName, op: z.enum(['withinLastDays', 'moreThanDaysAgo']), value: days }),
]);

const createdAtCondition = z.discriminatedUnion('op', [
  z.object({ field: z.literal('createdAt'), op: z.enum(['before', 'after']), value: date }),
  z.object({ field: z.literal('createdAt'), op: z.enum(['withinLastDays', 'moreThanDaysAgo']), value: days }),
]);

const statusCondition = z.object({ field: z.literal('status'), op: z.enum(['is', 'isNot']), value: z.enum(['subscribed', 'unsubscribed', 'bounced', 'complained']) });

const listCondition = z.object({ field: z.literal('list'), op: z.enum(['in', 'notIn']), listId: z.uuid('Pick a list.') });

/**
 * Engagement from Herald's own data (campaign messages): opened, clicked or
 * was sent any campaign (no campaignId) or a given one, within the last
 * `withinDays` days (or ever); the `not…` forms are their negation, so
 * "never opened" is `notOpened` with neither.
 */
const engagementCondition = z.object({
  field: z.literal('engagement'),
  op: z.enum(['opened', 'notOpened', 'clicked', 'notClicked', 'wasSent', 'wasNotSent']),
  campaignId: z.uuid('Pick a campaign.').optional(),
  withinDays: days.optional(),
});

// Discriminated by field, then by op, so a wrong value is reported on the value itself, not as "no option matched".
export const conditionSchema = z.discriminatedUnion('field', [
  textCondition('email'),
  textCondition('firstName'),
  textCondition('lastName'),
  attributeCondition,
  createdAtCondition,
  statusCondition,
  listCondition,
  engagementCondition,
], { error: 'Choose what this condition looks at (a group holds conditions, not other groups).' });

const match = z.enum(['all', 'any']);
/** `field` never set: it is what tells a group from a condition at the root. */
export const groupSchema = z.object({ field: z.undefined().optional(), match, conditions: z.array(conditionSchema).min(1, 'A group needs at least one condition.').max(20, 'At most 20 conditions in a group.') });
export const segmentConditionsSchema = z.object({
  match,
  conditions: z.array(z.discriminatedUnion('field', [...conditionSchema.options, groupSchema], { error: 'Choose what this condition looks at.' })).max(20, 'At most 20 conditions or groups.'),
});

export type Condition = z.infer<typeof conditionSchema>;
export type ConditionGroup = z.infer<typeof groupSchema>;
export type SegmentConditions = z.infer<typeof segmentConditionsSchema>;
export const TEXT_OPS = textOps;
export const NUMBER_OPS = numberOps;
export const DATE_OPS = dateOps;
