CREATE TYPE "public"."channel" AS ENUM('email');--> statement-breakpoint
CREATE TYPE "public"."channel_provider" AS ENUM('ses');--> statement-breakpoint
CREATE TABLE "tenant_channel_settings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"channel" "channel" DEFAULT 'email' NOT NULL,
	"provider" "channel_provider" DEFAULT 'ses' NOT NULL,
	"aws_access_key_id" text,
	"aws_secret_access_key" text,
	"ses_region" text,
	"verified_sender_email" text,
	"is_connected" boolean DEFAULT false NOT NULL,
	"aws_account_id" text,
	"max_send_rate" double precision,
	"max_24h_send" double precision,
	"sent_last_24h" double precision,
	"sandbox" boolean,
	"rate_limit_per_sec" integer,
	"configuration_set_name" text,
	"last_checked_at" timestamp with time zone,
	"last_error" text,
	"connected_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tenant_channel_settings" ADD CONSTRAINT "tenant_channel_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "tenant_channel_settings_tenant_channel_idx" ON "tenant_channel_settings" USING btree ("tenant_id","channel");--> statement-breakpoint
CREATE INDEX "tenant_channel_settings_tenant_id_idx" ON "tenant_channel_settings" USING btree ("tenant_id");