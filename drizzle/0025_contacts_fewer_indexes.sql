-- Two of the six indexes on contacts cost a large import more than they serve (bench/import.ts: each index
-- adds ~1.5–2.5 s to writing a million contacts, docs/benchmarks.md):
-- * (tenant_id, id) served only the segment fan-out's keyset and the attribute-name sample. Both now walk the
--   unique (tenant_id, email) index in email order; the fan-out's cursor holds a segment's last email (text).
-- * (tenant_id, status, email) held every contact, though nearly all are subscribed and a status filter is
--   only selective for the others. Partial, an import (whose contacts are all subscribed) writes nothing to it;
--   the `subscribed` filter walks the email index and skips the few others.
-- Recreating the partial index blocks writes to contacts while it builds (seconds per million contacts).
DROP INDEX "contacts_tenant_id_id_idx";--> statement-breakpoint
DROP INDEX "contacts_tenant_status_email_idx";--> statement-breakpoint
ALTER TABLE "campaigns" ALTER COLUMN "fan_out_cursor" SET DATA TYPE text;--> statement-breakpoint
CREATE INDEX "contacts_tenant_status_email_idx" ON "contacts" USING btree ("tenant_id","status","email") WHERE "contacts"."status" <> 'subscribed';