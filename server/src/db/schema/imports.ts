import { bigint, boolean, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { lists } from './lists.js';
import { tenants } from './tenants.js';
import { users } from './users.js';

export const importStatus = pgEnum('import_status', ['uploaded', 'queued', 'parsing', 'importing', 'done', 'failed']);

export type ImportMapping = {
  email: string;
  firstName?: string | undefined;
  lastName?: string | undefined;
  /** CSV column → attribute name. */
  attributes: Record<string, string>;
};

/**
 * A CSV import. The file itself lives in import_chunks, in the database, so
 * any worker process on any machine can read it.
 */
export const contactImports = pgTable(
  'contact_imports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tenantId: uuid('tenant_id').notNull().references(() => tenants.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    fileName: text('file_name').notNull(),
    status: importStatus('status').notNull().default('uploaded'),
    delimiter: text('delimiter').notNull(),
    /** Whether the first row names the columns (else they are "Column 1", "Column 2", …). */
    hasHeader: boolean('has_header').notNull(),
    columns: jsonb('columns').$type<string[]>().notNull(),
    preview: jsonb('preview').$type<string[][]>().notNull(),
    mapping: jsonb('mapping').$type<ImportMapping>(),
    listId: uuid('list_id').references(() => lists.id, { onDelete: 'set null' }),
    onExisting: text('on_existing').$type<'update' | 'skip'>().notNull().default('skip'),
    bytesTotal: bigint('bytes_total', { mode: 'number' }).notNull(),
    bytesRead: bigint('bytes_read', { mode: 'number' }).notNull().default(0),
    rowsTotal: integer('rows_total'),
    rowsDone: integer('rows_done').notNull().default(0),
    created: integer('created').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
    failedRows: integer('failed_rows').notNull().default(0),
    error: text('error'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('contact_imports_tenant_id_idx').on(t.tenantId)],
);

export const importChunks = pgTable(
  'import_chunks',
  {
    importId: uuid('import_id').notNull().references(() => contactImports.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    /**
     * Already-validated UTF-8 text: stored as text, it needs no hex encoding on the way in or out. Stored
     * uncompressed (STORAGE EXTERNAL, migration 0026, which drizzle cannot express): compression cost more
     * of an upload than the disk it saves on a file kept only until its import is done.
     */
    content: text('content').notNull(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.seq] })],
);

/** Rows that could not be imported, with their line number and reason (the downloadable error report). */
export const importErrors = pgTable(
  'import_errors',
  {
    importId: uuid('import_id').notNull().references(() => contactImports.id, { onDelete: 'cascade' }),
    line: integer('line').notNull(),
    email: text('email'),
    reason: text('reason').notNull(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.line] })],
);
