\echo Use "ALTER EXTENSION fenta UPDATE TO '0.5.0'" to load this file. \quit
-- fenta 0.4.0 -> 0.5.0
-- ===========================================================================
-- Daily usage, incremental (0.5.0): public.usage_daily replaces the
-- materialized view fenta.mv_daily_usage, which was recomputed over all of
-- history on every maintenance run.
--
-- - Every INSERT statement into usage_records appends its rows, grouped by
--   org, UTC day and resource type, to fenta.usage_daily_pending (a statement
--   trigger with a transition table).  The pending table has no key: inserts
--   never wait for each other on a hot daily row.
-- - fenta.refresh_daily_usage() (each maintenance run) drains the pending
--   rows into public.usage_daily: its cost follows the rows added since the
--   last run, not history.  fenta.rebuild_daily_usage() recomputes from
--   usage_records (after a superuser's repair of the ledger).
-- - Members read their own orgs' days from public.usage_daily under row
--   level security; public.daily_usage() reads it as the caller.
-- - fenta.mv_daily_usage stays, as a view over public.usage_daily.
-- - Retention (detaching months of usage_records) keeps the daily rows: they
--   are the history of the months whose ledger rows were retired.
-- See doc/operations.md, "Daily usage".
-- ===========================================================================

CREATE TABLE public.usage_daily (
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	day date NOT NULL,
	resource_type public.resource_type NOT NULL,
	events bigint NOT NULL DEFAULT 0,
	llm_tokens_prompt bigint NOT NULL DEFAULT 0,
	llm_tokens_output bigint NOT NULL DEFAULT 0,
	tokens bigint NOT NULL DEFAULT 0,
	kai_credits bigint NOT NULL DEFAULT 0,
	render_seconds bigint NOT NULL DEFAULT 0,
	storage_bytes bigint NOT NULL DEFAULT 0,
	cost_usd numeric NOT NULL DEFAULT 0,
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT usage_daily_pkey PRIMARY KEY (org_id, day, resource_type)
);
COMMENT ON TABLE public.usage_daily IS 'Usage per org, UTC day and resource type: the sums of public.usage_records, current as of the last fenta.refresh_daily_usage() (each maintenance run). Kept incrementally (fenta.usage_daily_pending); days of months retired by retention stay. Members read their orgs'' days; written by fenta only.';
COMMENT ON COLUMN public.usage_daily.org_id IS 'The org.';
COMMENT ON COLUMN public.usage_daily.day IS 'UTC date of the events (created_at).';
COMMENT ON COLUMN public.usage_daily.resource_type IS 'Metered resource.';
COMMENT ON COLUMN public.usage_daily.events IS 'Number of usage records.';
COMMENT ON COLUMN public.usage_daily.llm_tokens_prompt IS 'Sum of LLM prompt tokens.';
COMMENT ON COLUMN public.usage_daily.llm_tokens_output IS 'Sum of LLM output tokens.';
COMMENT ON COLUMN public.usage_daily.tokens IS 'Sum of LLM tokens, prompt + output (what tokens_used counts).';
COMMENT ON COLUMN public.usage_daily.kai_credits IS 'Sum of KIE.ai credits.';
COMMENT ON COLUMN public.usage_daily.render_seconds IS 'Sum of render seconds.';
COMMENT ON COLUMN public.usage_daily.storage_bytes IS 'Net change of stored bytes.';
COMMENT ON COLUMN public.usage_daily.cost_usd IS 'Sum of costs in US dollars.';
COMMENT ON COLUMN public.usage_daily.updated_at IS 'When the row last took usage in (a refresh or a rebuild).';
CREATE TRIGGER usage_daily_updated_at BEFORE UPDATE ON public.usage_daily
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();
-- members read, only fenta writes (the functions below, as the owner)
ALTER TABLE public.usage_daily ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.usage_daily FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.usage_daily TO authenticated;
GRANT SELECT ON public.usage_daily TO service_role;
CREATE POLICY usage_daily_select ON public.usage_daily FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer'))));

-- The deltas not yet drained: one row per INSERT statement, org, UTC day
-- and resource type.  No key and no index: appending never waits.
CREATE TABLE fenta.usage_daily_pending (
	org_id uuid NOT NULL,
	day date NOT NULL,
	resource_type public.resource_type NOT NULL,
	events bigint NOT NULL,
	llm_tokens_prompt bigint NOT NULL,
	llm_tokens_output bigint NOT NULL,
	tokens bigint NOT NULL,
	kai_credits bigint NOT NULL,
	render_seconds bigint NOT NULL,
	storage_bytes bigint NOT NULL,
	cost_usd numeric NOT NULL
);
COMMENT ON TABLE fenta.usage_daily_pending IS 'Usage not yet in public.usage_daily: the rows of each INSERT statement into usage_records, grouped by org, UTC day and resource type (fenta.usage_daily_capture()); drained by fenta.refresh_daily_usage(). Rows of a deleted org are discarded by the drain.';
COMMENT ON COLUMN fenta.usage_daily_pending.org_id IS 'The org (no foreign key: a drain discards the rows of deleted orgs).';
COMMENT ON COLUMN fenta.usage_daily_pending.day IS 'UTC date of the events.';
COMMENT ON COLUMN fenta.usage_daily_pending.resource_type IS 'Metered resource.';
COMMENT ON COLUMN fenta.usage_daily_pending.events IS 'Number of usage records.';
COMMENT ON COLUMN fenta.usage_daily_pending.llm_tokens_prompt IS 'Sum of LLM prompt tokens.';
COMMENT ON COLUMN fenta.usage_daily_pending.llm_tokens_output IS 'Sum of LLM output tokens.';
COMMENT ON COLUMN fenta.usage_daily_pending.tokens IS 'Sum of LLM tokens, prompt + output.';
COMMENT ON COLUMN fenta.usage_daily_pending.kai_credits IS 'Sum of KIE.ai credits.';
COMMENT ON COLUMN fenta.usage_daily_pending.render_seconds IS 'Sum of render seconds.';
COMMENT ON COLUMN fenta.usage_daily_pending.storage_bytes IS 'Net change of stored bytes.';
COMMENT ON COLUMN fenta.usage_daily_pending.cost_usd IS 'Sum of costs in US dollars.';
-- not exposed; RLS on all the same, with no policy (only the owner's code writes)
ALTER TABLE fenta.usage_daily_pending ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON fenta.usage_daily_pending FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON fenta.usage_daily_pending TO service_role;

-- The capture: AFTER INSERT ... FOR EACH STATEMENT on usage_records, in C
-- (src/daily.c): it runs with every insert.
CREATE FUNCTION fenta.usage_daily_capture()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'fenta_usage_daily_capture';
COMMENT ON FUNCTION fenta.usage_daily_capture() IS
'AFTER INSERT statement trigger on usage_records (transition table new_rows): appends the statement''s rows, grouped by org, UTC day and resource type, to fenta.usage_daily_pending. Rows skipped by the idempotency guard are not in new_rows. Rows written straight into a partition (maintenance moving rows between partitions, a superuser''s repair) are not captured.';
REVOKE ALL ON FUNCTION fenta.usage_daily_capture() FROM PUBLIC, anon, authenticated, service_role;

-- Created before the backfill below: its lock holds inserts back until the
-- update commits, so every row is counted once, by the backfill or the
-- trigger.
CREATE TRIGGER usage_records_to_daily AFTER INSERT ON public.usage_records
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION fenta.usage_daily_capture();

-- Existing history, once (the update from 0.4.0; nothing on a fresh install).
INSERT INTO public.usage_daily (org_id, day, resource_type, events,
	llm_tokens_prompt, llm_tokens_output, tokens, kai_credits, render_seconds, storage_bytes, cost_usd)
SELECT u.org_id, (u.created_at AT TIME ZONE 'UTC')::date, u.resource_type, pg_catalog.count(*),
	pg_catalog.sum(u.llm_tokens_prompt)::bigint, pg_catalog.sum(u.llm_tokens_output)::bigint,
	pg_catalog.sum(u.llm_tokens_prompt + u.llm_tokens_output)::bigint,
	pg_catalog.sum(u.kai_credits)::bigint, pg_catalog.sum(u.render_seconds)::bigint,
	pg_catalog.sum(u.storage_bytes)::bigint, pg_catalog.sum(u.cost_usd)
FROM public.usage_records u
GROUP BY 1, 2, 3;

-- The original name and columns, now a view (service_role only, as before).
DROP MATERIALIZED VIEW fenta.mv_daily_usage;
CREATE VIEW fenta.mv_daily_usage AS
SELECT d.org_id, d.day, d.resource_type, d.events, d.llm_tokens_prompt, d.llm_tokens_output,
	d.tokens, d.kai_credits, d.render_seconds, d.storage_bytes, d.cost_usd
FROM public.usage_daily d;
COMMENT ON VIEW fenta.mv_daily_usage IS 'Usage per org, UTC day and resource type: public.usage_daily under its 0.1.0 name (a materialized view until 0.4.0). For service_role; members read public.usage_daily.';
REVOKE ALL ON fenta.mv_daily_usage FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON fenta.mv_daily_usage TO service_role;

-- The lock that keeps drains and rebuilds apart: ('fent', 3).
CREATE FUNCTION fenta.daily_usage_lock(wait boolean)
RETURNS boolean
LANGUAGE sql VOLATILE
SET search_path = ''
AS $$
	SELECT CASE WHEN daily_usage_lock.wait
		THEN (SELECT true FROM pg_catalog.pg_advisory_xact_lock(1717923444, 3))
		ELSE pg_catalog.pg_try_advisory_xact_lock(1717923444, 3) END
$$;
COMMENT ON FUNCTION fenta.daily_usage_lock(boolean) IS
'Internal (fenta.drain_daily_usage, fenta.rebuild_daily_usage): the transaction-level advisory lock that keeps a drain and a rebuild of public.usage_daily apart; waits for it (true) or tries it (false), returning whether it is held.';
REVOKE ALL ON FUNCTION fenta.daily_usage_lock(boolean) FROM PUBLIC, anon, authenticated, service_role;

-- The drain.
CREATE FUNCTION fenta.drain_daily_usage(
	OUT pending_rows bigint,
	OUT usage_rows bigint,
	OUT days bigint,
	OUT discarded bigint)
RETURNS record
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	pending_rows := 0;
	usage_rows := 0;
	days := 0;
	discarded := 0;
	IF NOT fenta.daily_usage_lock(false) THEN
		RAISE NOTICE 'fenta.drain_daily_usage(): a rebuild of public.usage_daily is running; the pending rows are left for the next run';
		RETURN;
	END IF;
	-- One statement, one snapshot: the pending rows committed so far, of
	-- orgs locked so that they cannot go away meanwhile (an org being
	-- deleted or reset is skipped, not waited for: its rows wait for the
	-- next run), merged into their days.
	WITH o AS (
		SELECT g.id FROM public.orgs g
		WHERE g.id IN (SELECT p.org_id FROM fenta.usage_daily_pending p)
		FOR KEY SHARE OF g SKIP LOCKED
	), d AS (
		DELETE FROM fenta.usage_daily_pending p USING o
		WHERE p.org_id = o.id
		RETURNING p.*
	), s AS (
		SELECT d.org_id, d.day, d.resource_type, pg_catalog.count(*) AS n,
			pg_catalog.sum(d.events)::bigint AS events,
			pg_catalog.sum(d.llm_tokens_prompt)::bigint AS llm_tokens_prompt,
			pg_catalog.sum(d.llm_tokens_output)::bigint AS llm_tokens_output,
			pg_catalog.sum(d.tokens)::bigint AS tokens,
			pg_catalog.sum(d.kai_credits)::bigint AS kai_credits,
			pg_catalog.sum(d.render_seconds)::bigint AS render_seconds,
			pg_catalog.sum(d.storage_bytes)::bigint AS storage_bytes,
			pg_catalog.sum(d.cost_usd) AS cost_usd
		FROM d GROUP BY 1, 2, 3
	), w AS (
		INSERT INTO public.usage_daily AS u (org_id, day, resource_type, events,
			llm_tokens_prompt, llm_tokens_output, tokens, kai_credits, render_seconds, storage_bytes, cost_usd)
		SELECT s.org_id, s.day, s.resource_type, s.events, s.llm_tokens_prompt, s.llm_tokens_output,
			s.tokens, s.kai_credits, s.render_seconds, s.storage_bytes, s.cost_usd
		FROM s
		ON CONFLICT (org_id, day, resource_type) DO UPDATE
		SET events = u.events + excluded.events,
			llm_tokens_prompt = u.llm_tokens_prompt + excluded.llm_tokens_prompt,
			llm_tokens_output = u.llm_tokens_output + excluded.llm_tokens_output,
			tokens = u.tokens + excluded.tokens,
			kai_credits = u.kai_credits + excluded.kai_credits,
			render_seconds = u.render_seconds + excluded.render_seconds,
			storage_bytes = u.storage_bytes + excluded.storage_bytes,
			cost_usd = u.cost_usd + excluded.cost_usd
		RETURNING 1
	)
	SELECT coalesce(pg_catalog.sum(s.n), 0)::bigint, coalesce(pg_catalog.sum(s.events), 0)::bigint,
		(SELECT pg_catalog.count(*) FROM w)
	INTO pending_rows, usage_rows, days
	FROM s;
	-- rows of orgs deleted since they were appended
	WITH gone AS (
		DELETE FROM fenta.usage_daily_pending p
		WHERE NOT EXISTS (SELECT FROM public.orgs g WHERE g.id = p.org_id)
		RETURNING 1
	)
	SELECT pg_catalog.count(*) INTO discarded FROM gone;
END
$$;
COMMENT ON FUNCTION fenta.drain_daily_usage() IS
'Maintenance (service_role): merges the rows of fenta.usage_daily_pending committed so far into public.usage_daily and discards those of deleted orgs; its cost follows the pending rows, not history. Returns the pending rows drained, the usage records they stand for, the days written and the pending rows discarded. Orgs locked FOR UPDATE (being deleted or reset) are skipped until the next run; while a rebuild runs it does nothing (NOTICE).';
REVOKE ALL ON FUNCTION fenta.drain_daily_usage() FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.drain_daily_usage() TO service_role;

-- The refresh keeps its name and signature; it is the drain now.
CREATE OR REPLACE FUNCTION fenta.refresh_daily_usage(concurrently boolean DEFAULT true)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	PERFORM fenta.drain_daily_usage();
END
$$;
COMMENT ON FUNCTION fenta.refresh_daily_usage(boolean) IS
'Backend (service_role), each maintenance run: brings public.usage_daily (and the view fenta.mv_daily_usage) up to date with the usage committed so far, at a cost that follows the rows added since the last refresh (fenta.drain_daily_usage()). Readers are never blocked; the argument is kept for compatibility and has no effect. fenta.rebuild_daily_usage() recomputes from usage_records.';

-- The full recomputation.
CREATE FUNCTION fenta.rebuild_daily_usage(from_day date DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = '' SET TimeZone = 'UTC'
AS $$
DECLARE
	since date := rebuild_daily_usage.from_day;
	n bigint;
BEGIN
	IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'fenta.rebuild_daily_usage() must run at isolation level READ COMMITTED'
			USING ERRCODE = 'invalid_transaction_state';
	END IF;
	PERFORM fenta.daily_usage_lock(true);
	PERFORM fenta.drain_daily_usage();
	-- by default, from the oldest month attached to usage_records: days of
	-- months retired by retention keep their rows
	IF since IS NULL THEN
		SELECT pg_catalog.min(pg_catalog.to_date(pg_catalog.substr(c.relname, 15), 'YYYY_MM'))
		INTO since
		FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'public.usage_records'::pg_catalog.regclass
			AND c.relname ~ '^usage_records_[0-9]{4}_[0-9]{2}$';
		since := coalesce(since, '-infinity'::date);
	END IF;
	-- Nothing else writes usage_daily while the lock is held.  The pending
	-- rows of the days recomputed that this statement's snapshot sees stand
	-- for exactly the usage rows it counts: they go, the rest stay pending.
	DELETE FROM public.usage_daily d WHERE d.day >= since;
	WITH gone AS (
		DELETE FROM fenta.usage_daily_pending p WHERE p.day >= since
	)
	INSERT INTO public.usage_daily (org_id, day, resource_type, events,
		llm_tokens_prompt, llm_tokens_output, tokens, kai_credits, render_seconds, storage_bytes, cost_usd)
	SELECT u.org_id, (u.created_at AT TIME ZONE 'UTC')::date, u.resource_type, pg_catalog.count(*),
		pg_catalog.sum(u.llm_tokens_prompt)::bigint, pg_catalog.sum(u.llm_tokens_output)::bigint,
		pg_catalog.sum(u.llm_tokens_prompt + u.llm_tokens_output)::bigint,
		pg_catalog.sum(u.kai_credits)::bigint, pg_catalog.sum(u.render_seconds)::bigint,
		pg_catalog.sum(u.storage_bytes)::bigint, pg_catalog.sum(u.cost_usd)
	FROM public.usage_records u
	WHERE u.created_at >= since::timestamp AT TIME ZONE 'UTC'
	GROUP BY 1, 2, 3;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION fenta.rebuild_daily_usage(date) IS
'Admin (service_role): recomputes public.usage_daily from public.usage_records for the UTC days from from_day on (default: the first day of the oldest monthly partition attached to usage_records, or all days when there is none; ''-infinity'' for all days), after a superuser''s repair of usage_records. Days before from_day keep their rows (the history of months retired by retention). Returns the days written. Blocks drains until it commits; usage inserts go on. Needs READ COMMITTED.';
REVOKE ALL ON FUNCTION fenta.rebuild_daily_usage(date) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.rebuild_daily_usage(date) TO service_role;

-- Members' reading path: as the caller now, under the table's RLS.
CREATE OR REPLACE FUNCTION public.daily_usage(org_id uuid, from_day date DEFAULT NULL, to_day date DEFAULT NULL)
RETURNS TABLE (day date, resource_type public.resource_type, events bigint,
			   llm_tokens_prompt bigint, llm_tokens_output bigint, tokens bigint,
			   kai_credits bigint, render_seconds bigint, storage_bytes bigint, cost_usd numeric)
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = ''
AS $$
BEGIN
	IF daily_usage.org_id IS NULL THEN
		RAISE EXCEPTION 'org_id must not be NULL'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT fenta.bypasses_rls() AND NOT fenta.has_org_role(daily_usage.org_id, 'viewer') THEN
		RAISE EXCEPTION 'permission denied for org %', daily_usage.org_id
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Only members of the org may read its usage.';
	END IF;
	RETURN QUERY
		SELECT m.day, m.resource_type, m.events,
			m.llm_tokens_prompt, m.llm_tokens_output, m.tokens,
			m.kai_credits, m.render_seconds, m.storage_bytes, m.cost_usd
		FROM public.usage_daily m
		WHERE m.org_id = daily_usage.org_id
			AND (daily_usage.from_day IS NULL OR m.day >= daily_usage.from_day)
			AND (daily_usage.to_day IS NULL OR m.day <= daily_usage.to_day)
		ORDER BY m.day, m.resource_type;
END
$$;
COMMENT ON FUNCTION public.daily_usage(uuid, date, date) IS
'RPC: daily usage of an org from public.usage_daily (as of the last refresh), one row per UTC day and resource type, days from from_day to to_day inclusive (NULL = open end), ordered by day. Runs as the caller, under the table''s row level security: for members of the org and for roles that bypass RLS (service_role); anybody else gets 42501.';

SELECT pg_catalog.pg_extension_config_dump('public.usage_daily', '');
SELECT pg_catalog.pg_extension_config_dump('fenta.usage_daily_pending', '');
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
-- 0.5.0 rewrites who may do what (70_policies.sql): the policies of 0.4.0
-- go first, and with them the owner's hard delete of an org.
DROP POLICY api_keys_insert_own ON public.api_keys;
DROP POLICY api_keys_select_own_or_admin ON public.api_keys;
DROP POLICY api_keys_update_own_or_admin ON public.api_keys;
DROP POLICY asset_versions_delete_admin ON public.asset_versions;
DROP POLICY asset_versions_insert_editor ON public.asset_versions;
DROP POLICY asset_versions_select_member ON public.asset_versions;
DROP POLICY asset_versions_update_editor ON public.asset_versions;
DROP POLICY assets_delete_admin ON public.assets;
DROP POLICY assets_insert_editor ON public.assets;
DROP POLICY assets_select_deleted_admin ON public.assets;
DROP POLICY assets_select_member ON public.assets;
DROP POLICY assets_update_editor ON public.assets;
DROP POLICY credit_packs_select_admin ON public.credit_packs;
DROP POLICY integrations_delete_admin ON public.integrations;
DROP POLICY integrations_insert_admin ON public.integrations;
DROP POLICY integrations_select_admin ON public.integrations;
DROP POLICY integrations_update_admin ON public.integrations;
DROP POLICY invoices_select_admin ON public.invoices;
DROP POLICY job_logs_select_member ON public.job_logs;
DROP POLICY jobs_delete_admin ON public.jobs;
DROP POLICY jobs_insert_editor ON public.jobs;
DROP POLICY jobs_select_deleted_admin ON public.jobs;
DROP POLICY jobs_select_member ON public.jobs;
DROP POLICY jobs_update_editor ON public.jobs;
DROP POLICY kai_generations_select_member ON public.kai_generations;
DROP POLICY org_members_delete_admin_or_self ON public.org_members;
DROP POLICY org_members_insert_admin ON public.org_members;
DROP POLICY org_members_select_member ON public.org_members;
DROP POLICY org_members_update_admin ON public.org_members;
DROP POLICY orgs_delete_owner ON public.orgs;
DROP POLICY orgs_insert_as_owner ON public.orgs;
DROP POLICY orgs_select_member ON public.orgs;
DROP POLICY orgs_update_admin ON public.orgs;
DROP POLICY profiles_select_own ON public.profiles;
DROP POLICY profiles_update_own ON public.profiles;
DROP POLICY projects_delete_admin ON public.projects;
DROP POLICY projects_insert_editor ON public.projects;
DROP POLICY projects_select_deleted_admin ON public.projects;
DROP POLICY projects_select_member ON public.projects;
DROP POLICY projects_update_editor ON public.projects;
DROP POLICY quota_limits_select_member ON public.quota_limits;
DROP POLICY renders_select_member ON public.renders;
DROP POLICY schedules_delete_admin ON public.schedules;
DROP POLICY schedules_insert_editor ON public.schedules;
DROP POLICY schedules_select_member ON public.schedules;
DROP POLICY schedules_update_editor ON public.schedules;
DROP POLICY templates_delete_admin ON public.templates;
DROP POLICY templates_insert_editor ON public.templates;
DROP POLICY templates_select_deleted_admin ON public.templates;
DROP POLICY templates_select_member ON public.templates;
DROP POLICY templates_select_public ON public.templates;
DROP POLICY templates_update_editor ON public.templates;
DROP POLICY usage_records_select_member ON public.usage_records;
DROP POLICY webhook_deliveries_select_admin ON public.webhook_deliveries;
DROP POLICY webhooks_delete_admin ON public.webhooks;
DROP POLICY webhooks_insert_admin ON public.webhooks;
DROP POLICY webhooks_select_admin ON public.webhooks;
DROP POLICY webhooks_update_admin ON public.webhooks;
DROP POLICY workflow_versions_delete_admin ON public.workflow_versions;
DROP POLICY workflow_versions_insert_editor ON public.workflow_versions;
DROP POLICY workflow_versions_select_member ON public.workflow_versions;
DROP POLICY workflow_versions_update_editor ON public.workflow_versions;
DROP POLICY workflows_delete_admin ON public.workflows;
DROP POLICY workflows_insert_editor ON public.workflows;
DROP POLICY workflows_select_deleted_admin ON public.workflows;
DROP POLICY workflows_select_member ON public.workflows;
DROP POLICY workflows_update_editor ON public.workflows;
DROP TRIGGER orgs_delete_guard ON public.orgs;
-- ===========================================================================
-- The tenancy model (0.5.0): who is a member of what, right now.
--
-- Access follows membership only, and only while both ends are live: the
-- user's profile is active (not suspended) and the org is not soft-deleted.
-- Every policy asks these helpers, once per statement, through an InitPlan:
--
--     org_id = ANY (ARRAY(SELECT fenta.org_ids('editor')))
--
-- which the planner turns into an index condition on org_id, so a member's
-- request reads their orgs' rows through an index whatever the table's size.
-- The lookups are plpgsql (plans cached per connection) and check each
-- membership's org by its primary key: a SQL function is planned again in
-- every statement, and with the generic estimate of a user's memberships
-- the planner joined them to a sequential scan of orgs (31 blocks at 2,000
-- orgs, growing with the orgs).
-- ===========================================================================

CREATE FUNCTION fenta.member_org_ids(min_role public.member_role DEFAULT 'viewer')
RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = ''
AS $$
BEGIN
	-- the org and profile tests are scalar subqueries: one index probe per
	-- membership, never a join over all orgs
	RETURN (SELECT coalesce(pg_catalog.array_agg(m.org_id ORDER BY m.org_id), '{}')
			FROM public.org_members m
			WHERE m.user_id OPERATOR(pg_catalog.=) (SELECT auth.uid())
				AND m.role OPERATOR(pg_catalog.>=) member_org_ids.min_role
				AND (SELECT o.deleted_at IS NULL FROM public.orgs o
					 WHERE o.id OPERATOR(pg_catalog.=) m.org_id)
				AND (SELECT p.status OPERATOR(pg_catalog.=) 'active' FROM public.profiles p
					 WHERE p.id OPERATOR(pg_catalog.=) (SELECT auth.uid())));
END
$$;
COMMENT ON FUNCTION fenta.member_org_ids(public.member_role) IS
'Ids of the live (not soft-deleted) orgs in which the requesting user (auth.uid()) has at least min_role, as an array; empty when the user is suspended or not signed in. Policies use its rows (fenta.org_ids()) as org_id = ANY (ARRAY(SELECT fenta.org_ids(''editor''))), computed once per statement.';
REVOKE ALL ON FUNCTION fenta.member_org_ids(public.member_role) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.member_org_ids(public.member_role) TO authenticated, service_role;

CREATE FUNCTION fenta.owned_deleted_org_ids()
RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE ROWS 1
SET search_path = ''
AS $$
BEGIN
	RETURN QUERY
		SELECT m.org_id
		FROM public.org_members m
		WHERE m.user_id OPERATOR(pg_catalog.=) (SELECT auth.uid())
			AND m.role OPERATOR(pg_catalog.=) 'owner'
			AND (SELECT o.deleted_at IS NOT NULL FROM public.orgs o
				 WHERE o.id OPERATOR(pg_catalog.=) m.org_id)
			AND (SELECT p.status OPERATOR(pg_catalog.=) 'active' FROM public.profiles p
				 WHERE p.id OPERATOR(pg_catalog.=) (SELECT auth.uid()));
END
$$;
COMMENT ON FUNCTION fenta.owned_deleted_org_ids() IS
'Ids of the soft-deleted orgs of which the requesting user is an owner: what an owner still sees of a deleted org, to restore it.';
REVOKE ALL ON FUNCTION fenta.owned_deleted_org_ids() FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.owned_deleted_org_ids() TO authenticated, service_role;

-- The helpers of 0.1.0-0.4.0 follow the same rule now.
CREATE OR REPLACE FUNCTION fenta.org_ids(min_role public.member_role DEFAULT 'viewer')
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE ROWS 10
SET search_path = ''
AS $$
	SELECT pg_catalog.unnest(fenta.member_org_ids(org_ids.min_role))
$$;
COMMENT ON FUNCTION fenta.org_ids(public.member_role) IS
'Ids of the live orgs in which the requesting user (auth.uid(), an active profile) has at least min_role, as a set (fenta.member_org_ids() as rows).';

CREATE OR REPLACE FUNCTION fenta.has_org_role(org_id uuid, min_role public.member_role DEFAULT 'viewer')
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT EXISTS (
		SELECT FROM public.org_members m
			JOIN public.orgs o ON o.id = m.org_id
			JOIN public.profiles p ON p.id = m.user_id
		WHERE m.org_id = has_org_role.org_id
			AND m.user_id = (SELECT auth.uid())
			AND m.role >= has_org_role.min_role
			AND o.deleted_at IS NULL
			AND p.status = 'active')
$$;
COMMENT ON FUNCTION fenta.has_org_role(uuid, public.member_role) IS
'True when the requesting user (auth.uid(), an active profile) is a member of the live org org_id with at least min_role.';

--
-- Per-tenant caps: what one user, member or org may hold at most.  The
-- defaults are below; a row of fenta.tenant_limits overrides one (service_
-- role: INSERT ... ON CONFLICT (name) DO UPDATE).  Read by the guards of
-- 71_membership.sql and 72_limits.sql.
--
CREATE TABLE fenta.tenant_limits (
	name text PRIMARY KEY CONSTRAINT tenant_limits_name_known CHECK (name IN (
		'max_orgs_per_user', 'max_free_orgs_per_user', 'max_api_keys_per_member',
		'max_pending_invitations_per_org', 'max_queued_jobs_per_org', 'max_schedules_per_org')),
	value integer NOT NULL CONSTRAINT tenant_limits_value_not_negative CHECK (value >= 0)
);
COMMENT ON TABLE fenta.tenant_limits IS 'Overrides of the per-tenant caps (see fenta.tenant_limit() for the names and defaults); empty by default; service_role may write it. Kept by pg_dump.';
COMMENT ON COLUMN fenta.tenant_limits.name IS 'Name of the cap (one of those fenta.tenant_limit() knows).';
COMMENT ON COLUMN fenta.tenant_limits.value IS 'The cap (>= 0), instead of the default.';
ALTER TABLE fenta.tenant_limits ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON fenta.tenant_limits FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON fenta.tenant_limits TO service_role;
SELECT pg_catalog.pg_extension_config_dump('fenta.tenant_limits', '');

CREATE FUNCTION fenta.tenant_limit(name text)
RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT coalesce(
		(SELECT l.value FROM fenta.tenant_limits l WHERE l.name = tenant_limit.name),
		CASE tenant_limit.name
			WHEN 'max_orgs_per_user' THEN 10
			WHEN 'max_free_orgs_per_user' THEN 1
			WHEN 'max_api_keys_per_member' THEN 20
			WHEN 'max_pending_invitations_per_org' THEN 50
			WHEN 'max_queued_jobs_per_org' THEN 500
			WHEN 'max_schedules_per_org' THEN 100
		END)
$$;
COMMENT ON FUNCTION fenta.tenant_limit(text) IS
'A per-tenant cap: the override in fenta.tenant_limits, else the default: max_orgs_per_user 10 (orgs a user may create, deleted ones included), max_free_orgs_per_user 1 (orgs of a user that get the free tier''s quota), max_api_keys_per_member 20 (unrevoked keys of a member in an org), max_pending_invitations_per_org 50, max_queued_jobs_per_org 500, max_schedules_per_org 100. NULL for an unknown name.';
REVOKE ALL ON FUNCTION fenta.tenant_limit(text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.tenant_limit(text) TO service_role;

CREATE FUNCTION fenta.is_active_user()
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT EXISTS (SELECT FROM public.profiles p
				   WHERE p.id = (SELECT auth.uid()) AND p.status = 'active')
$$;
COMMENT ON FUNCTION fenta.is_active_user() IS
'True when the requesting user (auth.uid()) has a profile that is not suspended.';
REVOKE ALL ON FUNCTION fenta.is_active_user() FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.is_active_user() TO authenticated, service_role;

--
-- The org's lifecycle.  Admins edit a live org; only an owner soft-deletes
-- it (deleted_at) and restores it; a soft-deleted org is frozen: the one
-- change it takes from an API user is its owner's restore.  Roles that
-- bypass RLS (the backend) pass.
--
CREATE FUNCTION fenta.orgs_lifecycle_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	is_owner boolean;
BEGIN
	IF fenta.bypasses_rls() THEN
		RETURN NEW;
	END IF;
	-- asked through the definer helpers: a deleted org's memberships are
	-- not visible to its members
	is_owner := CASE WHEN OLD.deleted_at IS NULL THEN fenta.has_org_role(OLD.id, 'owner')
				ELSE OLD.id IN (SELECT fenta.owned_deleted_org_ids()) END;
	IF OLD.deleted_at IS NOT NULL THEN
		IF NOT is_owner OR NEW.deleted_at IS NOT NULL
			OR (NEW.name, NEW.slug, NEW.billing_email, NEW.settings)
				IS DISTINCT FROM (OLD.name, OLD.slug, OLD.billing_email, OLD.settings) THEN
			RAISE EXCEPTION 'org % is deleted', OLD.slug
				USING ERRCODE = 'insufficient_privilege',
					DETAIL = 'A soft-deleted org is frozen; the only change it takes is its owner''s restore (deleted_at = NULL, nothing else).';
		END IF;
	ELSIF NEW.deleted_at IS NOT NULL AND NOT is_owner THEN
		RAISE EXCEPTION 'permission denied to delete org %', OLD.slug
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Only an owner of the org may delete it.';
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.orgs_lifecycle_guard() IS
'BEFORE UPDATE trigger of orgs: only an owner sets or clears deleted_at; a soft-deleted org takes no other change from an API user (42501). Roles that bypass RLS pass.';
CREATE TRIGGER orgs_lifecycle_guard BEFORE UPDATE ON public.orgs
	FOR EACH ROW EXECUTE FUNCTION fenta.orgs_lifecycle_guard();
-- ===========================================================================
-- templates.org_deleted_at: a copy of orgs.deleted_at on each template, so
-- that the public gallery (anon and signed-in users alike) hides the public
-- templates of a soft-deleted org with a test on the row itself: no lookup
-- of the org per row, and an index that holds exactly the gallery.  It is
-- kept the way quota_limits.org_deleted_at is (46/47_quota_org_deleted*):
-- derived from orgs, reading the org row FOR SHARE, whenever a template is
-- inserted or the column written, and rewritten when an org's deleted_at
-- changes (what an org's delete or restore costs is its templates).
-- (Added with ALTER TABLE in the fresh install too, so that installed and
-- updated databases have the column at the same position.)
-- ===========================================================================
ALTER TABLE public.templates ADD COLUMN org_deleted_at timestamptz;
COMMENT ON COLUMN public.templates.org_deleted_at IS 'Copy of the org''s deleted_at (kept by triggers; what is written to it is replaced): a public template of a soft-deleted org leaves the gallery.';

-- existing rows (an update from 0.4.0): copy, without touching updated_at
ALTER TABLE public.templates DISABLE TRIGGER templates_updated_at;
UPDATE public.templates t
SET org_deleted_at = o.deleted_at
FROM public.orgs o
WHERE o.id = t.org_id AND o.deleted_at IS NOT NULL;
ALTER TABLE public.templates ENABLE TRIGGER templates_updated_at;

CREATE FUNCTION fenta.templates_org_deleted_at()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	NEW.org_deleted_at := (SELECT o.deleted_at FROM public.orgs o
						   WHERE o.id OPERATOR(pg_catalog.=) NEW.org_id FOR SHARE);
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.templates_org_deleted_at() IS
'BEFORE INSERT OR UPDATE OF org_id, org_deleted_at trigger on templates: sets org_deleted_at to the org''s deleted_at, whatever was written, reading the org row FOR SHARE (waits for a running soft delete or restore of the org).';
REVOKE ALL ON FUNCTION fenta.templates_org_deleted_at() FROM PUBLIC, anon, authenticated, service_role;
CREATE TRIGGER templates_org_deleted_at BEFORE INSERT OR UPDATE OF org_id, org_deleted_at ON public.templates
	FOR EACH ROW EXECUTE FUNCTION fenta.templates_org_deleted_at();

CREATE OR REPLACE FUNCTION fenta.copy_org_deleted_at()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	UPDATE public.quota_limits q SET org_deleted_at = NEW.deleted_at
	WHERE q.org_id OPERATOR(pg_catalog.=) NEW.id;
	UPDATE public.templates t SET org_deleted_at = NEW.deleted_at
	WHERE t.org_id OPERATOR(pg_catalog.=) NEW.id AND t.org_deleted_at IS DISTINCT FROM NEW.deleted_at;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION fenta.copy_org_deleted_at() IS
'AFTER UPDATE trigger on orgs, for rows whose deleted_at changed: copies the org''s deleted_at to its quota_limits row (soft delete and restore take effect in check_quota at once) and to its templates (the gallery).';
-- ===========================================================================
-- Who may do what: the privileges and row level security of every table
-- (the model is described in README.md, "Who may do what").
--
-- Rules, the same for every table:
-- - RLS is on everywhere; service_role bypasses it (the backend, workers).
-- - One permissive policy per table, role and action, TO a role.
-- - A policy tests org_id against the requesting user's live orgs, computed
--   once per statement: org_id = ANY (ARRAY(SELECT fenta.org_ids(...))),
--   an index condition on org_id (60_tenancy.sql).
-- - An UPDATE reaches exactly the rows its author can SELECT; the WITH CHECK
--   says what the author may turn them into.
-- - A soft-deleted row (deleted_at set) is seen by admins only (to restore
--   it), and only admins set or clear deleted_at; its children (versions,
--   logs, renders, schedules) are hidden with it.
-- - Column privileges say which columns the app writes: never org_id, ids,
--   counters, statuses or timestamps the backend keeps.  Deletes are granted
--   to members so that a member without the role gets 42501 from the
--   table's delete guard rather than nothing deleted.
-- ===========================================================================

-- profiles: one's own, never role or status (the platform's)
ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.profiles FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.profiles TO authenticated;
GRANT UPDATE (name, avatar_url, metadata) ON public.profiles TO authenticated;
GRANT ALL ON public.profiles TO service_role;
CREATE POLICY profiles_select ON public.profiles FOR SELECT TO authenticated
	USING (id = (SELECT auth.uid()));
CREATE POLICY profiles_update ON public.profiles FOR UPDATE TO authenticated
	USING (id = (SELECT auth.uid()))
	WITH CHECK (id = (SELECT auth.uid()));

-- orgs: members of a live org see it, admins edit it, the owner deletes and
-- restores it (orgs_lifecycle_guard); the creator sees it in the creating
-- statement (INSERT ... RETURNING runs before the membership row exists).
-- API roles never hard-delete an org: billing records outlive it.
ALTER TABLE public.orgs ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.orgs FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.orgs TO authenticated;
GRANT INSERT (name, slug, billing_email, settings) ON public.orgs TO authenticated;
GRANT UPDATE (name, slug, billing_email, settings, deleted_at) ON public.orgs TO authenticated;
GRANT ALL ON public.orgs TO service_role;
CREATE POLICY orgs_select ON public.orgs FOR SELECT TO authenticated
	USING (id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   OR id = ANY (ARRAY(SELECT fenta.owned_deleted_org_ids()))
		   OR (owner_id = (SELECT auth.uid()) AND created_at = pg_catalog.now()));
CREATE POLICY orgs_insert ON public.orgs FOR INSERT TO authenticated
	WITH CHECK (owner_id = (SELECT auth.uid()) AND (SELECT fenta.is_active_user()));
CREATE POLICY orgs_update ON public.orgs FOR UPDATE TO authenticated
	USING (id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   OR id = ANY (ARRAY(SELECT fenta.owned_deleted_org_ids())))
	WITH CHECK (id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR id = ANY (ARRAY(SELECT fenta.owned_deleted_org_ids())));

-- org_members: members see the org's members; who may change or remove
-- whom is org_members_guard's (owners for owner rows, admins for the rest,
-- anyone but the last owner may leave).  Membership starts with an
-- invitation (71_membership.sql), never with an INSERT.
ALTER TABLE public.org_members ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.org_members FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.org_members TO authenticated;
GRANT UPDATE (role) ON public.org_members TO authenticated;
GRANT ALL ON public.org_members TO service_role;
CREATE POLICY org_members_select ON public.org_members FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer'))));
CREATE POLICY org_members_update ON public.org_members FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer'))))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));
CREATE POLICY org_members_delete ON public.org_members FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer'))));

-- api_keys: one's own keys, and admins all of the org's; made only by
-- public.create_api_key(); revocation is one-way.  key_hash is a secret.
ALTER TABLE public.api_keys ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.api_keys FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT (id, user_id, org_id, name, key_prefix, scopes, expires_at, revoked_at,
			  last_used_at, created_at, updated_at) ON public.api_keys TO authenticated;
GRANT UPDATE (name, revoked_at) ON public.api_keys TO authenticated;
GRANT ALL ON public.api_keys TO service_role;
CREATE POLICY api_keys_select ON public.api_keys FOR SELECT TO authenticated
	USING ((user_id = (SELECT auth.uid()) AND org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer'))))
		   OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));
CREATE POLICY api_keys_update ON public.api_keys FOR UPDATE TO authenticated
	USING ((user_id = (SELECT auth.uid()) AND org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer'))))
		   OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))))
	WITH CHECK ((user_id = (SELECT auth.uid()) AND org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer'))))
				OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));

-- Content with a soft delete: members read, editors write, admins delete,
-- soft-delete and restore.
ALTER TABLE public.projects ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.projects FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.projects TO authenticated;
GRANT INSERT (org_id, name, description, settings) ON public.projects TO authenticated;
GRANT UPDATE (name, description, settings, deleted_at) ON public.projects TO authenticated;
GRANT ALL ON public.projects TO service_role;
CREATE POLICY projects_select ON public.projects FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));
CREATE POLICY projects_insert ON public.projects FOR INSERT TO authenticated
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor'))));
CREATE POLICY projects_update ON public.projects FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor')))
				AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));
CREATE POLICY projects_delete ON public.projects FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));

-- templates: members as for the other content; any signed-in user sees the
-- public templates of live orgs (org_deleted_at: 61_template_gallery.sql);
-- anon's gallery (its columns and policy) is 72_limits.sql's.
ALTER TABLE public.templates ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.templates FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.templates TO authenticated;
GRANT INSERT (org_id, project_id, name, description, aspect, resolution, spec, is_public, thumbnail_url)
	ON public.templates TO authenticated;
GRANT UPDATE (project_id, name, description, aspect, resolution, spec, is_public, thumbnail_url, deleted_at)
	ON public.templates TO authenticated;
GRANT ALL ON public.templates TO service_role;
CREATE POLICY templates_select ON public.templates FOR SELECT TO authenticated
	USING ((org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
			AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))))
		   OR (is_public AND deleted_at IS NULL AND org_deleted_at IS NULL));
CREATE POLICY templates_insert ON public.templates FOR INSERT TO authenticated
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor'))));
CREATE POLICY templates_update ON public.templates FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor')))
				AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));
CREATE POLICY templates_delete ON public.templates FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));

ALTER TABLE public.workflows ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.workflows FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.workflows TO authenticated;
GRANT INSERT (org_id, project_id, template_id, name, description, status, graph, variables)
	ON public.workflows TO authenticated;
GRANT UPDATE (project_id, template_id, name, description, status, graph, variables, deleted_at)
	ON public.workflows TO authenticated;
GRANT ALL ON public.workflows TO service_role;
CREATE POLICY workflows_select ON public.workflows FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));
CREATE POLICY workflows_insert ON public.workflows FOR INSERT TO authenticated
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor'))));
CREATE POLICY workflows_update ON public.workflows FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor')))
				AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));
CREATE POLICY workflows_delete ON public.workflows FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));

ALTER TABLE public.assets ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.assets FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.assets TO authenticated;
GRANT INSERT (org_id, project_id, type, source, name, storage_path, url, thumbnail_url, mime_type,
			  duration_seconds, width, height, fps, metadata) ON public.assets TO authenticated;
GRANT UPDATE (project_id, name, thumbnail_url, metadata, deleted_at) ON public.assets TO authenticated;
GRANT ALL ON public.assets TO service_role;
CREATE POLICY assets_select ON public.assets FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));
CREATE POLICY assets_insert ON public.assets FOR INSERT TO authenticated
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor'))));
CREATE POLICY assets_update ON public.assets FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor')))
				AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));
CREATE POLICY assets_delete ON public.assets FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));

-- jobs: members read; editors queue and cancel (jobs_update_guard); admins
-- delete, soft-delete and restore.  The rest is the workers'.
ALTER TABLE public.jobs ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.jobs FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.jobs TO authenticated;
GRANT INSERT (org_id, project_id, workflow_id, template_id, config, parent_job_id) ON public.jobs TO authenticated;
GRANT UPDATE (status, deleted_at) ON public.jobs TO authenticated;
GRANT ALL ON public.jobs TO service_role;
CREATE POLICY jobs_select ON public.jobs FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));
CREATE POLICY jobs_insert ON public.jobs FOR INSERT TO authenticated
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor'))));
CREATE POLICY jobs_update ON public.jobs FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor')))
				AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));
CREATE POLICY jobs_delete ON public.jobs FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));

-- Children: visible while their parent is (admins see those of a deleted
-- parent too).  Versions are history: editors add them and annotate them.
ALTER TABLE public.workflow_versions ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.workflow_versions FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.workflow_versions TO authenticated;
GRANT INSERT (org_id, workflow_id, version, graph, variables, note) ON public.workflow_versions TO authenticated;
GRANT UPDATE (note) ON public.workflow_versions TO authenticated;
GRANT ALL ON public.workflow_versions TO service_role;
CREATE POLICY workflow_versions_select ON public.workflow_versions FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.workflows p
						   WHERE p.org_id = workflow_versions.org_id AND p.id = workflow_versions.workflow_id
							   AND p.deleted_at IS NULL)));
CREATE POLICY workflow_versions_insert ON public.workflow_versions FOR INSERT TO authenticated
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor')))
				AND EXISTS (SELECT FROM public.workflows p
							WHERE p.org_id = workflow_versions.org_id AND p.id = workflow_versions.workflow_id
								AND p.deleted_at IS NULL));
CREATE POLICY workflow_versions_update ON public.workflow_versions FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.workflows p
						   WHERE p.org_id = workflow_versions.org_id AND p.id = workflow_versions.workflow_id
							   AND p.deleted_at IS NULL)))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor'))));
CREATE POLICY workflow_versions_delete ON public.workflow_versions FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.workflows p
						   WHERE p.org_id = workflow_versions.org_id AND p.id = workflow_versions.workflow_id
							   AND p.deleted_at IS NULL)));

ALTER TABLE public.asset_versions ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.asset_versions FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.asset_versions TO authenticated;
GRANT INSERT (org_id, asset_id, version, storage_path, url, checksum_sha256, metadata) ON public.asset_versions TO authenticated;
GRANT UPDATE (metadata) ON public.asset_versions TO authenticated;
GRANT ALL ON public.asset_versions TO service_role;
CREATE POLICY asset_versions_select ON public.asset_versions FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.assets p
						   WHERE p.org_id = asset_versions.org_id AND p.id = asset_versions.asset_id
							   AND p.deleted_at IS NULL)));
CREATE POLICY asset_versions_insert ON public.asset_versions FOR INSERT TO authenticated
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor')))
				AND EXISTS (SELECT FROM public.assets p
							WHERE p.org_id = asset_versions.org_id AND p.id = asset_versions.asset_id
								AND p.deleted_at IS NULL));
CREATE POLICY asset_versions_update ON public.asset_versions FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.assets p
						   WHERE p.org_id = asset_versions.org_id AND p.id = asset_versions.asset_id
							   AND p.deleted_at IS NULL)))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor'))));
CREATE POLICY asset_versions_delete ON public.asset_versions FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.assets p
						   WHERE p.org_id = asset_versions.org_id AND p.id = asset_versions.asset_id
							   AND p.deleted_at IS NULL)));

-- schedules of a deleted workflow are hidden with it; next_run_at, run_count
-- and last_run_at are the scheduler's.
ALTER TABLE public.schedules ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.schedules FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.schedules TO authenticated;
GRANT INSERT (org_id, workflow_id, cron, timezone, enabled) ON public.schedules TO authenticated;
GRANT UPDATE (cron, timezone, enabled) ON public.schedules TO authenticated;
GRANT ALL ON public.schedules TO service_role;
CREATE POLICY schedules_select ON public.schedules FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.workflows p
						   WHERE p.org_id = schedules.org_id AND p.id = schedules.workflow_id
							   AND p.deleted_at IS NULL)));
CREATE POLICY schedules_insert ON public.schedules FOR INSERT TO authenticated
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor')))
				AND EXISTS (SELECT FROM public.workflows p
							WHERE p.org_id = schedules.org_id AND p.id = schedules.workflow_id
								AND p.deleted_at IS NULL));
CREATE POLICY schedules_update ON public.schedules FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.workflows p
						   WHERE p.org_id = schedules.org_id AND p.id = schedules.workflow_id
							   AND p.deleted_at IS NULL)))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor'))));
CREATE POLICY schedules_delete ON public.schedules FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.workflows p
						   WHERE p.org_id = schedules.org_id AND p.id = schedules.workflow_id
							   AND p.deleted_at IS NULL)));

-- Written by the workers and the backend; members read.
ALTER TABLE public.job_logs ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.job_logs FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.job_logs TO authenticated;
GRANT ALL ON public.job_logs TO service_role;
CREATE POLICY job_logs_select ON public.job_logs FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.jobs p
						   WHERE p.org_id = job_logs.org_id AND p.id = job_logs.job_id
							   AND p.deleted_at IS NULL)));

ALTER TABLE public.renders ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.renders FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.renders TO authenticated;
GRANT ALL ON public.renders TO service_role;
CREATE POLICY renders_select ON public.renders FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.jobs p
						   WHERE p.org_id = renders.org_id AND p.id = renders.job_id
							   AND p.deleted_at IS NULL)));

ALTER TABLE public.kai_generations ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.kai_generations FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.kai_generations TO authenticated;
GRANT ALL ON public.kai_generations TO service_role;
CREATE POLICY kai_generations_select ON public.kai_generations FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (job_id IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.jobs p
						   WHERE p.org_id = kai_generations.org_id AND p.id = kai_generations.job_id
							   AND p.deleted_at IS NULL)));

-- Usage and quotas: members read, the backend writes.  Partitions are read
-- through the parent only (56_partition_privileges.sql keeps every month so).
ALTER TABLE public.usage_records ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.usage_records FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.usage_records TO authenticated;
GRANT ALL ON public.usage_records TO service_role;
CREATE POLICY usage_records_select ON public.usage_records FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer'))));
ALTER TABLE public.usage_records_default ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.usage_records_default FROM PUBLIC, anon, authenticated, service_role;
-- writes go through usage_records, where the quota accounting sees them
GRANT SELECT ON public.usage_records_default TO service_role;

ALTER TABLE public.quota_limits ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.quota_limits FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.quota_limits TO authenticated;
GRANT ALL ON public.quota_limits TO service_role;
CREATE POLICY quota_limits_select ON public.quota_limits FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer'))));

-- Admins only: billing, webhooks and integrations (their secrets included).
-- Admins see soft-deleted webhooks and integrations, to restore them.
ALTER TABLE public.invoices ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.invoices FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.invoices TO authenticated;
GRANT ALL ON public.invoices TO service_role;
CREATE POLICY invoices_select ON public.invoices FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));

ALTER TABLE public.credit_packs ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.credit_packs FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.credit_packs TO authenticated;
GRANT ALL ON public.credit_packs TO service_role;
CREATE POLICY credit_packs_select ON public.credit_packs FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));

ALTER TABLE public.webhooks ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.webhooks FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.webhooks TO authenticated;
GRANT INSERT (org_id, name, url, events, enabled) ON public.webhooks TO authenticated;
GRANT UPDATE (name, url, events, enabled, deleted_at) ON public.webhooks TO authenticated;
GRANT ALL ON public.webhooks TO service_role;
CREATE POLICY webhooks_select ON public.webhooks FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));
CREATE POLICY webhooks_insert ON public.webhooks FOR INSERT TO authenticated
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));
CREATE POLICY webhooks_update ON public.webhooks FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));
CREATE POLICY webhooks_delete ON public.webhooks FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));

ALTER TABLE public.webhook_deliveries ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.webhook_deliveries FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.webhook_deliveries TO authenticated;
GRANT ALL ON public.webhook_deliveries TO service_role;
CREATE POLICY webhook_deliveries_select ON public.webhook_deliveries FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));

ALTER TABLE public.integrations ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.integrations FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.integrations TO authenticated;
GRANT INSERT (org_id, provider, credentials, config) ON public.integrations TO authenticated;
GRANT UPDATE (credentials, config, deleted_at) ON public.integrations TO authenticated;
GRANT ALL ON public.integrations TO service_role;
CREATE POLICY integrations_select ON public.integrations FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));
CREATE POLICY integrations_insert ON public.integrations FOR INSERT TO authenticated
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));
CREATE POLICY integrations_update ON public.integrations FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));
CREATE POLICY integrations_delete ON public.integrations FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));

-- fenta:migrations 00008_indexes
-- Indexes with org_id leading for the orders the app lists by (a member's
-- list is an index scan of their orgs' rows, newest first).
CREATE INDEX idx_jobs_org_id_created_at ON public.jobs (org_id, created_at);
-- Enum equality (enum_eq) is not leakproof, so under RLS a status test is
-- never an index condition (it is evaluated after the policy's): a member's
-- "failed jobs" list is served by a partial index per status the app lists
-- by (predicate proof needs no leakproof operator), and a member's count(*)
-- by an index-only scan over the policy's two columns.
CREATE INDEX idx_jobs_org_id_created_at_failed ON public.jobs (org_id, created_at) WHERE status = 'failed';
CREATE INDEX idx_jobs_org_id_created_at_processing ON public.jobs (org_id, created_at) WHERE status = 'processing';
CREATE INDEX idx_jobs_org_id_deleted_at ON public.jobs (org_id, deleted_at);
CREATE INDEX idx_workflows_org_id_updated_at ON public.workflows (org_id, updated_at);
CREATE INDEX idx_templates_org_id_created_at ON public.templates (org_id, created_at);
CREATE INDEX idx_assets_org_id_created_at ON public.assets (org_id, created_at);
CREATE INDEX idx_projects_org_id_created_at ON public.projects (org_id, created_at);
-- ===========================================================================
-- Membership, invitations, ownership and API keys (0.5.0).
--
-- Membership starts with an invitation the invitee accepts (or with the org's
-- creation, which makes the creator its owner); nobody is made a member
-- without consent.  An org always keeps an owner.  API keys are made only by
-- public.create_api_key(), with scopes within the member's role, a cap per
-- member, and a revocation that cannot be undone.  A user creates at most
-- fenta.tenant_limit('max_orgs_per_user') orgs, and only the first
-- fenta.tenant_limit('max_free_orgs_per_user') of them get the free plan's
-- quota.  A suspended user (profiles.status) can do none of this.
--
-- The grants and policies of the existing tables are in 70_policies.sql;
-- the ones of org_invitations, new here, are below.  See doc/tenancy.md.
-- ===========================================================================

--
-- Serialising the changes that must see each other.  A row lock alone does not
-- help a REPEATABLE READ transaction: after waiting it still counts with its
-- old snapshot.  An UPDATE of a common row does: the second writer of the row
-- gets 40001 under REPEATABLE READ, and re-reads under READ COMMITTED.  These
-- helpers run as the extension owner and act only on the caller's own rows
-- (auth.uid()), or on an org the caller owns.
--

-- True when another owner than the leaving member stays in the org.  Runs as
-- the extension owner: the caller may not see every membership row.
CREATE FUNCTION fenta.org_keeps_owner(org uuid, leaving_member uuid)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
	SELECT EXISTS (
		SELECT FROM public.org_members m
		WHERE m.org_id OPERATOR(pg_catalog.=) org_keeps_owner.org
			AND m.role OPERATOR(pg_catalog.=) 'owner'::public.member_role
			AND m.id OPERATOR(pg_catalog.<>) org_keeps_owner.leaving_member)
$$;
COMMENT ON FUNCTION fenta.org_keeps_owner(uuid, uuid) IS
'True when the org has an owner other than the membership leaving_member; used by the org_members guard after fenta.lock_org_owners().';
REVOKE ALL ON FUNCTION fenta.org_keeps_owner(uuid, uuid) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.org_keeps_owner(uuid, uuid) TO service_role;

-- The org row serialises the changes to its owners (and its invitations).
CREATE FUNCTION fenta.lock_org_owners(org uuid, leaving_member uuid)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	IF NOT fenta.has_org_role(lock_org_owners.org, 'owner') THEN
		RAISE EXCEPTION 'permission denied to change the owners of this org'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	UPDATE public.orgs o SET updated_at = o.updated_at
	WHERE o.id OPERATOR(pg_catalog.=) lock_org_owners.org;
	RETURN fenta.org_keeps_owner(lock_org_owners.org, lock_org_owners.leaving_member);
END
$$;
COMMENT ON FUNCTION fenta.lock_org_owners(uuid, uuid) IS
'Called by the org_members guard when an owner of the org removes or demotes the owner membership leaving_member: writes the org''s row, so that concurrent owner changes of the org run one after the other (40001 under REPEATABLE READ), then tells whether another owner stays. 42501 unless the caller is an owner of the live org.';
REVOKE ALL ON FUNCTION fenta.lock_org_owners(uuid, uuid) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.lock_org_owners(uuid, uuid) TO authenticated, service_role;


--
-- org_members: who may change what, and the last owner.
--
CREATE OR REPLACE FUNCTION fenta.org_members_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	bypass boolean := fenta.bypasses_rls();
	uid uuid := (SELECT auth.uid());
	is_owner boolean;
	org_deleted timestamptz;
	org_found boolean;
	keeps_owner boolean;
BEGIN
	IF TG_OP = 'INSERT' THEN
		-- members join by accepting an invitation (public.accept_invitation)
		-- or by creating the org; both run as the extension owner
		IF NOT bypass THEN
			RAISE EXCEPTION 'permission denied to add a member to the org'
				USING ERRCODE = 'insufficient_privilege',
					HINT = 'Invite the user with public.create_invitation(); they join with public.accept_invitation().';
		END IF;
		RETURN NEW;
	END IF;

	IF NOT bypass THEN
		is_owner := fenta.has_org_role(OLD.org_id, 'owner');
		IF TG_OP = 'DELETE' THEN
			-- owners remove anyone (themselves included, if another owner
			-- stays); admins remove non-owners; any other member may leave
			IF NOT (is_owner
					OR (OLD.role OPERATOR(pg_catalog.<>) 'owner' AND fenta.has_org_role(OLD.org_id, 'admin'))
					OR (OLD.role OPERATOR(pg_catalog.<>) 'owner' AND OLD.user_id OPERATOR(pg_catalog.=) uid
						AND fenta.has_org_role(OLD.org_id, 'viewer'))) THEN
				RAISE EXCEPTION 'permission denied to remove this member from the org'
					USING ERRCODE = 'insufficient_privilege',
						DETAIL = 'Admins remove viewers, editors and admins; only an owner removes an owner; any member but an owner may leave.';
			END IF;
		ELSE
			IF NEW.org_id OPERATOR(pg_catalog.<>) OLD.org_id OR NEW.user_id OPERATOR(pg_catalog.<>) OLD.user_id
				OR NEW.id OPERATOR(pg_catalog.<>) OLD.id THEN
				RAISE EXCEPTION 'permission denied to move a membership'
					USING ERRCODE = 'insufficient_privilege';
			END IF;
			IF NOT fenta.has_org_role(OLD.org_id, 'admin') THEN
				RAISE EXCEPTION 'permission denied to change the role of a member'
					USING ERRCODE = 'insufficient_privilege',
						DETAIL = 'Only admins and owners change roles.';
			END IF;
			IF (OLD.role OPERATOR(pg_catalog.=) 'owner' OR NEW.role OPERATOR(pg_catalog.=) 'owner') AND NOT is_owner THEN
				RAISE EXCEPTION 'permission denied to grant or change the owner role'
					USING ERRCODE = 'insufficient_privilege',
						DETAIL = 'Only an owner of the org may create or change owner memberships.';
			END IF;
		END IF;
	END IF;

	-- an org keeps an owner: when an owner row goes or is demoted, serialise
	-- on the org row, then count the other owners
	IF OLD.role OPERATOR(pg_catalog.=) 'owner'
		AND (TG_OP = 'DELETE' OR NEW.role OPERATOR(pg_catalog.<>) 'owner'
			 OR NEW.org_id OPERATOR(pg_catalog.<>) OLD.org_id) THEN
		IF bypass THEN
			UPDATE public.orgs o SET updated_at = o.updated_at
			WHERE o.id OPERATOR(pg_catalog.=) OLD.org_id
			RETURNING o.deleted_at INTO org_deleted;
			org_found := FOUND;
			keeps_owner := fenta.org_keeps_owner(OLD.org_id, OLD.id);
		ELSE
			org_found := true;
			org_deleted := NULL;
			keeps_owner := fenta.lock_org_owners(OLD.org_id, OLD.id);
		END IF;
		-- the org itself is being deleted (cascade): nothing to keep
		IF org_found AND NOT keeps_owner THEN
			IF TG_OP = 'DELETE' AND bypass AND NOT EXISTS (
				SELECT FROM public.profiles p WHERE p.id OPERATOR(pg_catalog.=) OLD.user_id) THEN
				-- the user's account is being deleted
				IF org_deleted IS NOT NULL THEN
					RETURN OLD;		-- a soft-deleted org: the backend purges it
				END IF;
				RAISE EXCEPTION 'cannot delete user %: they are the last owner of org %', OLD.user_id, OLD.org_id
					USING ERRCODE = 'check_violation',
						HINT = 'Transfer the ownership first (make another member owner), or delete the org.';
			END IF;
			RAISE EXCEPTION 'an org must keep at least one owner'
				USING ERRCODE = 'check_violation',
					HINT = 'Make another member owner first, or delete the org.';
		END IF;
	END IF;
	RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
COMMENT ON FUNCTION fenta.org_members_guard() IS
'BEFORE INSERT/UPDATE/DELETE trigger of org_members. API roles never insert (invitations and org creation do, as the extension owner); admins change roles and remove viewers, editors and admins; only owners touch owner rows; any member but an owner may leave; an owner may step down while another owner stays. For every role: the last owner of an org is neither removed nor demoted (23514), under a write of the org row so that concurrent removals see each other (40001 under REPEATABLE READ), except when the org itself is deleted; deleting the account of the last owner of a live org fails with a hint.';

--
-- orgs.owner_id records the creator, nothing more: access follows org_members.
-- It goes NULL when the creator's account is deleted.
--
ALTER TABLE public.orgs ALTER COLUMN owner_id DROP NOT NULL;
ALTER TABLE public.orgs DROP CONSTRAINT orgs_owner_id_fkey;
ALTER TABLE public.orgs ADD CONSTRAINT orgs_owner_id_fkey
	FOREIGN KEY (owner_id) REFERENCES public.profiles (id) ON DELETE SET NULL;
COMMENT ON COLUMN public.orgs.owner_id IS 'Profile that created the org (the API sets it from auth.uid()); gives no access by itself (access follows org_members). NULL once the creator''s account is deleted.';

--
-- Orgs per user, and the free tier tied to the user.
--

-- Counts the orgs the calling user created (soft-deleted ones included),
-- under a write of their profile row, and refuses one more than the cap.
CREATE FUNCTION fenta.claim_org_slot()
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	uid uuid := (SELECT auth.uid());
	created integer;
	cap integer := fenta.tenant_limit('max_orgs_per_user');
BEGIN
	UPDATE public.profiles p SET updated_at = p.updated_at
	WHERE p.id OPERATOR(pg_catalog.=) uid AND p.status OPERATOR(pg_catalog.=) 'active'::public.user_status;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'permission denied to create an org'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Only signed-in users with an active profile create orgs.';
	END IF;
	SELECT pg_catalog.count(*) INTO created
	FROM public.orgs o WHERE o.owner_id OPERATOR(pg_catalog.=) uid;
	IF created OPERATOR(pg_catalog.>=) cap THEN
		RAISE EXCEPTION 'too many orgs: a user may create at most % orgs', cap
			USING ERRCODE = 'program_limit_exceeded',
				DETAIL = 'Soft-deleted orgs count too.',
				HINT = 'The cap is fenta.tenant_limit(''max_orgs_per_user'').';
	END IF;
	RETURN created;
END
$$;
COMMENT ON FUNCTION fenta.claim_org_slot() IS
'Called by the orgs_cap trigger when an API user creates an org: locks the user''s profile (writes it), counts the orgs they created (soft-deleted included) and raises 54000 at fenta.tenant_limit(''max_orgs_per_user''), 42501 for a suspended or unknown user. Returns the number of orgs created before.';
REVOKE ALL ON FUNCTION fenta.claim_org_slot() FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.claim_org_slot() TO authenticated, service_role;

CREATE FUNCTION fenta.orgs_cap()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF NEW.owner_id IS NULL THEN
		RAISE EXCEPTION 'an org needs an owner: owner_id must not be NULL'
			USING ERRCODE = 'not_null_violation',
				HINT = 'The API sets it from auth.uid(); the backend names the creating user.';
	END IF;
	IF fenta.bypasses_rls() THEN
		RETURN NEW;
	END IF;
	IF NEW.owner_id IS DISTINCT FROM (SELECT auth.uid()) THEN
		RAISE EXCEPTION 'permission denied to create an org for another user'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	PERFORM fenta.claim_org_slot();
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.orgs_cap() IS
'BEFORE INSERT trigger on orgs: an org has a creator (owner_id, 23502); an API user creates orgs only for themselves, at most fenta.tenant_limit(''max_orgs_per_user'') (fenta.claim_org_slot(), 54000). Roles that bypass RLS (the backend) are not capped.';
REVOKE ALL ON FUNCTION fenta.orgs_cap() FROM PUBLIC, anon, authenticated, service_role;
DROP TRIGGER IF EXISTS orgs_cap ON public.orgs;
CREATE TRIGGER orgs_cap BEFORE INSERT ON public.orgs
	FOR EACH ROW EXECUTE FUNCTION fenta.orgs_cap();

-- Zero quota for the free orgs of a user beyond their free allowance.
CREATE FUNCTION fenta.apply_free_tier(org uuid)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	o public.orgs;
	earlier integer;
BEGIN
	SELECT * INTO o FROM public.orgs x
	WHERE x.id OPERATOR(pg_catalog.=) apply_free_tier.org
		AND x.owner_id OPERATOR(pg_catalog.=) (SELECT auth.uid());
	IF NOT FOUND OR o.plan OPERATOR(pg_catalog.<>) 'free'::public.org_plan THEN
		RETURN false;
	END IF;
	SELECT pg_catalog.count(*) INTO earlier
	FROM public.orgs x
	WHERE x.owner_id OPERATOR(pg_catalog.=) o.owner_id
		AND (x.created_at, x.id) OPERATOR(pg_catalog.<) (o.created_at, o.id);
	IF earlier OPERATOR(pg_catalog.<) fenta.tenant_limit('max_free_orgs_per_user') THEN
		RETURN false;
	END IF;
	UPDATE public.quota_limits q
	SET tokens_limit = 0, kai_credits_limit = 0, render_seconds_limit = 0, storage_bytes_limit = 0,
		allow_overage = false, overage_cap_usd = 0
	WHERE q.org_id OPERATOR(pg_catalog.=) o.id;
	RETURN true;
END
$$;
COMMENT ON FUNCTION fenta.apply_free_tier(uuid) IS
'Called by the orgs_quota_plan_free_tier trigger when an API user creates an org: when the org is on the free plan, was created by the caller, and the caller already created fenta.tenant_limit(''max_free_orgs_per_user'') orgs before it (soft-deleted ones included), its quota limits become 0 (no overage). Returns whether it did.';
REVOKE ALL ON FUNCTION fenta.apply_free_tier(uuid) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.apply_free_tier(uuid) TO authenticated, service_role;

CREATE FUNCTION fenta.orgs_free_tier()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF NOT fenta.bypasses_rls() THEN
		PERFORM fenta.apply_free_tier(NEW.id);
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION fenta.orgs_free_tier() IS
'AFTER INSERT trigger on orgs, after orgs_quota_plan: an org an API user creates beyond their free allowance starts with zero limits (fenta.apply_free_tier). Orgs the backend creates keep their plan''s limits.';
REVOKE ALL ON FUNCTION fenta.orgs_free_tier() FROM PUBLIC, anon, authenticated, service_role;
-- named to fire after orgs_handle_new and orgs_quota_plan (same event, name order)
DROP TRIGGER IF EXISTS orgs_quota_plan_free_tier ON public.orgs;
CREATE TRIGGER orgs_quota_plan_free_tier AFTER INSERT ON public.orgs
	FOR EACH ROW EXECUTE FUNCTION fenta.orgs_free_tier();

--
-- Invitations.
--
CREATE TABLE public.org_invitations (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	role public.member_role NOT NULL DEFAULT 'viewer',
	invited_by uuid DEFAULT auth.uid() REFERENCES public.profiles (id) ON DELETE SET NULL,
	token_hash text NOT NULL CONSTRAINT org_invitations_token_hash_key UNIQUE
		CONSTRAINT org_invitations_token_hash_format CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	email text CONSTRAINT org_invitations_email_format CHECK (email IS NULL OR (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND pg_catalog.length(email) <= 320)),
	expires_at timestamptz NOT NULL DEFAULT pg_catalog.now() + interval '7 days',
	accepted_at timestamptz,
	accepted_by uuid REFERENCES public.profiles (id) ON DELETE SET NULL,
	declined_at timestamptz,
	revoked_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT org_invitations_one_outcome CHECK (pg_catalog.num_nonnulls(accepted_at, declined_at, revoked_at) <= 1),
	CONSTRAINT org_invitations_expires_after_creation CHECK (expires_at > created_at)
);
COMMENT ON TABLE public.org_invitations IS 'Invitations to join an org with a role: created by an admin (public.create_invitation), accepted or declined by the invitee with the token (public.accept_invitation, public.decline_invitation), revoked by an admin, or expired. Only the SHA-256 of the token is stored.';
COMMENT ON COLUMN public.org_invitations.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.org_invitations.org_id IS 'The org the invitee joins.';
COMMENT ON COLUMN public.org_invitations.role IS 'Role the invitee gets on acceptance (an owner role only from an owner).';
COMMENT ON COLUMN public.org_invitations.invited_by IS 'The member who created the invitation (NULL once their account is deleted).';
COMMENT ON COLUMN public.org_invitations.token_hash IS 'Hex SHA-256 of the raw token, which is returned once by create_invitation (secret: not readable through the Data API).';
COMMENT ON COLUMN public.org_invitations.email IS 'When set, only the user with this e-mail (auth.users.email, case-insensitive) may accept or decline.';
COMMENT ON COLUMN public.org_invitations.expires_at IS 'After this time the invitation can no longer be accepted (default: 7 days after creation).';
COMMENT ON COLUMN public.org_invitations.accepted_at IS 'When the invitee accepted; an invitation is used once.';
COMMENT ON COLUMN public.org_invitations.accepted_by IS 'The user who accepted.';
COMMENT ON COLUMN public.org_invitations.declined_at IS 'When the invitee declined.';
COMMENT ON COLUMN public.org_invitations.revoked_at IS 'When an admin revoked the invitation (one-way).';
COMMENT ON COLUMN public.org_invitations.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.org_invitations.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_org_invitations_org_id ON public.org_invitations (org_id, created_at);
CREATE INDEX idx_org_invitations_invited_by ON public.org_invitations (invited_by);
CREATE INDEX idx_org_invitations_accepted_by ON public.org_invitations (accepted_by);
CREATE TRIGGER org_invitations_updated_at BEFORE UPDATE ON public.org_invitations
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

-- An outcome (accepted, declined, revoked) is final; API roles only revoke.
CREATE FUNCTION fenta.org_invitations_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF OLD.accepted_at IS NOT NULL OR OLD.declined_at IS NOT NULL OR OLD.revoked_at IS NOT NULL THEN
		IF NEW.accepted_at IS DISTINCT FROM OLD.accepted_at OR NEW.declined_at IS DISTINCT FROM OLD.declined_at
			OR NEW.revoked_at IS DISTINCT FROM OLD.revoked_at THEN
			RAISE EXCEPTION 'this invitation is no longer pending: its outcome cannot change'
				USING ERRCODE = 'insufficient_privilege';
		END IF;
	END IF;
	IF NOT fenta.bypasses_rls() THEN
		IF NEW.accepted_at IS DISTINCT FROM OLD.accepted_at OR NEW.declined_at IS DISTINCT FROM OLD.declined_at
			OR NEW.org_id IS DISTINCT FROM OLD.org_id OR NEW.role IS DISTINCT FROM OLD.role
			OR NEW.token_hash IS DISTINCT FROM OLD.token_hash OR NEW.expires_at IS DISTINCT FROM OLD.expires_at
			OR NEW.email IS DISTINCT FROM OLD.email OR NEW.invited_by IS DISTINCT FROM OLD.invited_by
			OR NEW.accepted_by IS DISTINCT FROM OLD.accepted_by OR NEW.id IS DISTINCT FROM OLD.id THEN
			RAISE EXCEPTION 'permission denied: an invitation is only revoked through the API'
				USING ERRCODE = 'insufficient_privilege';
		END IF;
		IF OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL THEN
			NEW.revoked_at := pg_catalog.now();
		END IF;
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.org_invitations_guard() IS
'BEFORE UPDATE trigger of org_invitations: once accepted, declined or revoked, an invitation''s outcome never changes (every role); API roles only set revoked_at, to the current time.';
REVOKE ALL ON FUNCTION fenta.org_invitations_guard() FROM PUBLIC, anon, authenticated, service_role;
CREATE TRIGGER org_invitations_guard BEFORE UPDATE ON public.org_invitations
	FOR EACH ROW EXECUTE FUNCTION fenta.org_invitations_guard();

ALTER TABLE public.org_invitations ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.org_invitations FROM PUBLIC, anon, authenticated, service_role;
-- token_hash is a secret: no API role reads it
GRANT SELECT (id, org_id, role, invited_by, email, expires_at, accepted_at, accepted_by,
			  declined_at, revoked_at, created_at, updated_at) ON public.org_invitations TO authenticated;
GRANT UPDATE (revoked_at) ON public.org_invitations TO authenticated;
GRANT ALL ON public.org_invitations TO service_role;
CREATE POLICY org_invitations_select_admin ON public.org_invitations FOR SELECT TO authenticated
	USING (org_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT fenta.org_ids('admin'))));
CREATE POLICY org_invitations_update_admin ON public.org_invitations FOR UPDATE TO authenticated
	USING (org_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT fenta.org_ids('admin'))))
	WITH CHECK (org_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT fenta.org_ids('admin'))));
SELECT pg_catalog.pg_extension_config_dump('public.org_invitations', '');

-- SHA-256 hex of a token or key, and a new random secret (244 random bits
-- from two version 4 UUIDs: pgcrypto is not required).
CREATE FUNCTION fenta.secret_hash(secret text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(secret_hash.secret, 'UTF8')), 'hex')
$$;
COMMENT ON FUNCTION fenta.secret_hash(text) IS
'Hex SHA-256 of a raw API key or invitation token (what is stored instead of it).';
REVOKE ALL ON FUNCTION fenta.secret_hash(text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.secret_hash(text) TO service_role;

CREATE FUNCTION fenta.new_secret(prefix text)
RETURNS text
LANGUAGE sql VOLATILE
SET search_path = ''
AS $$
	SELECT new_secret.prefix || pg_catalog.replace(pg_catalog.gen_random_uuid()::text
		OPERATOR(pg_catalog.||) pg_catalog.gen_random_uuid()::text, '-', '')
$$;
COMMENT ON FUNCTION fenta.new_secret(text) IS
'A new random secret: prefix followed by 64 hex digits (two random UUIDs, 244 random bits).';
REVOKE ALL ON FUNCTION fenta.new_secret(text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.new_secret(text) TO service_role;

-- The caller's role in a live org, or NULL (not signed in, suspended, not a
-- member, org unknown or soft-deleted).
CREATE FUNCTION fenta.caller_org_role(org uuid)
RETURNS public.member_role
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
	SELECT m.role
	FROM public.org_members m
		JOIN public.orgs o ON o.id OPERATOR(pg_catalog.=) m.org_id
		JOIN public.profiles p ON p.id OPERATOR(pg_catalog.=) m.user_id
	WHERE m.org_id OPERATOR(pg_catalog.=) caller_org_role.org
		AND m.user_id OPERATOR(pg_catalog.=) (SELECT auth.uid())
		AND o.deleted_at IS NULL
		AND p.status OPERATOR(pg_catalog.=) 'active'::public.user_status
$$;
COMMENT ON FUNCTION fenta.caller_org_role(uuid) IS
'The requesting user''s role in the live org org, or NULL when they are not signed in, suspended, not a member, or the org is unknown or soft-deleted.';
REVOKE ALL ON FUNCTION fenta.caller_org_role(uuid) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.caller_org_role(uuid) TO authenticated, service_role;

CREATE FUNCTION public.create_invitation(org_id uuid, role public.member_role DEFAULT 'viewer', email text DEFAULT NULL)
RETURNS TABLE (id uuid, token text)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	my_role public.member_role := fenta.caller_org_role(create_invitation.org_id);
	raw text := fenta.new_secret('fi_');
	pending integer;
	cap integer := fenta.tenant_limit('max_pending_invitations_per_org');
	new_id uuid;
BEGIN
	IF my_role IS NULL OR my_role OPERATOR(pg_catalog.<) 'admin'::public.member_role THEN
		RAISE EXCEPTION 'permission denied to invite members to this org'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Admins and owners of a live org invite members.';
	END IF;
	IF create_invitation.role IS NULL THEN
		RAISE EXCEPTION 'role must not be NULL' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF create_invitation.role OPERATOR(pg_catalog.=) 'owner'::public.member_role
		AND my_role OPERATOR(pg_catalog.<>) 'owner'::public.member_role THEN
		RAISE EXCEPTION 'permission denied to invite an owner'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Only an owner invites an owner.';
	END IF;
	-- serialise the invitations of the org, then count the pending ones
	UPDATE public.orgs o SET updated_at = o.updated_at
	WHERE o.id OPERATOR(pg_catalog.=) create_invitation.org_id;
	SELECT pg_catalog.count(*) INTO pending
	FROM public.org_invitations i
	WHERE i.org_id OPERATOR(pg_catalog.=) create_invitation.org_id
		AND i.accepted_at IS NULL AND i.declined_at IS NULL AND i.revoked_at IS NULL
		AND i.expires_at OPERATOR(pg_catalog.>) pg_catalog.now();
	IF pending OPERATOR(pg_catalog.>=) cap THEN
		RAISE EXCEPTION 'too many pending invitations: an org may have at most %', cap
			USING ERRCODE = 'program_limit_exceeded',
				HINT = 'Revoke unused invitations; the cap is fenta.tenant_limit(''max_pending_invitations_per_org'').';
	END IF;
	INSERT INTO public.org_invitations (org_id, role, invited_by, token_hash, email)
	VALUES (create_invitation.org_id, create_invitation.role, (SELECT auth.uid()),
			fenta.secret_hash(raw), pg_catalog.lower(pg_catalog.btrim(create_invitation.email)))
	RETURNING org_invitations.id INTO new_id;
	RETURN QUERY SELECT new_id, raw;
END
$$;
COMMENT ON FUNCTION public.create_invitation(uuid, public.member_role, text) IS
'RPC: an admin or owner of a live org (active profile) invites someone to join it with role (an owner role only from an owner); returns (id, token). The raw token is returned once (only its SHA-256 is stored); hand it to the invitee, who calls accept_invitation(token) or decline_invitation(token) within 7 days. With email, only the user with that e-mail may use it. No user is looked up. 42501 for a caller who is not admin+ of the live org (the same for an unknown org); 54000 beyond fenta.tenant_limit(''max_pending_invitations_per_org'') pending invitations.';
REVOKE ALL ON FUNCTION public.create_invitation(uuid, public.member_role, text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.create_invitation(uuid, public.member_role, text) TO authenticated, service_role;

-- The pending invitation of a token, locked, for the signed-in, active caller.
CREATE FUNCTION fenta.pending_invitation(token text)
RETURNS public.org_invitations
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	uid uuid := (SELECT auth.uid());
	inv public.org_invitations;
	my_email text;
BEGIN
	IF uid IS NULL OR NOT EXISTS (
		SELECT FROM public.profiles p
		WHERE p.id OPERATOR(pg_catalog.=) uid AND p.status OPERATOR(pg_catalog.=) 'active'::public.user_status) THEN
		RAISE EXCEPTION 'permission denied to answer an invitation'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Only signed-in users with an active profile answer invitations.';
	END IF;
	SELECT * INTO inv FROM public.org_invitations i
	WHERE i.token_hash OPERATOR(pg_catalog.=) fenta.secret_hash(pending_invitation.token)
	FOR UPDATE;
	IF NOT FOUND OR NOT EXISTS (
		SELECT FROM public.orgs o
		WHERE o.id OPERATOR(pg_catalog.=) inv.org_id AND o.deleted_at IS NULL) THEN
		RAISE EXCEPTION 'invitation not found'
			USING ERRCODE = 'invalid_parameter_value',
				DETAIL = 'The token matches no invitation to a live org.';
	END IF;
	IF inv.accepted_at IS NOT NULL THEN
		RAISE EXCEPTION 'this invitation has already been accepted' USING ERRCODE = 'invalid_parameter_value';
	ELSIF inv.declined_at IS NOT NULL THEN
		RAISE EXCEPTION 'this invitation has been declined' USING ERRCODE = 'invalid_parameter_value';
	ELSIF inv.revoked_at IS NOT NULL THEN
		RAISE EXCEPTION 'this invitation has been revoked' USING ERRCODE = 'invalid_parameter_value';
	ELSIF inv.expires_at OPERATOR(pg_catalog.<=) pg_catalog.now() THEN
		RAISE EXCEPTION 'this invitation has expired' USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Ask an admin of the org for a new invitation.';
	END IF;
	IF inv.email IS NOT NULL THEN
		SELECT u.email INTO my_email FROM auth.users u WHERE u.id OPERATOR(pg_catalog.=) uid;
		IF my_email IS NULL OR pg_catalog.lower(my_email) OPERATOR(pg_catalog.<>) inv.email THEN
			RAISE EXCEPTION 'this invitation is for another e-mail address'
				USING ERRCODE = 'insufficient_privilege';
		END IF;
	END IF;
	RETURN inv;
END
$$;
COMMENT ON FUNCTION fenta.pending_invitation(text) IS
'The pending invitation of a raw token, locked FOR UPDATE, for the requesting user: 42501 when they are not signed in, suspended, or not the invited e-mail; 22023 when the token is unknown, its org soft-deleted, or the invitation accepted, declined, revoked or expired. Used by accept_invitation and decline_invitation.';
REVOKE ALL ON FUNCTION fenta.pending_invitation(text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.pending_invitation(text) TO service_role;

CREATE FUNCTION public.accept_invitation(token text)
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	inv public.org_invitations := fenta.pending_invitation(accept_invitation.token);
	uid uuid := (SELECT auth.uid());
BEGIN
	-- already a member: the higher of the two roles stays
	INSERT INTO public.org_members AS m (org_id, user_id, role)
	VALUES (inv.org_id, uid, inv.role)
	ON CONFLICT (org_id, user_id) DO UPDATE SET role = GREATEST(m.role, EXCLUDED.role)
		WHERE m.role OPERATOR(pg_catalog.<) EXCLUDED.role;
	UPDATE public.org_invitations i SET accepted_at = pg_catalog.now(), accepted_by = uid
	WHERE i.id OPERATOR(pg_catalog.=) inv.id;
	RETURN inv.org_id;
END
$$;
COMMENT ON FUNCTION public.accept_invitation(text) IS
'RPC: the signed-in user (active profile) accepts the invitation of a raw token and becomes a member of its org with the invited role; a member already keeps the higher of their role and the invited one. Returns the org id. An invitation is used once: 22023 when the token is unknown or the invitation accepted, declined, revoked or expired, or its org soft-deleted; 42501 for a suspended user or another e-mail than the invited one.';
REVOKE ALL ON FUNCTION public.accept_invitation(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.accept_invitation(text) TO authenticated, service_role;

CREATE FUNCTION public.decline_invitation(token text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	inv public.org_invitations := fenta.pending_invitation(decline_invitation.token);
BEGIN
	UPDATE public.org_invitations i SET declined_at = pg_catalog.now()
	WHERE i.id OPERATOR(pg_catalog.=) inv.id;
END
$$;
COMMENT ON FUNCTION public.decline_invitation(text) IS
'RPC: the signed-in user (active profile) declines the invitation of a raw token; it can no longer be used. Same errors as accept_invitation.';
REVOKE ALL ON FUNCTION public.decline_invitation(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.decline_invitation(text) TO authenticated, service_role;

--
-- API keys.
--
-- Scopes: a key carries a JSON array of these strings; each needs a role.
--   read     viewer and above: read the org's data
--   write    editor and above: create and change content, queue jobs
--   admin    admin and above: members, webhooks, integrations
--   billing  owner: plans, invoices, credit packs
-- Anything else ("*" included) is rejected (22023); a scope above the
-- member's role is refused (42501).  fenta.verify_api_key() clips a key's
-- scopes to what its member's role allows now.
CREATE FUNCTION fenta.api_key_scope_role(scope text)
RETURNS public.member_role
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT CASE api_key_scope_role.scope
		WHEN 'read' THEN 'viewer'::public.member_role
		WHEN 'write' THEN 'editor'::public.member_role
		WHEN 'admin' THEN 'admin'::public.member_role
		WHEN 'billing' THEN 'owner'::public.member_role
	END
$$;
COMMENT ON FUNCTION fenta.api_key_scope_role(text) IS
'The least member role that may hold an API key scope: read viewer, write editor, admin admin, billing owner; NULL for an unknown scope ("*" included).';
REVOKE ALL ON FUNCTION fenta.api_key_scope_role(text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.api_key_scope_role(text) TO service_role;

CREATE OR REPLACE FUNCTION public.create_api_key(org_id uuid, name text, scopes jsonb DEFAULT '[]', expires_at timestamptz DEFAULT NULL)
RETURNS TABLE (id uuid, key text)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	my_role public.member_role := fenta.caller_org_role(create_api_key.org_id);
	uid uuid := (SELECT auth.uid());
	raw text := fenta.new_secret('fk_');
	s jsonb;
	clean jsonb;
	live integer;
	cap integer := fenta.tenant_limit('max_api_keys_per_member');
	new_id uuid;
BEGIN
	IF my_role IS NULL THEN
		RAISE EXCEPTION 'permission denied to create an API key in this org'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Members with an active profile create keys in a live org they belong to.';
	END IF;
	IF create_api_key.scopes IS NULL OR pg_catalog.jsonb_typeof(create_api_key.scopes) OPERATOR(pg_catalog.<>) 'array' THEN
		RAISE EXCEPTION 'scopes must be a JSON array of strings' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOR s IN SELECT e FROM pg_catalog.jsonb_array_elements(create_api_key.scopes) e LOOP
		IF pg_catalog.jsonb_typeof(s) OPERATOR(pg_catalog.<>) 'string'
			OR fenta.api_key_scope_role(s #>> '{}') IS NULL THEN
			RAISE EXCEPTION 'unknown API key scope: %', s
				USING ERRCODE = 'invalid_parameter_value',
					HINT = 'Scopes are read, write, admin and billing.';
		END IF;
		IF fenta.api_key_scope_role(s #>> '{}') OPERATOR(pg_catalog.>) my_role THEN
			RAISE EXCEPTION 'permission denied to grant scope % with role %', s, my_role
				USING ERRCODE = 'insufficient_privilege',
					DETAIL = 'read needs viewer, write editor, admin admin, billing owner.';
		END IF;
	END LOOP;
	SELECT coalesce(pg_catalog.jsonb_agg(DISTINCT e ORDER BY e), '[]') INTO clean
	FROM pg_catalog.jsonb_array_elements_text(create_api_key.scopes) e;
	IF create_api_key.expires_at OPERATOR(pg_catalog.<=) pg_catalog.now() THEN
		RAISE EXCEPTION 'expires_at must be in the future' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- serialise the member's key creations (write their membership row),
	-- then count their live keys
	UPDATE public.org_members m SET updated_at = m.updated_at
	WHERE m.org_id OPERATOR(pg_catalog.=) create_api_key.org_id AND m.user_id OPERATOR(pg_catalog.=) uid;
	SELECT pg_catalog.count(*) INTO live
	FROM public.api_keys k
	WHERE k.org_id OPERATOR(pg_catalog.=) create_api_key.org_id AND k.user_id OPERATOR(pg_catalog.=) uid
		AND k.revoked_at IS NULL
		AND (k.expires_at IS NULL OR k.expires_at OPERATOR(pg_catalog.>) pg_catalog.now());
	IF live OPERATOR(pg_catalog.>=) cap THEN
		RAISE EXCEPTION 'too many API keys: a member may hold at most % unrevoked keys in an org', cap
			USING ERRCODE = 'program_limit_exceeded',
				HINT = 'Revoke unused keys; the cap is fenta.tenant_limit(''max_api_keys_per_member'').';
	END IF;
	INSERT INTO public.api_keys (user_id, org_id, name, key_hash, key_prefix, scopes, expires_at)
	VALUES (uid, create_api_key.org_id, create_api_key.name, fenta.secret_hash(raw),
			pg_catalog.left(raw, 11), clean, create_api_key.expires_at)
	RETURNING api_keys.id INTO new_id;
	RETURN QUERY SELECT new_id, raw;
END
$$;
COMMENT ON FUNCTION public.create_api_key(uuid, text, jsonb, timestamptz) IS
'RPC: creates an API key for the calling user (active profile) in a live org they belong to and returns (id, key); the raw key is returned once, only its SHA-256 is stored. scopes: a JSON array of read (viewer+), write (editor+), admin (admin+), billing (owner); 22023 for anything else ("*" included) or a past expires_at, 42501 for a scope above the caller''s role or a caller who is not an active member of the live org; 54000 beyond fenta.tenant_limit(''max_api_keys_per_member'') unrevoked, unexpired keys of the member in the org. The only way to make a key.';
REVOKE ALL ON FUNCTION public.create_api_key(uuid, text, jsonb, timestamptz) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.create_api_key(uuid, text, jsonb, timestamptz) TO authenticated, service_role;

-- API roles make no key directly; a revocation is final for every role.
CREATE FUNCTION fenta.api_keys_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		IF NOT fenta.bypasses_rls() THEN
			RAISE EXCEPTION 'permission denied to insert into api_keys'
				USING ERRCODE = 'insufficient_privilege',
					HINT = 'Create keys with public.create_api_key().';
		END IF;
		RETURN NEW;
	END IF;
	IF OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at THEN
		RAISE EXCEPTION 'an API key''s revocation cannot be undone or changed'
			USING ERRCODE = 'insufficient_privilege',
				HINT = 'Create a new key instead.';
	END IF;
	IF OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL AND NOT fenta.bypasses_rls() THEN
		NEW.revoked_at := pg_catalog.now();
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.api_keys_guard() IS
'BEFORE INSERT OR UPDATE trigger of api_keys: API roles never insert keys (public.create_api_key does, as the extension owner); revoked_at, once set, never changes again, for every role (revocation is one-way); an API role''s revocation takes the current time.';
REVOKE ALL ON FUNCTION fenta.api_keys_guard() FROM PUBLIC, anon, authenticated, service_role;
DROP TRIGGER IF EXISTS api_keys_guard ON public.api_keys;
CREATE TRIGGER api_keys_guard BEFORE INSERT OR UPDATE ON public.api_keys
	FOR EACH ROW EXECUTE FUNCTION fenta.api_keys_guard();

CREATE OR REPLACE FUNCTION fenta.verify_api_key(key text)
RETURNS TABLE (key_id uuid, user_id uuid, org_id uuid, scopes jsonb)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
	SELECT k.id, k.user_id, k.org_id,
		(SELECT coalesce(pg_catalog.jsonb_agg(e ORDER BY e), '[]')
		 FROM pg_catalog.jsonb_array_elements_text(k.scopes) e
		 WHERE fenta.api_key_scope_role(e) OPERATOR(pg_catalog.<=) m.role)
	FROM public.api_keys k
		JOIN public.org_members m ON m.org_id OPERATOR(pg_catalog.=) k.org_id
			AND m.user_id OPERATOR(pg_catalog.=) k.user_id
		JOIN public.orgs o ON o.id OPERATOR(pg_catalog.=) k.org_id
		JOIN public.profiles p ON p.id OPERATOR(pg_catalog.=) k.user_id
	WHERE k.key_hash OPERATOR(pg_catalog.=) fenta.secret_hash(verify_api_key.key)
		AND k.revoked_at IS NULL
		AND (k.expires_at IS NULL OR k.expires_at OPERATOR(pg_catalog.>) pg_catalog.now())
		AND o.deleted_at IS NULL
		AND p.status OPERATOR(pg_catalog.=) 'active'::public.user_status
$$;
COMMENT ON FUNCTION fenta.verify_api_key(text) IS
'Backend (service_role): resolves a raw API key to (key_id, user_id, org_id, scopes) when it is valid: not revoked, not expired, its org live (not soft-deleted), its user active (not suspended) and still a member; scopes are those of the key that the member''s current role allows (read viewer, write editor, admin admin, billing owner; unknown scopes dropped). No row otherwise.';
REVOKE ALL ON FUNCTION fenta.verify_api_key(text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.verify_api_key(text) TO service_role;
-- ===========================================================================
-- What one member can do to everyone (0.5.0): size limits on every column a
-- member writes, cron and time zone validation that costs microseconds,
-- webhook URLs that cannot reach the platform's own network, per-org caps on
-- queued jobs and schedules, a queue no tenant can monopolise, and an anon
-- gallery that shows only what a gallery needs.  See doc/tenancy.md, "Limits".
--
-- Runs in the fresh install and in the update from 0.4.0 (on a database with
-- data): every statement is idempotent (DROP ... IF EXISTS, CREATE OR
-- REPLACE).  The CHECK constraints are added NOT VALID, then validated where
-- the existing rows allow it: an update never fails on old oversized data; a
-- WARNING names each constraint left NOT VALID (new and updated rows are
-- checked either way).
-- ===========================================================================

--
-- 1. Size limits.  Text: octet_length() (the raw size from the varlena
-- header, never detoasted).  JSONB: pg_column_size(), which for a value being
-- written (not yet compressed by the toaster) is its binary size; a value
-- copied unchanged from a stored row counts compressed, but was checked when
-- it was stored.
--
CREATE FUNCTION fenta.add_size_limit(tbl regclass, col name, max_bytes integer)
RETURNS void
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	rel text := (SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = add_size_limit.tbl);
	typ regtype := (SELECT a.atttypid::pg_catalog.regtype FROM pg_catalog.pg_attribute a
					WHERE a.attrelid = add_size_limit.tbl AND a.attname = add_size_limit.col);
	con text := rel || '_' || col || '_size';
	expr text;
BEGIN
	expr := CASE typ
		WHEN 'text'::pg_catalog.regtype THEN pg_catalog.format('pg_catalog.octet_length(%I) <= %s', col, max_bytes)
		WHEN 'jsonb'::pg_catalog.regtype THEN pg_catalog.format('pg_catalog.pg_column_size(%I) <= %s', col, max_bytes)
		WHEN 'text[]'::pg_catalog.regtype THEN pg_catalog.format('pg_catalog.pg_column_size(%I) <= %s', col, max_bytes)
	END;
	IF expr IS NULL THEN
		RAISE EXCEPTION 'fenta.add_size_limit: %.% is of type %', rel, col, typ;
	END IF;
	EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I', tbl, con);
	EXECUTE pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (%s) NOT VALID', tbl, con, expr);
	EXECUTE pg_catalog.format('COMMENT ON CONSTRAINT %I ON %s IS %L', con, tbl,
							  pg_catalog.format('%s is at most %s bytes (fenta 0.5.0 limits; doc/tenancy.md).', col, max_bytes));
END
$$;
REVOKE ALL ON FUNCTION fenta.add_size_limit(regclass, name, integer) FROM PUBLIC;

SELECT fenta.add_size_limit(l.tbl::regclass, l.col, l.max_bytes)
FROM (VALUES
	-- names and labels: 512 bytes (170 characters in any script)
	('public.profiles', 'name', 512),
	('public.orgs', 'name', 512),
	('public.projects', 'name', 512),
	('public.templates', 'name', 512),
	('public.workflows', 'name', 512),
	('public.assets', 'name', 512),
	('public.api_keys', 'name', 512),
	('public.webhooks', 'name', 512),
	-- short codes (most also have a format CHECK; the size check is first
	-- and cheap)
	('public.orgs', 'slug', 64),
	('public.orgs', 'billing_email', 320),
	('public.templates', 'aspect', 16),
	('public.templates', 'resolution', 16),
	('public.assets', 'mime_type', 255),
	('public.asset_versions', 'checksum_sha256', 64),
	('public.api_keys', 'key_hash', 64),
	('public.api_keys', 'key_prefix', 16),
	('public.schedules', 'cron', 256),
	('public.schedules', 'timezone', 64),
	('public.webhooks', 'secret', 256),
	-- descriptions and notes: 10 kB
	('public.projects', 'description', 10240),
	('public.templates', 'description', 10240),
	('public.workflows', 'description', 10240),
	('public.workflow_versions', 'note', 10240),
	-- URLs and storage paths: 2 kB
	('public.profiles', 'avatar_url', 2048),
	('public.templates', 'thumbnail_url', 2048),
	('public.assets', 'url', 2048),
	('public.assets', 'thumbnail_url', 2048),
	('public.assets', 'storage_path', 2048),
	('public.asset_versions', 'url', 2048),
	('public.asset_versions', 'storage_path', 2048),
	('public.webhooks', 'url', 2048),
	-- small arrays
	('public.api_keys', 'scopes', 4096),
	('public.webhooks', 'events', 1024),
	-- settings, metadata, configuration, variables, credentials: 64 kB
	('public.profiles', 'metadata', 65536),
	('public.orgs', 'settings', 65536),
	('public.projects', 'settings', 65536),
	('public.assets', 'metadata', 65536),
	('public.asset_versions', 'metadata', 65536),
	('public.workflows', 'variables', 65536),
	('public.workflow_versions', 'variables', 65536),
	('public.jobs', 'config', 65536),
	('public.integrations', 'config', 65536),
	('public.integrations', 'credentials', 65536),
	-- the documents themselves: 1 MB
	('public.workflows', 'graph', 1048576),
	('public.workflow_versions', 'graph', 1048576),
	('public.templates', 'spec', 1048576)
) l (tbl, col, max_bytes);
DROP FUNCTION fenta.add_size_limit(regclass, name, integer);

--
-- 2. schedules.cron and schedules.timezone.
--

-- One field of a cron expression.  Items separated by commas; each item is
-- *, a value, or a range a-b (a <= b), optionally followed by /step (1 <=
-- step <= hi; a/step means a-hi/step).  Values are numbers in [lo, hi] or,
-- when names is given, names (case-insensitive) mapped to lo, lo + 1, ...
CREATE FUNCTION fenta.cron_field_is_valid(field text, lo integer, hi integer, names text[] DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
	item text;
	m text[];
	a integer;
	b integer;
BEGIN
	IF field IS NULL OR field = '' THEN
		RETURN false;
	END IF;
	FOREACH item IN ARRAY pg_catalog.string_to_array(pg_catalog.lower(field), ',') LOOP
		m := pg_catalog.regexp_match(item, '^(?:(\*)|([0-9]{1,2}|[a-z]{3})(?:-([0-9]{1,2}|[a-z]{3}))?)(?:/([0-9]{1,2}))?$');
		IF m IS NULL THEN
			RETURN false;
		END IF;
		IF m[1] IS NULL THEN
			a := CASE WHEN m[2] ~ '^[0-9]' THEN m[2]::integer
					  ELSE lo - 1 + pg_catalog.array_position(names, m[2]) END;
			b := CASE WHEN m[3] IS NULL THEN a
					  WHEN m[3] ~ '^[0-9]' THEN m[3]::integer
					  ELSE lo - 1 + pg_catalog.array_position(names, m[3]) END;
			IF a IS NULL OR b IS NULL OR a < lo OR b > hi OR a > b THEN
				RETURN false;
			END IF;
		END IF;
		IF m[4] IS NOT NULL AND (m[4]::integer < 1 OR m[4]::integer > hi) THEN
			RETURN false;
		END IF;
	END LOOP;
	RETURN true;
END
$$;
COMMENT ON FUNCTION fenta.cron_field_is_valid(text, integer, integer, text[]) IS
'True when field is a valid field of a cron expression with values in [lo, hi]: a comma-separated list of *, n, a-b (a <= b), each optionally /step (1 <= step <= hi); names (case-insensitive) stand for lo, lo + 1, ... Used by fenta.cron_is_valid().';
REVOKE ALL ON FUNCTION fenta.cron_field_is_valid(text, integer, integer, text[]) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.cron_field_is_valid(text, integer, integer, text[]) TO authenticated, service_role;

CREATE FUNCTION fenta.cron_is_valid(expr text)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
	f text[];
BEGIN
	IF expr IS NULL THEN
		RETURN NULL;
	END IF;
	f := pg_catalog.regexp_split_to_array(pg_catalog.btrim(expr, E' \t'), E'[ \t]+');
	RETURN pg_catalog.cardinality(f) = 5
		AND fenta.cron_field_is_valid(f[1], 0, 59)
		AND fenta.cron_field_is_valid(f[2], 0, 23)
		AND fenta.cron_field_is_valid(f[3], 1, 31)
		AND fenta.cron_field_is_valid(f[4], 1, 12,
			'{jan,feb,mar,apr,may,jun,jul,aug,sep,oct,nov,dec}')
		AND fenta.cron_field_is_valid(f[5], 0, 7, '{sun,mon,tue,wed,thu,fri,sat}');
END
$$;
COMMENT ON FUNCTION fenta.cron_is_valid(text) IS
'True when expr is a standard five-field cron expression (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or jan-dec, day of week 0-7 or sun-sat, 0 and 7 both Sunday), fields separated by spaces or tabs; each field a comma-separated list of *, n, a-b (a <= b), each optionally /step (1 <= step <= the field''s maximum; a/step means a-max/step); names are case-insensitive. No @daily macros, no seconds, no L/W/#/?. NULL for NULL. The CHECK schedules_cron_format uses it.';
REVOKE ALL ON FUNCTION fenta.cron_is_valid(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.cron_is_valid(text) TO authenticated, service_role;

ALTER TABLE public.schedules DROP CONSTRAINT IF EXISTS schedules_cron_format;
ALTER TABLE public.schedules ADD CONSTRAINT schedules_cron_format CHECK (fenta.cron_is_valid(cron)) NOT VALID;
COMMENT ON COLUMN public.schedules.cron IS 'Standard five-field cron expression (minute hour day-of-month month day-of-week), e.g. ''0 9 * * mon-fri'', validated by fenta.cron_is_valid() (values in range, a <= b in ranges, steps >= 1; month and day-of-week names).';

-- Time zones.  The name is canonicalised by setting TimeZone inside a
-- function whose SET clause restores it on exit: pg_tzset() caches the zones
-- it loaded, so this costs microseconds where a scan of pg_timezone_names
-- reads the whole time zone directory (about 29 ms).  Names made of letters,
-- '_', '-' and '/' only cannot be POSIX TZ strings (those need an offset),
-- so the canonical name's equality settles them; anything else (digits, '+')
-- is looked up in pg_timezone_names, once, when the value is written.
CREATE OR REPLACE FUNCTION fenta.is_valid_timezone(tz text)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = ''
SET "TimeZone" = 'UTC'
AS $$
BEGIN
	IF tz = 'UTC' THEN
		RETURN true;
	END IF;
	IF tz ~ '^[A-Za-z_][A-Za-z_/-]*$' THEN
		PERFORM pg_catalog.set_config('TimeZone', tz, true);
		RETURN pg_catalog.current_setting('TimeZone') = tz;
	END IF;
	RETURN EXISTS (SELECT FROM pg_catalog.pg_timezone_names n WHERE n.name = tz);
EXCEPTION WHEN OTHERS THEN
	RETURN false;
END
$$;
COMMENT ON FUNCTION fenta.is_valid_timezone(text) IS
'True when tz is ''UTC'' or a time zone name of the server''s time zone database (as in pg_timezone_names, e.g. Europe/Paris; case-sensitive; abbreviations and POSIX strings are not names); false otherwise, never an error. Names of letters, _, - and / are checked by loading the zone (cached by the server: microseconds); others (Etc/GMT+5) against pg_timezone_names.';

CREATE FUNCTION fenta.schedules_timezone_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF (TG_OP = 'INSERT' OR NEW.timezone IS DISTINCT FROM OLD.timezone)
		AND NOT coalesce(fenta.is_valid_timezone(NEW.timezone), true) THEN
		RAISE EXCEPTION 'invalid time zone "%" in schedules.timezone', NEW.timezone
			USING ERRCODE = 'check_violation', SCHEMA = 'public', TABLE = 'schedules',
				COLUMN = 'timezone', CONSTRAINT = 'schedules_timezone_valid',
				HINT = 'Use a name of the time zone database, such as UTC or Europe/Paris (see pg_timezone_names).';
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.schedules_timezone_check() IS
'BEFORE INSERT OR UPDATE OF timezone trigger of schedules: when the time zone is new or changed, it must be a time zone name (fenta.is_valid_timezone), else 23514 naming schedules_timezone_valid. Replaces the CHECK of 0.1.0-0.4.0, which scanned pg_timezone_names for every row written.';
REVOKE ALL ON FUNCTION fenta.schedules_timezone_check() FROM PUBLIC, anon, authenticated, service_role;
ALTER TABLE public.schedules DROP CONSTRAINT IF EXISTS schedules_timezone_valid;
DROP TRIGGER IF EXISTS schedules_timezone_check ON public.schedules;
CREATE TRIGGER schedules_timezone_check BEFORE INSERT OR UPDATE OF timezone ON public.schedules
	FOR EACH ROW EXECUTE FUNCTION fenta.schedules_timezone_check();

--
-- 3. Webhook URLs: only public https endpoints.
--
CREATE FUNCTION fenta.webhook_url_is_safe(url text)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
	m text[];
	host text;
	port text;
	addr inet;
	last_label text;
BEGIN
	IF url IS NULL THEN
		RETURN NULL;
	END IF;
	-- https://authority[/path][?query][#fragment]; no whitespace, no
	-- backslash (browsers and some clients read it as '/')
	m := pg_catalog.regexp_match(url, '^https://([^/?#]*)([/?#][^\s\\]*)?$');
	IF m IS NULL OR m[1] ~ '[\s\\@%]' THEN
		-- '@': userinfo (credentials, or a host hidden behind one);
		-- '%': percent-encoded host
		RETURN false;
	END IF;
	IF pg_catalog.left(m[1], 1) = '[' THEN
		m := pg_catalog.regexp_match(m[1], '^\[([0-9A-Fa-f:.]+)\](?::([0-9]{1,5}))?$');
		IF m IS NULL THEN
			RETURN false;
		END IF;
		host := m[1];
		port := m[2];
	ELSE
		m := pg_catalog.regexp_match(pg_catalog.lower(m[1]), '^([a-z0-9.-]+)(?::([0-9]{1,5}))?$');
		IF m IS NULL THEN
			RETURN false;
		END IF;
		host := pg_catalog.rtrim(m[1], '.');
		port := m[2];
	END IF;
	-- the default port, or an unprivileged one (not ssh, smtp, http, ...)
	IF port IS NOT NULL AND port::integer <> 443 AND port::integer NOT BETWEEN 1024 AND 65535 THEN
		RETURN false;
	END IF;

	IF host ~ ':' THEN
		-- IPv6 literal: global unicast (2000::/3) only, minus ranges that
		-- embed or reach IPv4 or are reserved
		BEGIN
			addr := host::inet;
		EXCEPTION WHEN OTHERS THEN
			RETURN false;
		END;
		IF pg_catalog.family(addr) <> 6 OR NOT addr <<= '2000::/3'::inet THEN
			RETURN false;
		END IF;
		RETURN NOT (addr <<= '2001::/32'::inet		-- Teredo
					OR addr <<= '2001:db8::/32'::inet	-- documentation
					OR addr <<= '2001:10::/28'::inet	-- ORCHID
					OR addr <<= '2001:20::/28'::inet	-- ORCHIDv2
					OR addr <<= '2002::/16'::inet);		-- 6to4
	END IF;

	IF host = '' OR host ~ '\.\.' OR pg_catalog.left(host, 1) IN ('.', '-') THEN
		RETURN false;
	END IF;
	last_label := pg_catalog.regexp_replace(host, '^.*\.', '');
	IF last_label ~ '^[0-9]+$' OR last_label ~ '^0x' THEN
		-- an IPv4 address: only the canonical dotted quad (no 2130706433,
		-- 0x7f.1, 0177.0.0.1, 127.1), and only a public one
		IF host !~ '^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$' THEN
			RETURN false;
		END IF;
		addr := host::inet;
		RETURN NOT (addr <<= '0.0.0.0/8'::inet			-- "this network"
					OR addr <<= '10.0.0.0/8'::inet		-- private
					OR addr <<= '100.64.0.0/10'::inet	-- carrier-grade NAT (Alibaba metadata)
					OR addr <<= '127.0.0.0/8'::inet		-- loopback
					OR addr <<= '169.254.0.0/16'::inet	-- link-local, cloud metadata
					OR addr <<= '172.16.0.0/12'::inet	-- private
					OR addr <<= '192.0.0.0/24'::inet	-- IETF protocol assignments
					OR addr <<= '192.0.2.0/24'::inet	-- documentation
					OR addr <<= '192.88.99.0/24'::inet	-- 6to4 relay
					OR addr <<= '192.168.0.0/16'::inet	-- private
					OR addr <<= '198.18.0.0/15'::inet	-- benchmarking
					OR addr <<= '198.51.100.0/24'::inet	-- documentation
					OR addr <<= '203.0.113.0/24'::inet	-- documentation
					OR addr <<= '224.0.0.0/4'::inet		-- multicast
					OR addr <<= '240.0.0.0/4'::inet		-- reserved, broadcast
					OR addr = '168.63.129.16'::inet);	-- Azure host services
	END IF;

	-- a DNS name: at least two labels (a single label resolves through the
	-- search domains of the delivery host), none of the internal names
	RETURN host ~ '\.'
		AND host !~ '(^|\.)(localhost|local|localdomain|internal|intranet|lan|home|corp|private|home\.arpa|in-addr\.arpa|ip6\.arpa|onion|test|invalid|example)$'
		AND host NOT IN ('metadata.google.internal', 'metadata.goog', 'instance-data.ec2.internal',
						 'metadata.azure.com', 'metadata.oraclecloud.com', 'kubernetes.default.svc');
END
$$;
COMMENT ON FUNCTION fenta.webhook_url_is_safe(text) IS
'True when url is a webhook endpoint that does not point into the platform''s own network: https only; no userinfo (user:pass@), no percent-encoded or backslashed host; port 443 (default) or 1024-65535; no loopback, private, link-local, CGNAT, multicast, reserved or documentation IPv4; IPv4 only as a canonical dotted quad (decimal, octal and hex forms such as 2130706433 or 0x7f.1 are refused); IPv6 literals only in global unicast 2000::/3 (minus Teredo, 6to4, ORCHID, documentation); names need a dot and may not be localhost, *.local, *.internal, *.localdomain, *.home.arpa, ... or a cloud metadata host. A name that resolves to a private address (DNS rebinding) cannot be refused here: the delivery worker must check the address it connects to. NULL for NULL.';
REVOKE ALL ON FUNCTION fenta.webhook_url_is_safe(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.webhook_url_is_safe(text) TO authenticated, service_role;

ALTER TABLE public.webhooks DROP CONSTRAINT IF EXISTS webhooks_url_safe;
ALTER TABLE public.webhooks ADD CONSTRAINT webhooks_url_safe CHECK (fenta.webhook_url_is_safe(url)) NOT VALID;
COMMENT ON COLUMN public.webhooks.url IS 'Endpoint URL: https://host[:port][/path], a public host (fenta.webhook_url_is_safe: no loopback, private, link-local or metadata address, no credentials, port 443 or 1024-65535).';

--
-- 4. Per-org caps on queued jobs and schedules, under a per-org lock.
--

-- The workers' queue: each org's queued jobs in order (claim_jobs, the caps).
CREATE INDEX IF NOT EXISTS idx_jobs_queued_org ON public.jobs (org_id, queued_at, id)
	WHERE status = 'queued' AND deleted_at IS NULL;

CREATE FUNCTION fenta.org_cap_check()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	cap_name text := TG_ARGV[0];
	cap integer;
	n integer;
BEGIN
	IF TG_TABLE_NAME = 'jobs' THEN
		IF NEW.status <> 'queued' OR NEW.deleted_at IS NOT NULL
			OR (TG_OP = 'UPDATE' AND OLD.status = 'queued' AND OLD.deleted_at IS NULL
				AND OLD.org_id = NEW.org_id) THEN
			RETURN NEW;
		END IF;
	ELSIF TG_OP = 'UPDATE' AND OLD.org_id = NEW.org_id THEN
		RETURN NEW;
	END IF;
	-- operators (superusers) are not capped: restores, migrations, tests
	IF pg_catalog.current_setting('role') = 'none'
		AND (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = SESSION_USER) THEN
		RETURN NEW;
	END IF;
	cap := fenta.tenant_limit(cap_name);
	-- one writer per org and cap at a time: the count below sees the rows
	-- the previous holder committed (READ COMMITTED takes a new snapshot)
	PERFORM pg_catalog.pg_advisory_xact_lock(
		pg_catalog.hashtextextended('fenta.' || cap_name || ':' || NEW.org_id::text, 0));
	IF TG_TABLE_NAME = 'jobs' THEN
		SELECT count(*) INTO n FROM (
			SELECT FROM public.jobs j
			WHERE j.org_id = NEW.org_id AND j.status = 'queued' AND j.deleted_at IS NULL
			LIMIT cap) q;
	ELSE
		SELECT count(*) INTO n FROM (
			SELECT FROM public.schedules s WHERE s.org_id = NEW.org_id LIMIT cap) q;
	END IF;
	IF n >= cap THEN
		RAISE EXCEPTION 'org % has reached its cap of % %', NEW.org_id, cap,
				CASE TG_TABLE_NAME WHEN 'jobs' THEN 'queued jobs' ELSE 'schedules' END
			USING ERRCODE = 'program_limit_exceeded', SCHEMA = 'public', TABLE = TG_TABLE_NAME,
				DETAIL = pg_catalog.format('tenant limit %s = %s', cap_name, cap),
				HINT = CASE TG_TABLE_NAME
					WHEN 'jobs' THEN 'Wait for queued jobs to start, or cancel some; the operator may raise max_queued_jobs_per_org in fenta.tenant_limits.'
					ELSE 'Delete unused schedules; the operator may raise max_schedules_per_org in fenta.tenant_limits.' END;
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.org_cap_check() IS
'BEFORE INSERT/UPDATE trigger of jobs (argument max_queued_jobs_per_org: a job becoming queued) and schedules (max_schedules_per_org): under a per-org advisory transaction lock, refuses the row with 54000 when the org already holds fenta.tenant_limit(cap) such rows. Applies to every API role, service_role included; a superuser session that has not SET ROLE is not capped.';
REVOKE ALL ON FUNCTION fenta.org_cap_check() FROM PUBLIC, anon, authenticated, service_role;

DROP TRIGGER IF EXISTS jobs_queued_cap ON public.jobs;
CREATE TRIGGER jobs_queued_cap BEFORE INSERT OR UPDATE OF status, deleted_at, org_id ON public.jobs
	FOR EACH ROW EXECUTE FUNCTION fenta.org_cap_check('max_queued_jobs_per_org');
DROP TRIGGER IF EXISTS schedules_cap ON public.schedules;
CREATE TRIGGER schedules_cap BEFORE INSERT OR UPDATE OF org_id ON public.schedules
	FOR EACH ROW EXECUTE FUNCTION fenta.org_cap_check('max_schedules_per_org');

-- The workers take jobs round-robin across orgs: each org's oldest first,
-- orgs interleaved by their oldest job, so an org with 5,000 queued jobs
-- delays another org's job by at most one job per round.
CREATE FUNCTION fenta.claim_jobs(n integer, worker text DEFAULT NULL)
RETURNS SETOF public.jobs
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	c record;
	claimed public.jobs;
	got integer := 0;
BEGIN
	IF n IS NULL OR n < 1 THEN
		RETURN;
	END IF;
	FOR c IN
		-- the orgs with queued jobs: a skip scan of idx_jobs_queued_org (its
		-- order, org_id then queued_at, keeps the planner on it)
		WITH RECURSIVE orgs (org_id) AS (
			(SELECT j.org_id FROM public.jobs j
			 WHERE j.status = 'queued' AND j.deleted_at IS NULL
			 ORDER BY j.org_id, j.queued_at LIMIT 1)
			UNION ALL
			SELECT (SELECT j.org_id FROM public.jobs j
					WHERE j.status = 'queued' AND j.deleted_at IS NULL AND j.org_id > o.org_id
					ORDER BY j.org_id, j.queued_at LIMIT 1)
			FROM orgs o WHERE o.org_id IS NOT NULL
		),
		-- the orgs whose oldest queued job is oldest: the first n claims come
		-- from them; a margin for the jobs other workers hold locked
		heads AS (
			SELECT o.org_id, h.queued_at
			FROM orgs o
				CROSS JOIN LATERAL (
					SELECT j.queued_at FROM public.jobs j
					WHERE j.org_id = o.org_id AND j.status = 'queued' AND j.deleted_at IS NULL
					ORDER BY j.queued_at, j.id
					LIMIT 1) h
			WHERE o.org_id IS NOT NULL
			ORDER BY h.queued_at, o.org_id
			LIMIT claim_jobs.n + 16
		)
		SELECT q.id
		FROM heads o
			CROSS JOIN LATERAL (
				SELECT j.id, j.queued_at,
					pg_catalog.row_number() OVER (ORDER BY j.queued_at, j.id) AS rank
				FROM public.jobs j
				WHERE j.org_id = o.org_id AND j.status = 'queued' AND j.deleted_at IS NULL
				ORDER BY j.queued_at, j.id
				LIMIT claim_jobs.n + 16) q
		ORDER BY q.rank, q.queued_at, q.id
	LOOP
		UPDATE public.jobs j SET status = 'processing', started_at = pg_catalog.now()
		WHERE j.id = (SELECT k.id FROM public.jobs k
					  WHERE k.id = c.id AND k.status = 'queued' AND k.deleted_at IS NULL
					  FOR UPDATE SKIP LOCKED)
		RETURNING j.* INTO claimed;
		IF FOUND THEN
			RETURN NEXT claimed;
			got := got + 1;
			EXIT WHEN got >= claim_jobs.n;
		END IF;
	END LOOP;
	RETURN;
END
$$;
COMMENT ON FUNCTION fenta.claim_jobs(integer, text) IS
'Workers (service_role): claims up to n queued jobs, round-robin across orgs (the oldest queued job of every org, then the second of every org, ...; ties by queued_at), skipping jobs another worker has locked (FOR UPDATE SKIP LOCKED); sets status = processing and started_at = now() and returns the claimed jobs in claim order. Reads one index entry per org with queued jobs (a skip scan of idx_jobs_queued_org), then at most n + 16 jobs of each of the n + 16 orgs with the oldest queued jobs, however many an org has queued. worker is a label for the caller''s logs (not stored).';
REVOKE ALL ON FUNCTION fenta.claim_jobs(integer, text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.claim_jobs(integer, text) TO service_role;

--
-- 5. The anon gallery: public, live templates of live orgs, gallery columns
-- only (no org_id, project_id, spec, usage_count, updated_at).
-- 70_policies.sql revokes everything from anon; this file gives it these
-- columns and one policy (templates.org_deleted_at: 61_template_gallery.sql).
--
-- is_public, deleted_at and org_deleted_at are always true, NULL and NULL in
-- what anon sees; the gallery view (security_invoker) filters on them
GRANT SELECT (id, name, description, aspect, resolution, thumbnail_url, created_at, is_public, deleted_at,
			  org_deleted_at)
	ON public.templates TO anon;
DROP POLICY IF EXISTS templates_select_public_anon ON public.templates;
CREATE POLICY templates_select_public_anon ON public.templates FOR SELECT TO anon
	USING (is_public AND deleted_at IS NULL AND org_deleted_at IS NULL);

CREATE INDEX IF NOT EXISTS idx_templates_gallery ON public.templates (created_at DESC)
	WHERE is_public AND deleted_at IS NULL AND org_deleted_at IS NULL;

CREATE OR REPLACE VIEW public.template_gallery WITH (security_invoker = true) AS
	SELECT t.id, t.name, t.description, t.aspect, t.resolution, t.thumbnail_url, t.created_at
	FROM public.templates t
	WHERE t.is_public AND t.deleted_at IS NULL AND t.org_deleted_at IS NULL;
COMMENT ON VIEW public.template_gallery IS 'The public template gallery: public, not deleted templates of live orgs, gallery columns only (security_invoker: anon reads it through templates_select_public_anon and its column grants).';
COMMENT ON COLUMN public.template_gallery.id IS 'Template id (templates.id).';
COMMENT ON COLUMN public.template_gallery.name IS 'Template name.';
COMMENT ON COLUMN public.template_gallery.description IS 'Template description.';
COMMENT ON COLUMN public.template_gallery.aspect IS 'Aspect ratio: 9:16, 16:9 or 1:1.';
COMMENT ON COLUMN public.template_gallery.resolution IS 'Output resolution (WIDTHxHEIGHT), if set.';
COMMENT ON COLUMN public.template_gallery.thumbnail_url IS 'Preview image URL, if set.';
COMMENT ON COLUMN public.template_gallery.created_at IS 'When the template was created.';
REVOKE ALL ON public.template_gallery FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.template_gallery TO anon, authenticated, service_role;

--
-- Validate the constraints added NOT VALID above where the rows allow it.
--
DO $$
DECLARE
	c record;
BEGIN
	FOR c IN
		SELECT con.conrelid::pg_catalog.regclass AS tbl, con.conname
		FROM pg_catalog.pg_constraint con
		WHERE NOT con.convalidated AND con.contype = 'c'
			AND con.connamespace = 'public'::pg_catalog.regnamespace
			AND (con.conname ~ '_size$' OR con.conname IN ('schedules_cron_format', 'webhooks_url_safe'))
		ORDER BY 1, 2
	LOOP
		BEGIN
			EXECUTE pg_catalog.format('ALTER TABLE %s VALIDATE CONSTRAINT %I', c.tbl, c.conname);
		EXCEPTION WHEN check_violation THEN
			RAISE WARNING 'fenta: rows of % break the new constraint %; it stays NOT VALID (new and updated rows are checked)', c.tbl, c.conname
				USING HINT = pg_catalog.format('Fix the rows, then ALTER TABLE %s VALIDATE CONSTRAINT %I.', c.tbl, c.conname);
		END;
	END LOOP;
END
$$;

-- Signup never fails on the size limits: an identity provider's long name is
-- cut, an over-long avatar URL left out.
CREATE OR REPLACE FUNCTION fenta.handle_new_user()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	meta jsonb := coalesce(NEW.raw_user_meta_data, '{}');
BEGIN
	INSERT INTO public.profiles (id, name, avatar_url)
	VALUES (NEW.id,
			-- within profiles_name_size (512 bytes: 128 characters always fit)
			pg_catalog.left(coalesce(nullif(pg_catalog.btrim(meta ->> 'full_name'), ''),
									 nullif(pg_catalog.btrim(meta ->> 'name'), ''),
									 nullif(pg_catalog.split_part(NEW.email, '@', 1), '')), 128),
			-- an avatar URL over profiles_avatar_url_size is left out
			CASE WHEN meta ->> 'avatar_url' ~ '^https?://'
				AND pg_catalog.octet_length(meta ->> 'avatar_url') <= 2048 THEN meta ->> 'avatar_url' END)
	ON CONFLICT (id) DO NOTHING;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.handle_new_user() IS
'AFTER INSERT trigger on auth.users: creates the user''s profile, name and avatar taken from raw_user_meta_data (full_name or name, avatar_url), else the e-mail''s local part; the name is cut to 128 characters and an avatar URL over 2 kB left out (the profiles size limits).';
-- ===========================================================================
-- Public ids of org_invitations (0.5.0): prefix invite_.
-- ===========================================================================

CREATE OR REPLACE FUNCTION fenta.typeid_prefix_of(entity regclass)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE entity
    WHEN 'public.profiles'::regclass            THEN 'user'
    WHEN 'public.orgs'::regclass                THEN 'org'
    WHEN 'public.org_members'::regclass         THEN 'mem'
    WHEN 'public.api_keys'::regclass            THEN 'key'
    WHEN 'public.projects'::regclass            THEN 'proj'
    WHEN 'public.templates'::regclass           THEN 'tmpl'
    WHEN 'public.workflows'::regclass           THEN 'wf'
    WHEN 'public.workflow_versions'::regclass   THEN 'wfv'
    WHEN 'public.assets'::regclass              THEN 'asset'
    WHEN 'public.asset_versions'::regclass      THEN 'assetv'
    WHEN 'public.jobs'::regclass                THEN 'job'
    WHEN 'public.job_logs'::regclass            THEN 'log'
    WHEN 'public.renders'::regclass             THEN 'render'
    WHEN 'public.schedules'::regclass           THEN 'sched'
    WHEN 'public.webhooks'::regclass            THEN 'hook'
    WHEN 'public.webhook_deliveries'::regclass  THEN 'hookdel'
    WHEN 'public.usage_records'::regclass       THEN 'usage'
    WHEN 'public.quota_limits'::regclass        THEN 'quota'
    WHEN 'public.invoices'::regclass            THEN 'inv'
    WHEN 'public.credit_packs'::regclass        THEN 'pack'
    WHEN 'public.integrations'::regclass        THEN 'integ'
    WHEN 'public.kai_generations'::regclass     THEN 'kaigen'
    WHEN 'public.org_invitations'::regclass     THEN 'invite'
END;

CREATE FUNCTION public.public_id(t public.org_invitations)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('invite', $1.id) $$;

COMMENT ON FUNCTION public.public_id(public.org_invitations) IS
'Public id of a row of org_invitations: its id as a TypeID with prefix invite_ (invite_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';
REVOKE ALL ON FUNCTION public.public_id(public.org_invitations) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.public_id(public.org_invitations) TO authenticated, service_role;
COMMENT ON TABLE public.org_invitations IS 'Invitations to join an org with a role: created by an admin (public.create_invitation), accepted or declined by the invitee with the token (public.accept_invitation, public.decline_invitation), revoked by an admin, or expired. Only the SHA-256 of the token is stored. Text id prefix: invite_.';
-- ===========================================================================
-- Function privileges (0.5.0): PostgreSQL lets PUBLIC execute every new
-- function; fenta's are revoked from PUBLIC and anon here (after 75/76, which
-- create the public_id functions) and granted to the roles that need them.
-- test/sql/tenancy_membership.sql audits pg_proc for what anon may execute.
-- ===========================================================================

--
-- What anon may execute: only what the public template gallery needs
-- (public_id of a template and the TypeID helpers it and uuid_from_public_id
-- use).  Everything else of fenta's, which PostgreSQL grants to PUBLIC by
-- default, is revoked from PUBLIC and granted to the roles that need it
-- (column defaults, CHECKs, policies and triggers run as the requesting role).
-- Trigger functions need no EXECUTE to fire.
--
REVOKE ALL ON FUNCTION fenta.uuid_generate_v7() FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.uuid_generate_v7() TO authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.uuid_v7_timestamp(uuid) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.uuid_v7_timestamp(uuid) TO authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.typeid_prefix(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.typeid_prefix(text) TO authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.plan_defaults() FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.plan_defaults() TO service_role;
REVOKE ALL ON FUNCTION fenta.bypasses_rls() FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.bypasses_rls() TO authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.is_valid_timezone(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.is_valid_timezone(text) TO authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.org_ids(public.member_role) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.org_ids(public.member_role) TO authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.has_org_role(uuid, public.member_role) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.has_org_role(uuid, public.member_role) TO authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.update_updated_at() FROM PUBLIC, anon, authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.require_org_role() FROM PUBLIC, anon, authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.org_members_guard() FROM PUBLIC, anon, authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.handle_new_user() FROM PUBLIC, anon, authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.handle_new_org() FROM PUBLIC, anon, authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.jobs_update_guard() FROM PUBLIC, anon, authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.orgs_lifecycle_guard() FROM PUBLIC, anon, authenticated, service_role;
DO $revoke$
DECLARE
	t text;
BEGIN
	-- the public_id computed field of every table but templates (the gallery's)
	FOREACH t IN ARRAY ARRAY['profiles', 'orgs', 'org_members', 'api_keys', 'projects',
		'workflows', 'workflow_versions', 'assets', 'asset_versions', 'jobs', 'job_logs',
		'renders', 'schedules', 'webhooks', 'webhook_deliveries', 'usage_records',
		'quota_limits', 'invoices', 'credit_packs', 'integrations', 'kai_generations'] LOOP
		EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION public.public_id(public.%I) FROM PUBLIC, anon', t);
		EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION public.public_id(public.%I) TO authenticated, service_role', t);
	END LOOP;
END
$revoke$;
-- Last step of the update to 0.5.0 (generated by test/tools/guard_registry.sh:
-- do not edit): the drop guard's registry lists what fenta has made
-- (95_drop_guard.sql).  The database may hold objects of a customer's own on
-- fenta's tables: only what a fresh 0.5.0 install has (this list: type and
-- identity) is taken for fenta's; the rest is listed in
-- fenta.customer_objects and survives restores.
SELECT fenta.guard_register(ARRAY[
	'default value for fenta.quota_counters.render_seconds',
	'default value for fenta.quota_counters.storage_bytes',
	'default value for fenta.quota_counters.tokens',
	'default value for fenta.quota_reservations.created_at',
	'default value for fenta.quota_reservations.id',
	'default value for fenta.usage_idempotency.created_at',
	'default value for fenta.usage_idempotency_retention.batch_size',
	'default value for fenta.usage_idempotency_retention.keep_for',
	'default value for fenta.usage_idempotency_retention.singleton',
	'default value for public.api_keys.created_at',
	'default value for public.api_keys.id',
	'default value for public.api_keys.scopes',
	'default value for public.api_keys.updated_at',
	'default value for public.api_keys.user_id',
	'default value for public.asset_versions.created_at',
	'default value for public.asset_versions.created_by',
	'default value for public.asset_versions.id',
	'default value for public.asset_versions.metadata',
	'default value for public.asset_versions.updated_at',
	'default value for public.assets.created_at',
	'default value for public.assets.id',
	'default value for public.assets.metadata',
	'default value for public.assets.source',
	'default value for public.assets.status',
	'default value for public.assets.updated_at',
	'default value for public.credit_packs.created_at',
	'default value for public.credit_packs.id',
	'default value for public.credit_packs.price_usd',
	'default value for public.credit_packs.updated_at',
	'default value for public.integrations.config',
	'default value for public.integrations.created_at',
	'default value for public.integrations.credentials',
	'default value for public.integrations.id',
	'default value for public.integrations.status',
	'default value for public.integrations.updated_at',
	'default value for public.invoices.amount_usd',
	'default value for public.invoices.created_at',
	'default value for public.invoices.currency',
	'default value for public.invoices.id',
	'default value for public.invoices.line_items',
	'default value for public.invoices.status',
	'default value for public.invoices.updated_at',
	'default value for public.job_logs.created_at',
	'default value for public.job_logs.id',
	'default value for public.job_logs.level',
	'default value for public.job_logs.updated_at',
	'default value for public.jobs.config',
	'default value for public.jobs.cost_kai_credits',
	'default value for public.jobs.cost_render_seconds',
	'default value for public.jobs.cost_tokens',
	'default value for public.jobs.cost_total_usd',
	'default value for public.jobs.created_at',
	'default value for public.jobs.created_by',
	'default value for public.jobs.id',
	'default value for public.jobs.progress',
	'default value for public.jobs.queued_at',
	'default value for public.jobs.retry_count',
	'default value for public.jobs.status',
	'default value for public.jobs.updated_at',
	'default value for public.kai_generations.created_at',
	'default value for public.kai_generations.id',
	'default value for public.kai_generations.params',
	'default value for public.kai_generations.result_asset_ids',
	'default value for public.kai_generations.status',
	'default value for public.kai_generations.updated_at',
	'default value for public.org_invitations.created_at',
	'default value for public.org_invitations.expires_at',
	'default value for public.org_invitations.id',
	'default value for public.org_invitations.invited_by',
	'default value for public.org_invitations.role',
	'default value for public.org_invitations.updated_at',
	'default value for public.org_members.created_at',
	'default value for public.org_members.id',
	'default value for public.org_members.role',
	'default value for public.org_members.updated_at',
	'default value for public.orgs.created_at',
	'default value for public.orgs.id',
	'default value for public.orgs.owner_id',
	'default value for public.orgs.plan',
	'default value for public.orgs.settings',
	'default value for public.orgs.updated_at',
	'default value for public.profiles.created_at',
	'default value for public.profiles.metadata',
	'default value for public.profiles.role',
	'default value for public.profiles.status',
	'default value for public.profiles.updated_at',
	'default value for public.projects.created_at',
	'default value for public.projects.id',
	'default value for public.projects.settings',
	'default value for public.projects.updated_at',
	'default value for public.quota_limits.allow_overage',
	'default value for public.quota_limits.created_at',
	'default value for public.quota_limits.id',
	'default value for public.quota_limits.kai_credits_from_packs',
	'default value for public.quota_limits.kai_credits_used',
	'default value for public.quota_limits.overage_cap_usd',
	'default value for public.quota_limits.price_per_1k_tokens_usd',
	'default value for public.quota_limits.price_per_kai_credit_usd',
	'default value for public.quota_limits.price_per_render_second_usd',
	'default value for public.quota_limits.render_seconds_used',
	'default value for public.quota_limits.reserved_kai_credits',
	'default value for public.quota_limits.reserved_render_seconds',
	'default value for public.quota_limits.reserved_tokens',
	'default value for public.quota_limits.reset_at',
	'default value for public.quota_limits.storage_bytes_used',
	'default value for public.quota_limits.tokens_used',
	'default value for public.quota_limits.updated_at',
	'default value for public.renders.created_at',
	'default value for public.renders.id',
	'default value for public.renders.updated_at',
	'default value for public.schedules.created_at',
	'default value for public.schedules.enabled',
	'default value for public.schedules.id',
	'default value for public.schedules.run_count',
	'default value for public.schedules.timezone',
	'default value for public.schedules.updated_at',
	'default value for public.templates.aspect',
	'default value for public.templates.created_at',
	'default value for public.templates.id',
	'default value for public.templates.is_public',
	'default value for public.templates.spec',
	'default value for public.templates.updated_at',
	'default value for public.templates.usage_count',
	'default value for public.usage_daily.cost_usd',
	'default value for public.usage_daily.events',
	'default value for public.usage_daily.kai_credits',
	'default value for public.usage_daily.llm_tokens_output',
	'default value for public.usage_daily.llm_tokens_prompt',
	'default value for public.usage_daily.render_seconds',
	'default value for public.usage_daily.storage_bytes',
	'default value for public.usage_daily.tokens',
	'default value for public.usage_daily.updated_at',
	'default value for public.usage_records.cost_usd',
	'default value for public.usage_records.created_at',
	'default value for public.usage_records.id',
	'default value for public.usage_records.kai_credits',
	'default value for public.usage_records.llm_tokens_output',
	'default value for public.usage_records.llm_tokens_prompt',
	'default value for public.usage_records.metadata',
	'default value for public.usage_records.render_seconds',
	'default value for public.usage_records.storage_bytes',
	'default value for public.usage_records.updated_at',
	'default value for public.usage_records_default.cost_usd',
	'default value for public.usage_records_default.created_at',
	'default value for public.usage_records_default.id',
	'default value for public.usage_records_default.kai_credits',
	'default value for public.usage_records_default.llm_tokens_output',
	'default value for public.usage_records_default.llm_tokens_prompt',
	'default value for public.usage_records_default.metadata',
	'default value for public.usage_records_default.render_seconds',
	'default value for public.usage_records_default.storage_bytes',
	'default value for public.usage_records_default.updated_at',
	'default value for public.webhook_deliveries.attempts',
	'default value for public.webhook_deliveries.created_at',
	'default value for public.webhook_deliveries.id',
	'default value for public.webhook_deliveries.payload',
	'default value for public.webhook_deliveries.status',
	'default value for public.webhook_deliveries.updated_at',
	'default value for public.webhooks.created_at',
	'default value for public.webhooks.enabled',
	'default value for public.webhooks.id',
	'default value for public.webhooks.secret',
	'default value for public.webhooks.updated_at',
	'default value for public.workflow_versions.created_at',
	'default value for public.workflow_versions.created_by',
	'default value for public.workflow_versions.graph',
	'default value for public.workflow_versions.id',
	'default value for public.workflow_versions.updated_at',
	'default value for public.workflow_versions.variables',
	'default value for public.workflows.created_at',
	'default value for public.workflows.graph',
	'default value for public.workflows.id',
	'default value for public.workflows.run_count',
	'default value for public.workflows.status',
	'default value for public.workflows.updated_at',
	'default value for public.workflows.variables',
	'event trigger fenta_customer_objects',
	'event trigger fenta_customer_objects_dropped',
	'event trigger fenta_guard_ddl_start',
	'event trigger fenta_guard_sql_drop',
	'event trigger fenta_secure_usage_months',
	'function fenta.api_key_scope_role(pg_catalog.text)',
	'function fenta.api_keys_guard()',
	'function fenta.apply_free_tier(pg_catalog.uuid)',
	'function fenta.apply_plan(pg_catalog.uuid)',
	'function fenta.apply_quota_resets()',
	'function fenta.apply_quota_resets_batch(integer)',
	'function fenta.bypasses_rls()',
	'function fenta.caller_org_role(pg_catalog.uuid)',
	'function fenta.claim_jobs(integer,pg_catalog.text)',
	'function fenta.claim_org_slot()',
	'function fenta.copy_org_deleted_at()',
	'function fenta.cron_field_is_valid(pg_catalog.text,integer,integer,pg_catalog.text[])',
	'function fenta.cron_is_valid(pg_catalog.text)',
	'function fenta.customer_object_definitions()',
	'function fenta.customer_objects_ddl_end()',
	'function fenta.customer_objects_refresh()',
	'function fenta.customer_objects_replay()',
	'function fenta.customer_objects_sql_drop()',
	'function fenta.daily_usage_lock(boolean)',
	'function fenta.drain_daily_usage()',
	'function fenta.drop_allowed()',
	'function fenta.guard_ddl_start()',
	'function fenta.guard_register(pg_catalog.text[])',
	'function fenta.guard_sql_drop()',
	'function fenta.handle_new_org()',
	'function fenta.handle_new_user()',
	'function fenta.has_org_role(pg_catalog.uuid,public.member_role)',
	'function fenta.is_active_user()',
	'function fenta.is_valid_timezone(pg_catalog.text)',
	'function fenta.jobs_update_guard()',
	'function fenta.lock_org_owners(pg_catalog.uuid,pg_catalog.uuid)',
	'function fenta.maintain_partitions(integer,integer,boolean,boolean,timestamp with time zone)',
	'function fenta.maintenance_job_name()',
	'function fenta.maintenance_plan(integer,integer,boolean,timestamp with time zone)',
	'function fenta.maintenance_session_lock(boolean)',
	'function fenta.maintenance_step(pg_catalog.text,pg_catalog.text)',
	'function fenta.member_org_ids(public.member_role)',
	'function fenta.new_secret(pg_catalog.text)',
	'function fenta.org_cap_check()',
	'function fenta.org_ids(public.member_role)',
	'function fenta.org_invitations_guard()',
	'function fenta.org_keeps_owner(pg_catalog.uuid,pg_catalog.uuid)',
	'function fenta.org_members_guard()',
	'function fenta.orgs_apply_plan()',
	'function fenta.orgs_cap()',
	'function fenta.orgs_free_tier()',
	'function fenta.orgs_lifecycle_guard()',
	'function fenta.owned_deleted_org_ids()',
	'function fenta.pending_invitation(pg_catalog.text)',
	'function fenta.plan_defaults()',
	'function fenta.prune_usage_idempotency(integer)',
	'function fenta.quota_limits_org_deleted_at()',
	'function fenta.quota_usage(pg_catalog.uuid)',
	'function fenta.rebuild_daily_usage(pg_catalog.date)',
	'function fenta.refresh_daily_usage(boolean)',
	'function fenta.release_expired_reservations(pg_catalog.uuid)',
	'function fenta.release_quota(pg_catalog.uuid)',
	'function fenta.require_org_role()',
	'function fenta.reserve_quota(pg_catalog.uuid,bigint,bigint,bigint,interval)',
	'function fenta.reset_org_quota(pg_catalog.uuid,timestamp with time zone,bigint)',
	'function fenta.rollup_quota_counters()',
	'function fenta.schedule_maintenance(pg_catalog.text,integer,integer)',
	'function fenta.schedules_timezone_check()',
	'function fenta.secret_hash(pg_catalog.text)',
	'function fenta.secure_usage_months()',
	'function fenta.secure_usage_months_trigger()',
	'function fenta.templates_org_deleted_at()',
	'function fenta.tenant_limit(pg_catalog.text)',
	'function fenta.typeid_decode(pg_catalog.text,pg_catalog.text)',
	'function fenta.typeid_encode(pg_catalog.text,pg_catalog.uuid)',
	'function fenta.typeid_prefix(pg_catalog.text)',
	'function fenta.typeid_prefix_of(pg_catalog.regclass)',
	'function fenta.unschedule_maintenance()',
	'function fenta.update_quota_usage()',
	'function fenta.update_updated_at()',
	'function fenta.usage_daily_capture()',
	'function fenta.usage_idempotency_guard()',
	'function fenta.usage_months_misprivileged()',
	'function fenta.usage_records_append_only()',
	'function fenta.uuid_generate_v7()',
	'function fenta.uuid_v7_timestamp(pg_catalog.uuid)',
	'function fenta.verify_api_key(pg_catalog.text)',
	'function fenta.webhook_url_is_safe(pg_catalog.text)',
	'function public.accept_invitation(pg_catalog.text)',
	'function public.check_quota(pg_catalog.uuid,bigint,bigint,bigint)',
	'function public.create_api_key(pg_catalog.uuid,pg_catalog.text,pg_catalog.jsonb,timestamp with time zone)',
	'function public.create_invitation(pg_catalog.uuid,public.member_role,pg_catalog.text)',
	'function public.daily_usage(pg_catalog.uuid,pg_catalog.date,pg_catalog.date)',
	'function public.decline_invitation(pg_catalog.text)',
	'function public.public_id(public.api_keys)',
	'function public.public_id(public.asset_versions)',
	'function public.public_id(public.assets)',
	'function public.public_id(public.credit_packs)',
	'function public.public_id(public.integrations)',
	'function public.public_id(public.invoices)',
	'function public.public_id(public.job_logs)',
	'function public.public_id(public.jobs)',
	'function public.public_id(public.kai_generations)',
	'function public.public_id(public.org_invitations)',
	'function public.public_id(public.org_members)',
	'function public.public_id(public.orgs)',
	'function public.public_id(public.profiles)',
	'function public.public_id(public.projects)',
	'function public.public_id(public.quota_limits)',
	'function public.public_id(public.renders)',
	'function public.public_id(public.schedules)',
	'function public.public_id(public.templates)',
	'function public.public_id(public.usage_records)',
	'function public.public_id(public.webhook_deliveries)',
	'function public.public_id(public.webhooks)',
	'function public.public_id(public.workflow_versions)',
	'function public.public_id(public.workflows)',
	'function public.quota_status(pg_catalog.uuid,bigint,bigint,bigint)',
	'function public.uuid_from_public_id(pg_catalog.text,pg_catalog.regclass)',
	'index fenta.customer_objects_pkey',
	'index fenta.guarded_objects_pkey',
	'index fenta.idx_quota_reservations_expires_at',
	'index fenta.idx_quota_reservations_org_id',
	'index fenta.idx_usage_idempotency_created_at',
	'index fenta.plan_overrides_pkey',
	'index fenta.quota_counters_pkey',
	'index fenta.quota_reservations_pkey',
	'index fenta.tenant_limits_pkey',
	'index fenta.usage_idempotency_pkey',
	'index fenta.usage_idempotency_retention_pkey',
	'index public.api_keys_key_hash_key',
	'index public.api_keys_pkey',
	'index public.asset_versions_asset_id_version_key',
	'index public.asset_versions_pkey',
	'index public.assets_org_id_id_key',
	'index public.assets_pkey',
	'index public.credit_packs_pkey',
	'index public.credit_packs_stripe_payment_id_key',
	'index public.idx_api_keys_org_id_user_id',
	'index public.idx_api_keys_scopes',
	'index public.idx_api_keys_user_id',
	'index public.idx_api_keys_valid',
	'index public.idx_asset_versions_created_by',
	'index public.idx_asset_versions_metadata',
	'index public.idx_asset_versions_org_id_asset_id',
	'index public.idx_assets_active',
	'index public.idx_assets_metadata',
	'index public.idx_assets_org_id_created_at',
	'index public.idx_assets_org_id_project_id',
	'index public.idx_assets_status',
	'index public.idx_credit_packs_available',
	'index public.idx_credit_packs_draw_order',
	'index public.idx_credit_packs_org_id',
	'index public.idx_integrations_config',
	'index public.idx_integrations_org_id',
	'index public.idx_integrations_org_provider_active',
	'index public.idx_integrations_status',
	'index public.idx_invoices_org_id',
	'index public.idx_invoices_status',
	'index public.idx_job_logs_org_id_job_id',
	'index public.idx_jobs_active',
	'index public.idx_jobs_config',
	'index public.idx_jobs_created_by',
	'index public.idx_jobs_org_id_created_at',
	'index public.idx_jobs_org_id_created_at_failed',
	'index public.idx_jobs_org_id_created_at_processing',
	'index public.idx_jobs_org_id_deleted_at',
	'index public.idx_jobs_org_id_parent_job_id',
	'index public.idx_jobs_org_id_project_id',
	'index public.idx_jobs_org_id_template_id',
	'index public.idx_jobs_org_id_workflow_id',
	'index public.idx_jobs_org_status',
	'index public.idx_jobs_queued',
	'index public.idx_jobs_queued_org',
	'index public.idx_jobs_status',
	'index public.idx_kai_generations_external_task_id',
	'index public.idx_kai_generations_org_id_job_id',
	'index public.idx_kai_generations_params',
	'index public.idx_kai_generations_status',
	'index public.idx_org_invitations_accepted_by',
	'index public.idx_org_invitations_invited_by',
	'index public.idx_org_invitations_org_id',
	'index public.idx_org_members_role',
	'index public.idx_org_members_user_id',
	'index public.idx_orgs_active',
	'index public.idx_orgs_owner_id',
	'index public.idx_orgs_plan',
	'index public.idx_orgs_settings',
	'index public.idx_profiles_metadata',
	'index public.idx_profiles_status',
	'index public.idx_projects_active',
	'index public.idx_projects_org_id_created_at',
	'index public.idx_projects_settings',
	'index public.idx_quota_limits_reset_at',
	'index public.idx_renders_org_id_job_id',
	'index public.idx_schedules_enabled',
	'index public.idx_schedules_org_id_workflow_id',
	'index public.idx_templates_active',
	'index public.idx_templates_gallery',
	'index public.idx_templates_org_id_created_at',
	'index public.idx_templates_org_id_project_id',
	'index public.idx_templates_public',
	'index public.idx_templates_spec',
	'index public.idx_webhook_deliveries_org_id_webhook_id',
	'index public.idx_webhook_deliveries_pending',
	'index public.idx_webhook_deliveries_status',
	'index public.idx_webhooks_active',
	'index public.idx_webhooks_events',
	'index public.idx_workflow_versions_created_by',
	'index public.idx_workflow_versions_graph',
	'index public.idx_workflow_versions_org_id_workflow_id',
	'index public.idx_workflows_active',
	'index public.idx_workflows_graph',
	'index public.idx_workflows_org_id_project_id',
	'index public.idx_workflows_org_id_template_id',
	'index public.idx_workflows_org_id_updated_at',
	'index public.idx_workflows_status',
	'index public.integrations_pkey',
	'index public.invoices_pkey',
	'index public.invoices_stripe_invoice_id_key',
	'index public.job_logs_pkey',
	'index public.jobs_org_id_id_key',
	'index public.jobs_pkey',
	'index public.kai_generations_pkey',
	'index public.org_invitations_pkey',
	'index public.org_invitations_token_hash_key',
	'index public.org_members_org_id_user_id_key',
	'index public.org_members_pkey',
	'index public.orgs_pkey',
	'index public.orgs_slug_key',
	'index public.orgs_stripe_customer_id_key',
	'index public.profiles_pkey',
	'index public.projects_org_id_id_key',
	'index public.projects_pkey',
	'index public.quota_limits_org_id_key',
	'index public.quota_limits_pkey',
	'index public.renders_pkey',
	'index public.schedules_pkey',
	'index public.templates_org_id_id_key',
	'index public.templates_pkey',
	'index public.usage_daily_pkey',
	'index public.usage_records_default_metadata_idx',
	'index public.usage_records_default_org_id_created_at_idx',
	'index public.usage_records_default_org_id_job_id_idx',
	'index public.usage_records_default_pkey',
	'index public.usage_records_default_resource_type_idx',
	'index public.usage_records_default_user_id_idx',
	'index public.webhook_deliveries_pkey',
	'index public.webhooks_org_id_id_key',
	'index public.webhooks_pkey',
	'index public.workflow_versions_pkey',
	'index public.workflow_versions_workflow_id_version_key',
	'index public.workflows_org_id_id_key',
	'index public.workflows_pkey',
	'policy api_keys_select on public.api_keys',
	'policy api_keys_update on public.api_keys',
	'policy asset_versions_delete on public.asset_versions',
	'policy asset_versions_insert on public.asset_versions',
	'policy asset_versions_select on public.asset_versions',
	'policy asset_versions_update on public.asset_versions',
	'policy assets_delete on public.assets',
	'policy assets_insert on public.assets',
	'policy assets_select on public.assets',
	'policy assets_update on public.assets',
	'policy credit_packs_select on public.credit_packs',
	'policy integrations_delete on public.integrations',
	'policy integrations_insert on public.integrations',
	'policy integrations_select on public.integrations',
	'policy integrations_update on public.integrations',
	'policy invoices_select on public.invoices',
	'policy job_logs_select on public.job_logs',
	'policy jobs_delete on public.jobs',
	'policy jobs_insert on public.jobs',
	'policy jobs_select on public.jobs',
	'policy jobs_update on public.jobs',
	'policy kai_generations_select on public.kai_generations',
	'policy org_invitations_select_admin on public.org_invitations',
	'policy org_invitations_update_admin on public.org_invitations',
	'policy org_members_delete on public.org_members',
	'policy org_members_select on public.org_members',
	'policy org_members_update on public.org_members',
	'policy orgs_insert on public.orgs',
	'policy orgs_select on public.orgs',
	'policy orgs_update on public.orgs',
	'policy profiles_select on public.profiles',
	'policy profiles_update on public.profiles',
	'policy projects_delete on public.projects',
	'policy projects_insert on public.projects',
	'policy projects_select on public.projects',
	'policy projects_update on public.projects',
	'policy quota_limits_select on public.quota_limits',
	'policy renders_select on public.renders',
	'policy schedules_delete on public.schedules',
	'policy schedules_insert on public.schedules',
	'policy schedules_select on public.schedules',
	'policy schedules_update on public.schedules',
	'policy templates_delete on public.templates',
	'policy templates_insert on public.templates',
	'policy templates_select on public.templates',
	'policy templates_select_public_anon on public.templates',
	'policy templates_update on public.templates',
	'policy usage_daily_select on public.usage_daily',
	'policy usage_records_select on public.usage_records',
	'policy webhook_deliveries_select on public.webhook_deliveries',
	'policy webhooks_delete on public.webhooks',
	'policy webhooks_insert on public.webhooks',
	'policy webhooks_select on public.webhooks',
	'policy webhooks_update on public.webhooks',
	'policy workflow_versions_delete on public.workflow_versions',
	'policy workflow_versions_insert on public.workflow_versions',
	'policy workflow_versions_select on public.workflow_versions',
	'policy workflow_versions_update on public.workflow_versions',
	'policy workflows_delete on public.workflows',
	'policy workflows_insert on public.workflows',
	'policy workflows_select on public.workflows',
	'policy workflows_update on public.workflows',
	'procedure fenta.run_maintenance(integer,integer,boolean,boolean,timestamp with time zone,integer)',
	'rule "_RETURN" on fenta.mv_daily_usage',
	'rule "_RETURN" on fenta.plans',
	'rule "_RETURN" on public.template_gallery',
	'schema fenta_archive',
	'table column fenta.customer_objects."position"',
	'table column fenta.customer_objects.definition',
	'table column fenta.customer_objects.object_identity',
	'table column fenta.customer_objects.object_type',
	'table column fenta.guarded_objects.classid',
	'table column fenta.guarded_objects.object_identity',
	'table column fenta.guarded_objects.object_type',
	'table column fenta.guarded_objects.objid',
	'table column fenta.guarded_objects.objsubid',
	'table column fenta.plan_overrides.allow_overage',
	'table column fenta.plan_overrides.kai_credits_limit',
	'table column fenta.plan_overrides.overage_cap_usd',
	'table column fenta.plan_overrides.plan',
	'table column fenta.plan_overrides.price_per_1k_tokens_usd',
	'table column fenta.plan_overrides.price_per_kai_credit_usd',
	'table column fenta.plan_overrides.price_per_render_second_usd',
	'table column fenta.plan_overrides.render_seconds_limit',
	'table column fenta.plan_overrides.storage_bytes_limit',
	'table column fenta.plan_overrides.tokens_limit',
	'table column fenta.quota_counters.org_id',
	'table column fenta.quota_counters.render_seconds',
	'table column fenta.quota_counters.slot',
	'table column fenta.quota_counters.storage_bytes',
	'table column fenta.quota_counters.tokens',
	'table column fenta.quota_reservations.created_at',
	'table column fenta.quota_reservations.expires_at',
	'table column fenta.quota_reservations.id',
	'table column fenta.quota_reservations.kai_credits',
	'table column fenta.quota_reservations.org_id',
	'table column fenta.quota_reservations.render_seconds',
	'table column fenta.quota_reservations.tokens',
	'table column fenta.tenant_limits.name',
	'table column fenta.tenant_limits.value',
	'table column fenta.usage_daily_pending.cost_usd',
	'table column fenta.usage_daily_pending.day',
	'table column fenta.usage_daily_pending.events',
	'table column fenta.usage_daily_pending.kai_credits',
	'table column fenta.usage_daily_pending.llm_tokens_output',
	'table column fenta.usage_daily_pending.llm_tokens_prompt',
	'table column fenta.usage_daily_pending.org_id',
	'table column fenta.usage_daily_pending.render_seconds',
	'table column fenta.usage_daily_pending.resource_type',
	'table column fenta.usage_daily_pending.storage_bytes',
	'table column fenta.usage_daily_pending.tokens',
	'table column fenta.usage_idempotency.created_at',
	'table column fenta.usage_idempotency.idempotency_key',
	'table column fenta.usage_idempotency.org_id',
	'table column fenta.usage_idempotency.usage_id',
	'table column fenta.usage_idempotency_retention.batch_size',
	'table column fenta.usage_idempotency_retention.keep_for',
	'table column fenta.usage_idempotency_retention.singleton',
	'table column public.api_keys.created_at',
	'table column public.api_keys.expires_at',
	'table column public.api_keys.id',
	'table column public.api_keys.key_hash',
	'table column public.api_keys.key_prefix',
	'table column public.api_keys.last_used_at',
	'table column public.api_keys.name',
	'table column public.api_keys.org_id',
	'table column public.api_keys.revoked_at',
	'table column public.api_keys.scopes',
	'table column public.api_keys.updated_at',
	'table column public.api_keys.user_id',
	'table column public.asset_versions.asset_id',
	'table column public.asset_versions.checksum_sha256',
	'table column public.asset_versions.created_at',
	'table column public.asset_versions.created_by',
	'table column public.asset_versions.file_size_bytes',
	'table column public.asset_versions.id',
	'table column public.asset_versions.metadata',
	'table column public.asset_versions.org_id',
	'table column public.asset_versions.storage_path',
	'table column public.asset_versions.updated_at',
	'table column public.asset_versions.url',
	'table column public.asset_versions.version',
	'table column public.assets.created_at',
	'table column public.assets.deleted_at',
	'table column public.assets.duration_seconds',
	'table column public.assets.file_size_bytes',
	'table column public.assets.fps',
	'table column public.assets.height',
	'table column public.assets.id',
	'table column public.assets.metadata',
	'table column public.assets.mime_type',
	'table column public.assets.name',
	'table column public.assets.org_id',
	'table column public.assets.project_id',
	'table column public.assets.source',
	'table column public.assets.status',
	'table column public.assets.storage_path',
	'table column public.assets.thumbnail_url',
	'table column public.assets.type',
	'table column public.assets.updated_at',
	'table column public.assets.url',
	'table column public.assets.width',
	'table column public.credit_packs.created_at',
	'table column public.credit_packs.credits_purchased',
	'table column public.credit_packs.credits_remaining',
	'table column public.credit_packs.expires_at',
	'table column public.credit_packs.id',
	'table column public.credit_packs.org_id',
	'table column public.credit_packs.pack_type',
	'table column public.credit_packs.price_usd',
	'table column public.credit_packs.stripe_payment_id',
	'table column public.credit_packs.updated_at',
	'table column public.integrations.config',
	'table column public.integrations.created_at',
	'table column public.integrations.credentials',
	'table column public.integrations.deleted_at',
	'table column public.integrations.id',
	'table column public.integrations.org_id',
	'table column public.integrations.provider',
	'table column public.integrations.status',
	'table column public.integrations.updated_at',
	'table column public.invoices.amount_usd',
	'table column public.invoices.created_at',
	'table column public.invoices.currency',
	'table column public.invoices.due_at',
	'table column public.invoices.id',
	'table column public.invoices.line_items',
	'table column public.invoices.org_id',
	'table column public.invoices.paid_at',
	'table column public.invoices.period_end',
	'table column public.invoices.period_start',
	'table column public.invoices.status',
	'table column public.invoices.stripe_invoice_id',
	'table column public.invoices.updated_at',
	'table column public.job_logs.created_at',
	'table column public.job_logs.data',
	'table column public.job_logs.id',
	'table column public.job_logs.job_id',
	'table column public.job_logs.level',
	'table column public.job_logs.message',
	'table column public.job_logs.org_id',
	'table column public.job_logs.stage',
	'table column public.job_logs.updated_at',
	'table column public.jobs.completed_at',
	'table column public.jobs.config',
	'table column public.jobs.cost_kai_credits',
	'table column public.jobs.cost_render_seconds',
	'table column public.jobs.cost_tokens',
	'table column public.jobs.cost_total_usd',
	'table column public.jobs.created_at',
	'table column public.jobs.created_by',
	'table column public.jobs.deleted_at',
	'table column public.jobs.error',
	'table column public.jobs.id',
	'table column public.jobs.org_id',
	'table column public.jobs.parent_job_id',
	'table column public.jobs.progress',
	'table column public.jobs.project_id',
	'table column public.jobs.queued_at',
	'table column public.jobs.result',
	'table column public.jobs.retry_count',
	'table column public.jobs.started_at',
	'table column public.jobs.status',
	'table column public.jobs.template_id',
	'table column public.jobs.updated_at',
	'table column public.jobs.workflow_id',
	'table column public.kai_generations.cost_usd',
	'table column public.kai_generations.created_at',
	'table column public.kai_generations.credits_used',
	'table column public.kai_generations.error',
	'table column public.kai_generations.external_task_id',
	'table column public.kai_generations.id',
	'table column public.kai_generations.job_id',
	'table column public.kai_generations.model',
	'table column public.kai_generations.org_id',
	'table column public.kai_generations.params',
	'table column public.kai_generations.prompt',
	'table column public.kai_generations.result_asset_ids',
	'table column public.kai_generations.status',
	'table column public.kai_generations.type',
	'table column public.kai_generations.updated_at',
	'table column public.org_invitations.accepted_at',
	'table column public.org_invitations.accepted_by',
	'table column public.org_invitations.created_at',
	'table column public.org_invitations.declined_at',
	'table column public.org_invitations.email',
	'table column public.org_invitations.expires_at',
	'table column public.org_invitations.id',
	'table column public.org_invitations.invited_by',
	'table column public.org_invitations.org_id',
	'table column public.org_invitations.revoked_at',
	'table column public.org_invitations.role',
	'table column public.org_invitations.token_hash',
	'table column public.org_invitations.updated_at',
	'table column public.org_members.created_at',
	'table column public.org_members.id',
	'table column public.org_members.org_id',
	'table column public.org_members.role',
	'table column public.org_members.updated_at',
	'table column public.org_members.user_id',
	'table column public.orgs.billing_email',
	'table column public.orgs.created_at',
	'table column public.orgs.deleted_at',
	'table column public.orgs.id',
	'table column public.orgs.name',
	'table column public.orgs.owner_id',
	'table column public.orgs.plan',
	'table column public.orgs.settings',
	'table column public.orgs.slug',
	'table column public.orgs.stripe_customer_id',
	'table column public.orgs.updated_at',
	'table column public.profiles.avatar_url',
	'table column public.profiles.created_at',
	'table column public.profiles.id',
	'table column public.profiles.metadata',
	'table column public.profiles.name',
	'table column public.profiles.role',
	'table column public.profiles.status',
	'table column public.profiles.updated_at',
	'table column public.projects.created_at',
	'table column public.projects.deleted_at',
	'table column public.projects.description',
	'table column public.projects.id',
	'table column public.projects.name',
	'table column public.projects.org_id',
	'table column public.projects.settings',
	'table column public.projects.updated_at',
	'table column public.quota_limits.allow_overage',
	'table column public.quota_limits.created_at',
	'table column public.quota_limits.id',
	'table column public.quota_limits.kai_credits_from_packs',
	'table column public.quota_limits.kai_credits_limit',
	'table column public.quota_limits.kai_credits_used',
	'table column public.quota_limits.org_deleted_at',
	'table column public.quota_limits.org_id',
	'table column public.quota_limits.overage_cap_usd',
	'table column public.quota_limits.price_per_1k_tokens_usd',
	'table column public.quota_limits.price_per_kai_credit_usd',
	'table column public.quota_limits.price_per_render_second_usd',
	'table column public.quota_limits.render_seconds_limit',
	'table column public.quota_limits.render_seconds_used',
	'table column public.quota_limits.reserved_kai_credits',
	'table column public.quota_limits.reserved_render_seconds',
	'table column public.quota_limits.reserved_tokens',
	'table column public.quota_limits.reset_at',
	'table column public.quota_limits.storage_bytes_limit',
	'table column public.quota_limits.storage_bytes_used',
	'table column public.quota_limits.tokens_limit',
	'table column public.quota_limits.tokens_used',
	'table column public.quota_limits.updated_at',
	'table column public.renders.bitrate_kbps',
	'table column public.renders.codec',
	'table column public.renders.created_at',
	'table column public.renders.duration_seconds',
	'table column public.renders.file_size_bytes',
	'table column public.renders.fps',
	'table column public.renders.id',
	'table column public.renders.job_id',
	'table column public.renders.org_id',
	'table column public.renders.resolution',
	'table column public.renders.srt_url',
	'table column public.renders.thumbnail_url',
	'table column public.renders.updated_at',
	'table column public.renders.video_storage_path',
	'table column public.renders.video_url',
	'table column public.schedules.created_at',
	'table column public.schedules.cron',
	'table column public.schedules.enabled',
	'table column public.schedules.id',
	'table column public.schedules.last_run_at',
	'table column public.schedules.next_run_at',
	'table column public.schedules.org_id',
	'table column public.schedules.run_count',
	'table column public.schedules.timezone',
	'table column public.schedules.updated_at',
	'table column public.schedules.workflow_id',
	'table column public.templates.aspect',
	'table column public.templates.created_at',
	'table column public.templates.deleted_at',
	'table column public.templates.description',
	'table column public.templates.id',
	'table column public.templates.is_public',
	'table column public.templates.name',
	'table column public.templates.org_deleted_at',
	'table column public.templates.org_id',
	'table column public.templates.project_id',
	'table column public.templates.resolution',
	'table column public.templates.spec',
	'table column public.templates.thumbnail_url',
	'table column public.templates.updated_at',
	'table column public.templates.usage_count',
	'table column public.usage_daily.cost_usd',
	'table column public.usage_daily.day',
	'table column public.usage_daily.events',
	'table column public.usage_daily.kai_credits',
	'table column public.usage_daily.llm_tokens_output',
	'table column public.usage_daily.llm_tokens_prompt',
	'table column public.usage_daily.org_id',
	'table column public.usage_daily.render_seconds',
	'table column public.usage_daily.resource_type',
	'table column public.usage_daily.storage_bytes',
	'table column public.usage_daily.tokens',
	'table column public.usage_daily.updated_at',
	'table column public.usage_records.cost_usd',
	'table column public.usage_records.created_at',
	'table column public.usage_records.id',
	'table column public.usage_records.idempotency_key',
	'table column public.usage_records.job_id',
	'table column public.usage_records.kai_credits',
	'table column public.usage_records.kai_model',
	'table column public.usage_records.llm_model',
	'table column public.usage_records.llm_tokens_output',
	'table column public.usage_records.llm_tokens_prompt',
	'table column public.usage_records.metadata',
	'table column public.usage_records.org_id',
	'table column public.usage_records.render_profile',
	'table column public.usage_records.render_seconds',
	'table column public.usage_records.resource_type',
	'table column public.usage_records.storage_bytes',
	'table column public.usage_records.updated_at',
	'table column public.usage_records.user_id',
	'table column public.usage_records_default.cost_usd',
	'table column public.usage_records_default.created_at',
	'table column public.usage_records_default.id',
	'table column public.usage_records_default.idempotency_key',
	'table column public.usage_records_default.job_id',
	'table column public.usage_records_default.kai_credits',
	'table column public.usage_records_default.kai_model',
	'table column public.usage_records_default.llm_model',
	'table column public.usage_records_default.llm_tokens_output',
	'table column public.usage_records_default.llm_tokens_prompt',
	'table column public.usage_records_default.metadata',
	'table column public.usage_records_default.org_id',
	'table column public.usage_records_default.render_profile',
	'table column public.usage_records_default.render_seconds',
	'table column public.usage_records_default.resource_type',
	'table column public.usage_records_default.storage_bytes',
	'table column public.usage_records_default.updated_at',
	'table column public.usage_records_default.user_id',
	'table column public.webhook_deliveries.attempts',
	'table column public.webhook_deliveries.created_at',
	'table column public.webhook_deliveries.delivered_at',
	'table column public.webhook_deliveries.event',
	'table column public.webhook_deliveries.http_status',
	'table column public.webhook_deliveries.id',
	'table column public.webhook_deliveries.next_retry_at',
	'table column public.webhook_deliveries.org_id',
	'table column public.webhook_deliveries.payload',
	'table column public.webhook_deliveries.response_body',
	'table column public.webhook_deliveries.status',
	'table column public.webhook_deliveries.updated_at',
	'table column public.webhook_deliveries.webhook_id',
	'table column public.webhooks.created_at',
	'table column public.webhooks.deleted_at',
	'table column public.webhooks.enabled',
	'table column public.webhooks.events',
	'table column public.webhooks.id',
	'table column public.webhooks.name',
	'table column public.webhooks.org_id',
	'table column public.webhooks.secret',
	'table column public.webhooks.updated_at',
	'table column public.webhooks.url',
	'table column public.workflow_versions.created_at',
	'table column public.workflow_versions.created_by',
	'table column public.workflow_versions.graph',
	'table column public.workflow_versions.id',
	'table column public.workflow_versions.note',
	'table column public.workflow_versions.org_id',
	'table column public.workflow_versions.updated_at',
	'table column public.workflow_versions.variables',
	'table column public.workflow_versions.version',
	'table column public.workflow_versions.workflow_id',
	'table column public.workflows.created_at',
	'table column public.workflows.deleted_at',
	'table column public.workflows.description',
	'table column public.workflows.graph',
	'table column public.workflows.id',
	'table column public.workflows.last_run_at',
	'table column public.workflows.name',
	'table column public.workflows.org_id',
	'table column public.workflows.project_id',
	'table column public.workflows.run_count',
	'table column public.workflows.status',
	'table column public.workflows.template_id',
	'table column public.workflows.updated_at',
	'table column public.workflows.variables',
	'table constraint api_keys_key_hash_format on public.api_keys',
	'table constraint api_keys_key_hash_key on public.api_keys',
	'table constraint api_keys_key_hash_size on public.api_keys',
	'table constraint api_keys_key_prefix_format on public.api_keys',
	'table constraint api_keys_key_prefix_size on public.api_keys',
	'table constraint api_keys_member_fkey on public.api_keys',
	'table constraint api_keys_name_not_empty on public.api_keys',
	'table constraint api_keys_name_size on public.api_keys',
	'table constraint api_keys_org_id_fkey on public.api_keys',
	'table constraint api_keys_pkey on public.api_keys',
	'table constraint api_keys_scopes_is_array on public.api_keys',
	'table constraint api_keys_scopes_size on public.api_keys',
	'table constraint api_keys_user_id_fkey on public.api_keys',
	'table constraint asset_versions_asset_id_fkey on public.asset_versions',
	'table constraint asset_versions_asset_id_version_key on public.asset_versions',
	'table constraint asset_versions_checksum_sha256_format on public.asset_versions',
	'table constraint asset_versions_checksum_sha256_size on public.asset_versions',
	'table constraint asset_versions_created_by_fkey on public.asset_versions',
	'table constraint asset_versions_file_present on public.asset_versions',
	'table constraint asset_versions_file_size_bytes_not_negative on public.asset_versions',
	'table constraint asset_versions_metadata_is_object on public.asset_versions',
	'table constraint asset_versions_metadata_size on public.asset_versions',
	'table constraint asset_versions_org_id_fkey on public.asset_versions',
	'table constraint asset_versions_pkey on public.asset_versions',
	'table constraint asset_versions_storage_path_not_empty on public.asset_versions',
	'table constraint asset_versions_storage_path_size on public.asset_versions',
	'table constraint asset_versions_url_format on public.asset_versions',
	'table constraint asset_versions_url_size on public.asset_versions',
	'table constraint asset_versions_version_positive on public.asset_versions',
	'table constraint assets_duration_seconds_not_negative on public.assets',
	'table constraint assets_file_size_bytes_not_negative on public.assets',
	'table constraint assets_fps_positive on public.assets',
	'table constraint assets_height_positive on public.assets',
	'table constraint assets_metadata_is_object on public.assets',
	'table constraint assets_metadata_size on public.assets',
	'table constraint assets_mime_type_format on public.assets',
	'table constraint assets_mime_type_size on public.assets',
	'table constraint assets_name_not_empty on public.assets',
	'table constraint assets_name_size on public.assets',
	'table constraint assets_org_id_fkey on public.assets',
	'table constraint assets_org_id_id_key on public.assets',
	'table constraint assets_pkey on public.assets',
	'table constraint assets_project_id_fkey on public.assets',
	'table constraint assets_storage_path_not_empty on public.assets',
	'table constraint assets_storage_path_size on public.assets',
	'table constraint assets_thumbnail_url_format on public.assets',
	'table constraint assets_thumbnail_url_size on public.assets',
	'table constraint assets_url_format on public.assets',
	'table constraint assets_url_size on public.assets',
	'table constraint assets_width_positive on public.assets',
	'table constraint credit_packs_credits_purchased_positive on public.credit_packs',
	'table constraint credit_packs_credits_remaining_non_negative on public.credit_packs',
	'table constraint credit_packs_credits_remaining_not_above_purchased on public.credit_packs',
	'table constraint credit_packs_org_id_fkey on public.credit_packs',
	'table constraint credit_packs_pack_type_not_empty on public.credit_packs',
	'table constraint credit_packs_pkey on public.credit_packs',
	'table constraint credit_packs_price_usd_non_negative on public.credit_packs',
	'table constraint credit_packs_stripe_payment_id_key on public.credit_packs',
	'table constraint customer_objects_pkey on fenta.customer_objects',
	'table constraint guarded_objects_pkey on fenta.guarded_objects',
	'table constraint integrations_config_is_object on public.integrations',
	'table constraint integrations_config_size on public.integrations',
	'table constraint integrations_credentials_is_object on public.integrations',
	'table constraint integrations_credentials_size on public.integrations',
	'table constraint integrations_org_id_fkey on public.integrations',
	'table constraint integrations_pkey on public.integrations',
	'table constraint invoices_amount_usd_non_negative on public.invoices',
	'table constraint invoices_currency_format on public.invoices',
	'table constraint invoices_line_items_is_array on public.invoices',
	'table constraint invoices_org_id_fkey on public.invoices',
	'table constraint invoices_period_end_not_before_start on public.invoices',
	'table constraint invoices_pkey on public.invoices',
	'table constraint invoices_stripe_invoice_id_key on public.invoices',
	'table constraint job_logs_job_id_fkey on public.job_logs',
	'table constraint job_logs_org_id_fkey on public.job_logs',
	'table constraint job_logs_pkey on public.job_logs',
	'table constraint jobs_completed_at_order on public.jobs',
	'table constraint jobs_config_is_object on public.jobs',
	'table constraint jobs_config_size on public.jobs',
	'table constraint jobs_cost_kai_credits_not_negative on public.jobs',
	'table constraint jobs_cost_render_seconds_not_negative on public.jobs',
	'table constraint jobs_cost_tokens_not_negative on public.jobs',
	'table constraint jobs_cost_total_usd_not_negative on public.jobs',
	'table constraint jobs_created_by_fkey on public.jobs',
	'table constraint jobs_org_id_fkey on public.jobs',
	'table constraint jobs_org_id_id_key on public.jobs',
	'table constraint jobs_parent_job_id_fkey on public.jobs',
	'table constraint jobs_parent_job_id_not_self on public.jobs',
	'table constraint jobs_pkey on public.jobs',
	'table constraint jobs_progress_range on public.jobs',
	'table constraint jobs_project_id_fkey on public.jobs',
	'table constraint jobs_retry_count_not_negative on public.jobs',
	'table constraint jobs_template_id_fkey on public.jobs',
	'table constraint jobs_workflow_id_fkey on public.jobs',
	'table constraint kai_generations_cost_usd_non_negative on public.kai_generations',
	'table constraint kai_generations_credits_used_non_negative on public.kai_generations',
	'table constraint kai_generations_error_is_object on public.kai_generations',
	'table constraint kai_generations_job_id_fkey on public.kai_generations',
	'table constraint kai_generations_model_not_empty on public.kai_generations',
	'table constraint kai_generations_org_id_fkey on public.kai_generations',
	'table constraint kai_generations_params_is_object on public.kai_generations',
	'table constraint kai_generations_pkey on public.kai_generations',
	'table constraint kai_generations_result_asset_ids_no_nulls on public.kai_generations',
	'table constraint org_invitations_accepted_by_fkey on public.org_invitations',
	'table constraint org_invitations_email_format on public.org_invitations',
	'table constraint org_invitations_expires_after_creation on public.org_invitations',
	'table constraint org_invitations_invited_by_fkey on public.org_invitations',
	'table constraint org_invitations_one_outcome on public.org_invitations',
	'table constraint org_invitations_org_id_fkey on public.org_invitations',
	'table constraint org_invitations_pkey on public.org_invitations',
	'table constraint org_invitations_token_hash_format on public.org_invitations',
	'table constraint org_invitations_token_hash_key on public.org_invitations',
	'table constraint org_members_org_id_fkey on public.org_members',
	'table constraint org_members_org_id_user_id_key on public.org_members',
	'table constraint org_members_pkey on public.org_members',
	'table constraint org_members_user_id_fkey on public.org_members',
	'table constraint orgs_billing_email_format on public.orgs',
	'table constraint orgs_billing_email_size on public.orgs',
	'table constraint orgs_name_not_empty on public.orgs',
	'table constraint orgs_name_size on public.orgs',
	'table constraint orgs_owner_id_fkey on public.orgs',
	'table constraint orgs_pkey on public.orgs',
	'table constraint orgs_settings_is_object on public.orgs',
	'table constraint orgs_settings_size on public.orgs',
	'table constraint orgs_slug_format on public.orgs',
	'table constraint orgs_slug_key on public.orgs',
	'table constraint orgs_slug_size on public.orgs',
	'table constraint orgs_stripe_customer_id_key on public.orgs',
	'table constraint plan_overrides_kai_credits_limit_non_negative on fenta.plan_overrides',
	'table constraint plan_overrides_overage_cap_usd_non_negative on fenta.plan_overrides',
	'table constraint plan_overrides_pkey on fenta.plan_overrides',
	'table constraint plan_overrides_price_per_1k_tokens_usd_non_negative on fenta.plan_overrides',
	'table constraint plan_overrides_price_per_kai_credit_usd_non_negative on fenta.plan_overrides',
	'table constraint plan_overrides_price_per_render_second_usd_non_negative on fenta.plan_overrides',
	'table constraint plan_overrides_render_seconds_limit_non_negative on fenta.plan_overrides',
	'table constraint plan_overrides_storage_bytes_limit_non_negative on fenta.plan_overrides',
	'table constraint plan_overrides_tokens_limit_non_negative on fenta.plan_overrides',
	'table constraint profiles_avatar_url_format on public.profiles',
	'table constraint profiles_avatar_url_size on public.profiles',
	'table constraint profiles_id_fkey on public.profiles',
	'table constraint profiles_metadata_is_object on public.profiles',
	'table constraint profiles_metadata_size on public.profiles',
	'table constraint profiles_name_not_empty on public.profiles',
	'table constraint profiles_name_size on public.profiles',
	'table constraint profiles_pkey on public.profiles',
	'table constraint projects_description_size on public.projects',
	'table constraint projects_name_not_empty on public.projects',
	'table constraint projects_name_size on public.projects',
	'table constraint projects_org_id_fkey on public.projects',
	'table constraint projects_org_id_id_key on public.projects',
	'table constraint projects_pkey on public.projects',
	'table constraint projects_settings_is_object on public.projects',
	'table constraint projects_settings_size on public.projects',
	'table constraint quota_counters_org_id_fkey on fenta.quota_counters',
	'table constraint quota_counters_pkey on fenta.quota_counters',
	'table constraint quota_counters_render_seconds_non_negative on fenta.quota_counters',
	'table constraint quota_counters_slot_range on fenta.quota_counters',
	'table constraint quota_counters_tokens_non_negative on fenta.quota_counters',
	'table constraint quota_limits_kai_credits_from_packs_non_negative on public.quota_limits',
	'table constraint quota_limits_kai_credits_limit_non_negative on public.quota_limits',
	'table constraint quota_limits_kai_credits_used_non_negative on public.quota_limits',
	'table constraint quota_limits_org_id_fkey on public.quota_limits',
	'table constraint quota_limits_org_id_key on public.quota_limits',
	'table constraint quota_limits_overage_cap_usd_non_negative on public.quota_limits',
	'table constraint quota_limits_pkey on public.quota_limits',
	'table constraint quota_limits_price_per_1k_tokens_usd_non_negative on public.quota_limits',
	'table constraint quota_limits_price_per_kai_credit_usd_non_negative on public.quota_limits',
	'table constraint quota_limits_price_per_render_second_usd_non_negative on public.quota_limits',
	'table constraint quota_limits_render_seconds_limit_non_negative on public.quota_limits',
	'table constraint quota_limits_render_seconds_used_non_negative on public.quota_limits',
	'table constraint quota_limits_reserved_kai_credits_non_negative on public.quota_limits',
	'table constraint quota_limits_reserved_render_seconds_non_negative on public.quota_limits',
	'table constraint quota_limits_reserved_tokens_non_negative on public.quota_limits',
	'table constraint quota_limits_storage_bytes_limit_non_negative on public.quota_limits',
	'table constraint quota_limits_storage_bytes_used_non_negative on public.quota_limits',
	'table constraint quota_limits_tokens_limit_non_negative on public.quota_limits',
	'table constraint quota_limits_tokens_used_non_negative on public.quota_limits',
	'table constraint quota_reservations_kai_credits_non_negative on fenta.quota_reservations',
	'table constraint quota_reservations_org_id_fkey on fenta.quota_reservations',
	'table constraint quota_reservations_pkey on fenta.quota_reservations',
	'table constraint quota_reservations_render_seconds_non_negative on fenta.quota_reservations',
	'table constraint quota_reservations_tokens_non_negative on fenta.quota_reservations',
	'table constraint renders_bitrate_kbps_not_negative on public.renders',
	'table constraint renders_duration_seconds_not_negative on public.renders',
	'table constraint renders_file_size_bytes_not_negative on public.renders',
	'table constraint renders_fps_positive on public.renders',
	'table constraint renders_job_id_fkey on public.renders',
	'table constraint renders_org_id_fkey on public.renders',
	'table constraint renders_pkey on public.renders',
	'table constraint renders_resolution_format on public.renders',
	'table constraint renders_srt_url_format on public.renders',
	'table constraint renders_thumbnail_url_format on public.renders',
	'table constraint renders_video_storage_path_not_empty on public.renders',
	'table constraint renders_video_url_format on public.renders',
	'table constraint schedules_cron_format on public.schedules',
	'table constraint schedules_cron_size on public.schedules',
	'table constraint schedules_org_id_fkey on public.schedules',
	'table constraint schedules_pkey on public.schedules',
	'table constraint schedules_run_count_not_negative on public.schedules',
	'table constraint schedules_timezone_size on public.schedules',
	'table constraint schedules_workflow_id_fkey on public.schedules',
	'table constraint templates_aspect_size on public.templates',
	'table constraint templates_aspect_valid on public.templates',
	'table constraint templates_description_size on public.templates',
	'table constraint templates_name_not_empty on public.templates',
	'table constraint templates_name_size on public.templates',
	'table constraint templates_org_id_fkey on public.templates',
	'table constraint templates_org_id_id_key on public.templates',
	'table constraint templates_pkey on public.templates',
	'table constraint templates_project_id_fkey on public.templates',
	'table constraint templates_resolution_format on public.templates',
	'table constraint templates_resolution_size on public.templates',
	'table constraint templates_spec_is_object on public.templates',
	'table constraint templates_spec_size on public.templates',
	'table constraint templates_thumbnail_url_format on public.templates',
	'table constraint templates_thumbnail_url_size on public.templates',
	'table constraint templates_usage_count_not_negative on public.templates',
	'table constraint tenant_limits_name_known on fenta.tenant_limits',
	'table constraint tenant_limits_pkey on fenta.tenant_limits',
	'table constraint tenant_limits_value_not_negative on fenta.tenant_limits',
	'table constraint usage_daily_org_id_fkey on public.usage_daily',
	'table constraint usage_daily_pkey on public.usage_daily',
	'table constraint usage_idempotency_org_id_fkey on fenta.usage_idempotency',
	'table constraint usage_idempotency_pkey on fenta.usage_idempotency',
	'table constraint usage_idempotency_retention_batch_size_range on fenta.usage_idempotency_retention',
	'table constraint usage_idempotency_retention_keep_for_at_least_a_day on fenta.usage_idempotency_retention',
	'table constraint usage_idempotency_retention_pkey on fenta.usage_idempotency_retention',
	'table constraint usage_idempotency_retention_singleton on fenta.usage_idempotency_retention',
	'table constraint usage_records_cost_usd_non_negative on public.usage_records',
	'table constraint usage_records_cost_usd_non_negative on public.usage_records_default',
	'table constraint usage_records_default_pkey on public.usage_records_default',
	'table constraint usage_records_idempotency_key_length on public.usage_records',
	'table constraint usage_records_idempotency_key_length on public.usage_records_default',
	'table constraint usage_records_job_id_fkey on public.usage_records',
	'table constraint usage_records_job_id_fkey on public.usage_records_default',
	'table constraint usage_records_kai_credits_non_negative on public.usage_records',
	'table constraint usage_records_kai_credits_non_negative on public.usage_records_default',
	'table constraint usage_records_llm_tokens_output_non_negative on public.usage_records',
	'table constraint usage_records_llm_tokens_output_non_negative on public.usage_records_default',
	'table constraint usage_records_llm_tokens_prompt_non_negative on public.usage_records',
	'table constraint usage_records_llm_tokens_prompt_non_negative on public.usage_records_default',
	'table constraint usage_records_metadata_is_object on public.usage_records',
	'table constraint usage_records_metadata_is_object on public.usage_records_default',
	'table constraint usage_records_org_id_fkey on public.usage_records',
	'table constraint usage_records_org_id_fkey on public.usage_records_default',
	'table constraint usage_records_render_seconds_non_negative on public.usage_records',
	'table constraint usage_records_render_seconds_non_negative on public.usage_records_default',
	'table constraint usage_records_user_id_fkey on public.usage_records',
	'table constraint usage_records_user_id_fkey on public.usage_records_default',
	'table constraint webhook_deliveries_attempts_not_negative on public.webhook_deliveries',
	'table constraint webhook_deliveries_event_format on public.webhook_deliveries',
	'table constraint webhook_deliveries_http_status_range on public.webhook_deliveries',
	'table constraint webhook_deliveries_org_id_fkey on public.webhook_deliveries',
	'table constraint webhook_deliveries_payload_is_object on public.webhook_deliveries',
	'table constraint webhook_deliveries_pkey on public.webhook_deliveries',
	'table constraint webhook_deliveries_webhook_id_fkey on public.webhook_deliveries',
	'table constraint webhooks_events_known on public.webhooks',
	'table constraint webhooks_events_not_empty on public.webhooks',
	'table constraint webhooks_events_size on public.webhooks',
	'table constraint webhooks_name_not_empty on public.webhooks',
	'table constraint webhooks_name_size on public.webhooks',
	'table constraint webhooks_org_id_fkey on public.webhooks',
	'table constraint webhooks_org_id_id_key on public.webhooks',
	'table constraint webhooks_pkey on public.webhooks',
	'table constraint webhooks_secret_length on public.webhooks',
	'table constraint webhooks_secret_size on public.webhooks',
	'table constraint webhooks_url_https on public.webhooks',
	'table constraint webhooks_url_safe on public.webhooks',
	'table constraint webhooks_url_size on public.webhooks',
	'table constraint workflow_versions_created_by_fkey on public.workflow_versions',
	'table constraint workflow_versions_graph_shape on public.workflow_versions',
	'table constraint workflow_versions_graph_size on public.workflow_versions',
	'table constraint workflow_versions_note_size on public.workflow_versions',
	'table constraint workflow_versions_org_id_fkey on public.workflow_versions',
	'table constraint workflow_versions_pkey on public.workflow_versions',
	'table constraint workflow_versions_variables_is_object on public.workflow_versions',
	'table constraint workflow_versions_variables_size on public.workflow_versions',
	'table constraint workflow_versions_version_positive on public.workflow_versions',
	'table constraint workflow_versions_workflow_id_fkey on public.workflow_versions',
	'table constraint workflow_versions_workflow_id_version_key on public.workflow_versions',
	'table constraint workflows_description_size on public.workflows',
	'table constraint workflows_graph_shape on public.workflows',
	'table constraint workflows_graph_size on public.workflows',
	'table constraint workflows_name_not_empty on public.workflows',
	'table constraint workflows_name_size on public.workflows',
	'table constraint workflows_org_id_fkey on public.workflows',
	'table constraint workflows_org_id_id_key on public.workflows',
	'table constraint workflows_pkey on public.workflows',
	'table constraint workflows_project_id_fkey on public.workflows',
	'table constraint workflows_run_count_not_negative on public.workflows',
	'table constraint workflows_template_id_fkey on public.workflows',
	'table constraint workflows_variables_is_object on public.workflows',
	'table constraint workflows_variables_size on public.workflows',
	'table fenta.customer_objects',
	'table fenta.guarded_objects',
	'table fenta.plan_overrides',
	'table fenta.quota_counters',
	'table fenta.quota_reservations',
	'table fenta.tenant_limits',
	'table fenta.usage_daily_pending',
	'table fenta.usage_idempotency',
	'table fenta.usage_idempotency_retention',
	'table public.api_keys',
	'table public.asset_versions',
	'table public.assets',
	'table public.credit_packs',
	'table public.integrations',
	'table public.invoices',
	'table public.job_logs',
	'table public.jobs',
	'table public.kai_generations',
	'table public.org_invitations',
	'table public.org_members',
	'table public.orgs',
	'table public.profiles',
	'table public.projects',
	'table public.quota_limits',
	'table public.renders',
	'table public.schedules',
	'table public.templates',
	'table public.usage_daily',
	'table public.usage_records',
	'table public.usage_records_default',
	'table public.webhook_deliveries',
	'table public.webhooks',
	'table public.workflow_versions',
	'table public.workflows',
	'trigger api_keys_guard on public.api_keys',
	'trigger api_keys_updated_at on public.api_keys',
	'trigger asset_versions_delete_guard on public.asset_versions',
	'trigger asset_versions_updated_at on public.asset_versions',
	'trigger assets_delete_guard on public.assets',
	'trigger assets_updated_at on public.assets',
	'trigger credit_packs_updated_at on public.credit_packs',
	'trigger customer_objects_replay on fenta.customer_objects',
	'trigger fenta_on_auth_user_created on auth.users',
	'trigger integrations_updated_at on public.integrations',
	'trigger invoices_updated_at on public.invoices',
	'trigger job_logs_updated_at on public.job_logs',
	'trigger jobs_delete_guard on public.jobs',
	'trigger jobs_queued_cap on public.jobs',
	'trigger jobs_update_guard on public.jobs',
	'trigger jobs_updated_at on public.jobs',
	'trigger kai_generations_updated_at on public.kai_generations',
	'trigger org_invitations_guard on public.org_invitations',
	'trigger org_invitations_updated_at on public.org_invitations',
	'trigger org_members_guard on public.org_members',
	'trigger org_members_updated_at on public.org_members',
	'trigger orgs_cap on public.orgs',
	'trigger orgs_copy_deleted_at on public.orgs',
	'trigger orgs_handle_new on public.orgs',
	'trigger orgs_lifecycle_guard on public.orgs',
	'trigger orgs_quota_plan on public.orgs',
	'trigger orgs_quota_plan_change on public.orgs',
	'trigger orgs_quota_plan_free_tier on public.orgs',
	'trigger orgs_updated_at on public.orgs',
	'trigger profiles_updated_at on public.profiles',
	'trigger projects_delete_guard on public.projects',
	'trigger projects_updated_at on public.projects',
	'trigger quota_limits_org_deleted_at on public.quota_limits',
	'trigger quota_limits_updated_at on public.quota_limits',
	'trigger renders_updated_at on public.renders',
	'trigger schedules_cap on public.schedules',
	'trigger schedules_delete_guard on public.schedules',
	'trigger schedules_timezone_check on public.schedules',
	'trigger schedules_updated_at on public.schedules',
	'trigger templates_delete_guard on public.templates',
	'trigger templates_org_deleted_at on public.templates',
	'trigger templates_updated_at on public.templates',
	'trigger usage_daily_updated_at on public.usage_daily',
	'trigger usage_records_append_only on public.usage_records',
	'trigger usage_records_idempotency on public.usage_records',
	'trigger usage_records_idempotency on public.usage_records_default',
	'trigger usage_records_quota on public.usage_records',
	'trigger usage_records_to_daily on public.usage_records',
	'trigger usage_records_updated_at on public.usage_records',
	'trigger usage_records_updated_at on public.usage_records_default',
	'trigger webhook_deliveries_updated_at on public.webhook_deliveries',
	'trigger webhooks_updated_at on public.webhooks',
	'trigger workflow_versions_delete_guard on public.workflow_versions',
	'trigger workflow_versions_updated_at on public.workflow_versions',
	'trigger workflows_delete_guard on public.workflows',
	'trigger workflows_updated_at on public.workflows',
	'type public.asset_source',
	'type public.asset_status',
	'type public.asset_type',
	'type public.delivery_status',
	'type public.integration_provider',
	'type public.integration_status',
	'type public.invoice_status',
	'type public.job_status',
	'type public.kai_generation_type',
	'type public.log_level',
	'type public.member_role',
	'type public.org_plan',
	'type public.resource_type',
	'type public.usage_records',
	'type public.usage_records[]',
	'type public.usage_records_default',
	'type public.usage_records_default[]',
	'type public.user_role',
	'type public.user_status',
	'type public.workflow_status',
	'view column fenta.mv_daily_usage.cost_usd',
	'view column fenta.mv_daily_usage.day',
	'view column fenta.mv_daily_usage.events',
	'view column fenta.mv_daily_usage.kai_credits',
	'view column fenta.mv_daily_usage.llm_tokens_output',
	'view column fenta.mv_daily_usage.llm_tokens_prompt',
	'view column fenta.mv_daily_usage.org_id',
	'view column fenta.mv_daily_usage.render_seconds',
	'view column fenta.mv_daily_usage.resource_type',
	'view column fenta.mv_daily_usage.storage_bytes',
	'view column fenta.mv_daily_usage.tokens',
	'view column fenta.plans.allow_overage',
	'view column fenta.plans.kai_credits_limit',
	'view column fenta.plans.overage_cap_usd',
	'view column fenta.plans.plan',
	'view column fenta.plans.price_per_1k_tokens_usd',
	'view column fenta.plans.price_per_kai_credit_usd',
	'view column fenta.plans.price_per_render_second_usd',
	'view column fenta.plans.render_seconds_limit',
	'view column fenta.plans.storage_bytes_limit',
	'view column fenta.plans.tokens_limit',
	'view column public.template_gallery.aspect',
	'view column public.template_gallery.created_at',
	'view column public.template_gallery.description',
	'view column public.template_gallery.id',
	'view column public.template_gallery.name',
	'view column public.template_gallery.resolution',
	'view column public.template_gallery.thumbnail_url',
	'view fenta.mv_daily_usage',
	'view fenta.plans',
	'view public.template_gallery'
]) > 0 AS guard_registered;
-- and what is not fenta's on its tables is kept for dumps (96_customer_objects.sql)
SELECT fenta.customer_objects_refresh() >= 0 AS customer_objects_listed;
