CREATE TYPE "public"."event_state" AS ENUM('pending', 'applied', 'orphan');--> statement-breakpoint
CREATE TABLE "message_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"sns_message_id" text NOT NULL,
	"topic_arn" text NOT NULL,
	"aws_account_id" text NOT NULL,
	"tenant_id" uuid,
	"message_id" uuid,
	"event_type" text NOT NULL,
	"ses_message_id" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone,
	"state" "event_state" DEFAULT 'pending' NOT NULL,
	"shard" smallint NOT NULL,
	"payload" jsonb NOT NULL,
	CONSTRAINT "message_events_sns_message_id_unique" UNIQUE("sns_message_id")
);
--> statement-breakpoint
CREATE TABLE "sns_topics" (
	"topic_arn" text PRIMARY KEY NOT NULL,
	"aws_account_id" text NOT NULL,
	"subscription_arn" text,
	"confirmed_at" timestamp with time zone,
	"unsubscribed_at" timestamp with time zone,
	"last_event_at" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "message_events" ADD CONSTRAINT "message_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_events" ADD CONSTRAINT "message_events_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "message_events_pending_idx" ON "message_events" USING btree ("shard","received_at") WHERE "message_events"."state" = 'pending';--> statement-breakpoint
CREATE INDEX "message_events_message_id_idx" ON "message_events" USING btree ("message_id");--> statement-breakpoint
CREATE INDEX "message_events_tenant_id_idx" ON "message_events" USING btree ("tenant_id","occurred_at");--> statement-breakpoint
CREATE INDEX "message_events_orphans_idx" ON "message_events" USING btree ("aws_account_id") WHERE "message_events"."state" = 'orphan';--> statement-breakpoint
CREATE INDEX "sns_topics_aws_account_id_idx" ON "sns_topics" USING btree ("aws_account_id");--> statement-breakpoint
CREATE INDEX "tenant_channel_settings_aws_account_idx" ON "tenant_channel_settings" USING btree ("aws_account_id") WHERE "tenant_channel_settings"."is_connected";--> statement-breakpoint
-- A message's status follows from its milestones by rank (DESIGN §4), so SES events may arrive in any
-- order and any number of times and still end in one state: a complaint outranks a bounce, a bounce or
-- SES reject outranks delivery, a click outranks an open, an open a delivery, a delivery the send.
-- Without any milestone the status is what Herald's own pipeline made it (queued, sending, failed, …).
CREATE FUNCTION "message_status_by_milestones"(
  "current" "message_status", "sent_at" timestamptz, "delivered_at" timestamptz, "opened_at" timestamptz,
  "clicked_at" timestamptz, "bounced_at" timestamptz, "complained_at" timestamptz, "rejected_at" timestamptz
) RETURNS "message_status" LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN "complained_at" IS NOT NULL THEN 'complained'
    WHEN "bounced_at" IS NOT NULL THEN 'bounced'
    WHEN "rejected_at" IS NOT NULL THEN 'rejected'
    WHEN "clicked_at" IS NOT NULL THEN 'clicked'
    WHEN "opened_at" IS NOT NULL THEN 'opened'
    WHEN "delivered_at" IS NOT NULL THEN 'delivered'
    WHEN "sent_at" IS NOT NULL THEN 'sent'
    ELSE "current"
  END::"message_status"
$$;
--> statement-breakpoint
-- A later permanent bounce is stronger news than a transient one; messages keep the strongest type.
CREATE FUNCTION "bounce_rank"("bounce_type" text) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE "bounce_type" WHEN 'Permanent' THEN 3 WHEN 'Transient' THEN 2 WHEN 'Undetermined' THEN 1 ELSE 0 END
$$;
--> statement-breakpoint
-- SES events only ever move a contact up this order, so their arrival order does not matter.
CREATE FUNCTION "contact_rank"("status" "contact_status") RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE "status" WHEN 'complained' THEN 3 WHEN 'bounced' THEN 2 WHEN 'unsubscribed' THEN 1 ELSE 0 END
$$;
