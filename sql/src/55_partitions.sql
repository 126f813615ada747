-- Partition maintenance: fenta.maintain_partitions() (C), the archive schema
-- for detached months, and scheduling with pg_cron.
--
-- The install script creates no monthly partition: partitions are created by
-- fenta.maintain_partitions() after CREATE EXTENSION, as ordinary tables (not
-- extension members), so that pg_dump dumps them with their rows and a
-- restore, which runs this script again, finds nothing in its way.

CREATE SCHEMA fenta_archive;
COMMENT ON SCHEMA fenta_archive IS 'Months of usage_records detached by fenta.maintain_partitions(retention_months => N): tables usage_records_YYYY_MM, kept until dropped on purpose. Not exposed through the Data API.';
REVOKE ALL ON SCHEMA fenta_archive FROM PUBLIC;
GRANT USAGE ON SCHEMA fenta_archive TO service_role;

CREATE FUNCTION fenta.maintain_partitions(
	months_ahead integer DEFAULT 3,
	retention_months integer DEFAULT NULL,
	drop_detached boolean DEFAULT false,
	refresh_usage boolean DEFAULT true,
	as_of timestamptz DEFAULT pg_catalog.now(),
	OUT months_created integer,
	OUT rows_moved bigint,
	OUT months_detached integer,
	OUT months_dropped integer,
	OUT months_deferred integer,
	OUT quota_resets integer,
	OUT counters_rolled_up integer,
	OUT usage_refreshed boolean,
	OUT skipped boolean)
RETURNS record
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = ''
AS 'MODULE_PATHNAME', 'fenta_maintain_partitions';
COMMENT ON FUNCTION fenta.maintain_partitions(integer, integer, boolean, boolean, timestamptz) IS
'Maintenance (service_role, pg_cron, the background worker): creates the monthly partitions public.usage_records_YYYY_MM (UTC) of the month of as_of and the next months_ahead (0..120) months, and of every month with rows in usage_records_default, moving those rows in; each partition gets RLS, no privileges for anon and authenticated, SELECT only for service_role. With retention_months (1..1200), attached months before the last retention_months complete months are detached into schema fenta_archive (dropped instead, and archived ones too, only with drop_detached). Then runs the quota engine''s rollup and resets and refreshes fenta.mv_daily_usage (unless refresh_usage is false). Strong locks wait at most fenta.maintenance_lock_timeout; a month that could not be locked is counted in months_deferred and retried on the next run. A second concurrent run returns at once with skipped = true. quota_resets and counters_rolled_up are NULL when not run. Bad arguments: 22023.';
REVOKE ALL ON FUNCTION fenta.maintain_partitions(integer, integer, boolean, boolean, timestamptz) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.maintain_partitions(integer, integer, boolean, boolean, timestamptz) TO service_role;

-- The name of fenta's pg_cron job.
CREATE FUNCTION fenta.maintenance_job_name()
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = ''
AS $$ SELECT 'fenta-maintain-partitions'::text $$;
COMMENT ON FUNCTION fenta.maintenance_job_name() IS
'Name of the pg_cron job created by fenta.schedule_maintenance(): fenta-maintain-partitions.';
REVOKE ALL ON FUNCTION fenta.maintenance_job_name() FROM PUBLIC, anon, authenticated;

-- Schedules fenta.maintain_partitions() with pg_cron, idempotently: the job
-- has a fixed name, and cron.schedule() with an existing name updates it.
CREATE FUNCTION fenta.schedule_maintenance(
	schedule text DEFAULT '*/10 * * * *',
	months_ahead integer DEFAULT 3,
	retention_months integer DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	command text;
	job bigint;
BEGIN
	IF schedule_maintenance.schedule IS NULL THEN
		RAISE EXCEPTION 'invalid value for argument "schedule" of fenta.schedule_maintenance(): must not be NULL'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF schedule_maintenance.months_ahead IS NULL
		OR schedule_maintenance.months_ahead NOT BETWEEN 0 AND 120 THEN
		RAISE EXCEPTION 'invalid value for argument "months_ahead" of fenta.schedule_maintenance(): % is out of range', coalesce(schedule_maintenance.months_ahead::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				DETAIL = 'months_ahead counts the months after the current one to create, from 0 to 120.';
	END IF;
	IF schedule_maintenance.retention_months NOT BETWEEN 1 AND 1200 THEN
		RAISE EXCEPTION 'invalid value for argument "retention_months" of fenta.schedule_maintenance(): % is out of range', schedule_maintenance.retention_months
			USING ERRCODE = 'invalid_parameter_value',
				DETAIL = 'retention_months counts the complete months before the current one that stay attached, from 1 to 1200 (NULL keeps every month).';
	END IF;
	IF pg_catalog.to_regprocedure('cron.schedule(text, text, text)') IS NULL THEN
		RAISE EXCEPTION 'pg_cron is not installed in database %', pg_catalog.current_database()
			USING ERRCODE = 'object_not_in_prerequisite_state',
				HINT = 'CREATE EXTENSION pg_cron in the database named by cron.database_name (on Supabase: enable pg_cron in the dashboard), or put fenta in shared_preload_libraries and set fenta.maintenance_database for the background worker.';
	END IF;
	command := pg_catalog.format('SELECT * FROM fenta.maintain_partitions(months_ahead => %s%s)',
		schedule_maintenance.months_ahead,
		CASE WHEN schedule_maintenance.retention_months IS NOT NULL
			THEN pg_catalog.format(', retention_months => %s', schedule_maintenance.retention_months) ELSE '' END);
	EXECUTE 'SELECT cron.schedule($1, $2, $3)'
		INTO job
		USING fenta.maintenance_job_name(), schedule_maintenance.schedule, command;
	RETURN job;
END
$$;
COMMENT ON FUNCTION fenta.schedule_maintenance(text, integer, integer) IS
'Admin: schedules fenta.maintain_partitions(months_ahead, retention_months) with pg_cron under the job name fenta-maintain-partitions (every 10 minutes by default; schedule in cron syntax) and returns the job id. Idempotent: calling it again updates the same job. Needs pg_cron in this database (55000 otherwise).';
REVOKE ALL ON FUNCTION fenta.schedule_maintenance(text, integer, integer) FROM PUBLIC, anon, authenticated;

-- Removes fenta's pg_cron job; false when there was none.
CREATE FUNCTION fenta.unschedule_maintenance()
RETURNS boolean
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	found_job boolean;
BEGIN
	IF pg_catalog.to_regclass('cron.job') IS NULL THEN
		RETURN false;
	END IF;
	EXECUTE 'SELECT EXISTS (SELECT FROM cron.job WHERE jobname = $1 AND username = CURRENT_USER)'
		INTO found_job USING fenta.maintenance_job_name();
	IF found_job THEN
		EXECUTE 'SELECT cron.unschedule($1)' USING fenta.maintenance_job_name();
	END IF;
	RETURN found_job;
END
$$;
COMMENT ON FUNCTION fenta.unschedule_maintenance() IS
'Admin: removes the pg_cron job fenta-maintain-partitions created by fenta.schedule_maintenance(); returns false when there was none.';
REVOKE ALL ON FUNCTION fenta.unschedule_maintenance() FROM PUBLIC, anon, authenticated;
