import { and, eq } from 'drizzle-orm';
import { contacts } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import { explainAwsError } from '../../ses/awsErrors.js';
import { settleSendRawEmail } from '../../ses/sendRawEmail.js';
import { buildRawEmail } from '../../rendering/mime.js';
import { loadSendingChannel } from '../../sending/sendingChannel.js';
import { noTurnMessage, sendAtTurn } from '../../sending/sendTurn.js';
import { previewCampaign } from './preview.js';
import { loadCampaign } from './records.js';
import type { Deps } from '../../deps.js';
import { normalizeEmail } from '../emailAddress.js';
import { finishTestSend, recordTestSend } from '../channels/testSendRecords.js';

/** A test send waits at most this long for a rate slot (a big campaign of the tenant may be using them). */
const TEST_SLOT_WAIT_MS = 5_000;

/**
 * Sends the campaign as it would look to one recipient, to one address,
 * subject marked "[Test]". Merge tags use the contact with that address
 * when there is one, else the preview's sample contact. It takes a slot of
 * the tenant's send rate like any other send, and is recorded as a test
 * send (test_sends), so its events are matched but counted in no campaign.
 */
export async function sendCampaignTest(deps: Deps, tenantId: string, input: { id: string; to: string }): Promise<{ to: string; messageId: string }> {
  const to = normalizeEmail(input.to);
  const { row } = await loadCampaign(deps, tenantId, input.id);
  const channel = await loadSendingChannel(deps, tenantId);
  if (!channel) throw new AppError('PRECONDITION_FAILED', 'Connect Amazon SES in Settings → Channels before sending.', { problem: 'NO_CHANNEL', fixPath: '/settings/channels' });
  const [contact] = await deps.db.select({ id: contacts.id }).from(contacts).where(and(eq(contacts.tenantId, tenantId), eq(contacts.email, to)));
  const email = await previewCampaign(deps, tenantId, { id: row.id, ...(contact ? { contactId: contact.id } : {}) });
  const raw = buildRawEmail({
    from: { name: row.fromName, address: row.fromEmail },
    to,
    replyTo: row.replyTo,
    subject: `[Test] ${email.subject}`,
    html: email.html,
    text: email.text,
    unsubscribeUrl: email.unsubscribeUrl,
  });

  // Recorded before the turn: a round trip between the rate slot and the request would miss the slot.
  const testSendId = await recordTestSend(deps, { tenantId, kind: 'campaign', to, campaignId: row.id });
  const turn = await sendAtTurn({ sql: deps.sql, clock: deps.dbClock }, { tenantId, ratePerSec: channel.ratePerSec, maxWaitMs: TEST_SLOT_WAIT_MS }, (departure) =>
    settleSendRawEmail(channel.client(), { raw, to, configurationSetName: channel.configurationSetName, tags: { tenantId, campaignId: row.id, testSendId }, departure }),
  );
  if (turn.turn !== 'go') {
    const message = noTurnMessage(turn.turn);
    await finishTestSend(deps, testSendId, { error: message });
    throw new AppError('TOO_MANY_REQUESTS', message);
  }
  if (!turn.sent.ok) {
    const explained = explainAwsError(turn.sent.error, 'ses:SendRawEmail', channel.region);
    await finishTestSend(deps, testSendId, { error: explained.message });
    throw explained;
  }
  const providerMessageId = turn.sent.providerMessageId ?? null;
  await finishTestSend(deps, testSendId, { providerMessageId });
  deps.logger.info({ tenantId, campaignId: row.id, providerMessageId }, 'test email sent');
  return { to, messageId: providerMessageId ?? '' };
}
