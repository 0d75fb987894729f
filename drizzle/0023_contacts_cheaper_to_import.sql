-- Two costs of writing a million imported contacts (bench/import.ts, docs/benchmarks.md):
-- * The key to tenants: its per-row check (a lookup and a row lock on the tenant, once per contact) took
--   ~8.7 s of a 25.8 s insert. Contacts are only ever written for the signed-in tenant, and tenants are not
--   deleted; whatever deletes one must delete its contacts itself.
-- * The name indexes carried the email as a third column, which made every entry unique and each index as
--   large as the email index; every row landed on a random page of both. Without it, equal names share one
--   deduplicated entry and the indexes stay a fifth of the size (~5.5 s less per million rows). A name
--   search now sorts its matches by email after the index read instead of reading emails from the index.
-- Recreating the indexes blocks writes to contacts while they build (seconds per million contacts).
ALTER TABLE "contacts" DROP CONSTRAINT "contacts_tenant_id_tenants_id_fk";
--> statement-breakpoint
DROP INDEX "contacts_tenant_first_name_idx";--> statement-breakpoint
DROP INDEX "contacts_tenant_last_name_idx";--> statement-breakpoint
CREATE INDEX "contacts_tenant_first_name_idx" ON "contacts" USING btree ("tenant_id",lower("first_name") collate "C");--> statement-breakpoint
CREATE INDEX "contacts_tenant_last_name_idx" ON "contacts" USING btree ("tenant_id",lower("last_name") collate "C");