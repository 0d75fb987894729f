CREATE TYPE "public"."reputation_state" AS ENUM('ok', 'warning', 'paused');--> statement-breakpoint
CREATE TABLE "campaign_counters" (
	"campaign_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"metric" text NOT NULL,
	"shard" smallint NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "campaign_counters_campaign_id_metric_shard_pk" PRIMARY KEY("campaign_id","metric","shard")
);
--> statement-breakpoint
CREATE TABLE "campaign_links" (
	"campaign_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"url" text NOT NULL,
	"clicks" bigint DEFAULT 0 NOT NULL,
	"recipients" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "campaign_links_campaign_id_url_pk" PRIMARY KEY("campaign_id","url")
);
--> statement-breakpoint
CREATE TABLE "campaign_timeline" (
	"campaign_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"metric" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"shard" smallint NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "campaign_timeline_campaign_id_metric_bucket_shard_pk" PRIMARY KEY("campaign_id","metric","bucket","shard")
);
--> statement-breakpoint
CREATE TABLE "message_link_clicks" (
	"message_id" uuid NOT NULL,
	"url" text NOT NULL,
	CONSTRAINT "message_link_clicks_message_id_url_pk" PRIMARY KEY("message_id","url")
);
--> statement-breakpoint
CREATE TABLE "tenant_reputation" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"state" "reputation_state" DEFAULT 'ok' NOT NULL,
	"sends" integer DEFAULT 0 NOT NULL,
	"bounces" integer DEFAULT 0 NOT NULL,
	"complaints" integer DEFAULT 0 NOT NULL,
	"bounce_rate" double precision,
	"complaint_rate" double precision,
	"reason" text,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"paused_at" timestamp with time zone,
	"resumed_at" timestamp with time zone,
	"resumed_by" uuid
);
--> statement-breakpoint
ALTER TABLE "campaign_counters" ADD CONSTRAINT "campaign_counters_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_counters" ADD CONSTRAINT "campaign_counters_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_links" ADD CONSTRAINT "campaign_links_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_links" ADD CONSTRAINT "campaign_links_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_timeline" ADD CONSTRAINT "campaign_timeline_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_timeline" ADD CONSTRAINT "campaign_timeline_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "message_link_clicks" ADD CONSTRAINT "message_link_clicks_message_id_messages_id_fk" FOREIGN KEY ("message_id") REFERENCES "public"."messages"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_reputation" ADD CONSTRAINT "tenant_reputation_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenant_reputation" ADD CONSTRAINT "tenant_reputation_resumed_by_users_id_fk" FOREIGN KEY ("resumed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "campaign_counters_tenant_id_idx" ON "campaign_counters" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "campaign_links_tenant_id_idx" ON "campaign_links" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "campaign_timeline_tenant_idx" ON "campaign_timeline" USING btree ("tenant_id","metric","bucket");--> statement-breakpoint
CREATE INDEX "messages_campaign_status_idx" ON "messages" USING btree ("campaign_id","status","id");--> statement-breakpoint
-- The milestones a message has reached, with when: what campaign_counters and campaign_timeline count.
-- An open or a click implies delivery (SES may lose the Delivery event), and a click counts as an
-- open (images blocked in the mail client); a bounce is hard only when SES says Permanent.
CREATE FUNCTION "message_milestones"(
  "sent_at" timestamptz, "delivered_at" timestamptz, "opened_at" timestamptz, "clicked_at" timestamptz,
  "bounced_at" timestamptz, "bounce_type" text, "complained_at" timestamptz
) RETURNS TABLE ("metric" text, "at" timestamptz) LANGUAGE sql IMMUTABLE AS $$
  SELECT v."metric", v."at" FROM (VALUES
    ('sent', "sent_at"),
    ('delivered', coalesce("delivered_at", least("opened_at", "clicked_at"))),
    ('opened', coalesce("opened_at", "clicked_at")),
    ('clicked', "clicked_at"),
    ('bounced_hard', CASE WHEN "bounce_type" = 'Permanent' THEN "bounced_at" END),
    ('bounced_soft', CASE WHEN "bounce_type" IS DISTINCT FROM 'Permanent' THEN "bounced_at" END),
    ('complained', "complained_at")
  ) AS v("metric", "at")
  WHERE v."at" IS NOT NULL
$$;
--> statement-breakpoint
-- One statement updates status counters, milestone counters and the per-minute timeline, and tells
-- listeners (realtime/metricsHub) which campaigns changed. Counter rows are upserted in a fixed order
-- (table, then key) so concurrent statements cannot deadlock on them. A milestone change moves the
-- message's contribution: minus its old milestones, plus its new ones, so a milestone that moves to an
-- earlier time (events arrive in any order) moves between minutes without counting twice.
CREATE OR REPLACE FUNCTION "messages_stats_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "campaign_stats" ("campaign_id", "tenant_id", "status", "shard", "count")
  SELECT "campaign_id", "tenant_id", "status", (pg_backend_pid() % 8)::smallint, count(*)
  FROM new_rows GROUP BY "campaign_id", "tenant_id", "status"
  ORDER BY "campaign_id", "status"
  ON CONFLICT ("campaign_id", "status", "shard") DO UPDATE SET "count" = "campaign_stats"."count" + excluded."count";

  -- Fan-out inserts queued rows with no milestone: the filter keeps a million-row insert cheap.
  WITH "changes" AS (
    SELECT n."campaign_id", n."tenant_id", t."metric", date_trunc('minute', t."at") AS "bucket", count(*) AS "delta"
    FROM new_rows n
    CROSS JOIN LATERAL "message_milestones"(n."sent_at", n."delivered_at", n."opened_at", n."clicked_at", n."bounced_at", n."bounce_type", n."complained_at") t
    WHERE coalesce(n."sent_at", n."delivered_at", n."opened_at", n."clicked_at", n."bounced_at", n."complained_at") IS NOT NULL
    GROUP BY 1, 2, 3, 4
  ), "counters" AS (
    INSERT INTO "campaign_counters" ("campaign_id", "tenant_id", "metric", "shard", "count")
    SELECT "campaign_id", "tenant_id", "metric", (pg_backend_pid() % 8)::smallint, sum("delta") FROM "changes"
    GROUP BY 1, 2, 3 ORDER BY 1, 3
    ON CONFLICT ("campaign_id", "metric", "shard") DO UPDATE SET "count" = "campaign_counters"."count" + excluded."count"
  )
  INSERT INTO "campaign_timeline" ("campaign_id", "tenant_id", "metric", "bucket", "shard", "count")
  SELECT "campaign_id", "tenant_id", "metric", "bucket", (pg_backend_pid() % 8)::smallint, "delta" FROM "changes"
  ORDER BY 1, 3, 4
  ON CONFLICT ("campaign_id", "metric", "bucket", "shard") DO UPDATE SET "count" = "campaign_timeline"."count" + excluded."count";

  PERFORM pg_notify('campaign_metrics', c."tenant_id" || ':' || c."campaign_id")
  FROM (SELECT DISTINCT "tenant_id", "campaign_id" FROM new_rows ORDER BY 1, 2) c;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "messages_stats_update"() RETURNS trigger LANGUAGE plpgsql AS $$
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
  ORDER BY "campaign_id", "status"
  ON CONFLICT ("campaign_id", "status", "shard") DO UPDATE SET "count" = "campaign_stats"."count" + excluded."count";

  WITH "moved" AS (
    SELECT o.*, n."sent_at" AS "n_sent_at", n."delivered_at" AS "n_delivered_at", n."opened_at" AS "n_opened_at",
      n."clicked_at" AS "n_clicked_at", n."bounced_at" AS "n_bounced_at", n."bounce_type" AS "n_bounce_type",
      n."complained_at" AS "n_complained_at"
    FROM old_rows o JOIN new_rows n ON n."id" = o."id"
    WHERE (o."sent_at", o."delivered_at", o."opened_at", o."clicked_at", o."bounced_at", o."bounce_type", o."complained_at")
      IS DISTINCT FROM (n."sent_at", n."delivered_at", n."opened_at", n."clicked_at", n."bounced_at", n."bounce_type", n."complained_at")
  ), "changes" AS (
    SELECT "campaign_id", "tenant_id", "metric", "bucket", sum("delta") AS "delta" FROM (
      SELECT m."campaign_id", m."tenant_id", t."metric", date_trunc('minute', t."at") AS "bucket", -1 AS "delta"
      FROM "moved" m CROSS JOIN LATERAL "message_milestones"(m."sent_at", m."delivered_at", m."opened_at", m."clicked_at", m."bounced_at", m."bounce_type", m."complained_at") t
      UNION ALL
      SELECT m."campaign_id", m."tenant_id", t."metric", date_trunc('minute', t."at"), 1
      FROM "moved" m CROSS JOIN LATERAL "message_milestones"(m."n_sent_at", m."n_delivered_at", m."n_opened_at", m."n_clicked_at", m."n_bounced_at", m."n_bounce_type", m."n_complained_at") t
    ) d
    GROUP BY 1, 2, 3, 4 HAVING sum("delta") <> 0
  ), "counters" AS (
    INSERT INTO "campaign_counters" ("campaign_id", "tenant_id", "metric", "shard", "count")
    SELECT "campaign_id", "tenant_id", "metric", (pg_backend_pid() % 8)::smallint, sum("delta") FROM "changes"
    GROUP BY 1, 2, 3 HAVING sum("delta") <> 0 ORDER BY 1, 3
    ON CONFLICT ("campaign_id", "metric", "shard") DO UPDATE SET "count" = "campaign_counters"."count" + excluded."count"
  )
  INSERT INTO "campaign_timeline" ("campaign_id", "tenant_id", "metric", "bucket", "shard", "count")
  SELECT "campaign_id", "tenant_id", "metric", "bucket", (pg_backend_pid() % 8)::smallint, "delta" FROM "changes"
  ORDER BY 1, 3, 4
  ON CONFLICT ("campaign_id", "metric", "bucket", "shard") DO UPDATE SET "count" = "campaign_timeline"."count" + excluded."count";

  PERFORM pg_notify('campaign_metrics', c."tenant_id" || ':' || c."campaign_id")
  FROM (
    SELECT DISTINCT n."tenant_id", n."campaign_id" FROM old_rows o JOIN new_rows n ON n."id" = o."id"
    WHERE n."status" <> o."status"
      OR (o."sent_at", o."delivered_at", o."opened_at", o."clicked_at", o."bounced_at", o."bounce_type", o."complained_at")
        IS DISTINCT FROM (n."sent_at", n."delivered_at", n."opened_at", n."clicked_at", n."bounced_at", n."bounce_type", n."complained_at")
    ORDER BY 1, 2
  ) c;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- A campaign that starts, pauses (with its reason), resumes, finishes or is cancelled is news too.
CREATE FUNCTION "campaigns_notify_metrics"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('campaign_metrics', NEW."tenant_id" || ':' || NEW."id");
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "campaigns_notify_metrics" AFTER UPDATE OF "status", "paused_reason" ON "campaigns"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."paused_reason" IS DISTINCT FROM NEW."paused_reason")
  EXECUTE FUNCTION "campaigns_notify_metrics"();
--> statement-breakpoint
-- Campaigns sent before this migration get their counters once, from their messages.
WITH "changes" AS (
  SELECT m."campaign_id", m."tenant_id", t."metric", date_trunc('minute', t."at") AS "bucket", count(*) AS "delta"
  FROM "messages" m
  CROSS JOIN LATERAL "message_milestones"(m."sent_at", m."delivered_at", m."opened_at", m."clicked_at", m."bounced_at", m."bounce_type", m."complained_at") t
  GROUP BY 1, 2, 3, 4
), "counters" AS (
  INSERT INTO "campaign_counters" ("campaign_id", "tenant_id", "metric", "shard", "count")
  SELECT "campaign_id", "tenant_id", "metric", 0, sum("delta") FROM "changes" GROUP BY 1, 2, 3
)
INSERT INTO "campaign_timeline" ("campaign_id", "tenant_id", "metric", "bucket", "shard", "count")
SELECT "campaign_id", "tenant_id", "metric", "bucket", 0, "delta" FROM "changes";
