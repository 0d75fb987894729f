import pLimit from 'p-limit';
import { addJob } from '../queue/addJob.js';
import { sendTransactional, type NextStep } from '../sending/transactionalSend.js';
import { defineTask } from './defineTask.js';

/**
 * Emails of one job in SES calls at once: the job holds one of the priority
 * runner's slots, so it sends as the runner would with a job per email.
 */
const SENDS_AT_ONCE = 8;
/** An email whose send threw in a batch is tried again this much later, alone. */
const RETRY_ALONE_MS = 5_000;

/**
 * Sends transactional emails of one tenant that were accepted together (one
 * job per batch: a job per email costs the database more than storing the
 * email does). An email that must wait or try again goes on in a job of its
 * own, keyed by the email, so no email is ever in two waiting jobs. A batch
 * job never fails as a whole, so graphile-worker never runs its emails again
 * behind the keyed jobs' backs; a job of one email fails and is retried by
 * graphile-worker like any job.
 */
export const emailsSend = defineTask('emails__send', async (deps, { emailIds }) => {
  const limit = pLimit(SENDS_AT_ONCE);
  await Promise.all(
    emailIds.map((emailId) =>
      limit(async () => {
        const next = await sendTransactional(deps, emailId).catch((err: unknown): NextStep => {
          if (emailIds.length === 1) throw err;
          deps.logger.warn({ err, emailId }, 'transactional send failed in a batch; retrying it alone');
          return { runAt: new Date(deps.now().getTime() + RETRY_ALONE_MS) };
        });
        if (next) await addJob(deps.sql, 'emails__send', { emailIds: [emailId] }, { jobKey: `email:${emailId}`, runAt: next.runAt });
      }),
    ),
  );
});
