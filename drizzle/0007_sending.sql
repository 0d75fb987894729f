CREATE TYPE "public"."message_status" AS ENUM('queued', 'sending', 'sent', 'delivered', 'opened', 'clicked', 'bounced', 'complained', 'rejected', 'failed', 'suppressed', 'cancelled', 'unknown');--> statement-breakpoint
CREATE TABLE "campaign_stats" (
	"campaign_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"status" "message_status" NOT NULL,
	"shard" smallint NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "campaign_stats_campaign_id_status_shard_pk" PRIMARY KEY("campaign_id","status","shard")
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"campaign_id" uuid NOT NULL,
	"contact_id" uuid,
	"to_address" text COLLATE "C" NOT NULL,
	"status" "message_status" DEFAULT 'queued' NOT NULL,
	"suppression_reason" text,
	"provider_message_id" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"next_attempt_at" timestamp with time zone,
	"claim_token" uuid,
	"lease_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sending_at" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"opened_at" timestamp with time zone,
	"clicked_at" timestamp with time zone,
	"bounced_at" timestamp with time zone,
	"complained_at" timestamp with time zone,
	"rejected_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	"open_count" integer DEFAULT 0 NOT NULL,
	"click_count" integer DEFAULT 0 NOT NULL,
	"bounce_type" text
);
--> statement-breakpoint
ALTER TABLE "tenant_channel_settings" ADD COLUMN "sending_paused_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tenant_channel_settings" ADD COLUMN "sending_paused_reason" text;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "fan_out_cursor" uuid;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "fanned_out_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "cancelled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "campaign_stats" ADD CONSTRAINT "campaign_stats_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_stats" ADD CONSTRAINT "campaign_stats_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "campaign_stats_tenant_id_idx" ON "campaign_stats" USING btree ("tenant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_campaign_contact_idx" ON "messages" USING btree ("campaign_id","contact_id");--> statement-breakpoint
CREATE INDEX "messages_contact_id_idx" ON "messages" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "messages_tenant_provider_id_idx" ON "messages" USING btree ("tenant_id","provider_message_id") WHERE "messages"."provider_message_id" is not null;--> statement-breakpoint
CREATE INDEX "messages_queued_idx" ON "messages" USING btree ("campaign_id","id") WHERE "messages"."status" = 'queued';--> statement-breakpoint
CREATE INDEX "messages_sending_idx" ON "messages" USING btree ("lease_until") WHERE "messages"."status" = 'sending';--> statement-breakpoint-- campaign_stats is kept by statement-level triggers: a fan-out of a million rows or a batch of
-- sends updates a few counter rows once per statement. Each backend writes its own shard
-- (pg_backend_pid() % 8), so concurrent senders do not queue behind one hot row.
-- No delete trigger: messages are deleted only with their campaign, and its counters go with it.
CREATE FUNCTION "messages_stats_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "campaign_stats" ("campaign_id", "tenant_id", "status", "shard", "count")
  SELECT "campaign_id", "tenant_id", "status", (pg_backend_pid() % 8)::smallint, count(*)
  FROM new_rows GROUP BY "campaign_id", "tenant_id", "status"
  ON CONFLICT ("campaign_id", "status", "shard") DO UPDATE SET "count" = "campaign_stats"."count" + excluded."count";
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE FUNCTION "messages_stats_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "campaign_stats" ("campaign_id", "tenant_id", "status", "shard", "count")
  SELECT "campaign_id", "tenant_id", "status", (pg_backend_pid() % 8)::smallint, sum("delta")
  FROM (
    SELECT o."campaign_id", o."tenant_id", o."status", -1 AS "delta"
    FROM old_rows o JOIN new_rows n ON n."id" = o."id" WHERE n."status" <> o."status"
    UNION ALL
    SELECT n."campaign_id", n."tenant_id", n."status", 1
    FROM old_rows o JOIN new_rows n ON n."id" = o."id" WHERE n."status" <> o."status"
  ) changes
  GROUP BY "campaign_id", "tenant_id", "status"
  ON CONFLICT ("campaign_id", "status", "shard") DO UPDATE SET "count" = "campaign_stats"."count" + excluded."count";
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "messages_stats_insert" AFTER INSERT ON "messages"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "messages_stats_insert"();--> statement-breakpoint
CREATE TRIGGER "messages_stats_update" AFTER UPDATE ON "messages"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "messages_stats_update"();
