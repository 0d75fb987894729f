-- Byte-order collation for email columns: prefix search and keyset paging become plain index ranges.
ALTER TABLE "contacts" ALTER COLUMN "email" TYPE text COLLATE "C";--> statement-breakpoint
ALTER TABLE "suppressions" ALTER COLUMN "email" TYPE text COLLATE "C";--> statement-breakpoint
-- lists.member_count is kept by statement-level triggers, so bulk inserts of a million members update it once.
CREATE FUNCTION "list_members_count_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "lists" l SET "member_count" = l."member_count" + n.c
  FROM (SELECT "list_id", count(*) AS c FROM new_rows GROUP BY "list_id") n
  WHERE l."id" = n."list_id";
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE FUNCTION "list_members_count_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "lists" l SET "member_count" = l."member_count" - o.c
  FROM (SELECT "list_id", count(*) AS c FROM old_rows GROUP BY "list_id") o
  WHERE l."id" = o."list_id";
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "list_members_count_insert" AFTER INSERT ON "list_members"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "list_members_count_insert"();--> statement-breakpoint
CREATE TRIGGER "list_members_count_delete" AFTER DELETE ON "list_members"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "list_members_count_delete"();
