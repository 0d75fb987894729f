import type { TaskList } from 'graphile-worker';
import type { Deps } from '../deps.js';
import type { TaskName } from '../queue/payloads.js';
import { toTask, type TaskDefinition } from './defineTask.js';
import { campaignsFanOut } from './campaigns__fan_out.js';
import { campaignsSend } from './campaigns__send.js';
import { campaignsStart } from './campaigns__start.js';
import { contactsImport } from './contacts__import.js';
import { emailsSend } from './emails__send.js';
import { eventsProcess } from './events__process.js';
import { importsPurgeStale } from './imports__purge_stale.js';
import { sessionsPurgeExpired } from './sessions__purge_expired.js';

/** What runs each job Herald enqueues (queue/payloads.ts names them all). */
const tasks: { [N in TaskName]: TaskDefinition<N> } = {
  sessions__purge_expired: sessionsPurgeExpired,
  contacts__import: contactsImport,
  imports__purge_stale: importsPurgeStale,
  campaigns__start: campaignsStart,
  campaigns__fan_out: campaignsFanOut,
  campaigns__send: campaignsSend,
  events__process: eventsProcess,
  emails__send: emailsSend,
};

export const crontab = ['0 * * * * sessions__purge_expired ?max=1', '30 * * * * imports__purge_stale ?max=1'].join('\n');

/**
 * Transactional emails and scheduled campaign starts run on their own runner
 * (jobs/runner.ts), so a worker whose slots are all taken by campaign lanes
 * (10 s slices) still picks one up at once: a scheduled campaign starts
 * within seconds of its time however busy the workers are. A start is short
 * (the send checks, one transaction).
 */
export const PRIORITY_TASKS: TaskName[] = ['emails__send', 'campaigns__start'];

/** The tasks of one runner: the priority ones, or everything else. */
export function buildTaskList(deps: Deps, which: 'priority' | 'bulk'): TaskList {
  const defs = Object.values(tasks).filter((def: TaskDefinition) => PRIORITY_TASKS.includes(def.name) === (which === 'priority'));
  return Object.fromEntries(defs.map((def: TaskDefinition) => [def.name, toTask(deps, def)]));
}
