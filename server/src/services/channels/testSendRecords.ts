import type { Deps } from '../../deps.js';
import { reopenEarlyEvents } from '../../events/earlyEvents.js';

export type TestSendKind = 'campaign' | 'setup';

/**
 * Records a test email before it is sent, so that its SES events (which
 * carry the row's id as the `herald_test` tag) find it however early they
 * arrive, and are neither orphans nor campaign numbers.
 */
export async function recordTestSend(
  deps: Pick<Deps, 'sql'>,
  input: { tenantId: string; kind: TestSendKind; to: string; batchId?: string; campaignId?: string },
): Promise<string> {
  const [row] = await deps.sql<{ id: string }[]>`
    insert into test_sends (tenant_id, kind, to_address, batch_id, campaign_id)
    values (${input.tenantId}, ${input.kind}, ${input.to}, ${input.batchId ?? null}, ${input.campaignId ?? null})
    returning id`;
  if (!row) throw new Error('test_sends insert returned no row');
  return row.id;
}

/**
 * SES's answer for a recorded test email: its MessageId, or why it was refused.
 * An identity notification (no `herald_test` tag) that came before the MessageId
 * was written may be an orphan by now: it is handed back (events/earlyEvents.ts).
 */
export async function finishTestSend(deps: Pick<Deps, 'sql'>, id: string, outcome: { providerMessageId: string | null } | { error: string }): Promise<void> {
  if ('error' in outcome) {
    await deps.sql`update test_sends set error = ${outcome.error} where id = ${id}`;
    return;
  }
  await deps.sql`update test_sends set provider_message_id = ${outcome.providerMessageId} where id = ${id}`;
  if (outcome.providerMessageId) await reopenEarlyEvents(deps.sql, [outcome.providerMessageId]);
}
