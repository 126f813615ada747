-- ===========================================================================
-- Idempotency keys are kept for a window, then pruned (0.5.0).
--
-- fenta.usage_idempotency holds one row per org and key and grew forever.
-- A key is now kept for fenta.usage_idempotency_retention.keep_for (30 days
-- when the table has no row; never less than a day) after it was first seen;
-- each maintenance run deletes older keys in small batches, one short
-- transaction each.  Within the window a retry counts once; after it, a
-- retry with the same key counts again.  See doc/operations.md.
-- ===========================================================================

CREATE TABLE fenta.usage_idempotency_retention (
	singleton boolean NOT NULL DEFAULT true
		CONSTRAINT usage_idempotency_retention_singleton CHECK (singleton),
	keep_for interval NOT NULL DEFAULT interval '30 days'
		CONSTRAINT usage_idempotency_retention_keep_for_at_least_a_day CHECK (keep_for >= interval '1 day'),
	batch_size integer NOT NULL DEFAULT 1000
		CONSTRAINT usage_idempotency_retention_batch_size_range CHECK (batch_size BETWEEN 1 AND 100000),
	CONSTRAINT usage_idempotency_retention_pkey PRIMARY KEY (singleton)
);
COMMENT ON TABLE fenta.usage_idempotency_retention IS 'How long idempotency keys of usage events are kept (at most one row; no row: 30 days, batches of 1000). Set it with INSERT ... ON CONFLICT (singleton) DO UPDATE.';
COMMENT ON COLUMN fenta.usage_idempotency_retention.singleton IS 'Always true: the table has at most one row.';
COMMENT ON COLUMN fenta.usage_idempotency_retention.keep_for IS 'How long a key is kept after it was first seen (at least 1 day; default 30 days): a retry within it counts once, after it counts again.';
COMMENT ON COLUMN fenta.usage_idempotency_retention.batch_size IS 'Keys deleted per transaction by maintenance (1 to 100000; default 1000).';
-- not exposed; RLS on all the same, with no policy (service_role bypasses it)
ALTER TABLE fenta.usage_idempotency_retention ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON fenta.usage_idempotency_retention FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON fenta.usage_idempotency_retention TO service_role;
SELECT pg_catalog.pg_extension_config_dump('fenta.usage_idempotency_retention', '');

CREATE FUNCTION fenta.prune_usage_idempotency(
	max_rows integer DEFAULT NULL,
	OUT pruned bigint,
	OUT done boolean)
RETURNS record
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	keep interval;
	batch integer;
	cutoff timestamptz;
BEGIN
	IF prune_usage_idempotency.max_rows NOT BETWEEN 1 AND 100000 THEN
		RAISE EXCEPTION 'invalid value for argument "max_rows" of fenta.prune_usage_idempotency(): % is out of range', prune_usage_idempotency.max_rows
			USING ERRCODE = 'invalid_parameter_value', DETAIL = 'max_rows is from 1 to 100000 (NULL: fenta.usage_idempotency_retention.batch_size).';
	END IF;
	SELECT s.keep_for, s.batch_size INTO keep, batch FROM fenta.usage_idempotency_retention s;
	keep := coalesce(keep, interval '30 days');
	batch := coalesce(prune_usage_idempotency.max_rows, batch, 1000);
	cutoff := pg_catalog.now() - keep;
	-- the oldest keys first, through the created_at index; keys locked by
	-- someone else are skipped, never waited for
	WITH gone AS (
		DELETE FROM fenta.usage_idempotency i
		WHERE i.ctid = ANY (ARRAY(
				SELECT j.ctid FROM fenta.usage_idempotency j
				WHERE j.created_at < cutoff
				ORDER BY j.created_at
				LIMIT batch
				FOR UPDATE SKIP LOCKED))
			AND i.created_at < cutoff
		RETURNING 1
	)
	SELECT pg_catalog.count(*) INTO pruned FROM gone;
	done := pruned < batch;
END
$$;
COMMENT ON FUNCTION fenta.prune_usage_idempotency(integer) IS
'Maintenance (service_role; each fenta.run_maintenance() calls it until done): deletes up to max_rows (default fenta.usage_idempotency_retention.batch_size, 1000) idempotency keys first seen longer ago than fenta.usage_idempotency_retention.keep_for (default 30 days), oldest first, skipping locked ones. Returns how many went and done (fewer than a batch were due). A retry with a pruned key counts again. Bad max_rows: 22023.';
REVOKE ALL ON FUNCTION fenta.prune_usage_idempotency(integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.prune_usage_idempotency(integer) TO service_role;

--
-- The procedure, as in 56_maintenance.sql, plus the pruning.
--
CREATE OR REPLACE PROCEDURE fenta.run_maintenance(
	months_ahead integer DEFAULT NULL,
	retention_months integer DEFAULT NULL,
	drop_detached boolean DEFAULT false,
	refresh_usage boolean DEFAULT true,
	as_of timestamptz DEFAULT NULL,
	reset_batch_size integer DEFAULT 100)
LANGUAGE plpgsql
AS $$
DECLARE
	s record;
	r record;
	b record;
	created integer := 0;
	deferred integer := 0;
	moved bigint := 0;
	rolled integer := 0;
	reset integer := 0;
	attempt integer;
	pr record;
	pruned bigint := 0;
BEGIN
	IF NOT fenta.maintenance_session_lock(true) THEN
		RETURN;
	END IF;
	COMMIT;
	-- the partition steps, one transaction each (the plan checks the arguments)
	FOR s IN SELECT p.step, p.month
			 FROM fenta.maintenance_plan(run_maintenance.months_ahead, run_maintenance.retention_months,
										 run_maintenance.drop_detached, run_maintenance.as_of) p LOOP
		SELECT x.done, x.rows_moved INTO r FROM fenta.maintenance_step(s.step, s.month) x;
		COMMIT;
		IF r.done THEN
			IF pg_catalog.texteq(s.step, 'create') THEN
				created := created OPERATOR(pg_catalog.+) 1;
			END IF;
			moved := moved OPERATOR(pg_catalog.+) r.rows_moved;
		ELSE
			deferred := deferred OPERATOR(pg_catalog.+) 1;
		END IF;
	END LOOP;
	-- the rollup (skips rows held by running transactions)
	IF pg_catalog.to_regprocedure('fenta.rollup_quota_counters()') IS NOT NULL THEN
		SELECT fenta.rollup_quota_counters() INTO rolled;
		COMMIT;
	END IF;
	-- the resets, reset_batch_size orgs per transaction, never waiting; orgs
	-- held by running transactions are tried again a few times, then left
	-- for the next run
	IF pg_catalog.to_regprocedure('fenta.apply_quota_resets_batch(integer)') IS NOT NULL THEN
		FOR attempt IN 1..5 LOOP
			LOOP
				SELECT x.orgs_reset, x.orgs_due, x.progress, x.done INTO b
				FROM fenta.apply_quota_resets_batch(run_maintenance.reset_batch_size) x;
				COMMIT;
				reset := reset OPERATOR(pg_catalog.+) b.orgs_reset;
				EXIT WHEN NOT b.progress;
			END LOOP;
			EXIT WHEN b.done;
			PERFORM pg_catalog.pg_sleep(0.2);
			COMMIT;
		END LOOP;
		IF NOT b.done THEN
			RAISE NOTICE 'fenta.run_maintenance(): % org(s) due for a quota reset are held by running transactions; they are reset on the next run', b.orgs_due;
		END IF;
	END IF;
	IF run_maintenance.refresh_usage THEN
		PERFORM fenta.refresh_daily_usage(true);
		COMMIT;
	END IF;
	-- idempotency keys past their window, one small batch per transaction,
	-- at most 1000 batches per run (the rest waits for the next run)
	IF pg_catalog.to_regprocedure('fenta.prune_usage_idempotency(integer)') IS NOT NULL THEN
		FOR attempt IN 1..1000 LOOP
			SELECT x.pruned, x.done INTO pr FROM fenta.prune_usage_idempotency() x;
			COMMIT;
			pruned := pruned OPERATOR(pg_catalog.+) pr.pruned;
			EXIT WHEN pr.done;
		END LOOP;
	END IF;
	PERFORM fenta.maintenance_session_lock(false);
	RAISE LOG 'fenta.run_maintenance(): % month(s) created, % row(s) moved, % step(s) deferred, % org(s) rolled up, % org(s) reset, % idempotency key(s) pruned',
		created, moved, deferred, rolled, reset, pruned;
END
$$;
COMMENT ON PROCEDURE fenta.run_maintenance(integer, integer, boolean, boolean, timestamptz, integer) IS
'Maintenance (service_role, pg_cron, the background worker): CALL fenta.run_maintenance() outside a transaction block. Does what fenta.maintain_partitions() does, every step in a short transaction of its own: creates the monthly partitions of the month of as_of (default now(), within 3 months of it) and the next months_ahead months (default fenta.maintenance_months_ahead) and of months with rows in usage_records_default; moves late rows of months retired by retention into fenta_archive; with retention_months (default fenta.maintenance_retention_months; 0 keeps every month) detaches older months into fenta_archive (drops them with drop_detached); never touches the current or previous month of now(). Then rolls the quota counters up, resets due orgs reset_batch_size per transaction skipping orgs held by running transactions (retried, else left for the next run), brings public.usage_daily up to date (fenta.refresh_daily_usage(), the rows added since the last run) unless refresh_usage is false, and prunes the idempotency keys older than their window (fenta.prune_usage_idempotency(), one batch per transaction). Every lock waits at most fenta.maintenance_lock_timeout; a step that could not lock in time is deferred to the next run (WARNING). A second concurrent run returns at once (NOTICE). Inside a transaction block: 25001. Bad arguments: 22023.';
REVOKE ALL ON PROCEDURE fenta.run_maintenance(integer, integer, boolean, boolean, timestamptz, integer) FROM PUBLIC, anon, authenticated;
