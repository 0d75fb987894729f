import { AppError } from '../../errors.js';
import { listIdentities, senderIsVerified } from '../../ses/account.js';
import { loadSendingChannel, type SendingChannel } from '../../sending/sendingChannel.js';
import { loadCampaign, type CampaignStatus } from './records.js';
import type { Deps } from '../../deps.js';
import { getProfile } from '../account/profile.js';
import { reputationPausedProblem } from '../reputation/check.js';
import type { SendProblem } from './sendProblem.js';
import { segmentMatch } from '../segments/audience.js';
import { loadSegmentDefinition } from '../segments/load.js';

export type SendCheck = {
  problems: SendProblem[];
  /** Members who will get the email: subscribed and not suppressed. */
  recipients: number;
  /** Members skipped: unsubscribed, bounced, complained or suppressed. */
  excluded: number;
  ratePerSec: number;
  estimatedSeconds: number;
  fromEmail: string;
  subject: string;
  listName: string | null;
  segmentName: string | null;
};

type Audience = { recipients: number; members: number };

async function listAudience(deps: Deps, tenantId: string, listId: string): Promise<Audience> {
  const [row] = await deps.sql<{ recipients: number; members: number }[]>`
    select count(*) filter (where ct.status = 'subscribed' and s.email is null)::int as recipients, count(*)::int as members
    from list_members lm
    join contacts ct on ct.id = lm.contact_id
    left join suppressions s on s.tenant_id = lm.tenant_id and s.email = ct.email
    where lm.list_id = ${listId} and lm.tenant_id = ${tenantId}`;
  return row ?? { recipients: 0, members: 0 };
}

/** Who matches the segment now; the fan-out evaluates it again when it runs. */
async function segmentAudience(deps: Deps, tenantId: string, segmentId: string): Promise<Audience> {
  const segment = await loadSegmentDefinition(deps, tenantId, segmentId);
  const [row] = await deps.sql<Audience[]>`
    select count(*) filter (where ct.status = 'subscribed' and s.email is null)::int as recipients, count(*)::int as members
    from contacts ct
    left join suppressions s on s.tenant_id = ct.tenant_id and s.email = ct.email
    where ${segmentMatch(deps.sql, tenantId, segment)}`;
  return row ?? { recipients: 0, members: 0 };
}

async function audienceOf(deps: Deps, tenantId: string, row: { listId: string | null; segmentId: string | null }): Promise<Audience> {
  if (row.listId) return listAudience(deps, tenantId, row.listId);
  if (row.segmentId) return segmentAudience(deps, tenantId, row.segmentId);
  return { recipients: 0, members: 0 };
}

/** Is the campaign's sender one of the account's verified identities? Asked live, since identities change in SES. */
async function senderProblem(deps: Deps, channel: SendingChannel, fromEmail: string, editPath: string): Promise<SendProblem | null> {
  try {
    const identities = await listIdentities(channel.client(), channel.region);
    if (senderIsVerified(fromEmail, identities)) return null;
    return {
      code: 'SENDER_NOT_VERIFIED',
      message: `${fromEmail} is not a verified sender in your SES account (${channel.region}). Pick a verified sender for this campaign, or verify the address or its domain in the SES console.`,
      fixPath: editPath,
    };
  } catch (err) {
    return { code: 'SES_CHECK_FAILED', message: err instanceof AppError ? err.message : 'Herald could not check the sender with Amazon SES.', fixPath: '/settings/channels' };
  }
}

/** Why a campaign in `status` cannot start now (null when it can): only a draft starts, or a scheduled one at its time. */
function statusProblem(status: CampaignStatus, startsFrom: readonly CampaignStatus[]): SendProblem | null {
  if (startsFrom.includes(status)) return null;
  const message = status === 'scheduled' ? 'This campaign is scheduled; unschedule it to send it now.' : 'This campaign has already been sent; only a draft can be sent.';
  return { code: 'NOT_DRAFT', message, fixPath: null };
}

/**
 * Everything the send confirmation shows, and every reason the campaign
 * cannot be sent yet. `startsFrom`: the statuses it may start from (a draft
 * is sent or scheduled; a scheduled campaign is rescheduled or started at its time).
 */
export async function checkCampaignSend(deps: Deps, tenantId: string, id: string, startsFrom: readonly CampaignStatus[] = ['draft']): Promise<SendCheck> {
  const { row, listName, segmentName } = await loadCampaign(deps, tenantId, id);
  const editPath = `/campaigns/${id}/edit`;
  const problems: SendProblem[] = [];
  const notStartable = statusProblem(row.status, startsFrom);
  if (notStartable) problems.push(notStartable);
  const paused = await reputationPausedProblem(deps, tenantId);
  if (paused) problems.push(paused);

  const channel = await loadSendingChannel(deps, tenantId);
  if (!channel) {
    problems.push({ code: 'NO_CHANNEL', message: 'Connect Amazon SES in Settings → Channels before sending.', fixPath: '/settings/channels' });
  } else {
    const sender = await senderProblem(deps, channel, row.fromEmail, editPath);
    if (sender) problems.push(sender);
  }
  const profile = await getProfile(deps, tenantId);
  if (!profile.postalAddress?.trim()) {
    problems.push({
      code: 'NO_POSTAL_ADDRESS',
      message: 'Add your postal address in Settings → Sender profile before sending: the law asks for it in every marketing email.',
      fixPath: '/settings/profile',
    });
  }
  const audience = await audienceOf(deps, tenantId, row);
  if (!row.listId && !row.segmentId) problems.push({ code: 'NO_AUDIENCE', message: 'Choose the list or segment this campaign goes to.', fixPath: editPath });
  else if (audience.recipients === 0 && row.listId) {
    problems.push({
      code: 'EMPTY_AUDIENCE',
      message:
        audience.members === 0
          ? `The list “${listName}” has no contacts yet.`
          : `No one on “${listName}” can receive email: all ${audience.members} contacts unsubscribed, bounced, complained or are suppressed.`,
      fixPath: `/lists/${row.listId}`,
    });
  } else if (audience.recipients === 0) {
    problems.push({
      code: 'EMPTY_AUDIENCE',
      message:
        audience.members === 0
          ? `No contact matches the segment “${segmentName}” right now.`
          : `No one in “${segmentName}” can receive email: all ${audience.members} matching contacts unsubscribed, bounced, complained or are suppressed.`,
      fixPath: `/segments/${row.segmentId}`,
    });
  }
  const ratePerSec = channel?.ratePerSec ?? 0;
  return {
    problems,
    recipients: audience.recipients,
    excluded: audience.members - audience.recipients,
    ratePerSec,
    estimatedSeconds: ratePerSec > 0 ? Math.ceil(audience.recipients / ratePerSec) : 0,
    fromEmail: row.fromEmail,
    subject: row.subject,
    listName,
    segmentName,
  };
}

/** The first problem as the error a refused send or schedule answers: what is wrong and where to fix it. */
export function refusalOf(check: SendCheck): AppError | null {
  const [problem] = check.problems;
  if (!problem) return null;
  return new AppError(problem.code === 'NOT_DRAFT' ? 'CONFLICT' : 'PRECONDITION_FAILED', problem.message, { problem: problem.code, fixPath: problem.fixPath });
}
