-- The partition differential of test/t/migrations_partitions.sh: run as
-- supabase_admin in the extension's database and in the migrations
-- flavour's, at the same time; the maintenance itself runs as postgres, the
-- role of the SQL editor and of pg_cron on hosted Supabase.  The outputs
-- must be equal: the results of every call, the partitions (names, bounds,
-- RLS, privileges, comments, indexes, constraints, triggers) with their rows
-- (count and md5), the WARNINGs and NOTICEs, and the errors (SQLSTATE,
-- message, detail, hint).  Months are relative to the current UTC month M.
\set ON_ERROR_STOP off
\set VERBOSITY verbose
\set SHOW_CONTEXT never
SET client_min_messages = notice;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

CREATE FUNCTION pg_temp.m(k integer, plus interval DEFAULT '0') RETURNS timestamptz LANGUAGE sql AS
$$ SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => k) + plus) AT TIME ZONE 'UTC' $$;
CREATE FUNCTION pg_temp.ym(k integer) RETURNS text LANGUAGE sql AS
$$ SELECT to_char(pg_temp.m(k), 'YYYY_MM') $$;
-- an error as text: SQLSTATE, message, detail, hint (now() written as NOW)
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text; msg text; det text; hin text;
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hin = PG_EXCEPTION_HINT;
	PERFORM set_config('DateStyle', 'ISO', true);	-- the messages write now() so
	RETURN replace(concat_ws(' | ', st, msg, nullif(det, ''), nullif(hin, '')), now()::text, 'NOW');
END $$;
-- the months of usage_records, attached or archived, and what they hold
CREATE FUNCTION pg_temp.state() RETURNS TABLE (tbl text, bounds text, rls text, acl text, comment text,
	indexes text, constraints text, triggers text, n bigint, rows_md5 text)
LANGUAGE plpgsql AS $$
DECLARE
	c record;
BEGIN
	FOR c IN SELECT k.oid, k.relowner, k.relacl, k.relrowsecurity, k.relforcerowsecurity, k.relpartbound,
				k.relnamespace::regnamespace::text || '.' || k.relname AS name
			 FROM pg_class k
			 WHERE k.relkind IN ('r', 'p') AND k.relname LIKE 'usage\_records%'
				 AND k.relnamespace IN ('public'::regnamespace, 'fenta_archive'::regnamespace)
			 ORDER BY 7 LOOP
		tbl := c.name;
		bounds := pg_get_expr(c.relpartbound, c.oid);
		rls := c.relrowsecurity || '/' || c.relforcerowsecurity;
		-- the owner differs (the extension's owner supabase_admin, or
		-- postgres): written "owner"; in the extension's database postgres
		-- also holds all privileges, by supabase_admin's default privileges
		acl := (SELECT string_agg(DISTINCT g.name || '=' || a.privilege_type || CASE WHEN a.is_grantable THEN '*' ELSE '' END, ',')
				FROM aclexplode(c.relacl) a,
					LATERAL (SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC'
									WHEN a.grantee = c.relowner OR a.grantee = 'postgres'::regrole THEN 'owner'
									ELSE a.grantee::regrole::text END) g(name));
		comment := obj_description(c.oid, 'pg_class');
		indexes := (SELECT string_agg(pg_get_indexdef(i.indexrelid), '; ' ORDER BY pg_get_indexdef(i.indexrelid)) FROM pg_index i WHERE i.indrelid = c.oid);
		constraints := (SELECT string_agg(con.conname || ' ' || pg_get_constraintdef(con.oid), '; ' ORDER BY con.conname)
						FROM pg_constraint con WHERE con.conrelid = c.oid);
		-- (the names of foreign key triggers hold their oid)
		triggers := (SELECT string_agg(x.name, ', ' ORDER BY x.name)
					 FROM (SELECT regexp_replace(t.tgname, '_[0-9]+$', '') || ' ' || t.tgenabled::text AS name
						   FROM pg_trigger t WHERE t.tgrelid = c.oid) x);
		EXECUTE format('SELECT count(*), md5(string_agg(t::text, '','' ORDER BY t::text)) FROM ONLY %s t', c.oid::regclass)
			INTO n, rows_md5;
		RETURN NEXT;
	END LOOP;
END $$;
CREATE FUNCTION pg_temp.add(first integer, months integer[], days text) RETURNS void LANGUAGE sql AS $$
	INSERT INTO public.usage_records (id, org_id, resource_type, llm_tokens_prompt, created_at, updated_at)
	SELECT md5('partitions-diff' || (first + o))::uuid, '70000000-0000-4000-8000-00000000d1a0', 'llm_tokens', first + o,
		pg_temp.m(k, days::interval), pg_temp.m(k, days::interval)
	FROM unnest(months) WITH ORDINALITY AS u(k, o)
$$;

INSERT INTO auth.users (id, email) VALUES ('00000000-0000-4000-8000-00000000d1a1', 'partitions-diff@example.com');
INSERT INTO public.orgs (id, name, slug, owner_id)
VALUES ('70000000-0000-4000-8000-00000000d1a0', 'Partitions diff', 'partitions-diff', '00000000-0000-4000-8000-00000000d1a1');
-- rows of M-5, M-4 (twice), M-2, M-1, M and M+1: all in the default partition
SELECT pg_temp.add(0, ARRAY[-5, -4, -4, -2, -1, 0, 1], '3 days 4 hours');
SELECT pg_temp.add(10, ARRAY[0, -4], '0');
SELECT pg_temp.add(20, ARRAY[-1], '-1 microsecond');
SELECT tableoid::regclass AS partition, count(*) FROM public.usage_records GROUP BY 1 ORDER BY 1;

SET SESSION AUTHORIZATION postgres;
-- the plan, then one transaction: every month of the rows, and M+2
SELECT * FROM fenta.maintenance_plan(2, NULL, false, NULL);
SELECT * FROM fenta.maintain_partitions(months_ahead => 2, refresh_usage => false);
SELECT * FROM pg_temp.state();
-- nothing left: the quota work runs
SELECT * FROM fenta.maintain_partitions(months_ahead => 2);
RESET SESSION AUTHORIZATION;

-- late rows of M-4 (its partition now), of M+3 and M+5 (the default)
SELECT pg_temp.add(30, ARRAY[-4, 3, 5, 5], '9 days');
SELECT tableoid::regclass AS partition, count(*) FROM public.usage_records GROUP BY 1 ORDER BY 1;
SET SESSION AUTHORIZATION postgres;
-- a transaction per step, three months kept: M-5 and M-4 go to fenta_archive
SELECT * FROM fenta.maintenance_plan(3, 3, false, NULL);
CALL fenta.run_maintenance(months_ahead => 3, retention_months => 3);
SELECT * FROM pg_temp.state();
RESET SESSION AUTHORIZATION;

-- a late row of archived M-5; a table in the way of M+6
SELECT pg_temp.add(40, ARRAY[-5], '1 day');
SELECT format('CREATE TABLE public.usage_records_%s (x int)', pg_temp.ym(6)) \gexec
SET SESSION AUTHORIZATION postgres;
SELECT * FROM fenta.maintenance_plan(6, 3, false, NULL);
SELECT * FROM fenta.maintain_partitions(months_ahead => 6, retention_months => 3, refresh_usage => false);
SELECT * FROM pg_temp.state();
-- one month kept, the rest dropped: M-2 detached and dropped, the archived months dropped
SELECT * FROM fenta.maintenance_plan(1, 1, true, NULL);
SELECT * FROM fenta.maintain_partitions(months_ahead => 1, retention_months => 1, drop_detached => true, refresh_usage => false);
SELECT * FROM pg_temp.state();
-- a step by itself
SELECT * FROM fenta.maintenance_step('create', pg_temp.ym(7));
SELECT * FROM fenta.maintenance_step('create', pg_temp.ym(7));
SELECT * FROM fenta.maintenance_session_lock(false);
SELECT * FROM fenta.maintenance_session_lock(true);
SELECT * FROM fenta.maintenance_session_lock(true);
SELECT * FROM fenta.maintenance_session_lock(false);
SELECT count(*) AS maintenance_locks_held FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid();

-- bad arguments and wrong contexts
SELECT pg_temp.err(q) FROM unnest(ARRAY[
	'SELECT * FROM fenta.maintain_partitions(-1)',
	'SELECT * FROM fenta.maintain_partitions(121)',
	'SELECT * FROM fenta.maintain_partitions(NULL)',
	'SELECT * FROM fenta.maintain_partitions(retention_months => 0)',
	'SELECT * FROM fenta.maintain_partitions(retention_months => -5)',
	'SELECT * FROM fenta.maintain_partitions(retention_months => 1201)',
	'SELECT * FROM fenta.maintain_partitions(drop_detached => true)',
	'SELECT * FROM fenta.maintain_partitions(drop_detached => NULL)',
	'SELECT * FROM fenta.maintain_partitions(refresh_usage => NULL)',
	'SELECT * FROM fenta.maintain_partitions(as_of => NULL)',
	'SELECT * FROM fenta.maintain_partitions(as_of => ''infinity'')',
	'SELECT * FROM fenta.maintain_partitions(as_of => ''-infinity'')',
	'SELECT * FROM fenta.maintain_partitions(as_of => ''1900-01-01 00:00+00'')',
	'SELECT * FROM fenta.maintain_partitions(120, as_of => pg_temp.m(4))',
	'SELECT * FROM fenta.maintenance_plan(-1, NULL, false, NULL)',
	'SELECT * FROM fenta.maintenance_plan(121, NULL, false, NULL)',
	'SELECT * FROM fenta.maintenance_plan(NULL, -1, false, NULL)',
	'SELECT * FROM fenta.maintenance_plan(NULL, 1201, false, NULL)',
	'SELECT * FROM fenta.maintenance_plan(NULL, NULL, true, NULL)',
	'SELECT * FROM fenta.maintenance_plan(NULL, 0, true, NULL)',
	'SELECT * FROM fenta.maintenance_plan(NULL, NULL, NULL, NULL)',
	'SELECT * FROM fenta.maintenance_plan(NULL, NULL, false, ''infinity'')',
	'SELECT * FROM fenta.maintenance_plan(NULL, NULL, false, pg_temp.m(-4))',
	'SELECT * FROM fenta.maintenance_step(NULL, ''2020_01'')',
	'SELECT * FROM fenta.maintenance_step(''create'', NULL)',
	'SELECT * FROM fenta.maintenance_step(''bogus'', ''2020_01'')',
	'SELECT * FROM fenta.maintenance_step(''create'', ''2020-01'')',
	'SELECT * FROM fenta.maintenance_step(''create'', ''0000_01'')',
	'SELECT * FROM fenta.maintenance_step(''create'', ''2020_13'')',
	'SELECT * FROM fenta.maintenance_step(''create'', '' 2020_01'')',
	'SELECT * FROM fenta.maintenance_step(''detach'', pg_temp.ym(-1))',
	'SELECT * FROM fenta.maintenance_step(''drop_archived'', pg_temp.ym(0))',
	'SELECT * FROM fenta.maintenance_step(''archive_rows'', ''9999_12'')',
	'SELECT * FROM fenta.maintenance_step(''create'', pg_temp.ym(6))',
	'SELECT * FROM fenta.maintenance_step(''detach'', ''2001_01'')'
]) WITH ORDINALITY AS x(q, i) ORDER BY i;
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT pg_temp.err('SELECT * FROM fenta.maintain_partitions(0, refresh_usage => false)');
SELECT pg_temp.err('SELECT * FROM fenta.maintenance_step(''create'', pg_temp.ym(8))');
ROLLBACK;
-- inside a transaction block that has written
BEGIN;
SELECT pg_temp.add(50, ARRAY[0], '2 days');
CALL fenta.run_maintenance();
ROLLBACK;
-- the API roles may not run it
SET ROLE authenticated;
SELECT pg_temp.err('SELECT * FROM fenta.maintain_partitions()');
SELECT pg_temp.err('SELECT * FROM fenta.maintenance_plan(1, NULL, false, NULL)');
SELECT pg_temp.err('SELECT * FROM fenta.maintenance_step(''create'', pg_temp.ym(8))');
SELECT pg_temp.err('SELECT * FROM fenta.maintenance_session_lock(true)');
SELECT pg_temp.err('CALL fenta.run_maintenance()');
RESET ROLE;
RESET SESSION AUTHORIZATION;

-- another time zone and date style: UTC months, ISO timestamps in messages
SET TimeZone = 'Asia/Kolkata';
SET DateStyle = 'SQL, DMY';
SELECT * FROM fenta.maintenance_plan(1, NULL, false, pg_temp.m(1, '-1 hour'));
SELECT * FROM fenta.maintenance_plan(1, NULL, false, pg_temp.m(1, '-6 hours'));
SELECT pg_temp.err('SELECT * FROM fenta.maintain_partitions(as_of => ''1900-01-01 00:00:00.5+00'')');
SELECT pg_temp.err('SELECT * FROM fenta.maintenance_plan(0, NULL, false, pg_temp.m(-4, ''-1 second''))');
SET TimeZone = 'UTC';
SET DateStyle = 'ISO, YMD';

-- fenta.maintenance_lock_timeout (a placeholder in the migrations flavour)
SET fenta.maintenance_lock_timeout = '2s';
SET SESSION AUTHORIZATION postgres;
CALL fenta.run_maintenance(months_ahead => 8);
RESET SESSION AUTHORIZATION;
SHOW lock_timeout;
SELECT * FROM pg_temp.state();
