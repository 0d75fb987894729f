-- The per-row check of this key was the largest part of a fan-out's cost beyond the insert itself (about
-- 7–11 s per million rows, docs/benchmarks.md). Deleting a contact now nulls its messages itself, under a
-- per-tenant lock that fan-out chunks hold shared (server/src/db/tenantContactsLock.ts).
ALTER TABLE "messages" DROP CONSTRAINT "messages_contact_id_contacts_id_fk";
