import type { Sql, TransactionSql } from 'postgres';
import type { z } from 'zod';
import type { TaskName, taskPayloads } from './payloads.js';

export type JobOptions = {
  queueName?: string;
  runAt?: Date;
  maxAttempts?: number;
  jobKey?: string;
  /** 'replace' (default): the new job replaces a waiting one with the key; 'preserve_run_at' keeps its run time. */
  jobKeyMode?: 'replace' | 'preserve_run_at';
  priority?: number;
};

/**
 * Enqueues a job through SQL, so that it commits or rolls back with the
 * caller's transaction (pass the transaction as `sql`).
 */
export async function addJob<N extends TaskName>(
  sql: Sql | TransactionSql,
  name: N,
  payload: z.input<(typeof taskPayloads)[N]>,
  opts: JobOptions = {},
): Promise<void> {
  await sql`select graphile_worker.add_job(
    ${name}::text,
    ${JSON.stringify(payload)}::json,
    queue_name := ${opts.queueName ?? null}::text,
    run_at := ${opts.runAt?.toISOString() ?? null}::timestamptz,
    max_attempts := ${opts.maxAttempts ?? null}::int,
    job_key := ${opts.jobKey ?? null}::text,
    priority := ${opts.priority ?? null}::int,
    job_key_mode := ${opts.jobKeyMode ?? 'replace'}::text
  )`;
}
