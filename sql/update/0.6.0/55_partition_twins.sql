-- The partition maintenance's C functions, as sql/src/55_partitions.sql and
-- 56_maintenance.sql declare them: for the extension this update changes
-- nothing; the migrations flavour (00009_fenta_0.6.0.sql) gets their
-- PL/pgSQL twins (sql/twins/) in place of the 0.5.0 stubs that raised 0A000.
CREATE OR REPLACE FUNCTION fenta.maintain_partitions(
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
-- (its comment as 56_maintenance.sql left it)
COMMENT ON FUNCTION fenta.maintain_partitions(integer, integer, boolean, boolean, timestamptz) IS
'Maintenance in one transaction (kept for compatibility; CALL fenta.run_maintenance() is the way, it commits between steps): creates the monthly partitions public.usage_records_YYYY_MM (UTC) of the month of as_of (within 3 months of now()) and the next months_ahead (0..120) months, and of every month with rows in usage_records_default, moving those rows in; late rows of a month retired by retention go to fenta_archive instead; each partition gets RLS, no privileges for anon and authenticated, SELECT only for service_role. With retention_months (1..1200), attached months before the last retention_months complete months are detached into schema fenta_archive (dropped instead, and archived ones too, only with drop_detached); the current and previous month of now() are never detached. When no partition was changed, then rolls the quota counters up, refreshes fenta.mv_daily_usage (unless refresh_usage is false) and resets due orgs, skipping orgs held by running transactions; when partitions were changed (their locks last until the transaction ends) these are left to the next run (NULL/false). Strong locks wait at most fenta.maintenance_lock_timeout; a month that could not be locked is counted in months_deferred and retried on the next run. A second concurrent run returns at once with skipped = true. Needs READ COMMITTED (25000). Bad arguments: 22023.';
REVOKE ALL ON FUNCTION fenta.maintain_partitions(integer, integer, boolean, boolean, timestamptz) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.maintain_partitions(integer, integer, boolean, boolean, timestamptz) TO service_role;

CREATE OR REPLACE FUNCTION fenta.maintenance_plan(
	months_ahead integer,
	retention_months integer,
	drop_detached boolean,
	as_of timestamptz)
RETURNS TABLE (step text, month text)
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = ''
AS 'MODULE_PATHNAME', 'fenta_maintenance_plan';
COMMENT ON FUNCTION fenta.maintenance_plan(integer, integer, boolean, timestamptz) IS
'Internal (fenta.run_maintenance): the partition steps of a run, in order: create (a month of the window of as_of and months_ahead, or with rows in usage_records_default), archive_rows (late rows of a month retired by retention), detach, detach_drop, drop_archived. NULL months_ahead and retention_months take fenta.maintenance_months_ahead and fenta.maintenance_retention_months (retention 0: keep every month); NULL as_of is now(), and as_of must be within 3 months of now(). Bad arguments: 22023.';
REVOKE ALL ON FUNCTION fenta.maintenance_plan(integer, integer, boolean, timestamptz) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.maintenance_plan(integer, integer, boolean, timestamptz) TO service_role;

CREATE OR REPLACE FUNCTION fenta.maintenance_step(step text, month text, OUT done boolean, OUT rows_moved bigint)
RETURNS record
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = ''
AS 'MODULE_PATHNAME', 'fenta_maintenance_step';
COMMENT ON FUNCTION fenta.maintenance_step(text, text) IS
'Internal (fenta.run_maintenance): does one step of fenta.maintenance_plan() for month YYYY_MM in a subtransaction, every lock under fenta.maintenance_lock_timeout; done is false when it was deferred (a lock not had in time, or another run at work) and is retried on the next run. Archive, detach and drop steps refuse the current and previous month of now(). Needs READ COMMITTED.';
REVOKE ALL ON FUNCTION fenta.maintenance_step(text, text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.maintenance_step(text, text) TO service_role;

CREATE OR REPLACE FUNCTION fenta.maintenance_session_lock(acquire boolean)
RETURNS boolean
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = ''
AS 'MODULE_PATHNAME', 'fenta_maintenance_session_lock';
COMMENT ON FUNCTION fenta.maintenance_session_lock(boolean) IS
'Internal (fenta.run_maintenance): takes (true) or releases (false) the session-level advisory lock of maintenance runs, which fenta.maintain_partitions() also takes; false when another session holds it. Taking it refuses to run inside a transaction block (25001) and first releases what a failed earlier run of the session left.';
REVOKE ALL ON FUNCTION fenta.maintenance_session_lock(boolean) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.maintenance_session_lock(boolean) TO service_role;
