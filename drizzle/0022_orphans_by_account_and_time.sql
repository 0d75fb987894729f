-- Orphan events are read by account and age: the health panel counts an account's orphans of the last 24 hours,
-- and a worker starting up hands back the last hour's whose SES message id is now known (events/earlyEvents.ts).
-- The index on the account alone made both read every orphan the account ever had.
CREATE INDEX "message_events_orphans_received_idx" ON "message_events" USING btree ("aws_account_id","received_at") WHERE "message_events"."state" = 'orphan';--> statement-breakpoint
DROP INDEX "message_events_orphans_idx";
