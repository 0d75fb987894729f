-- An uploaded CSV's 64 KiB chunks are kept out of line without compression: pglz compressing a 57 MB file
-- on the way in (and decompressing it for the parse) took ~0.5–0.7 s of a million-row upload's 1.6 s in a
-- COPY of the same chunks (docs/benchmarks.md). The chunks are transient (deleted when the import finishes,
-- or by retention), so the ~3.5 × the space they take meanwhile matters less. Applies to rows written from now on.
ALTER TABLE "import_chunks" ALTER COLUMN "content" SET STORAGE EXTERNAL;
