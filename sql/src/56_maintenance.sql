-- Maintenance that never stalls writers (0.4.0): CALL fenta.run_maintenance()
-- does every step in a short transaction of its own (each month created,
-- archived, detached or dropped; the rollup; the quota resets in batches
-- that skip held orgs; the refresh), every lock under
-- fenta.maintenance_lock_timeout.  fenta.maintain_partitions() stays for
-- compatibility (one transaction; see doc/maintenance.md).

-- The C steps of the procedure.
CREATE FUNCTION fenta.maintenance_plan(
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

CREATE FUNCTION fenta.maintenance_step(step text, month text, OUT done boolean, OUT rows_moved bigint)
RETURNS record
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = ''
AS 'MODULE_PATHNAME', 'fenta_maintenance_step';
COMMENT ON FUNCTION fenta.maintenance_step(text, text) IS
'Internal (fenta.run_maintenance): does one step of fenta.maintenance_plan() for month YYYY_MM in a subtransaction, every lock under fenta.maintenance_lock_timeout; done is false when it was deferred (a lock not had in time, or another run at work) and is retried on the next run. Archive, detach and drop steps refuse the current and previous month of now(). Needs READ COMMITTED.';
REVOKE ALL ON FUNCTION fenta.maintenance_step(text, text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.maintenance_step(text, text) TO service_role;

CREATE FUNCTION fenta.maintenance_session_lock(acquire boolean)
RETURNS boolean
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = ''
AS 'MODULE_PATHNAME', 'fenta_maintenance_session_lock';
COMMENT ON FUNCTION fenta.maintenance_session_lock(boolean) IS
'Internal (fenta.run_maintenance): takes (true) or releases (false) the session-level advisory lock of maintenance runs, which fenta.maintain_partitions() also takes; false when another session holds it. Taking it refuses to run inside a transaction block (25001) and first releases what a failed earlier run of the session left.';
REVOKE ALL ON FUNCTION fenta.maintenance_session_lock(boolean) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.maintenance_session_lock(boolean) TO service_role;

-- One org's reset and one org's expired reservations, shared by
-- fenta.apply_quota_resets() (which waits for the org's running usage
-- transactions) and fenta.apply_quota_resets_batch() (which skips them).
-- The caller holds the org row FOR UPDATE and the quota row FOR NO KEY
-- UPDATE; run as the owner from those SECURITY DEFINER functions only.
CREATE FUNCTION fenta.reset_org_quota(org uuid, reset_at timestamptz, storage_bytes_used bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = '' SET TimeZone = 'UTC'
AS $$
DECLARE
	s numeric;
	next_reset timestamptz;
	k integer := 1;
BEGIN
	-- storage is a balance, not a flow: it is kept (rolled up)
	WITH moved AS (DELETE FROM fenta.quota_counters c WHERE c.org_id = reset_org_quota.org RETURNING c.storage_bytes)
	SELECT coalesce(sum(m.storage_bytes), 0) INTO s FROM moved m;
	s := reset_org_quota.storage_bytes_used + s;
	IF s < 0 THEN
		INSERT INTO fenta.quota_counters (org_id, slot, storage_bytes) VALUES (reset_org_quota.org, -1, s);
		s := 0;
	END IF;
	-- whole months on from the old reset_at, until in the future
	LOOP
		next_reset := reset_org_quota.reset_at + pg_catalog.make_interval(months => k);
		EXIT WHEN next_reset > pg_catalog.now();
		k := k + 1;
	END LOOP;
	UPDATE public.quota_limits l
	SET tokens_used = 0, render_seconds_used = 0, kai_credits_used = 0, kai_credits_from_packs = 0,
		storage_bytes_used = s, reset_at = next_reset
	WHERE l.org_id = reset_org_quota.org;
END
$$;
COMMENT ON FUNCTION fenta.reset_org_quota(uuid, timestamptz, bigint) IS
'Internal (fenta.apply_quota_resets, fenta.apply_quota_resets_batch): restarts the counters of one org whose org and quota rows the caller has locked (storage kept as a balance) and moves reset_at on by whole months until it is in the future.';
REVOKE ALL ON FUNCTION fenta.reset_org_quota(uuid, timestamptz, bigint) FROM PUBLIC, anon, authenticated, service_role;

CREATE FUNCTION fenta.release_expired_reservations(org uuid)
RETURNS void
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	rt numeric;
	rk numeric;
	rr numeric;
BEGIN
	WITH gone AS (DELETE FROM fenta.quota_reservations r
				  WHERE r.org_id = release_expired_reservations.org AND r.expires_at <= pg_catalog.now()
				  RETURNING r.tokens, r.kai_credits, r.render_seconds)
	SELECT coalesce(sum(g.tokens), 0), coalesce(sum(g.kai_credits), 0), coalesce(sum(g.render_seconds), 0)
	INTO rt, rk, rr FROM gone g;
	UPDATE public.quota_limits l
	SET reserved_tokens = l.reserved_tokens - rt, reserved_kai_credits = l.reserved_kai_credits - rk,
		reserved_render_seconds = l.reserved_render_seconds - rr
	WHERE l.org_id = release_expired_reservations.org;
END
$$;
COMMENT ON FUNCTION fenta.release_expired_reservations(uuid) IS
'Internal (fenta.apply_quota_resets, fenta.apply_quota_resets_batch): releases the expired reservations of one org whose quota row the caller has locked.';
REVOKE ALL ON FUNCTION fenta.release_expired_reservations(uuid) FROM PUBLIC, anon, authenticated, service_role;

-- 0.2.0's fenta.apply_quota_resets(), through the shared steps (it waits)
CREATE OR REPLACE FUNCTION fenta.apply_quota_resets()
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = '' SET TimeZone = 'UTC'
AS $$
DECLARE
	o uuid;
	q record;
	n integer := 0;
BEGIN
	IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'fenta.apply_quota_resets() must run at isolation level READ COMMITTED'
			USING ERRCODE = 'invalid_transaction_state',
				DETAIL = 'A reset must see every usage transaction that committed before it.';
	END IF;
	FOR o IN SELECT l.org_id FROM public.quota_limits l WHERE l.reset_at <= pg_catalog.now() ORDER BY 1 LOOP
		-- Waits for the org's running usage transactions (their foreign key
		-- checks hold a key share lock on the org) and holds new ones back
		-- until this transaction ends: a period covers exactly the usage
		-- committed before its reset.
		PERFORM FROM public.orgs g WHERE g.id = o FOR UPDATE;
		SELECT l.reset_at, l.storage_bytes_used INTO q
		FROM public.quota_limits l WHERE l.org_id = o AND l.reset_at <= pg_catalog.now()
		FOR NO KEY UPDATE;
		CONTINUE WHEN NOT FOUND;	-- reset meanwhile by another session
		PERFORM fenta.reset_org_quota(o, q.reset_at, q.storage_bytes_used);
		n := n + 1;
	END LOOP;
	-- expired reservations
	FOR o IN SELECT DISTINCT r.org_id FROM fenta.quota_reservations r WHERE r.expires_at <= pg_catalog.now() ORDER BY 1 LOOP
		PERFORM FROM public.quota_limits l WHERE l.org_id = o FOR NO KEY UPDATE;
		PERFORM fenta.release_expired_reservations(o);
	END LOOP;
	RETURN n;
END
$$;

--
-- Quota resets in batches that never wait: an org that a running
-- transaction holds (a usage writer holds a key share lock on it) is
-- skipped and reset by a later batch or run, so a reset period still covers
-- exactly the usage committed before the reset, and no writer waits behind
-- the reset of another org.
--
CREATE FUNCTION fenta.apply_quota_resets_batch(
	max_orgs integer DEFAULT 100,
	OUT orgs_reset integer,
	OUT reservations_released integer,
	OUT orgs_due integer,
	OUT progress boolean,
	OUT done boolean)
RETURNS record
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = '' SET TimeZone = 'UTC'
AS $$
DECLARE
	o uuid;
	q record;
BEGIN
	IF max_orgs IS NULL OR max_orgs NOT BETWEEN 1 AND 100000 THEN
		RAISE EXCEPTION 'invalid value for argument "max_orgs" of fenta.apply_quota_resets_batch(): % is out of range', coalesce(max_orgs::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', DETAIL = 'max_orgs is from 1 to 100000.';
	END IF;
	IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'fenta.apply_quota_resets_batch() must run at isolation level READ COMMITTED'
			USING ERRCODE = 'invalid_transaction_state',
				DETAIL = 'A reset must see every usage transaction that committed before it.';
	END IF;
	orgs_reset := 0;
	reservations_released := 0;
	-- the org locked FOR UPDATE, or skipped: its running usage transactions
	-- (key share locks) would otherwise be waited for
	FOR o IN SELECT g.id FROM public.quota_limits l JOIN public.orgs g ON g.id = l.org_id
			 WHERE l.reset_at <= pg_catalog.now()
			 ORDER BY l.org_id LIMIT max_orgs
			 FOR UPDATE OF g SKIP LOCKED LOOP
		SELECT l.reset_at, l.storage_bytes_used INTO q
		FROM public.quota_limits l WHERE l.org_id = o AND l.reset_at <= pg_catalog.now()
		FOR NO KEY UPDATE SKIP LOCKED;
		CONTINUE WHEN NOT FOUND;	-- reset meanwhile, or held
		PERFORM fenta.reset_org_quota(o, q.reset_at, q.storage_bytes_used);
		orgs_reset := orgs_reset + 1;
	END LOOP;
	-- expired reservations, skipping quota rows held
	FOR o IN SELECT l.org_id FROM public.quota_limits l
			 WHERE EXISTS (SELECT FROM fenta.quota_reservations r
						   WHERE r.org_id = l.org_id AND r.expires_at <= pg_catalog.now())
			 ORDER BY l.org_id LIMIT max_orgs
			 FOR NO KEY UPDATE OF l SKIP LOCKED LOOP
		PERFORM fenta.release_expired_reservations(o);
		reservations_released := reservations_released + 1;
	END LOOP;
	SELECT count(*) INTO orgs_due FROM public.quota_limits l WHERE l.reset_at <= pg_catalog.now();
	progress := orgs_reset > 0 OR reservations_released > 0;
	done := orgs_due = 0 AND NOT EXISTS (SELECT FROM fenta.quota_reservations r WHERE r.expires_at <= pg_catalog.now());
END
$$;
COMMENT ON FUNCTION fenta.apply_quota_resets_batch(integer) IS
'Maintenance: resets up to max_orgs due orgs (as fenta.apply_quota_resets() does) and releases the expired reservations of up to max_orgs orgs, never waiting: orgs that running transactions hold are skipped (a period still covers exactly the usage committed before its reset) and are left for the next batch. Returns the counts, the orgs still due, progress (something was done) and done (nothing left). Used by fenta.run_maintenance() (one batch per transaction) and fenta.maintain_partitions(). Needs READ COMMITTED.';
REVOKE ALL ON FUNCTION fenta.apply_quota_resets_batch(integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.apply_quota_resets_batch(integer) TO service_role;

--
-- The procedure.  It commits between steps, so it cannot be SECURITY
-- DEFINER nor have a SET clause: it runs with the caller's rights and
-- search_path, and its body therefore calls nothing but schema-qualified
-- functions and uses no operator (OPERATOR(pg_catalog.+) where it counts).
--
CREATE PROCEDURE fenta.run_maintenance(
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
	PERFORM fenta.maintenance_session_lock(false);
	RAISE LOG 'fenta.run_maintenance(): % month(s) created, % row(s) moved, % step(s) deferred, % org(s) rolled up, % org(s) reset',
		created, moved, deferred, rolled, reset;
END
$$;
COMMENT ON PROCEDURE fenta.run_maintenance(integer, integer, boolean, boolean, timestamptz, integer) IS
'Maintenance (service_role, pg_cron, the background worker): CALL fenta.run_maintenance() outside a transaction block. Does what fenta.maintain_partitions() does, every step in a short transaction of its own: creates the monthly partitions of the month of as_of (default now(), within 3 months of it) and the next months_ahead months (default fenta.maintenance_months_ahead) and of months with rows in usage_records_default; moves late rows of months retired by retention into fenta_archive; with retention_months (default fenta.maintenance_retention_months; 0 keeps every month) detaches older months into fenta_archive (drops them with drop_detached); never touches the current or previous month of now(). Then rolls the quota counters up, resets due orgs reset_batch_size per transaction skipping orgs held by running transactions (retried, else left for the next run), and refreshes fenta.mv_daily_usage unless refresh_usage is false. Every lock waits at most fenta.maintenance_lock_timeout; a step that could not lock in time is deferred to the next run (WARNING). A second concurrent run returns at once (NOTICE). Inside a transaction block: 25001. Bad arguments: 22023.';
REVOKE ALL ON PROCEDURE fenta.run_maintenance(integer, integer, boolean, boolean, timestamptz, integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON PROCEDURE fenta.run_maintenance(integer, integer, boolean, boolean, timestamptz, integer) TO service_role;

COMMENT ON FUNCTION fenta.maintain_partitions(integer, integer, boolean, boolean, timestamptz) IS
'Maintenance in one transaction (kept for compatibility; CALL fenta.run_maintenance() is the way, it commits between steps): creates the monthly partitions public.usage_records_YYYY_MM (UTC) of the month of as_of (within 3 months of now()) and the next months_ahead (0..120) months, and of every month with rows in usage_records_default, moving those rows in; late rows of a month retired by retention go to fenta_archive instead; each partition gets RLS, no privileges for anon and authenticated, SELECT only for service_role. With retention_months (1..1200), attached months before the last retention_months complete months are detached into schema fenta_archive (dropped instead, and archived ones too, only with drop_detached); the current and previous month of now() are never detached. When no partition was changed, then rolls the quota counters up, refreshes fenta.mv_daily_usage (unless refresh_usage is false) and resets due orgs, skipping orgs held by running transactions; when partitions were changed (their locks last until the transaction ends) these are left to the next run (NULL/false). Strong locks wait at most fenta.maintenance_lock_timeout; a month that could not be locked is counted in months_deferred and retried on the next run. A second concurrent run returns at once with skipped = true. Needs READ COMMITTED (25000). Bad arguments: 22023.';

-- pg_cron schedules the procedure.
CREATE OR REPLACE FUNCTION fenta.schedule_maintenance(
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
	command := pg_catalog.format('CALL fenta.run_maintenance(months_ahead => %s, retention_months => %s)',
		schedule_maintenance.months_ahead, coalesce(schedule_maintenance.retention_months, 0));
	EXECUTE 'SELECT cron.schedule($1, $2, $3)'
		INTO job
		USING fenta.maintenance_job_name(), schedule_maintenance.schedule, command;
	RETURN job;
END
$$;
COMMENT ON FUNCTION fenta.schedule_maintenance(text, integer, integer) IS
'Admin: schedules CALL fenta.run_maintenance(months_ahead, retention_months) with pg_cron under the job name fenta-maintain-partitions (every 10 minutes by default; schedule in cron syntax; NULL retention_months keeps every month) and returns the job id. Idempotent: calling it again updates the same job. Needs pg_cron in this database (55000 otherwise).';
