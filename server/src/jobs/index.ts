import type { TaskList } from 'graphile-worker';
import type { Deps } from '../deps.js';
import type { TaskName } from '../queue/payloads.js';
import { toTask, type TaskDefinition } from './defineTask.js';
import { campaignsFanOut } from './campaigns__fan_out.js';
import { campaignsSend } from './campaigns__send.js';
import { contactsImport } from './contacts__import.js';
import { eventsProcess } from './events__process.js';
import { importsPurgeStale } from './imports__purge_stale.js';
import { sessionsPurgeExpired } from './sessions__purge_expired.js';

/** What runs each job Herald enqueues (queue/payloads.ts names them all). */
const tasks: { [N in TaskName]: TaskDefinition<N> } = {
  sessions__purge_expired: sessionsPurgeExpired,
  contacts__import: contactsImport,
  imports__purge_stale: importsPurgeStale,
  campaigns__fan_out: campaignsFanOut,
  campaigns__send: campaignsSend,
  events__process: eventsProcess,
};

export const crontab = ['0 * * * * sessions__purge_expired ?max=1', '30 * * * * imports__purge_stale ?max=1'].join('\n');

export function buildTaskList(deps: Deps): TaskList {
  return Object.fromEntries(Object.values(tasks).map((def: TaskDefinition) => [def.name, toTask(deps, def)]));
}
