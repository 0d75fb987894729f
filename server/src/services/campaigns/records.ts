import { and, desc, eq, inArray } from 'drizzle-orm';
import { campaigns, lists, segments } from '../../db/schema/index.js';
import { validateTemplates } from '../../rendering/render.js';
import { AppError } from '../../errors.js';
import { campaignCounts, countsByCampaign, type CampaignCounts } from './stats.js';
import { localTimeOf, type LocalTime } from './scheduleTime.js';
import type { Deps } from '../../deps.js';

export type CampaignFields = {
  name: string;
  channel: 'email';
  subject: string;
  fromEmail: string;
  fromName: string | null;
  replyTo: string | null;
  html: string;
  /** Null (or empty) means "generate from the HTML". */
  text: string | null;
  /** The audience: a list or a segment, exactly one. */
  listId: string | null;
  segmentId: string | null;
};
export type CampaignPatch = Partial<Omit<CampaignFields, 'channel'>>;

type Row = typeof campaigns.$inferSelect;
export type CampaignStatus = Row['status'];
export type CampaignSummary = {
  id: string;
  channel: 'email';
  name: string;
  subject: string;
  status: Row['status'];
  listId: string | null;
  listName: string | null;
  segmentId: string | null;
  segmentName: string | null;
  createdAt: string;
  updatedAt: string;
  /** When "send" was pressed. */
  startedAt: string | null;
  /** When the last message was done (status `sent`). */
  sentAt: string | null;
  /** Why sending stopped, when Herald paused it (null when paused by hand). */
  pausedReason: string | null;
  /** The instant a scheduled campaign starts (or started, or was to start when `scheduleProblem` says why not). */
  scheduledAt: string | null;
  /** The IANA zone the time was picked in. */
  scheduleTimeZone: string | null;
  /** `scheduledAt` on that zone's clocks, with its UTC offset (which of a repeated fall-back hour). */
  scheduledLocal: LocalTime | null;
  /** Why the scheduled start did not happen (the campaign is a draft again). */
  scheduleProblem: string | null;
  /** How long after its scheduled time the campaign started (a worker was down at the time), in seconds. */
  startDelaySeconds: number | null;
  counts: CampaignCounts;
};
export type CampaignView = CampaignSummary & {
  fromEmail: string;
  fromName: string | null;
  replyTo: string | null;
  html: string;
  text: string | null;
};

type AudienceNames = { listName: string | null; segmentName: string | null };

const summaryOf = (row: Row, { listName, segmentName }: AudienceNames, counts: CampaignCounts): CampaignSummary => ({
  id: row.id,
  channel: row.channel,
  name: row.name,
  subject: row.subject,
  status: row.status,
  listId: row.listId,
  listName,
  segmentId: row.segmentId,
  segmentName,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
  startedAt: row.startedAt?.toISOString() ?? null,
  sentAt: row.sentAt?.toISOString() ?? null,
  pausedReason: row.pausedReason,
  scheduledAt: row.scheduledAt?.toISOString() ?? null,
  scheduleTimeZone: row.scheduleTimeZone,
  scheduledLocal: row.scheduledAt && row.scheduleTimeZone ? localTimeOf(row.scheduledAt, row.scheduleTimeZone) : null,
  scheduleProblem: row.scheduleProblem,
  startDelaySeconds: startDelaySeconds(row),
  counts,
});

/** Only a campaign its schedule started has one: a draft sent by hand drops its schedule. */
function startDelaySeconds(row: Row): number | null {
  if (!row.scheduledAt || !row.startedAt) return null;
  return Math.max(0, Math.round((row.startedAt.getTime() - row.scheduledAt.getTime()) / 1000));
}

const viewOf = (row: Row, names: AudienceNames, counts: CampaignCounts): CampaignView => ({
  ...summaryOf(row, names, counts),
  fromEmail: row.fromEmail,
  fromName: row.fromName,
  replyTo: row.replyTo,
  html: row.html,
  text: row.text,
});

const notFound = () => new AppError('NOT_FOUND', 'No campaign with this id.');
const notEditable = () => new AppError('CONFLICT', 'Only a draft or a scheduled campaign can be edited.');
/** A scheduled campaign stays editable, and stays scheduled, until it starts. */
const EDITABLE: CampaignStatus[] = ['draft', 'scheduled'];
/** Whitespace-only text would send blank plain-text parts; treat it as "generate". */
const textOrNull = (text: string | null | undefined) => (text?.trim() ? text : null);

async function assertOwnList(deps: Deps, tenantId: string, listId: string): Promise<void> {
  const [row] = await deps.db.select({ id: lists.id }).from(lists).where(and(eq(lists.id, listId), eq(lists.tenantId, tenantId)));
  if (!row) throw new AppError('NOT_FOUND', 'No list with this id.');
}

async function assertOwnSegment(deps: Deps, tenantId: string, segmentId: string): Promise<void> {
  const [row] = await deps.db.select({ id: segments.id }).from(segments).where(and(eq(segments.id, segmentId), eq(segments.tenantId, tenantId)));
  if (!row) throw new AppError('NOT_FOUND', 'No segment with this id.');
}

/** Setting one audience clears the other: a campaign goes to a list or to a segment. */
async function audienceChange(deps: Deps, tenantId: string, patch: CampaignPatch): Promise<Pick<CampaignPatch, 'listId' | 'segmentId'>> {
  if (patch.listId) {
    await assertOwnList(deps, tenantId, patch.listId);
    return { listId: patch.listId, segmentId: null };
  }
  if (patch.segmentId) {
    await assertOwnSegment(deps, tenantId, patch.segmentId);
    return { listId: null, segmentId: patch.segmentId };
  }
  return {};
}

/** The row with its audience's name; NOT_FOUND unless it is the tenant's. */
export async function loadCampaign(deps: Deps, tenantId: string, id: string): Promise<{ row: Row } & AudienceNames> {
  const [found] = await deps.db
    .select({ row: campaigns, listName: lists.name, segmentName: segments.name })
    .from(campaigns)
    .leftJoin(lists, eq(lists.id, campaigns.listId))
    .leftJoin(segments, eq(segments.id, campaigns.segmentId))
    .where(and(eq(campaigns.id, id), eq(campaigns.tenantId, tenantId)));
  if (!found) throw notFound();
  return found;
}

/** Saving a template that does not parse is refused, so a send never meets one. */
export async function createCampaign(deps: Deps, tenantId: string, input: CampaignFields): Promise<{ id: string }> {
  const text = textOrNull(input.text);
  validateTemplates({ subject: input.subject, html: input.html, text });
  const audience = await audienceChange(deps, tenantId, input);
  const [row] = await deps.db
    .insert(campaigns)
    .values({ ...input, ...audience, text, tenantId })
    .returning({ id: campaigns.id });
  if (!row) throw new Error('campaign insert returned no row');
  return row;
}

export async function updateCampaign(deps: Deps, tenantId: string, id: string, patch: CampaignPatch): Promise<CampaignView> {
  const { row: current } = await loadCampaign(deps, tenantId, id);
  if (!EDITABLE.includes(current.status)) throw notEditable();
  const changes = patch.text === undefined ? patch : { ...patch, text: textOrNull(patch.text) };
  validateTemplates({ subject: changes.subject ?? current.subject, html: changes.html ?? current.html, text: changes.text === undefined ? current.text : changes.text });
  const audience = await audienceChange(deps, tenantId, changes);
  // The status condition makes a concurrent start (sent, or its scheduled time come) win over a late edit.
  const [updated] = await deps.db
    .update(campaigns)
    .set({ ...changes, ...audience, updatedAt: deps.now() })
    .where(and(eq(campaigns.id, id), eq(campaigns.tenantId, tenantId), inArray(campaigns.status, EDITABLE)))
    .returning({ id: campaigns.id });
  if (!updated) throw notEditable();
  return getCampaign(deps, tenantId, id);
}

export async function getCampaign(deps: Deps, tenantId: string, id: string): Promise<CampaignView> {
  const { row, ...names } = await loadCampaign(deps, tenantId, id);
  return viewOf(row, names, await campaignCounts(deps.sql, tenantId, id));
}

/** Newest first, without the bodies (they can be a megabyte each). */
export async function listCampaigns(deps: Deps, tenantId: string): Promise<CampaignSummary[]> {
  const rows = await deps.db
    .select({ row: campaigns, listName: lists.name, segmentName: segments.name })
    .from(campaigns)
    .leftJoin(lists, eq(lists.id, campaigns.listId))
    .leftJoin(segments, eq(segments.id, campaigns.segmentId))
    .where(eq(campaigns.tenantId, tenantId))
    .orderBy(desc(campaigns.createdAt), desc(campaigns.id));
  const counts = await countsByCampaign(deps.sql, tenantId, rows.map((r) => r.row.id));
  return rows.map(({ row, ...names }) => summaryOf(row, names, counts.get(row.id) as CampaignCounts));
}

/** Only drafts: a campaign that went out is the record of what was sent. */
export async function deleteCampaign(deps: Deps, tenantId: string, id: string): Promise<void> {
  const removed = await deps.db
    .delete(campaigns)
    .where(and(eq(campaigns.id, id), eq(campaigns.tenantId, tenantId), eq(campaigns.status, 'draft')))
    .returning({ id: campaigns.id });
  if (removed.length > 0) return;
  await loadCampaign(deps, tenantId, id);
  throw new AppError('CONFLICT', 'Only a draft can be deleted.');
}
