import { eq } from 'drizzle-orm';
import { tenantChannelSettings } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import { snsClient } from '../../ses/clients.js';
import {
  DEFAULT_CONFIGURATION_SET,
  ensureConfigurationSet,
  ensureEventDestination,
  ensureSubscription,
  ensureTopic,
  type SetupStep,
  type SetupStepName,
} from '../../ses/eventSetup.js';
import type { Deps } from '../../deps.js';
import { requireConnectedChannel } from './emailChannel.js';
import { unreachableWebhookReason } from './publicWebhook.js';

export type EventSetupResult = {
  steps: SetupStep[];
  configurationSetName: string;
  topicArn: string;
  webhookUrl: string;
  /** The webhook confirmed the subscription already (a rerun); otherwise SNS's confirmation is on its way. */
  subscriptionConfirmed: boolean;
};

const STEP_LABELS: Record<SetupStepName, string> = {
  configurationSet: 'Creating the SES configuration set',
  topic: 'Creating the SNS topic',
  eventDestination: 'Creating the SES event destination',
  subscription: "Subscribing Herald's webhook to the topic",
};

export function webhookUrlOf(deps: Pick<Deps, 'env'>): string {
  return new URL('/webhooks/email', deps.env.publicUrl).toString();
}

/**
 * Sets up SES → SNS → Herald in the tenant's own account with its stored
 * keys: configuration set, topic, event destination, webhook subscription.
 * Each step looks before it creates, so a rerun (after a partial failure, or
 * just again) reuses what exists and creates no duplicates. The
 * configuration set name is stored only when every step passed, so sends
 * name it from then on. Against real AWS, a webhook URL the internet cannot
 * reach is refused before anything is created.
 */
export async function setupEmailEvents(deps: Deps, tenantId: string): Promise<EventSetupResult> {
  const channel = await requireConnectedChannel(deps, tenantId);
  const webhookUrl = webhookUrlOf(deps);
  const unreachable = deps.env.sesEndpoint ? null : unreachableWebhookReason(new URL(webhookUrl));
  if (unreachable) throw new AppError('PRECONDITION_FAILED', unreachable, { problem: 'WEBHOOK_NOT_PUBLIC', webhookUrl });

  const configurationSetName = channel.row.configurationSetName ?? DEFAULT_CONFIGURATION_SET;
  const ses = deps.sesClients.get(channel.options);
  const sns = snsClient(channel.options);
  const steps: SetupStep[] = [];
  let current: SetupStepName = 'configurationSet';
  try {
    steps.push(await ensureConfigurationSet(ses, channel.region, configurationSetName));
    current = 'topic';
    const topic = await ensureTopic(sns, channel.region, channel.accountId);
    steps.push(topic);
    current = 'eventDestination';
    steps.push(await ensureEventDestination(ses, channel.region, configurationSetName, topic.topicArn));
    current = 'subscription';
    // The topic is known before SNS posts its confirmation: the webhook records the confirmation against it.
    await deps.sql`insert into sns_topics (topic_arn, aws_account_id) values (${topic.topicArn}, ${channel.accountId}) on conflict (topic_arn) do nothing`;
    const subscription = await ensureSubscription(sns, channel.region, topic.topicArn, webhookUrl);
    steps.push(subscription);

    await deps.db
      .update(tenantChannelSettings)
      .set({
        configurationSetName,
        eventsTopicArn: topic.topicArn,
        eventsSubscriptionArn: subscription.subscriptionArn,
        eventsSetupAt: deps.now(),
        eventsSetupError: null,
        updatedAt: deps.now(),
      })
      .where(eq(tenantChannelSettings.id, channel.row.id));
    const [confirmed] = await deps.sql`select 1 from sns_topics where topic_arn = ${topic.topicArn} and confirmed_at is not null and unsubscribed_at is null`;
    deps.logger.info({ tenantId, topicArn: topic.topicArn, configurationSetName, steps: steps.map((s) => `${s.step}:${s.outcome}`) }, 'email event tracking set up');
    return { steps, configurationSetName, topicArn: topic.topicArn, webhookUrl, subscriptionConfirmed: subscription.outcome === 'reused' && confirmed !== undefined };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const message = `${STEP_LABELS[current]} failed: ${err.message}`;
    await deps.db
      .update(tenantChannelSettings)
      .set({ eventsSetupError: message, updatedAt: deps.now() })
      .where(eq(tenantChannelSettings.id, channel.row.id));
    deps.logger.warn({ tenantId, step: current, awsErrorCode: err.details?.awsErrorCode }, 'email event tracking setup stopped');
    throw new AppError(err.code, message, { ...err.details, failedStep: current, steps });
  } finally {
    sns.destroy();
  }
}
