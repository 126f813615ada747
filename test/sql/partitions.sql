--
-- Partition maintenance: fenta.maintain_partitions() creates monthly
-- partitions (catching up, moving rows out of the default partition),
-- secures them, detaches and drops expired months, and rejects bad
-- arguments.  as_of must be within 3 months of now(), so dates are relative
-- to a base month B, three months before the current one; pg_temp.lbl()
-- writes months in the output as B+k, so that it does not depend on
-- today's date.  Everything runs in one transaction that is rolled back, so
-- no partition is left for the later tests.
--
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';
SELECT set_config('test.b', (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '3 months')::date::text, false) IS NOT NULL AS base_set;
CREATE FUNCTION pg_temp.m(k integer, plus interval DEFAULT '0') RETURNS timestamptz LANGUAGE sql AS
$$ SELECT (current_setting('test.b')::timestamp + make_interval(months => k) + plus) AT TIME ZONE 'UTC' $$;
CREATE FUNCTION pg_temp.lbl(t text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	m text[];
	b date := current_setting('test.b')::date;
	k integer;
BEGIN
	LOOP
		m := regexp_match(t, '(\d{4})[-_](\d\d)(-01 00:00:00\+00)?');
		EXIT WHEN m IS NULL;
		k := (m[1]::int * 12 + m[2]::int) - (extract(year FROM b)::int * 12 + extract(month FROM b)::int);
		t := regexp_replace(t, '\d{4}[-_]\d\d(-01 00:00:00\+00)?', 'B' || CASE WHEN k >= 0 THEN '+' ELSE '' END || k);
	END LOOP;
	RETURN t;
END $$;
SELECT 'usage_records_' || to_char(pg_temp.m(k), 'YYYY_MM') AS p_1 FROM (VALUES (1)) v(k) \gset
SELECT 'usage_records_' || to_char(pg_temp.m(-2), 'YYYY_MM') AS p_m2, 'usage_records_' || to_char(pg_temp.m(8), 'YYYY_MM') AS p_8 \gset
\set VERBOSITY default
SET client_min_messages = warning;
SET TimeZone = 'UTC';

-- bad arguments: 22023, naming the argument; nothing is done
SELECT * FROM fenta.maintain_partitions(-1);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM fenta.maintain_partitions(121);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM fenta.maintain_partitions(NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM fenta.maintain_partitions(retention_months => 0);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM fenta.maintain_partitions(retention_months => -5);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM fenta.maintain_partitions(retention_months => 1201);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM fenta.maintain_partitions(drop_detached => true);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM fenta.maintain_partitions(drop_detached => NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM fenta.maintain_partitions(as_of => NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM fenta.maintain_partitions(as_of => 'infinity');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- as_of within 3 months of now(): not 1900 (121 partitions), not 2200
\set VERBOSITY terse
SELECT * FROM fenta.maintain_partitions(as_of => '1900-01-01 00:00+00');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT * FROM fenta.maintain_partitions(120, as_of => '2200-01-01 00:00+00');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
\set VERBOSITY default
-- not at REPEATABLE READ (rows committed after the snapshot would be left
-- in the default partition and the attach would fail)
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM fenta.maintain_partitions(0, refresh_usage => false);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
ROLLBACK;
SELECT * FROM fenta.maintain_partitions(refresh_usage => NULL);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
\set VERBOSITY terse

-- only the backend may run it
SET ROLE authenticated;
SELECT * FROM fenta.maintain_partitions();
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SET ROLE anon;
SELECT * FROM fenta.maintain_partitions();
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT r AS role, has_function_privilege(r, 'fenta.maintain_partitions(integer, integer, boolean, boolean, timestamptz)', 'EXECUTE') AS can_run
FROM unnest(ARRAY['anon', 'authenticated', 'service_role']) r ORDER BY 1;

BEGIN;
-- the default partition starts empty in this transaction (rows other tests
-- left there come back with the rollback)
DELETE FROM ONLY public.usage_records_default;
CREATE TEMP TABLE part_names AS
SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'public.usage_records'::regclass;

-- an org of our own
INSERT INTO auth.users (id, email) VALUES ('00000000-0000-4000-8000-0000000007a1', 'part-owner@example.com');
INSERT INTO public.orgs (id, name, slug, owner_id)
VALUES ('70000000-0000-4000-8000-0000000007a0', 'Partitions', 'part-org', '00000000-0000-4000-8000-0000000007a1');

-- rows of months without a partition land in the default partition
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, created_at)
SELECT '70000000-0000-4000-8000-0000000007a0', 'llm_tokens', 10, t
FROM unnest(ARRAY[pg_temp.m(-4, '1 day'), pg_temp.m(-3, '-1 microsecond'), pg_temp.m(1, '-1 second'),
				  pg_temp.m(1), pg_temp.m(1, '19 days 10 hours'), pg_temp.m(3, '4 hours')]) t;
SELECT pg_temp.lbl(tableoid::regclass::text) AS partition, count(*) FROM public.usage_records
WHERE org_id = '70000000-0000-4000-8000-0000000007a0' GROUP BY 1 ORDER BY 1;
-- (with the quota engine's sharded counters, roll them up first)
DO $$ BEGIN
	IF to_regprocedure('fenta.rollup_quota_counters()') IS NOT NULL THEN
		PERFORM fenta.rollup_quota_counters();
	END IF;
END $$;
CREATE TEMP TABLE counters_before AS
SELECT tokens_used, render_seconds_used, kai_credits_used, storage_bytes_used FROM public.quota_limits
WHERE org_id = '70000000-0000-4000-8000-0000000007a0';

-- B and two months ahead, plus B-4 (rows waiting in the default
-- partition) and B+3; the rows move into their months
SELECT months_created, rows_moved, months_detached, months_dropped, months_deferred, usage_refreshed, skipped,
	-- partitions were changed: the quota work is left to the next run
	quota_resets IS NULL AND counters_rolled_up IS NULL AS quota_work_left
FROM fenta.maintain_partitions(months_ahead => 2, refresh_usage => false, as_of => pg_temp.m(1, '-1 second'));
-- (month B+3 holds the row of its first day 04:00 UTC, the day before in -05)
SELECT pg_temp.lbl(c.relname) AS relname, pg_temp.lbl(pg_get_expr(c.relpartbound, c.oid)) AS bounds,
	(SELECT count(*) FROM public.usage_records u WHERE u.tableoid = c.oid) AS rows
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'public.usage_records'::regclass AND c.relname NOT IN (SELECT relname FROM part_names)
ORDER BY 1;
SELECT count(*) AS left_in_default FROM ONLY public.usage_records_default;
-- moving rows did not count them again
SELECT q.tokens_used = b.tokens_used AND q.render_seconds_used = b.render_seconds_used
	AND q.kai_credits_used = b.kai_credits_used AND q.storage_bytes_used = b.storage_bytes_used AS counters_unchanged
FROM public.quota_limits q, counters_before b WHERE q.org_id = '70000000-0000-4000-8000-0000000007a0';

-- idempotent: nothing left to do; the quota work runs
SELECT months_created, rows_moved, months_detached, months_deferred, usage_refreshed, skipped,
	(quota_resets IS NULL) = (to_regprocedure('fenta.apply_quota_resets()') IS NULL) AS resets_iff_engine
FROM fenta.maintain_partitions(months_ahead => 2, as_of => pg_temp.m(1, '-1 second'));

-- a new row of an existing month goes straight to its partition
INSERT INTO public.usage_records (org_id, resource_type, kai_credits, created_at)
VALUES ('70000000-0000-4000-8000-0000000007a0', 'kai_credits', 1, pg_temp.m(1, '1 day'))
RETURNING pg_temp.lbl(tableoid::regclass::text) AS partition;

-- catching up after months without maintenance: the current month and the
-- next ones, and months with rows in the default partition
INSERT INTO public.usage_records (org_id, resource_type, render_seconds, created_at)
VALUES ('70000000-0000-4000-8000-0000000007a0', 'render_seconds', 5, pg_temp.m(4, '13 days'))
RETURNING pg_temp.lbl(tableoid::regclass::text) AS partition;
SELECT months_created, rows_moved, months_deferred
FROM fenta.maintain_partitions(months_ahead => 1, refresh_usage => false, as_of => pg_temp.m(6));
SELECT pg_temp.lbl(c.relname) AS relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'public.usage_records'::regclass AND c.relname NOT IN (SELECT relname FROM part_names)
ORDER BY 1;

-- every partition: RLS on, no privileges for anon and authenticated,
-- SELECT only for service_role, not an extension member, the parent's
-- column comments, a comment of its own
SELECT pg_temp.lbl(c.relname) AS relname, c.relrowsecurity AS rls,
	has_table_privilege('anon', c.oid, 'SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER') AS anon,
	has_table_privilege('authenticated', c.oid, 'SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER') AS authenticated,
	has_table_privilege('service_role', c.oid, 'SELECT') AS service_select,
	has_table_privilege('service_role', c.oid, 'INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER') AS service_write,
	EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e') AS ext_member,
	obj_description(c.oid, 'pg_class') IS NOT NULL AS commented,
	(SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		AND col_description(c.oid, a.attnum) IS DISTINCT FROM col_description('public.usage_records'::regclass,
			(SELECT p.attnum FROM pg_attribute p WHERE p.attrelid = 'public.usage_records'::regclass AND p.attname = a.attname))) AS comments_differing
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'public.usage_records'::regclass AND c.relname NOT IN (SELECT relname FROM part_names)
ORDER BY 1;
SELECT pg_temp.lbl(obj_description(:'p_1'::regclass, 'pg_class'));
-- the same indexes as the default partition, and a primary key
SELECT pg_temp.lbl(indexrelid::regclass::text) AS index, indisprimary FROM pg_index
WHERE indrelid = :'p_1'::regclass ORDER BY indexrelid::regclass::text;
-- (id, created_at) stays unique
\set VERBOSITY sqlstate
INSERT INTO public.usage_records (id, org_id, resource_type, created_at)
SELECT id, org_id, resource_type, created_at FROM public.:p_1 LIMIT 1;
\set VERBOSITY terse
ROLLBACK;
\echo rolled back
BEGIN;
DELETE FROM ONLY public.usage_records_default;
CREATE TEMP TABLE part_names AS
SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'public.usage_records'::regclass;
INSERT INTO auth.users (id, email) VALUES ('00000000-0000-4000-8000-0000000007a1', 'part-owner@example.com');
INSERT INTO public.orgs (id, name, slug, owner_id)
VALUES ('70000000-0000-4000-8000-0000000007a0', 'Partitions', 'part-org', '00000000-0000-4000-8000-0000000007a1');
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, created_at)
SELECT '70000000-0000-4000-8000-0000000007a0', 'llm_tokens', 10, t
FROM generate_series(pg_temp.m(-4, '14 days'), pg_temp.m(6, '14 days'), interval '1 month') t;
SELECT months_created, rows_moved
FROM fenta.maintain_partitions(months_ahead => 1, refresh_usage => false, as_of => pg_temp.m(6));

-- API roles and partitions: members read through the parent only; direct
-- writes to a partition are refused even to service_role (they would
-- bypass the quota accounting on the parent)
SET ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-0000000007a1"}', true);
SELECT count(*) AS rows_seen_by_owner FROM public.usage_records WHERE org_id = '70000000-0000-4000-8000-0000000007a0';
SAVEPOINT s;
\set VERBOSITY sqlstate
SELECT count(*) FROM public.:p_1;
\set VERBOSITY terse
ROLLBACK TO s;
SET ROLE service_role;
SELECT count(*) AS rows_seen_by_service FROM public.:p_1;
SAVEPOINT s;
\set VERBOSITY sqlstate
INSERT INTO public.:p_1 (org_id, resource_type, created_at)
VALUES ('70000000-0000-4000-8000-0000000007a0', 'storage', pg_temp.m(1, '2 days'));
\set VERBOSITY terse
ROLLBACK TO s;
RESET ROLE;

-- retention: with as_of in B+6 (three months ahead of now) and three
-- months kept, the cutoff would be B+3, the current month of the real
-- clock: retention never touches the current or previous month of now(),
-- so only the months before B+2 are detached into fenta_archive, rows and all
SELECT months_created, rows_moved, months_detached, months_dropped, months_deferred
FROM fenta.maintain_partitions(months_ahead => 1, retention_months => 3, refresh_usage => false,
							   as_of => pg_temp.m(6));
SELECT pg_temp.lbl(c.relname) AS relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'public.usage_records'::regclass AND c.relname NOT IN (SELECT relname FROM part_names)
ORDER BY 1;
SELECT pg_temp.lbl(c.relname) AS relname, c.relrowsecurity AS rls, c.relispartition,
	(SELECT count(*) FROM public.usage_records u WHERE u.tableoid = c.oid) AS rows_via_parent
FROM pg_class c WHERE c.relnamespace = 'fenta_archive'::regnamespace AND c.relkind = 'r' ORDER BY 1;
SELECT count(*) AS archived_rows FROM fenta_archive.:p_m2;
-- nothing more to detach
SELECT months_detached, months_dropped
FROM fenta.maintain_partitions(months_ahead => 1, retention_months => 3, refresh_usage => false,
							   as_of => pg_temp.m(6));
-- the current and previous months of now() are still attached, rows and all
SELECT pg_temp.lbl(tableoid::regclass::text) AS partition, count(*) FROM public.usage_records
WHERE org_id = '70000000-0000-4000-8000-0000000007a0' AND created_at >= pg_temp.m(2) AND created_at < pg_temp.m(4)
GROUP BY 1 ORDER BY 1;
-- a late row of an archived month: it goes to the archive, once; no public
-- partition is made again, and the next runs have nothing to report
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, created_at)
VALUES ('70000000-0000-4000-8000-0000000007a0', 'llm_tokens', 1, pg_temp.m(-2, '3 days'))
RETURNING pg_temp.lbl(tableoid::regclass::text) AS partition;
SET client_min_messages = error;
SELECT months_created, rows_moved, months_detached, months_deferred
FROM fenta.maintain_partitions(months_ahead => 1, refresh_usage => false, as_of => pg_temp.m(6));
SET client_min_messages = warning;
SELECT count(*) AS archived_rows FROM fenta_archive.:p_m2;
SELECT to_regclass('public.' || :'p_m2') IS NULL AS no_public_partition, count(*) AS left_in_default
FROM ONLY public.usage_records_default;
SELECT months_created, rows_moved, months_detached, months_deferred
FROM fenta.maintain_partitions(months_ahead => 1, retention_months => 3, refresh_usage => false,
							   as_of => pg_temp.m(6));
-- dropped only when asked: one month kept, detached months dropped, and
-- archived months older than that too
SELECT months_detached, months_dropped
FROM fenta.maintain_partitions(months_ahead => 1, retention_months => 1, drop_detached => true,
							   refresh_usage => false, as_of => pg_temp.m(6));
SELECT pg_temp.lbl(c.relname) AS relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'public.usage_records'::regclass AND c.relname NOT IN (SELECT relname FROM part_names)
ORDER BY 1;
SELECT count(*) AS archived FROM pg_class c WHERE c.relnamespace = 'fenta_archive'::regnamespace;

-- a relation in the way of a month is reported, not replaced
CREATE TABLE public.:p_8 (x int);
SET client_min_messages = error;
SELECT months_created, months_deferred
FROM fenta.maintain_partitions(months_ahead => 2, refresh_usage => false, as_of => pg_temp.m(6));
SET client_min_messages = warning;
ROLLBACK;
\echo rolled back

-- nothing is left behind
SELECT count(*) AS monthly_partitions_left FROM pg_class
WHERE relname ~ '^usage_records_2\d{3}_\d\d$';
SELECT count(*) AS archived_left FROM pg_class c WHERE c.relnamespace = 'fenta_archive'::regnamespace;
