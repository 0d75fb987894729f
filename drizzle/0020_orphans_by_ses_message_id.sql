-- SES identity notifications carry no Herald tag: a Delivery that arrives before the sender has written
-- the SES message id of its batch matches nothing and is kept as an orphan. Writing the id looks for such
-- orphans by it and hands them back for processing (server/src/sending/claims.ts); partial, so the index
-- holds only the orphans.
CREATE INDEX "message_events_orphans_ses_idx" ON "message_events" USING btree ("ses_message_id") WHERE "message_events"."state" = 'orphan';