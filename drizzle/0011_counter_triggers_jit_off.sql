-- A trigger function's plan is cached per connection: once a pooled connection ran the counter trigger for
-- a large statement (a fan-out, a cancel), Postgres kept JIT-compiling that plan for every later small
-- update — about 0.4 s of CPU for a 3-row batch (bench/metrics). The trigger queries are small joins over
-- transition tables; JIT never pays for itself there.
ALTER FUNCTION "messages_stats_insert"() SET jit = off;--> statement-breakpoint
ALTER FUNCTION "messages_stats_update"() SET jit = off;
