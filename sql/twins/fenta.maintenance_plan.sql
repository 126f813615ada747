CREATE FUNCTION fenta.maintenance_plan(
	months_ahead integer,
	retention_months integer,
	drop_detached boolean,
	as_of timestamptz)
RETURNS TABLE (step text, month text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = ''
AS $$
-- src/maintenance.c: fenta_maintenance_plan.  The GUCs
-- fenta.maintenance_months_ahead and fenta.maintenance_retention_months are
-- unregistered placeholders here: their values, 3 and 0 when unset.
DECLARE
	fname constant text := 'fenta.run_maintenance()';
	ahead integer;
	keep integer;
	at timestamptz;
BEGIN
	ahead := coalesce(maintenance_plan.months_ahead,
		coalesce(nullif(pg_catalog.current_setting('fenta.maintenance_months_ahead', true), ''), '3')::integer);
	IF maintenance_plan.retention_months IS NULL THEN
		keep := coalesce(nullif(pg_catalog.current_setting('fenta.maintenance_retention_months', true), ''), '0')::integer;
		IF keep <= 0 THEN
			keep := NULL;
		END IF;
	ELSE
		keep := nullif(maintenance_plan.retention_months, 0);
	END IF;
	IF maintenance_plan.drop_detached IS NULL THEN
		PERFORM fenta.partition_bad_argument(fname, 'drop_detached', 'must not be NULL', NULL);
	END IF;
	at := coalesce(maintenance_plan.as_of, pg_catalog.now());
	PERFORM fenta.partition_check_args(fname, ahead, keep, maintenance_plan.drop_detached, at);
	RETURN QUERY
		SELECT p.kind, p.suffix
		FROM fenta.partition_plan(fname, ahead, keep, maintenance_plan.drop_detached, at) WITH ORDINALITY AS p(kind, suffix, n)
		WHERE p.kind <> 'blocked'
		ORDER BY p.n;
END
$$;
