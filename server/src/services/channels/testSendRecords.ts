import type { Deps } from '../../deps.js';

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

/** SES's answer for a recorded test email: its MessageId, or why it was refused. */
export async function finishTestSend(deps: Pick<Deps, 'sql'>, id: string, outcome: { providerMessageId: string | null } | { error: string }): Promise<void> {
  if ('error' in outcome) await deps.sql`update test_sends set error = ${outcome.error} where id = ${id}`;
  else await deps.sql`update test_sends set provider_message_id = ${outcome.providerMessageId} where id = ${id}`;
}
