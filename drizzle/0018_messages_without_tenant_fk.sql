-- A tenant's messages already go with its campaigns (messages.campaign_id cascades), so this key only
-- cost the fan-out a lookup of the tenant for each row it inserts (docs/benchmarks.md, fan-out).
ALTER TABLE "messages" DROP CONSTRAINT "messages_tenant_id_tenants_id_fk";
