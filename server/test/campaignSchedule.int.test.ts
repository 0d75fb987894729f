import { Temporal } from 'temporal-polyfill';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { campaignInput, readySender, seedContacts, type Sender } from './sendingHelpers.js';
import { sleep, startWorker, stopWorkersAfterAll, waitForCampaignStatus, workerEnv, type WorkerProcess } from './workerProcesses.js';
import { waitForExit } from './process.js';
import { useHeraldWithSimulator } from './useHerald.js';

/**
 * Scheduled campaigns through the API, started by real worker processes:
 * once at the time with two workers, after boot when no worker was up at the
 * time or whose start job was held by a worker that died, never when
 * unscheduled, and back to draft with the reason when a send check fails at
 * the time. A 1 s minimum lead keeps the waits short.
 */

// The API only: scheduled starts happen in the worker processes.
const h = useHeraldWithSimulator({ roles: { http: true, worker: false }, env: { SCHEDULE_MIN_LEAD_SECONDS: '1' } });
const workers = new Set<WorkerProcess>();
stopWorkersAfterAll(h, workers);

const ZONE = 'Europe/Berlin';
const RECIPIENTS = 12;

/** `ms` from now as a local date-time on the clocks of `zone`, whole seconds (rounded up). */
function localIn(zone: string, ms: number): { sendAt: string; at: Date } {
  const at = new Date(Math.ceil((Date.now() + ms) / 1000) * 1000);
  const local = Temporal.Instant.fromEpochMilliseconds(at.getTime()).toZonedDateTimeISO(zone).toPlainDateTime();
  return { sendAt: local.toString({ smallestUnit: 'second' }), at };
}

/** The run times (ISO) of the campaign's keyed start jobs. */
async function startJobsOf(id: string): Promise<string[]> {
  const rows = await h.herald.deps.sql<{ runAt: string }[]>`select run_at as "runAt" from graphile_worker.jobs where key = ${`campaign-start:${id}`}`;
  return rows.map((r) => new Date(r.runAt).toISOString());
}

/** A tenant with SES connected and `recipients` subscribed contacts, and a draft to them. */
async function senderWithDraft(name: string, recipients = RECIPIENTS): Promise<{ sender: Sender; id: string }> {
  const sender = await readySender(h.herald, h.sim, undefined, name);
  if (recipients > 0) await seedContacts(h.herald.deps.sql, sender, recipients);
  const { id } = await sender.agent.trpc.campaigns.create.mutate({ ...campaignInput(sender.listId), name: `${name} campaign` });
  return { sender, id };
}

/** Log lines of the start job, in every worker that ever ran. */
const startOutcomes = (id: string) =>
  [...allWorkers].flatMap((w) => w.output().split('\n')).filter((line) => line.includes(id) && line.includes('"msg":"scheduled campaign start"')).map((line) => /"outcome":"([a-z-]+)"/.exec(line)?.[1]);
const allWorkers = new Set<WorkerProcess>();

async function spawnWorker(): Promise<WorkerProcess> {
  const worker = await startWorker(workerEnv(h.herald, h.sim));
  workers.add(worker);
  allWorkers.add(worker);
  return worker;
}

/** SIGTERM: the worker's graceful shutdown, as a deploy or a restart does. */
async function stopWorker(worker: WorkerProcess): Promise<void> {
  worker.kill('SIGTERM');
  await waitForExit(worker);
  workers.delete(worker);
}

describe('scheduling through the API (no worker running)', () => {
  let sender: Sender;
  let id: string;
  beforeAll(async () => ({ sender, id } = await senderWithDraft('Planner')));

  it('stores the instant and the zone, with the local time and offset, and one keyed start job', async () => {
    const c = await sender.agent.trpc.campaigns.schedule.mutate({ id, sendAt: '2027-12-09T09:00', timeZone: 'europe/berlin' });
    expect(c).toMatchObject({
      status: 'scheduled',
      scheduledAt: '2027-12-09T08:00:00.000Z',
      scheduleTimeZone: 'Europe/Berlin',
      scheduledLocal: { dateTime: '2027-12-09T09:00', offset: '+01:00' },
      scheduleProblem: null,
      startDelaySeconds: null,
    });
    expect(await startJobsOf(id)).toEqual(['2027-12-09T08:00:00.000Z']);
    expect((await sender.agent.trpc.campaigns.list.query()).find((x) => x.id === id)).toMatchObject({ status: 'scheduled', scheduledAt: '2027-12-09T08:00:00.000Z' });

    // The checks for moving it pass; those for sending it now say to unschedule first.
    expect((await sender.agent.trpc.campaigns.sendCheck.query({ id, intent: 'schedule' })).problems).toEqual([]);
    expect((await sender.agent.trpc.campaigns.sendCheck.query({ id })).problems).toEqual([
      { code: 'NOT_DRAFT', message: 'This campaign is scheduled; unschedule it to send it now.', fixPath: null },
    ]);
    await expect(sender.agent.trpc.campaigns.send.mutate({ id })).rejects.toMatchObject({ data: { code: 'CONFLICT' } });

    // Rescheduling replaces the job.
    await sender.agent.trpc.campaigns.schedule.mutate({ id, sendAt: '2027-12-10T18:30', timeZone: 'America/New_York' });
    expect(await startJobsOf(id)).toEqual(['2027-12-10T23:30:00.000Z']);
  });

  it('keeps a scheduled campaign scheduled when it is edited', async () => {
    const edited = await sender.agent.trpc.campaigns.update.mutate({ id, subject: 'Edited while scheduled' });
    expect(edited).toMatchObject({ status: 'scheduled', subject: 'Edited while scheduled', scheduledAt: '2027-12-10T23:30:00.000Z' });
    expect(await startJobsOf(id)).toHaveLength(1);
  });

  it('unschedules: back to draft, the job removed; only a scheduled campaign can be', async () => {
    const c = await sender.agent.trpc.campaigns.unschedule.mutate({ id });
    expect(c).toMatchObject({ status: 'draft', scheduledAt: null, scheduleTimeZone: null, scheduledLocal: null });
    expect(await startJobsOf(id)).toEqual([]);
    await expect(sender.agent.trpc.campaigns.unschedule.mutate({ id })).rejects.toMatchObject({ data: { code: 'CONFLICT' }, message: 'Only a scheduled campaign can be unscheduled.' });
  });

  it('handles daylight saving: a spring-forward gap is refused, a fall-back repeat takes the first occurrence', async () => {
    const schedule = (sendAt: string, timeZone: string) => sender.agent.trpc.campaigns.schedule.mutate({ id, sendAt, timeZone });
    await expect(schedule('2027-03-28T02:30', 'Europe/Berlin')).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { sendAt: expect.any(String) } },
      message: '02:30 does not exist on Sun 28 Mar 2027 in Europe/Berlin: clocks go forward from 02:00 to 03:00. Pick 03:00 or later.',
    });
    await expect(schedule('2027-03-14T02:15', 'America/New_York')).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
      message: '02:15 does not exist on Sun 14 Mar 2027 in America/New_York: clocks go forward from 02:00 to 03:00. Pick 03:00 or later.',
    });
    expect(await schedule('2027-03-28T03:00', 'Europe/Berlin')).toMatchObject({ scheduledAt: '2027-03-28T01:00:00.000Z', scheduledLocal: { offset: '+02:00' } });
    expect(await schedule('2027-10-31T02:30', 'Europe/Berlin')).toMatchObject({
      scheduledAt: '2027-10-31T00:30:00.000Z',
      scheduledLocal: { dateTime: '2027-10-31T02:30', offset: '+02:00' },
    });
    expect(await schedule('2027-11-07T01:30', 'America/New_York')).toMatchObject({
      scheduledAt: '2027-11-07T05:30:00.000Z',
      scheduledLocal: { dateTime: '2027-11-07T01:30', offset: '-04:00' },
    });
    await sender.agent.trpc.campaigns.unschedule.mutate({ id });
  });

  it('refuses bad input with a clear error, changing nothing', async () => {
    const schedule = (sendAt: string, timeZone: string, which = id) => sender.agent.trpc.campaigns.schedule.mutate({ id: which, sendAt, timeZone });
    await expect(schedule('2027-12-09T09:00', 'Mars/Olympus')).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { timeZone: expect.stringContaining('not a known time zone') } },
    });
    await expect(schedule('2027-12-09T09:00', '+01:00')).rejects.toMatchObject({ data: { code: 'BAD_REQUEST', fieldErrors: { timeZone: expect.any(String) } } });
    await expect(schedule('9 Dec 2027 09:00', ZONE)).rejects.toMatchObject({ data: { code: 'BAD_REQUEST', fieldErrors: { sendAt: expect.stringContaining('YYYY-MM-DDTHH:mm') } } });
    await expect(schedule('2027-12-09T09:00+01:00', ZONE)).rejects.toMatchObject({ data: { code: 'BAD_REQUEST', fieldErrors: { sendAt: expect.any(String) } } });
    await expect(schedule('2027-02-29T09:00', ZONE)).rejects.toMatchObject({ data: { code: 'BAD_REQUEST', fieldErrors: { sendAt: expect.stringContaining('is not a date') } } });
    await expect(schedule('2020-01-01T09:00', ZONE)).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', fieldErrors: { sendAt: expect.any(String) } },
      message: '09:00 on Wed 1 Jan 2020 in Europe/Berlin is in the past. Pick a time in the future.',
    });
    await expect(schedule('2027-12-09T09:00', ZONE, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });

    const other = await senderWithDraft('Other', 1);
    await expect(schedule('2027-12-09T09:00', ZONE, other.id)).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });
    await expect(sender.agent.trpc.campaigns.unschedule.mutate({ id: other.id })).rejects.toMatchObject({ data: { code: 'NOT_FOUND' } });

    expect(await sender.agent.trpc.campaigns.get.query({ id })).toMatchObject({ status: 'draft', scheduledAt: null, scheduleTimeZone: null });
    expect(await startJobsOf(id)).toEqual([]);
    expect(await other.sender.agent.trpc.campaigns.get.query({ id: other.id })).toMatchObject({ status: 'draft', scheduledAt: null });
  });

  it('runs the send checks when scheduling and refuses with their problem', async () => {
    const empty = await senderWithDraft('Empty', 0);
    await expect(empty.sender.agent.trpc.campaigns.schedule.mutate({ id: empty.id, sendAt: '2027-12-09T09:00', timeZone: ZONE })).rejects.toMatchObject({
      data: { code: 'PRECONDITION_FAILED', details: { problem: 'EMPTY_AUDIENCE', fixPath: `/lists/${empty.sender.listId}` } },
      message: 'The list “Readers” has no contacts yet.',
    });
    expect(await empty.sender.agent.trpc.campaigns.get.query({ id: empty.id })).toMatchObject({ status: 'draft', scheduledAt: null });
    expect(await startJobsOf(empty.id)).toEqual([]);

    // A campaign that has started cannot be scheduled (nor edited).
    const started = await senderWithDraft('Started', 1);
    await started.sender.agent.trpc.campaigns.send.mutate({ id: started.id });
    await expect(started.sender.agent.trpc.campaigns.schedule.mutate({ id: started.id, sendAt: '2027-12-09T09:00', timeZone: ZONE })).rejects.toMatchObject({
      data: { code: 'CONFLICT', details: { problem: 'NOT_DRAFT' } },
    });
    await expect(started.sender.agent.trpc.campaigns.unschedule.mutate({ id: started.id })).rejects.toMatchObject({ data: { code: 'CONFLICT' } });
  });
});

describe('starting at the time (worker processes)', () => {
  beforeAll(async () => {
    await Promise.all([spawnWorker(), spawnWorker()]);
  }, 120_000);

  it('starts once within 5 s of its time with two workers, even with extra start jobs racing', { timeout: 60_000 }, async () => {
    const { sender, id } = await senderWithDraft('Punctual');
    const { sendAt, at } = localIn(ZONE, 4_000);
    await sender.agent.trpc.campaigns.schedule.mutate({ id, sendAt, timeZone: ZONE });
    // Two more start jobs without a key, due at the same time: three jobs for two workers, one start.
    for (let i = 0; i < 2; i++) {
      await h.herald.deps.sql`select graphile_worker.add_job('campaigns__start', ${JSON.stringify({ campaignId: id })}::json, run_at := ${at.toISOString()}::timestamptz)`;
    }
    const c = await waitForCampaignStatus(sender, id, 'sent', 30_000);
    const view = await sender.agent.trpc.campaigns.get.query({ id });
    const delayMs = Date.parse(view.startedAt ?? '') - at.getTime();
    expect(delayMs).toBeGreaterThanOrEqual(0);
    expect(delayMs).toBeLessThan(5_000);
    expect(c.status).toBe('sent');

    const accepted = h.sim.state.messagesOf(sender.accountId);
    expect(accepted).toHaveLength(RECIPIENTS);
    expect(new Set(accepted.map((m) => m.destinations[0])).size).toBe(RECIPIENTS);
    await vi.waitFor(() => expect(startOutcomes(id).sort()).toEqual(['not-scheduled', 'not-scheduled', 'started']), { timeout: 5_000 });
    expect(await startJobsOf(id)).toEqual([]);
  });

  it('starts an edited scheduled campaign with its edits', { timeout: 60_000 }, async () => {
    const { sender, id } = await senderWithDraft('Editor', 3);
    await sender.agent.trpc.campaigns.schedule.mutate({ id, ...localIn(ZONE, 3_000), timeZone: ZONE });
    await sender.agent.trpc.campaigns.update.mutate({ id, subject: 'Edited after scheduling' });
    await waitForCampaignStatus(sender, id, 'sent', 30_000);
    expect(h.sim.state.messagesOf(sender.accountId).map((m) => m.subject)).toEqual(Array(3).fill('Edited after scheduling'));
  });

  it('never starts an unscheduled campaign', { timeout: 30_000 }, async () => {
    const { sender, id } = await senderWithDraft('Changed mind', 3);
    await sender.agent.trpc.campaigns.schedule.mutate({ id, ...localIn(ZONE, 2_000), timeZone: ZONE });
    await sender.agent.trpc.campaigns.unschedule.mutate({ id });
    await sleep(5_000);
    expect(await sender.agent.trpc.campaigns.get.query({ id })).toMatchObject({ status: 'draft', startedAt: null });
    expect(h.sim.state.messagesOf(sender.accountId)).toEqual([]);
  });

  it('leaves the campaign a draft with the reason, shown on the dashboard, when a check fails at the time', { timeout: 60_000 }, async () => {
    const disconnected = await senderWithDraft('Disconnected', 3);
    const emptied = await senderWithDraft('Emptied', 3);
    for (const { sender, id } of [disconnected, emptied]) await sender.agent.trpc.campaigns.schedule.mutate({ id, ...localIn(ZONE, 3_000), timeZone: ZONE });
    await disconnected.sender.agent.trpc.channels.email.disconnect.mutate();
    await h.herald.deps.sql`delete from list_members where list_id = ${emptied.sender.listId}`;

    for (const { sender, id } of [disconnected, emptied]) {
      const c = await vi.waitFor(
        async () => {
          const view = await sender.agent.trpc.campaigns.get.query({ id });
          expect(view.scheduleProblem).not.toBeNull();
          return view;
        },
        { timeout: 15_000, interval: 250 },
      );
      expect(c).toMatchObject({ status: 'draft', startedAt: null, scheduledAt: expect.any(String) });
      const dashboard = await sender.agent.trpc.dashboard.summary.query();
      expect(dashboard.scheduleProblems).toEqual([{ campaignId: id, name: c.name, scheduledAt: c.scheduledAt, problem: c.scheduleProblem }]);
      expect(h.sim.state.messagesOf(sender.accountId)).toEqual([]);
    }
    expect((await disconnected.sender.agent.trpc.campaigns.get.query({ id: disconnected.id })).scheduleProblem).toContain('Connect Amazon SES');
    expect((await emptied.sender.agent.trpc.campaigns.get.query({ id: emptied.id })).scheduleProblem).toBe('The list “Readers” has no contacts yet.');

    // Scheduling again clears the problem.
    await seedContacts(h.herald.deps.sql, emptied.sender, 1, 'again');
    const again = await emptied.sender.agent.trpc.campaigns.schedule.mutate({ id: emptied.id, sendAt: '2027-12-09T09:00', timeZone: ZONE });
    expect(again).toMatchObject({ status: 'scheduled', scheduleProblem: null });
    expect((await emptied.sender.agent.trpc.dashboard.summary.query()).scheduleProblems).toEqual([]);
    await emptied.sender.agent.trpc.campaigns.unschedule.mutate({ id: emptied.id });
  });

  it('starts after boot when no worker was running at the time, and shows the delay', { timeout: 120_000 }, async () => {
    const { sender, id } = await senderWithDraft('Late');
    const { sendAt, at } = localIn(ZONE, 2_000);
    await sender.agent.trpc.campaigns.schedule.mutate({ id, sendAt, timeZone: ZONE });
    await Promise.all([...workers].map(stopWorker));
    await sleep(Math.max(0, at.getTime() + 3_000 - Date.now()));
    expect(await sender.agent.trpc.campaigns.get.query({ id })).toMatchObject({ status: 'scheduled', startedAt: null });

    await spawnWorker();
    await waitForCampaignStatus(sender, id, 'sent', 60_000);
    const view = await sender.agent.trpc.campaigns.get.query({ id });
    expect(view.startDelaySeconds).toBeGreaterThanOrEqual(3);
    expect(view.scheduledAt).toBe(at.toISOString());
    expect(h.sim.state.messagesOf(sender.accountId)).toHaveLength(RECIPIENTS);
    expect(startOutcomes(id)).toEqual(['started']);
  });

  it('starts a campaign whose start job was held by a worker that died, once recovery takes the job for dead', { timeout: 60_000 }, async () => {
    const { sender, id } = await senderWithDraft('Orphaned', 3);
    await sender.agent.trpc.campaigns.schedule.mutate({ id, ...localIn(ZONE, 1_500), timeZone: ZONE });
    // As if a worker had locked the job and died: graphile-worker would leave it alone for 4 hours.
    await h.herald.deps.sql`
      update graphile_worker._private_jobs set locked_at = now(), locked_by = 'worker-that-died' where key = ${`campaign-start:${id}`}`;
    await waitForCampaignStatus(sender, id, 'sent', 30_000);
    // The lease in the workers' environment is 4 s: the start waits at least that long.
    expect((await sender.agent.trpc.campaigns.get.query({ id })).startDelaySeconds).toBeGreaterThanOrEqual(2);
    expect(h.sim.state.messagesOf(sender.accountId)).toHaveLength(3);
    expect(startOutcomes(id)).toEqual(['started']);
  });
});
