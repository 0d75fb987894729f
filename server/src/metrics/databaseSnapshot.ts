import type { Sql } from 'postgres';

export type JobCounts = { task: string; ready: number; running: number; scheduled: number; failed: number; oldestReadySeconds: number };

export type DatabaseSnapshot = {
  jobs: JobCounts[];
  pendingEvents: number;
  oldestPendingSeconds: number;
  /** This process's postgres.js connections by state, as Postgres sees them. */
  connections: { active: number; idle: number; idle_in_transaction: number };
};

/** A scrape must never queue behind a slow database: these reads give up after this. */
const STATEMENT_TIMEOUT_MS = 2_000;

/**
 * What the database-backed gauges show, in three short statements sent
 * together in one transaction (so one round trip and a local statement
 * timeout). The job queue is graphile-worker's public `jobs` view, a small
 * table (jobs per lane and batch, not per message); pending events are read
 * from the partial index on pending events; pg_stat_activity is in memory.
 *
 * "Ready" means due, unlocked and with attempts left. A job waiting behind
 * another of its named queue (contact imports, one per tenant at a time)
 * counts as ready too: the view does not say whether its queue is locked.
 */
export async function readDatabaseSnapshot(sql: Sql, applicationName: string): Promise<DatabaseSnapshot> {
  return sql.begin(async (tx) => {
    await tx`select set_config('statement_timeout', ${String(STATEMENT_TIMEOUT_MS)}, true)`;
    const [jobs, [events], connections] = await Promise.all([
      tx<JobCounts[]>`
        select task_identifier as task,
          count(*) filter (where locked_at is null and attempts < max_attempts and run_at <= now())::int as ready,
          count(*) filter (where locked_at is not null)::int as running,
          count(*) filter (where locked_at is null and attempts < max_attempts and run_at > now())::int as scheduled,
          count(*) filter (where locked_at is null and attempts >= max_attempts)::int as failed,
          coalesce(extract(epoch from now() - min(run_at) filter (where locked_at is null and attempts < max_attempts and run_at <= now())), 0)::float8 as "oldestReadySeconds"
        from graphile_worker.jobs
        group by task_identifier`,
      tx<{ pending: number; oldest: number }[]>`
        select count(*)::int as pending, coalesce(extract(epoch from now() - min(received_at)), 0)::float8 as oldest
        from message_events where state = 'pending'`,
      tx<{ state: string | null; n: number }[]>`
        select state, count(*)::int as n from pg_stat_activity
        where application_name = ${applicationName} and pid <> pg_backend_pid()
        group by state`,
    ]);
    const count = (state: string) => connections.find((c) => c.state === state)?.n ?? 0;
    return {
      jobs,
      pendingEvents: events?.pending ?? 0,
      oldestPendingSeconds: Math.max(0, events?.oldest ?? 0),
      connections: { active: count('active'), idle: count('idle'), idle_in_transaction: count('idle in transaction') + count('idle in transaction (aborted)') },
    };
  });
}
