import { AppError } from '../../errors.js';
import type { Deps } from '../../deps.js';
import { toIso } from '../../db/times.js';

export type ImportStatusView = {
  id: string;
  fileName: string;
  status: 'uploaded' | 'queued' | 'parsing' | 'importing' | 'done' | 'failed';
  listId: string | null;
  bytesTotal: number;
  bytesRead: number;
  rowsTotal: number | null;
  rowsDone: number;
  /** 0–100 over both phases: reading the file, then writing contacts. */
  percent: number;
  created: number;
  updated: number;
  skipped: number;
  failedRows: number;
  error: string | null;
  /** Where the row errors download as CSV, when there are any. */
  errorsUrl: string | null;
  createdAt: string;
  finishedAt: string | null;
};

type ImportRow = {
  id: string;
  file_name: string;
  status: ImportStatusView['status'];
  list_id: string | null;
  bytes_total: string;
  bytes_read: string;
  rows_total: number | null;
  rows_done: number;
  created: number;
  updated: number;
  skipped: number;
  failed_rows: number;
  error: string | null;
  created_at: Date | string;
  finished_at: Date | string | null;
};

function percentOf(status: string, bytesTotal: number, bytesRead: number, rowsTotal: number | null, rowsDone: number): number {
  if (status === 'done') return 100;
  const reading = bytesTotal > 0 ? bytesRead / bytesTotal : 0;
  const writing = rowsTotal ? rowsDone / rowsTotal : 0;
  return Math.min(99, Math.floor(reading * 50 + writing * 50));
}

export async function importStatus(deps: Deps, tenantId: string, id: string): Promise<ImportStatusView> {
  const [row] = await deps.sql<ImportRow[]>`select * from contact_imports where id = ${id} and tenant_id = ${tenantId}`;
  if (!row) throw new AppError('NOT_FOUND', 'No import with this id.');
  return toStatusView(row);
}

export async function recentImports(deps: Deps, tenantId: string): Promise<ImportStatusView[]> {
  const rows = await deps.sql<ImportRow[]>`select * from contact_imports where tenant_id = ${tenantId} and status <> 'uploaded' order by created_at desc limit 20`;
  return rows.map(toStatusView);
}

function toStatusView(row: ImportRow): ImportStatusView {
  // bigint columns arrive as strings from the driver.
  const bytesTotal = Number(row.bytes_total);
  const bytesRead = Number(row.bytes_read);
  return {
    id: row.id,
    fileName: row.file_name,
    status: row.status,
    listId: row.list_id,
    bytesTotal,
    bytesRead,
    rowsTotal: row.rows_total,
    rowsDone: row.rows_done,
    percent: percentOf(row.status, bytesTotal, bytesRead, row.rows_total, row.rows_done),
    created: row.created,
    updated: row.updated,
    skipped: row.skipped,
    failedRows: row.failed_rows,
    error: row.error,
    errorsUrl: row.failed_rows > 0 ? `/api/contacts/imports/${row.id}/errors.csv` : null,
    createdAt: toIso(row.created_at),
    finishedAt: row.finished_at === null ? null : toIso(row.finished_at),
  };
}
