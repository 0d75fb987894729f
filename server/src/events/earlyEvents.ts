import type { Sql } from 'postgres';

/**
 * SES identity notifications carry no Herald tag, so an event matches its email only by SES message
 * id. One that arrives before the sender has written that id down (SES answers, events follow within
 * milliseconds, the outcome is written after the batch) matches nothing and is kept as an orphan.
 *
 * Both sides look for the other after their own commit, never inside their transaction: the sender
 * (campaign outcomes, transactional emails, test emails) hands back orphans of the ids it just wrote
 * (reopenEarlyEvents), the event batch hands back the orphans it just made whose id is now written
 * (reopenMatchedOrphans). Whichever commits second then
 * sees what the other committed. A check inside the transaction left a gap: an event batch that had
 * found no match but not yet committed its orphan looked `pending` to the sender's check, and the
 * orphan stayed one for good (a bounce never suppressing the address). A process killed between its
 * commit and its look leaves the same gap: a worker starting up looks once more (reopenRecentOrphans).
 *
 * A handed-back event is pending again and the workers' sweep (pendingSweep.ts) has it processed
 * within seconds. processed_at keeps when it was first processed: the second time counts as a rematch,
 * not as another event (herald_events_processed_total), and an event batch never hands it back again.
 */
/** Hands back the orphans of SES ids a sender just wrote; `Sql`, not a transaction: it must run after the write's commit. */
export const reopenEarlyEvents = (sql: Sql, sesMessageIds: string[]) => sql`
  update message_events set state = 'pending'
  where state = 'orphan' and ses_message_id = any(${sesMessageIds}::text[])`;

/** The orphan `me` names a campaign message, an email or a test email of a tenant `t` on its account. */
const namesHeraldSend = (sql: Sql) => sql`
  exists (select 1 from messages m where m.tenant_id = t.tenant_id and m.provider_message_id = me.ses_message_id)
  or exists (select 1 from emails e where e.tenant_id = t.tenant_id and e.provider_message_id = me.ses_message_id)
  or exists (select 1 from test_sends ts where ts.tenant_id = t.tenant_id and ts.provider_message_id = me.ses_message_id)`;

/** Hands back the orphans among `eventIds` whose SES message id now names a campaign message, an email or a test email of the account's tenants. */
export const reopenMatchedOrphans = (sql: Sql, eventIds: string[]) => sql`
  update message_events me set state = 'pending'
  where me.id = any(${eventIds}::uuid[]) and me.state = 'orphan'
    and exists (
      select 1 from tenant_channel_settings t
      where t.aws_account_id = me.aws_account_id and t.is_connected and (${namesHeraldSend(sql)}))`;

/** How far back a worker starting up looks for orphans to hand back: a killed process is restarted well within it. */
const RECENT_ORPHANS = '1 hour';

/**
 * Hands back the orphans of the last hour whose SES message id is now known: the ones a process killed between
 * its commit and its look after it left behind. Run once when a worker process starts (pendingSweep.ts),
 * never in a loop: an event handed back that still matches nothing is an orphan again, and stays one.
 */
export async function reopenRecentOrphans(sql: Sql): Promise<number> {
  const reopened = await sql`
    update message_events me set state = 'pending'
    from tenant_channel_settings t
    where t.is_connected and me.aws_account_id = t.aws_account_id
      and me.state = 'orphan' and me.received_at > now() - ${RECENT_ORPHANS}::interval
      and (${namesHeraldSend(sql)})`;
  return reopened.count;
}
