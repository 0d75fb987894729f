import { defineTask } from './defineTask.js';

/**
 * Hourly: uploads that were never started keep their file in import_chunks;
 * after a day nobody is coming back for them. Finished imports keep their
 * summary and error report.
 */
export const importsPurgeStale = defineTask('imports__purge_stale', async (deps) => {
  const removed = await deps.sql`
    delete from contact_imports where status = 'uploaded' and created_at < now() - interval '1 day' returning id`;
  if (removed.length > 0) deps.logger.info({ removed: removed.length }, 'stale uploads purged');
});
