-- The counter triggers upsert their campaign_stats rows in a fixed order: two statements touching the
-- same counters (several connections can share a shard) then lock them in the same order and cannot
-- deadlock, which they did under concurrent sends when the order followed the query plan.
CREATE OR REPLACE FUNCTION "messages_stats_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "campaign_stats" ("campaign_id", "tenant_id", "status", "shard", "count")
  SELECT "campaign_id", "tenant_id", "status", (pg_backend_pid() % 8)::smallint, count(*)
  FROM new_rows GROUP BY "campaign_id", "tenant_id", "status"
  ORDER BY "campaign_id", "status"
  ON CONFLICT ("campaign_id", "status", "shard") DO UPDATE SET "count" = "campaign_stats"."count" + excluded."count";
  RETURN NULL;
END
$$;--> statement-breakpoint
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
  RETURN NULL;
END
$$;
