CREATE TYPE "public"."test_send_kind" AS ENUM('campaign', 'setup');--> statement-breakpoint
CREATE TABLE "test_sends" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"kind" "test_send_kind" NOT NULL,
	"batch_id" uuid,
	"campaign_id" uuid,
	"to_address" text NOT NULL,
	"provider_message_id" text,
	"error" text,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sender_identities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"identity" text NOT NULL,
	"region" text NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_refusals" (
	"aws_account_id" text NOT NULL,
	"reason" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "webhook_refusals_aws_account_id_reason_hour_pk" PRIMARY KEY("aws_account_id","reason","hour")
);
--> statement-breakpoint
ALTER TABLE "tenant_channel_settings" ADD COLUMN "events_topic_arn" text;--> statement-breakpoint
ALTER TABLE "tenant_channel_settings" ADD COLUMN "events_subscription_arn" text;--> statement-breakpoint
ALTER TABLE "tenant_channel_settings" ADD COLUMN "events_setup_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tenant_channel_settings" ADD COLUMN "events_setup_error" text;--> statement-breakpoint
ALTER TABLE "message_events" ADD COLUMN "test_send_id" uuid;--> statement-breakpoint
ALTER TABLE "test_sends" ADD CONSTRAINT "test_sends_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "test_sends" ADD CONSTRAINT "test_sends_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sender_identities" ADD CONSTRAINT "sender_identities_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "test_sends_tenant_sent_idx" ON "test_sends" USING btree ("tenant_id","sent_at");--> statement-breakpoint
CREATE INDEX "test_sends_batch_idx" ON "test_sends" USING btree ("batch_id");--> statement-breakpoint
CREATE INDEX "test_sends_provider_message_id_idx" ON "test_sends" USING btree ("provider_message_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sender_identities_tenant_identity_idx" ON "sender_identities" USING btree ("tenant_id","region",lower("identity"));--> statement-breakpoint
ALTER TABLE "message_events" ADD CONSTRAINT "message_events_test_send_id_test_sends_id_fk" FOREIGN KEY ("test_send_id") REFERENCES "public"."test_sends"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "message_events_test_send_id_idx" ON "message_events" USING btree ("test_send_id");--> statement-breakpoint
CREATE INDEX "message_events_account_received_idx" ON "message_events" USING btree ("aws_account_id","received_at");