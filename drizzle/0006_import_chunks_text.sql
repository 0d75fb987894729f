-- Uploaded CSV chunks are validated UTF-8 text: store them as text, which avoids hex-encoding bytea
-- both ways (a large share of an import's memory churn). Pending uploads are dropped with the column.
DELETE FROM "import_chunks";--> statement-breakpoint
ALTER TABLE "import_chunks" DROP COLUMN "data";--> statement-breakpoint
ALTER TABLE "import_chunks" ADD COLUMN "content" text NOT NULL;
