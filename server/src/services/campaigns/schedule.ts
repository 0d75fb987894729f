import { AppError } from '../../errors.js';
import { enqueueStart, removeStart } from '../../sending/startJob.js';
import type { Deps } from '../../deps.js';
import { getCampaign, loadCampaign, type CampaignView } from './records.js';
import { resolveSendAt } from './scheduleTime.js';
import { checkCampaignSend, refusalOf } from './sendCheck.js';

export type ScheduleInput = {
  id: string;
  /** A local date-time, `YYYY-MM-DDTHH:mm[:ss]`, on the clocks of `timeZone`. */
  sendAt: string;
  /** An IANA zone, e.g. `Europe/Berlin`. */
  timeZone: string;
};

/**
 * Schedules a draft, or moves a scheduled campaign to a new time. The send
 * checks run now (and again at the time): a campaign that could not be sent
 * now is not scheduled. The new status and time and the start job (one per
 * campaign, keyed: a reschedule replaces the waiting one) commit together.
 */
export async function scheduleCampaign(deps: Deps, tenantId: string, input: ScheduleInput): Promise<CampaignView> {
  const when = resolveSendAt(input.sendAt, input.timeZone, deps.now(), deps.env.scheduleMinLeadMs);
  const refusal = refusalOf(await checkCampaignSend(deps, tenantId, input.id, ['draft', 'scheduled']));
  if (refusal) throw refusal;
  const scheduled = await deps.sql.begin(async (tx) => {
    const rows = await tx`
      update campaigns set status = 'scheduled', scheduled_at = ${when.at.toISOString()}::timestamptz, schedule_time_zone = ${when.timeZone},
        schedule_problem = null, updated_at = now()
      where id = ${input.id} and tenant_id = ${tenantId} and status in ('draft', 'scheduled') returning id`;
    if (rows.length > 0) await enqueueStart(tx, input.id, when.at);
    return rows.length > 0;
  });
  if (!scheduled) throw new AppError('CONFLICT', 'This campaign has already started; only a draft or a scheduled campaign can be scheduled.');
  deps.logger.info({ tenantId, campaignId: input.id, scheduledAt: when.at.toISOString(), timeZone: when.timeZone }, 'campaign scheduled');
  return getCampaign(deps, tenantId, input.id);
}

/** Back to draft, its time forgotten and its start job removed, in one transaction. */
export async function unscheduleCampaign(deps: Deps, tenantId: string, id: string): Promise<CampaignView> {
  await loadCampaign(deps, tenantId, id); // NOT_FOUND for another tenant's id
  const unscheduled = await deps.sql.begin(async (tx) => {
    const rows = await tx`
      update campaigns set status = 'draft', scheduled_at = null, schedule_time_zone = null, schedule_problem = null, updated_at = now()
      where id = ${id} and tenant_id = ${tenantId} and status = 'scheduled' returning id`;
    if (rows.length > 0) await removeStart(tx, id);
    return rows.length > 0;
  });
  if (!unscheduled) throw new AppError('CONFLICT', 'Only a scheduled campaign can be unscheduled.');
  deps.logger.info({ tenantId, campaignId: id }, 'campaign unscheduled');
  return getCampaign(deps, tenantId, id);
}
