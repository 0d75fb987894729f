import type { TaskList } from 'graphile-worker';
import type { Deps } from '../services/deps.js';
import { toTask, type TaskDefinition } from './defineTask.js';
import { campaignsFanOut } from './campaigns__fan_out.js';
import { campaignsSend } from './campaigns__send.js';
import { contactsImport } from './contacts__import.js';
import { eventsProcess } from './events__process.js';
import { importsPurgeStale } from './imports__purge_stale.js';
import { sessionsPurgeExpired } from './sessions__purge_expired.js';

/** Every job Herald runs, by graphile-worker task identifier. */
export const tasks = {
  sessions__purge_expired: sessionsPurgeExpired,
  contacts__import: contactsImport,
  imports__purge_stale: importsPurgeStale,
  campaigns__fan_out: campaignsFanOut,
  campaigns__send: campaignsSend,
  events__process: eventsProcess,
} satisfies Record<string, TaskDefinition>;

export type TaskName = keyof typeof tasks;

export const crontab = ['0 * * * * sessions__purge_expired ?max=1', '30 * * * * imports__purge_stale ?max=1'].join('\n');

export function buildTaskList(deps: Deps): TaskList {
  return Object.fromEntries(Object.entries(tasks).map(([name, def]) => [name, toTask(deps, name, def as TaskDefinition)]));
}
