-- The hourly imports__purge_stale task was retired when retention__purge took over its work. A job of it
-- still queued in a database upgraded since (a retry waiting out an outage, or a cron tick just before the
-- upgrade) is never run again, as no worker knows the task: it would sit in the queue for good and the
-- oldest-ready-job gauge would grow without end. complete_jobs deletes it. A fresh database has no
-- graphile_worker schema yet (the worker creates it later): nothing to do there.
DO $$
BEGIN
  IF to_regclass('graphile_worker.jobs') IS NOT NULL THEN
    PERFORM graphile_worker.complete_jobs(array(
      SELECT id FROM graphile_worker.jobs WHERE task_identifier = 'imports__purge_stale'
    ));
  END IF;
END $$;
