import { addJob } from '../queue/addJob.js';
import { sendTransactional } from '../sending/transactionalSend.js';
import { defineTask } from './defineTask.js';

/** Sends one transactional email; re-enqueues itself (same job key) while it must wait. */
export const emailsSend = defineTask('emails__send', async (deps, { emailId }) => {
  const next = await sendTransactional(deps, emailId);
  if (next) await addJob(deps.sql, 'emails__send', { emailId }, { jobKey: `email:${emailId}`, runAt: next.runAt });
});
