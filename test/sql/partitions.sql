--
-- Partition maintenance: fenta.maintain_partitions() creates monthly
-- partitions (catching up, moving rows out of the default partition),
-- secures them, detaches and drops expired months, and rejects bad
-- arguments.  Dates are given with as_of, in the year 2100, so the output
-- does not depend on today's date; everything runs in one transaction that
-- is rolled back, so no partition is left for the later tests.
--
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
FROM unnest(ARRAY['2100-11-02 00:00+00', '2100-11-30 23:59:59.999999+00', '2101-03-31 23:59:59+00',
				  '2101-04-01 00:00+00', '2101-04-20 10:00+00', '2101-05-31 23:00-05']::timestamptz[]) t;
SELECT tableoid::regclass AS partition, count(*) FROM public.usage_records
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

-- March 2101 and two months ahead, plus November 2100 (rows waiting in the
-- default partition); the rows move into their months
SELECT months_created, rows_moved, months_detached, months_dropped, months_deferred, usage_refreshed, skipped,
	(quota_resets IS NULL) = (to_regprocedure('fenta.apply_quota_resets()') IS NULL) AS resets_iff_engine
FROM fenta.maintain_partitions(months_ahead => 2, refresh_usage => false, as_of => '2101-03-15 12:00+00');
-- (month 2101_06 holds the row of 2101-05-31 23:00-05, which is June in UTC)
SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bounds,
	(SELECT count(*) FROM public.usage_records u WHERE u.tableoid = c.oid) AS rows
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'public.usage_records'::regclass AND c.relname NOT IN (SELECT relname FROM part_names)
ORDER BY 1;
SELECT count(*) AS left_in_default FROM ONLY public.usage_records_default;
-- moving rows did not count them again
SELECT q.tokens_used = b.tokens_used AND q.render_seconds_used = b.render_seconds_used
	AND q.kai_credits_used = b.kai_credits_used AND q.storage_bytes_used = b.storage_bytes_used AS counters_unchanged
FROM public.quota_limits q, counters_before b WHERE q.org_id = '70000000-0000-4000-8000-0000000007a0';

-- idempotent: nothing left to do
SELECT months_created, rows_moved, months_detached, months_deferred, usage_refreshed, skipped
FROM fenta.maintain_partitions(months_ahead => 2, as_of => '2101-03-15 12:00+00');

-- a new row of an existing month goes straight to its partition
INSERT INTO public.usage_records (org_id, resource_type, kai_credits, created_at)
VALUES ('70000000-0000-4000-8000-0000000007a0', 'kai_credits', 1, '2101-04-02 00:00+00')
RETURNING tableoid::regclass AS partition;

-- catching up after months without maintenance: the current month and the
-- next ones, and months with rows in the default partition
INSERT INTO public.usage_records (org_id, resource_type, render_seconds, created_at)
VALUES ('70000000-0000-4000-8000-0000000007a0', 'render_seconds', 5, '2101-07-14 00:00+00')
RETURNING tableoid::regclass AS partition;
SELECT months_created, rows_moved, months_deferred
FROM fenta.maintain_partitions(months_ahead => 1, refresh_usage => false, as_of => '2101-09-10 00:00+00');
SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'public.usage_records'::regclass AND c.relname NOT IN (SELECT relname FROM part_names)
ORDER BY 1;

-- every partition: RLS on, no privileges for anon and authenticated,
-- SELECT only for service_role, not an extension member, the parent's
-- column comments, a comment of its own
SELECT c.relname, c.relrowsecurity AS rls,
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
SELECT obj_description('public.usage_records_2101_04'::regclass, 'pg_class');
-- the same indexes as the default partition, and a primary key
SELECT indexrelid::regclass AS index, indisprimary FROM pg_index
WHERE indrelid = 'public.usage_records_2101_04'::regclass ORDER BY indexrelid::regclass::text;
-- (id, created_at) stays unique
INSERT INTO public.usage_records (id, org_id, resource_type, created_at)
SELECT id, org_id, resource_type, created_at FROM public.usage_records_2101_04 LIMIT 1;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
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
FROM generate_series(timestamptz '2100-11-15 00:00+00', '2101-09-15 00:00+00', interval '1 month') t;
SELECT months_created, rows_moved
FROM fenta.maintain_partitions(months_ahead => 1, refresh_usage => false, as_of => '2101-09-10 00:00+00');

-- API roles and partitions: members read through the parent only; direct
-- writes to a partition are refused even to service_role (they would
-- bypass the quota accounting on the parent)
SET ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-0000000007a1"}', true);
SELECT count(*) AS rows_seen_by_owner FROM public.usage_records WHERE org_id = '70000000-0000-4000-8000-0000000007a0';
SAVEPOINT s;
SELECT count(*) FROM public.usage_records_2101_04;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
ROLLBACK TO s;
SET ROLE service_role;
SELECT count(*) AS rows_seen_by_service FROM public.usage_records_2101_04;
SAVEPOINT s;
INSERT INTO public.usage_records_2101_04 (org_id, resource_type, created_at)
VALUES ('70000000-0000-4000-8000-0000000007a0', 'storage', '2101-04-03 00:00+00');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
ROLLBACK TO s;
RESET ROLE;

-- retention: with as_of in September 2101 and three months kept, the
-- months before June 2101 are detached into fenta_archive, rows and all
SELECT months_created, rows_moved, months_detached, months_dropped, months_deferred
FROM fenta.maintain_partitions(months_ahead => 1, retention_months => 3, refresh_usage => false,
							   as_of => '2101-09-10 00:00+00');
SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'public.usage_records'::regclass AND c.relname NOT IN (SELECT relname FROM part_names)
ORDER BY 1;
SELECT c.relname, c.relrowsecurity AS rls, c.relispartition,
	(SELECT count(*) FROM public.usage_records u WHERE u.tableoid = c.oid) AS rows_via_parent
FROM pg_class c WHERE c.relnamespace = 'fenta_archive'::regnamespace AND c.relkind = 'r' ORDER BY 1;
SELECT count(*) AS archived_rows FROM fenta_archive.usage_records_2101_01;
-- nothing more to detach
SELECT months_detached, months_dropped
FROM fenta.maintain_partitions(months_ahead => 1, retention_months => 3, refresh_usage => false,
							   as_of => '2101-09-10 00:00+00');
-- dropped only when asked: one month kept, detached months dropped, and
-- archived months older than that too
SELECT months_detached, months_dropped
FROM fenta.maintain_partitions(months_ahead => 1, retention_months => 1, drop_detached => true,
							   refresh_usage => false, as_of => '2101-09-10 00:00+00');
SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'public.usage_records'::regclass AND c.relname NOT IN (SELECT relname FROM part_names)
ORDER BY 1;
SELECT count(*) AS archived FROM pg_class c WHERE c.relnamespace = 'fenta_archive'::regnamespace;

-- a relation in the way of a month is reported, not replaced
CREATE TABLE public.usage_records_2101_11 (x int);
SELECT months_created, months_deferred
FROM fenta.maintain_partitions(months_ahead => 2, refresh_usage => false, as_of => '2101-09-10 00:00+00');
ROLLBACK;
\echo rolled back

-- nothing is left behind
SELECT count(*) AS monthly_partitions_left FROM pg_class
WHERE relname ~ '^usage_records_2\d{3}_\d\d$';
SELECT count(*) AS archived_left FROM pg_class c WHERE c.relnamespace = 'fenta_archive'::regnamespace;
