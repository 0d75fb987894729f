import { lt } from 'drizzle-orm';
import { sessions } from '../db/schema/index.js';
import { defineTask } from './defineTask.js';

/** Hourly: expired sessions are useless and only grow the table. */
export const sessionsPurgeExpired = defineTask('sessions__purge_expired', async (deps) => {
  const removed = await deps.db.delete(sessions).where(lt(sessions.expiresAt, deps.now())).returning({ id: sessions.id });
  if (removed.length > 0) deps.logger.info({ removed: removed.length }, 'expired sessions purged');
});
