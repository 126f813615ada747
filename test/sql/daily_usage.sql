--
-- Daily usage kept incrementally (public.usage_daily, 0.5.0): it stays
-- exactly equal to a full recomputation over the ledger through inserts,
-- late rows, idempotent retries, several months, maintenance moving rows
-- between partitions, an org's deletion, retention and a rebuild, while
-- each refresh touches only the rows added since the last one (the drain
-- returns what it consumed).  Members read their orgs' days under RLS.
-- Then the idempotency keys' window and their pruning.
-- Runs in a database of its own: maintenance creates and detaches months.
--
\set VERBOSITY terse
-- a database of its own, with the fixture (rls_matrix loads it too)
\set own_db fenta_daily_usage
\i test/own_database.sql
SET TimeZone = 'UTC';
\set a '''10000000-0000-4000-8000-00000000000a'''
\set b '''10000000-0000-4000-8000-00000000000b'''

-- The full recomputation: GROUP BY over the ledger, attached months and the
-- months retention moved into fenta_archive.  'exact', or how many (org,
-- day, resource type) rows differ.
CREATE FUNCTION pg_temp.check() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	src text := 'SELECT org_id, created_at, resource_type, llm_tokens_prompt, llm_tokens_output, kai_credits, render_seconds, storage_bytes, cost_usd FROM public.usage_records';
	t regclass;
	n bigint;
BEGIN
	FOR t IN SELECT c.oid FROM pg_class c
			 WHERE c.relnamespace = 'fenta_archive'::regnamespace AND c.relname ~ '^usage_records_' AND c.relkind = 'r' LOOP
		src := src || ' UNION ALL SELECT org_id, created_at, resource_type, llm_tokens_prompt, llm_tokens_output, kai_credits, render_seconds, storage_bytes, cost_usd FROM ' || t;
	END LOOP;
	EXECUTE format($q$
		WITH full_ AS (
			SELECT u.org_id, (u.created_at AT TIME ZONE 'UTC')::date AS day, u.resource_type,
				count(*) AS events, sum(u.llm_tokens_prompt)::bigint AS p, sum(u.llm_tokens_output)::bigint AS o,
				sum(u.llm_tokens_prompt + u.llm_tokens_output)::bigint AS t, sum(u.kai_credits)::bigint AS k,
				sum(u.render_seconds)::bigint AS r, sum(u.storage_bytes)::bigint AS s, sum(u.cost_usd) AS c
			FROM (%s) u GROUP BY 1, 2, 3
		), kept AS (
			SELECT org_id, day, resource_type, events, llm_tokens_prompt, llm_tokens_output, tokens,
				kai_credits, render_seconds, storage_bytes, cost_usd FROM public.usage_daily
		)
		SELECT count(*) FROM ((SELECT * FROM full_ EXCEPT ALL SELECT * FROM kept)
							  UNION ALL (SELECT * FROM kept EXCEPT ALL SELECT * FROM full_)) x$q$, src) INTO n;
	RETURN CASE WHEN n = 0 THEN 'exact' ELSE n || ' row(s) differ' END;
END
$$;
CREATE FUNCTION pg_temp.pending() RETURNS bigint LANGUAGE sql AS
$$ SELECT count(*) FROM fenta.usage_daily_pending $$;

-- the fixture refreshed daily usage: its usage (one row per org) is in
SELECT pg_temp.pending() AS pending, (SELECT count(*) FROM public.usage_daily) AS days;
SELECT * FROM fenta.drain_daily_usage();
SELECT pg_temp.check(), pg_temp.pending() AS pending;

-- 1. Inserts: one statement of 600 rows over 3 days and 2 resource types
-- appends one pending row per (org, day, resource type), not 600
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, llm_tokens_output, kai_credits, cost_usd, created_at)
SELECT :a, CASE WHEN i % 2 = 0 THEN 'llm_tokens' ELSE 'kai_credits' END::public.resource_type,
	i, i % 7, i % 3, 0.001 * i, date_trunc('day', now()) - make_interval(days => i % 3) + interval '1 hour'
FROM generate_series(1, 600) i;
INSERT INTO public.usage_records (org_id, resource_type, render_seconds, storage_bytes, created_at) VALUES
	(:b, 'render_seconds', 42, 0, now()),
	(:b, 'storage', 0, 5000000, now()),
	(:b, 'storage', 0, -2000000, now());
SELECT pg_temp.pending() AS pending, pg_temp.check() AS before_refresh;
-- the refresh drains exactly those: 6 + 2 pending rows standing for 603 usage rows
SELECT * FROM fenta.drain_daily_usage();
SELECT pg_temp.check(), pg_temp.pending() AS pending;
-- a refresh with nothing new touches nothing
SELECT * FROM fenta.drain_daily_usage();

-- 2. Late rows (created_at in the past: 2, 5 and 14 months ago) and
-- idempotent retries (the second row with a key is skipped, not counted)
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, created_at, idempotency_key)
SELECT :a, 'llm_tokens', 100, now() - make_interval(months => m), 'late-' || m
FROM unnest(ARRAY[2, 5, 14]) m;
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, created_at, idempotency_key) VALUES
	(:a, 'llm_tokens', 100, now() - interval '2 months', 'late-2');
INSERT INTO public.usage_records (org_id, resource_type, kai_credits, created_at) VALUES
	(:b, 'kai_credits', 9, now() - interval '5 months'),
	(:b, 'kai_credits', 1, now() - interval '14 months');
-- the previous run's days are not touched again: 5 pending rows, 5 usage rows
SELECT * FROM fenta.drain_daily_usage();
SELECT pg_temp.check();

-- 3. Several months: maintenance creates the months and moves the rows out
-- of the default partition (straight into the partitions: not counted
-- again), and refreshes
SELECT count(*) AS rows_in_default FROM ONLY public.usage_records_default;
CALL fenta.run_maintenance();
SELECT count(*) AS rows_in_default,
	(SELECT count(DISTINCT tableoid) FROM public.usage_records) >= 4 AS several_partitions
FROM ONLY public.usage_records_default;
SELECT pg_temp.check(), pg_temp.pending() AS pending;
SELECT count(DISTINCT date_trunc('month', day)) >= 4 AS several_months FROM public.usage_daily;
-- the original name and columns
SELECT (SELECT count(*) FROM fenta.mv_daily_usage) = (SELECT count(*) FROM public.usage_daily) AS view_matches,
	(SELECT string_agg(attname, ' ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'fenta.mv_daily_usage'::regclass AND attnum > 0) AS columns;

-- 4. Members read their orgs' days under RLS, and only theirs
SET ROLE authenticated;
SET request.jwt.claims = '{"sub": "00000000-0000-4000-8000-0000000000a4", "role": "authenticated"}';
SELECT org_id = :a AS own_org, count(*) > 0 AS has_days FROM public.usage_daily GROUP BY 1;
SELECT count(*) > 0 AS rpc_rows FROM public.daily_usage(:a);
SELECT count(*) AS other_org_rows FROM public.usage_daily WHERE org_id = :b;
SELECT * FROM public.daily_usage(:b);
-- members never write it
INSERT INTO public.usage_daily (org_id, day, resource_type) VALUES (:a, '2020-01-01', 'storage');
UPDATE public.usage_daily SET events = 0;
DELETE FROM public.usage_daily;
SELECT * FROM fenta.drain_daily_usage();
-- the outsider sees nothing
SET request.jwt.claims = '{"sub": "00000000-0000-4000-8000-0000000000c1", "role": "authenticated"}';
SELECT count(*) AS outsider_rows FROM public.usage_daily;
RESET request.jwt.claims;
SET ROLE anon;
SELECT count(*) FROM public.usage_daily;
-- service_role reads every org and refreshes
SET ROLE service_role;
SELECT count(DISTINCT org_id) AS orgs FROM public.usage_daily;
SELECT fenta.refresh_daily_usage();
RESET ROLE;

-- 5. An org's deletion: its days go with it, and its rows still pending
-- are discarded by the next drain
INSERT INTO public.usage_records (org_id, resource_type, render_seconds) VALUES (:b, 'render_seconds', 5);
DELETE FROM public.orgs WHERE id = :b;
SELECT count(*) AS b_days FROM public.usage_daily WHERE org_id = :b;
SELECT * FROM fenta.drain_daily_usage();
SELECT pg_temp.check(), pg_temp.pending() AS pending;

-- 6. Retention: months older than the last two complete ones are detached
-- into fenta_archive; their days stay (history), equal to the recomputation
-- over the ledger and the archive
SELECT count(*) AS days_before FROM public.usage_daily \gset
CALL fenta.run_maintenance(retention_months => 2);
SELECT count(*) > 0 AS months_archived FROM pg_class WHERE relnamespace = 'fenta_archive'::regnamespace;
SELECT count(*) = :days_before AS days_kept FROM public.usage_daily;
SELECT pg_temp.check();

-- 7. A superuser's repair of the ledger (and damage to usage_daily) is put
-- right by a rebuild, which keeps the days of retired months
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt) VALUES (:a, 'llm_tokens', 1);
DELETE FROM public.usage_records WHERE org_id = :a AND resource_type = 'kai_credits' AND created_at >= date_trunc('day', now());
UPDATE public.usage_daily SET events = events + 1 WHERE day = (SELECT min(day) FROM public.usage_daily WHERE day >= date_trunc('month', now()) - interval '1 month');
SELECT pg_temp.check() <> 'exact' AS repair_seen;
SELECT count(*) AS retired_days FROM public.usage_daily WHERE day < date_trunc('month', now()) - interval '2 months' \gset
SELECT fenta.rebuild_daily_usage() > 0 AS rebuilt;
SELECT pg_temp.check(), pg_temp.pending() AS pending;
SELECT count(*) = :retired_days AS retired_days_kept FROM public.usage_daily WHERE day < date_trunc('month', now()) - interval '2 months';
-- rows inserted after a rebuild are drained as usual
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt) VALUES (:a, 'llm_tokens', 2);
SELECT * FROM fenta.drain_daily_usage();
SELECT pg_temp.check();
SET ROLE authenticated;
SELECT fenta.rebuild_daily_usage();
RESET ROLE;

--
-- Idempotency keys: kept for a window (default 30 days), pruned in batches
--
SELECT count(*) AS keys FROM fenta.usage_idempotency;
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, idempotency_key)
SELECT :a, 'llm_tokens', 1, k FROM unnest(ARRAY['k-old', 'k-recent', 'k-new']) k;
-- age them (first seen 31 and 29 days ago)
UPDATE fenta.usage_idempotency SET created_at = now() - interval '31 days' WHERE idempotency_key = 'k-old';
UPDATE fenta.usage_idempotency SET created_at = now() - interval '29 days' WHERE idempotency_key = 'k-recent';
SELECT * FROM fenta.prune_usage_idempotency();
SELECT string_agg(idempotency_key, ' ' ORDER BY idempotency_key) AS keys_left FROM fenta.usage_idempotency WHERE idempotency_key LIKE 'k-%';
-- a retry within the window counts once; after it, it counts again
SELECT count(*) AS rows_before FROM public.usage_records WHERE idempotency_key LIKE 'k-%';
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, idempotency_key)
SELECT :a, 'llm_tokens', 1, k FROM unnest(ARRAY['k-old', 'k-recent', 'k-new']) k;
SELECT idempotency_key, count(*) FROM public.usage_records WHERE idempotency_key LIKE 'k-%' GROUP BY 1 ORDER BY 1;
-- the window is configurable, never under a day
INSERT INTO fenta.usage_idempotency_retention (keep_for) VALUES ('1 hour');
INSERT INTO fenta.usage_idempotency_retention (keep_for, batch_size) VALUES ('7 days', 10);
INSERT INTO fenta.usage_idempotency_retention (keep_for) VALUES ('8 days');
SELECT * FROM fenta.prune_usage_idempotency();
SELECT string_agg(idempotency_key, ' ' ORDER BY idempotency_key) AS keys_left FROM fenta.usage_idempotency WHERE idempotency_key LIKE 'k-%';
-- in batches: 25 expired keys, 10 per transaction
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, idempotency_key)
SELECT :a, 'llm_tokens', 1, 'batch-' || i FROM generate_series(1, 25) i;
UPDATE fenta.usage_idempotency SET created_at = now() - interval '40 days' WHERE idempotency_key LIKE 'batch-%';
SELECT * FROM fenta.prune_usage_idempotency();
SELECT * FROM fenta.prune_usage_idempotency(3);
SELECT count(*) AS expired_left FROM fenta.usage_idempotency WHERE idempotency_key LIKE 'batch-%';
-- maintenance prunes the rest, a batch per transaction
CALL fenta.run_maintenance();
SELECT count(*) AS expired_left FROM fenta.usage_idempotency WHERE idempotency_key LIKE 'batch-%';
SELECT string_agg(idempotency_key, ' ' ORDER BY idempotency_key) AS keys_left FROM fenta.usage_idempotency WHERE idempotency_key LIKE 'k-%';
SELECT * FROM fenta.prune_usage_idempotency(0);
SET ROLE authenticated;
SELECT * FROM fenta.prune_usage_idempotency();
SET ROLE service_role;
SELECT pruned FROM fenta.prune_usage_idempotency();
UPDATE fenta.usage_idempotency_retention SET keep_for = '30 days';
RESET ROLE;
SELECT pg_temp.check();

-- a rebuild from '-infinity' recomputes from the ledger alone: the days of
-- the retired months are forgotten
SELECT fenta.rebuild_daily_usage('-infinity') > 0 AS rebuilt;
SELECT count(*) AS retired_days_left FROM public.usage_daily WHERE day < date_trunc('month', now()) - interval '2 months';

-- This session has recorded usage; fenta dropped and installed again, it
-- records usage again (the capture's saved INSERT named the first install's
-- resource_type by OID: "cache lookup failed for type")
SET fenta.allow_drop = on;
DROP EXTENSION fenta CASCADE;
RESET fenta.allow_drop;
CREATE EXTENSION fenta CASCADE;
INSERT INTO public.profiles (id) VALUES ('00000000-0000-4000-8000-0000000000a1');
INSERT INTO public.orgs (id, name, slug, owner_id) VALUES (:a, 'Again', 'again', '00000000-0000-4000-8000-0000000000a1');
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt) VALUES (:a, 'llm_tokens', 7);
SELECT events, tokens FROM fenta.usage_daily_pending;

\c :regress_db
DROP DATABASE :own_db;
