-- An event's links (message_id, test_send_id, email_id, tenant_id) are null while it is pending, and most
-- stay null once applied: an event names a campaign message, a test email or a transactional email, never
-- two. Every lookup by them names a value (the recipients table, an email's events, the keys' ON DELETE
-- actions), so null entries serve nothing. Left out, storing an event writes 4 index entries instead of 8
-- and applying it 5 instead of 7 (bench/webhook: Postgres's CPU per accepted notification, docs/benchmarks.md).
-- Rebuilding the indexes blocks writes to message_events while they build (seconds per million events).
DROP INDEX "message_events_message_id_idx";--> statement-breakpoint
DROP INDEX "message_events_test_send_id_idx";--> statement-breakpoint
DROP INDEX "message_events_email_id_idx";--> statement-breakpoint
DROP INDEX "message_events_tenant_id_idx";--> statement-breakpoint
CREATE INDEX "message_events_message_id_idx" ON "message_events" USING btree ("message_id") WHERE "message_events"."message_id" is not null;--> statement-breakpoint
CREATE INDEX "message_events_test_send_id_idx" ON "message_events" USING btree ("test_send_id") WHERE "message_events"."test_send_id" is not null;--> statement-breakpoint
CREATE INDEX "message_events_email_id_idx" ON "message_events" USING btree ("email_id") WHERE "message_events"."email_id" is not null;--> statement-breakpoint
CREATE INDEX "message_events_tenant_id_idx" ON "message_events" USING btree ("tenant_id","occurred_at") WHERE "message_events"."tenant_id" is not null;