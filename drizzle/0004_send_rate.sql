CREATE TABLE "send_rate_buckets" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"tat" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "send_rate_buckets" ADD CONSTRAINT "send_rate_buckets_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;