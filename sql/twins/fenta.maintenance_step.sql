CREATE FUNCTION fenta.maintenance_step(step text, month text, OUT done boolean, OUT rows_moved bigint)
RETURNS record
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = ''
AS $$
-- src/maintenance.c: fenta_maintenance_step
DECLARE
	fname constant text := 'fenta.run_maintenance()';
	previous text;
	saved_timeout text;
	r record;
BEGIN
	IF maintenance_step.step IS NULL OR maintenance_step.month IS NULL THEN
		PERFORM fenta.partition_bad_argument('fenta.maintenance_step()',
			CASE WHEN maintenance_step.step IS NULL THEN 'step' ELSE 'month' END, 'must not be NULL', NULL);
	END IF;
	IF maintenance_step.step NOT IN ('create', 'archive_rows', 'detach', 'detach_drop', 'drop_archived') THEN
		PERFORM fenta.partition_bad_argument('fenta.maintenance_step()', 'step',
			pg_catalog.format('unknown step "%s"', maintenance_step.step), NULL);
	END IF;
	IF NOT fenta.partition_is_month(maintenance_step.month) THEN
		PERFORM fenta.partition_bad_argument('fenta.maintenance_step()', 'month',
			pg_catalog.format('"%s" is not a month', maintenance_step.month), 'A month is written YYYY_MM.');
	END IF;
	-- destructive steps only ever touch months before the previous month of now() (UTC)
	previous := pg_catalog.to_char(pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', pg_catalog.now()))
		- pg_catalog.make_interval(months => 1), 'YYYY_MM');
	IF maintenance_step.step <> 'create' AND maintenance_step.month COLLATE pg_catalog."C" >= previous THEN
		PERFORM fenta.partition_bad_argument('fenta.maintenance_step()', 'month',
			pg_catalog.format('%s is the current or previous month, or later', maintenance_step.month),
			'Only months before the previous month are ever archived, detached or dropped.');
	END IF;
	PERFORM fenta.partition_require_read_committed(fname);

	done := false;
	rows_moved := 0;
	-- deferred (done false) while another run is at work
	IF pg_catalog.pg_try_advisory_xact_lock(1717923444, 1) THEN
		IF maintenance_step.step = 'create'
			AND EXISTS (SELECT FROM pg_catalog.pg_class c
						WHERE c.relnamespace = 'public'::pg_catalog.regnamespace
							AND c.relname = ('usage_records_' || maintenance_step.month)::pg_catalog.name
							AND c.relispartition) THEN
			-- done meanwhile (another run): nothing to do
			done := true;
		ELSE
			saved_timeout := pg_catalog.current_setting('lock_timeout');
			PERFORM pg_catalog.set_config('lock_timeout', fenta.partition_lock_timeout(), true);
			r := fenta.partition_run_step(fname, maintenance_step.step, maintenance_step.month);
			PERFORM pg_catalog.set_config('lock_timeout', saved_timeout, true);
			done := r.done;
			rows_moved := r.rows_moved;
		END IF;
	END IF;
END
$$;
