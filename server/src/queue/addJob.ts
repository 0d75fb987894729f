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
 * The `graphile_worker.add_job(…)` call for a job, as an SQL fragment, for a
 * statement that enqueues as part of something bigger (one round trip).
 */
export function addJobCall<N extends TaskName>(sql: Sql | TransactionSql, name: N, payload: z.input<(typeof taskPayloads)[N]>, opts: JobOptions = {}) {
  return sql`graphile_worker.add_job(
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

/**
 * One `graphile_worker.add_jobs(…)` call for many jobs of one task, as an SQL
 * fragment yielding a row per job: a batch of emails enqueues its jobs in the
 * statement that stores them.
 */
export function addJobsCall<N extends TaskName>(sql: Sql | TransactionSql, name: N, jobs: { payload: z.input<(typeof taskPayloads)[N]>; opts?: Pick<JobOptions, 'runAt' | 'jobKey'> }[]) {
  const specs = jobs.map((j) => ({ identifier: name, payload: j.payload, run_at: j.opts?.runAt?.toISOString() ?? null, job_key: j.opts?.jobKey ?? null }));
  return sql`graphile_worker.add_jobs(array(select json_populate_recordset(null::graphile_worker.job_spec, ${JSON.stringify(specs)}::json)), false)`;
}

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
  await sql`select ${addJobCall(sql, name, payload, opts)}`;
}
