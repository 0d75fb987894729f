import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenants } from './tenants.js';

/**
 * A tenant's transactional email template. Its content lives in versions:
 * every update adds one, so an email records exactly what it was rendered
 * from (emails.template_version) even after later edits.
 */
export const templates = pgTable(
  'templates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description'),
    /** The version emails.send uses; versions run 1, 2, 3… */
    currentVersion: integer('current_version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('templates_tenant_name_idx').on(t.tenantId, sql`lower(${t.name})`),
    index('templates_tenant_updated_idx').on(t.tenantId, t.updatedAt),
  ],
);

export const templateVersions = pgTable(
  'template_versions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    templateId: uuid('template_id').notNull().references(() => templates.id, { onDelete: 'cascade' }),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    subject: text('subject').notNull(),
    html: text('html'),
    text: text('text'),
    /** Variables a send must supply (a missing one is a 400 naming it), with optional sample values for previews. */
    variables: jsonb('variables').$type<{ name: string; required: boolean; sample?: string }[]>().notNull().default([]),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('template_versions_template_version_idx').on(t.templateId, t.version), index('template_versions_tenant_idx').on(t.tenantId)],
);
