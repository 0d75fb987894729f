import type { Sql, TransactionSql } from 'postgres';

/**
 * SES identity notifications carry no Herald tag, so an event matches its email only by SES message
 * id. One that arrives before the sender has written that id down (SES answers, events follow within
 * milliseconds, the outcome is written after the batch) matched nothing and was kept as an orphan.
 * Writing the id hands such orphans back to pending, and the workers' sweep (pendingSweep.ts) has them
 * processed within seconds. processed_at keeps when it was first processed: the second time counts as
 * a rematch, not as another event (herald_events_processed_total). A statement, for use alone or as a
 * CTE of the outcome write.
 */
export const reopenEarlyEvents = (sql: Sql | TransactionSql, sesMessageIds: string[]) => sql`
  update message_events set state = 'pending'
  where state = 'orphan' and ses_message_id = any(${sesMessageIds}::text[])`;
