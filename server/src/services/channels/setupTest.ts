import { randomUUID } from 'node:crypto';
import { AppError } from '../../errors.js';
import { buildRawEmail } from '../../rendering/mime.js';
import { explainAwsError } from '../../ses/awsErrors.js';
import { settleSendRawEmail } from '../../ses/sendRawEmail.js';
import { loadSendingChannel } from '../../sending/sendingChannel.js';
import { noTurnMessage, sendAtTurn } from '../../sending/sendTurn.js';
import type { Deps } from '../../deps.js';
import { findEmailChannelRow } from './emailChannel.js';
import { readTestBatch, SCENARIOS, type TestBatch } from './setupTestResults.js';
import { finishTestSend, recordTestSend } from './testSendRecords.js';

/** Each test email waits at most this long for a slot of the tenant's send rate. */
const SLOT_WAIT_MS = 5_000;

/**
 * Sends one email to each of SES's mailbox-simulator addresses (success,
 * bounce, complaint) through the tenant's account and configuration set, so
 * the events that come back prove the whole path. They are test sends: no
 * campaign counts them, and their bounce and complaint suppress nothing.
 */
export async function sendSetupTestEmails(deps: Deps, tenantId: string): Promise<TestBatch> {
  const channel = await loadSendingChannel(deps, tenantId);
  const row = await findEmailChannelRow(deps, tenantId);
  if (!channel || !row?.verifiedSenderEmail) {
    throw new AppError('PRECONDITION_FAILED', 'Connect Amazon SES in Settings → Channels before sending test emails.', { problem: 'NO_CHANNEL', fixPath: '/settings/channels' });
  }
  const batchId = randomUUID();
  for (const scenario of SCENARIOS) {
    const id = await recordTestSend(deps, { tenantId, kind: 'setup', to: scenario.to, batchId });
    const raw = buildRawEmail({
      from: { name: 'Herald', address: row.verifiedSenderEmail },
      to: scenario.to,
      replyTo: null,
      subject: `Herald event tracking test (${scenario.scenario})`,
      html: `<p>This email checks that Amazon SES events reach Herald. Expected: ${scenario.expected.join(', ')}.</p>`,
      text: `This email checks that Amazon SES events reach Herald. Expected: ${scenario.expected.join(', ')}.`,
      unsubscribeUrl: null,
    });
    const turn = await sendAtTurn({ sql: deps.sql, clock: deps.dbClock }, { tenantId, ratePerSec: channel.ratePerSec, maxWaitMs: SLOT_WAIT_MS }, (departure) =>
      settleSendRawEmail(channel.client(), { raw, to: scenario.to, configurationSetName: channel.configurationSetName, tags: { tenantId, testSendId: id }, departure }),
    );
    await finishTestSend(
      deps,
      id,
      turn.turn !== 'go'
        ? { error: noTurnMessage(turn.turn) }
        : turn.sent.ok
          ? { providerMessageId: turn.sent.providerMessageId ?? null }
          : { error: explainAwsError(turn.sent.error, 'ses:SendRawEmail', channel.region).message },
    );
  }
  deps.logger.info({ tenantId, batchId }, 'setup test emails sent');
  return readTestBatch(deps, tenantId, batchId);
}
