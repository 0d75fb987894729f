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
import { retentionPurge } from './retention__purge.js';
import { sessionsPurgeExpired } from './sessions__purge_expired.js';

/** What runs each job Herald enqueues (queue/payloads.ts names them all). */
const tasks: { [N in TaskName]: TaskDefinition<N> } = {
  sessions__purge_expired: sessionsPurgeExpired,
  contacts__import: contactsImport,
  retention__purge: retentionPurge,
  campaigns__start: campaignsStart,
  campaigns__fan_out: campaignsFanOut,
  campaigns__send: campaignsSend,
  events__process: eventsProcess,
  emails__send: emailsSend,
};

/**
 * `?max=1`: a failed run is not retried, the next hour's is. The retention
 * run has a queue of its own: jobs of one queue run one at a time, so a run
 * that overlaps the next hour's never has a twin.
 */
export const crontab = ['0 * * * * sessions__purge_expired ?max=1', '30 * * * * retention__purge ?max=1&queue=retention'].join('\n');

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
