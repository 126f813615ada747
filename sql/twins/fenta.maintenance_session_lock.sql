CREATE FUNCTION fenta.maintenance_session_lock(acquire boolean)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = ''
AS $$
-- src/maintenance.c: fenta_maintenance_session_lock, with the advisory lock
-- ('fent', 1) of pg_try_advisory_lock(1717923444, 1).  PL/pgSQL cannot see
-- whether the CALL runs in a transaction block: it refuses one that has
-- written (a transaction id is assigned); otherwise the procedure's first
-- COMMIT refuses it (2D000, see doc/hosted.md).
DECLARE
	take boolean := coalesce(maintenance_session_lock.acquire, false);
BEGIN
	IF take AND pg_catalog.pg_current_xact_id_if_assigned() IS NOT NULL THEN
		RAISE EXCEPTION 'fenta.run_maintenance() cannot run inside a transaction block'
			USING ERRCODE = 'active_sql_transaction',
				DETAIL = 'It commits after each step, so that no lock is held for longer than one step.',
				HINT = 'CALL it on its own (autocommit), or use SELECT * FROM fenta.maintain_partitions() inside a transaction.';
	END IF;
	-- what an earlier, failed run of this session left
	WHILE EXISTS (SELECT FROM pg_catalog.pg_locks l
				  WHERE l.locktype = 'advisory' AND l.pid = pg_catalog.pg_backend_pid()
					  AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d
										WHERE d.datname = pg_catalog.current_database())
					  AND l.classid = 1717923444::pg_catalog.oid AND l.objid = 1::pg_catalog.oid
					  AND l.objsubid = 2 AND l.mode = 'ExclusiveLock' AND l.granted) LOOP
		EXIT WHEN NOT pg_catalog.pg_advisory_unlock(1717923444, 1);
	END LOOP;
	IF NOT take THEN
		RETURN true;
	END IF;
	IF NOT pg_catalog.pg_try_advisory_lock(1717923444, 1) THEN
		RAISE NOTICE 'fenta maintenance is already running in another session; skipped';
		RETURN false;
	END IF;
	RETURN true;
END
$$;
