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

-- The capture: AFTER INSERT ... FOR EACH STATEMENT on usage_records.
CREATE FUNCTION fenta.usage_daily_capture()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	INSERT INTO fenta.usage_daily_pending (org_id, day, resource_type, events,
		llm_tokens_prompt, llm_tokens_output, tokens, kai_credits, render_seconds, storage_bytes, cost_usd)
	SELECT n.org_id, (n.created_at AT TIME ZONE 'UTC')::date, n.resource_type, pg_catalog.count(*),
		pg_catalog.sum(n.llm_tokens_prompt)::bigint, pg_catalog.sum(n.llm_tokens_output)::bigint,
		pg_catalog.sum(n.llm_tokens_prompt OPERATOR(pg_catalog.+) n.llm_tokens_output)::bigint,
		pg_catalog.sum(n.kai_credits)::bigint, pg_catalog.sum(n.render_seconds)::bigint,
		pg_catalog.sum(n.storage_bytes)::bigint, pg_catalog.sum(n.cost_usd)
	FROM new_rows n
	GROUP BY 1, 2, 3;
	RETURN NULL;
END
$$;
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
-- ===========================================================================

CREATE FUNCTION fenta.member_org_ids(min_role public.member_role DEFAULT 'viewer')
RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT coalesce(pg_catalog.array_agg(m.org_id ORDER BY m.org_id), '{}')
	FROM public.org_members m
		JOIN public.orgs o ON o.id = m.org_id
		JOIN public.profiles p ON p.id = m.user_id
	WHERE m.user_id = (SELECT auth.uid())
		AND m.role >= member_org_ids.min_role
		AND o.deleted_at IS NULL
		AND p.status = 'active'
$$;
COMMENT ON FUNCTION fenta.member_org_ids(public.member_role) IS
'Ids of the live (not soft-deleted) orgs in which the requesting user (auth.uid()) has at least min_role, as an array; empty when the user is suspended or not signed in. Policies use its rows (fenta.org_ids()) as org_id = ANY (ARRAY(SELECT fenta.org_ids(''editor''))), computed once per statement.';
REVOKE ALL ON FUNCTION fenta.member_org_ids(public.member_role) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.member_org_ids(public.member_role) TO authenticated, service_role;

CREATE FUNCTION fenta.owned_deleted_org_ids()
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE ROWS 1
SET search_path = ''
AS $$
	SELECT m.org_id
	FROM public.org_members m
		JOIN public.orgs o ON o.id = m.org_id
		JOIN public.profiles p ON p.id = m.user_id
	WHERE m.user_id = (SELECT auth.uid())
		AND m.role = 'owner'
		AND o.deleted_at IS NOT NULL
		AND p.status = 'active'
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

CREATE FUNCTION fenta.org_is_live(org_id uuid)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT EXISTS (SELECT FROM public.orgs o WHERE o.id = org_is_live.org_id AND o.deleted_at IS NULL)
$$;
COMMENT ON FUNCTION fenta.org_is_live(uuid) IS
'True when the org exists and is not soft-deleted (public templates of a deleted org are hidden with it).';
REVOKE ALL ON FUNCTION fenta.org_is_live(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fenta.org_is_live(uuid) TO anon, authenticated, service_role;
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
-- public templates of live orgs; anon's gallery (its columns and policy) is
-- 72_limits.sql's.
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
		   OR (is_public AND deleted_at IS NULL AND fenta.org_is_live(org_id)));
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

-- Indexes with org_id leading for the orders the app lists by (a member's
-- list is an index scan of their orgs' rows, newest first).
CREATE INDEX idx_jobs_org_id_created_at ON public.jobs (org_id, created_at);
CREATE INDEX idx_jobs_org_id_status_created_at ON public.jobs (org_id, status, created_at);
CREATE INDEX idx_workflows_org_id_updated_at ON public.workflows (org_id, updated_at);
CREATE INDEX idx_templates_org_id_created_at ON public.templates (org_id, created_at);
CREATE INDEX idx_assets_org_id_created_at ON public.assets (org_id, created_at);
CREATE INDEX idx_projects_org_id_created_at ON public.projects (org_id, created_at);
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
	'function fenta.apply_plan(pg_catalog.uuid)',
	'function fenta.apply_quota_resets()',
	'function fenta.apply_quota_resets_batch(integer)',
	'function fenta.bypasses_rls()',
	'function fenta.copy_org_deleted_at()',
	'function fenta.customer_object_definitions()',
	'function fenta.customer_objects_ddl_end()',
	'function fenta.customer_objects_refresh()',
	'function fenta.customer_objects_replay()',
	'function fenta.customer_objects_sql_drop()',
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
	'function fenta.maintain_partitions(integer,integer,boolean,boolean,timestamp with time zone)',
	'function fenta.maintenance_job_name()',
	'function fenta.maintenance_plan(integer,integer,boolean,timestamp with time zone)',
	'function fenta.maintenance_session_lock(boolean)',
	'function fenta.maintenance_step(pg_catalog.text,pg_catalog.text)',
	'function fenta.member_org_ids(public.member_role)',
	'function fenta.org_ids(public.member_role)',
	'function fenta.org_is_live(pg_catalog.uuid)',
	'function fenta.org_members_guard()',
	'function fenta.orgs_apply_plan()',
	'function fenta.orgs_lifecycle_guard()',
	'function fenta.owned_deleted_org_ids()',
	'function fenta.plan_defaults()',
	'function fenta.quota_limits_org_deleted_at()',
	'function fenta.quota_usage(pg_catalog.uuid)',
	'function fenta.refresh_daily_usage(boolean)',
	'function fenta.release_expired_reservations(pg_catalog.uuid)',
	'function fenta.release_quota(pg_catalog.uuid)',
	'function fenta.require_org_role()',
	'function fenta.reserve_quota(pg_catalog.uuid,bigint,bigint,bigint,interval)',
	'function fenta.reset_org_quota(pg_catalog.uuid,timestamp with time zone,bigint)',
	'function fenta.rollup_quota_counters()',
	'function fenta.schedule_maintenance(pg_catalog.text,integer,integer)',
	'function fenta.secure_usage_months()',
	'function fenta.secure_usage_months_trigger()',
	'function fenta.tenant_limit(pg_catalog.text)',
	'function fenta.typeid_decode(pg_catalog.text,pg_catalog.text)',
	'function fenta.typeid_encode(pg_catalog.text,pg_catalog.uuid)',
	'function fenta.typeid_prefix(pg_catalog.text)',
	'function fenta.typeid_prefix_of(pg_catalog.regclass)',
	'function fenta.unschedule_maintenance()',
	'function fenta.update_quota_usage()',
	'function fenta.update_updated_at()',
	'function fenta.usage_idempotency_guard()',
	'function fenta.usage_months_misprivileged()',
	'function fenta.usage_records_append_only()',
	'function fenta.uuid_generate_v7()',
	'function fenta.uuid_v7_timestamp(pg_catalog.uuid)',
	'function fenta.verify_api_key(pg_catalog.text)',
	'function public.check_quota(pg_catalog.uuid,bigint,bigint,bigint)',
	'function public.create_api_key(pg_catalog.uuid,pg_catalog.text,pg_catalog.jsonb,timestamp with time zone)',
	'function public.daily_usage(pg_catalog.uuid,pg_catalog.date,pg_catalog.date)',
	'function public.public_id(public.api_keys)',
	'function public.public_id(public.asset_versions)',
	'function public.public_id(public.assets)',
	'function public.public_id(public.credit_packs)',
	'function public.public_id(public.integrations)',
	'function public.public_id(public.invoices)',
	'function public.public_id(public.job_logs)',
	'function public.public_id(public.jobs)',
	'function public.public_id(public.kai_generations)',
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
	'index fenta.idx_mv_daily_usage_org_day_resource',
	'index fenta.idx_quota_reservations_expires_at',
	'index fenta.idx_quota_reservations_org_id',
	'index fenta.idx_usage_idempotency_created_at',
	'index fenta.plan_overrides_pkey',
	'index fenta.quota_counters_pkey',
	'index fenta.quota_reservations_pkey',
	'index fenta.tenant_limits_pkey',
	'index fenta.usage_idempotency_pkey',
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
	'index public.idx_jobs_org_id_parent_job_id',
	'index public.idx_jobs_org_id_project_id',
	'index public.idx_jobs_org_id_status_created_at',
	'index public.idx_jobs_org_id_template_id',
	'index public.idx_jobs_org_id_workflow_id',
	'index public.idx_jobs_org_status',
	'index public.idx_jobs_queued',
	'index public.idx_jobs_status',
	'index public.idx_kai_generations_external_task_id',
	'index public.idx_kai_generations_org_id_job_id',
	'index public.idx_kai_generations_params',
	'index public.idx_kai_generations_status',
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
	'materialized view column fenta.mv_daily_usage.cost_usd',
	'materialized view column fenta.mv_daily_usage.day',
	'materialized view column fenta.mv_daily_usage.events',
	'materialized view column fenta.mv_daily_usage.kai_credits',
	'materialized view column fenta.mv_daily_usage.llm_tokens_output',
	'materialized view column fenta.mv_daily_usage.llm_tokens_prompt',
	'materialized view column fenta.mv_daily_usage.org_id',
	'materialized view column fenta.mv_daily_usage.render_seconds',
	'materialized view column fenta.mv_daily_usage.resource_type',
	'materialized view column fenta.mv_daily_usage.storage_bytes',
	'materialized view column fenta.mv_daily_usage.tokens',
	'materialized view fenta.mv_daily_usage',
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
	'policy templates_update on public.templates',
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
	'table column fenta.usage_idempotency.created_at',
	'table column fenta.usage_idempotency.idempotency_key',
	'table column fenta.usage_idempotency.org_id',
	'table column fenta.usage_idempotency.usage_id',
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
	'table column public.templates.org_id',
	'table column public.templates.project_id',
	'table column public.templates.resolution',
	'table column public.templates.spec',
	'table column public.templates.thumbnail_url',
	'table column public.templates.updated_at',
	'table column public.templates.usage_count',
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
	'table constraint api_keys_key_prefix_format on public.api_keys',
	'table constraint api_keys_member_fkey on public.api_keys',
	'table constraint api_keys_name_not_empty on public.api_keys',
	'table constraint api_keys_org_id_fkey on public.api_keys',
	'table constraint api_keys_pkey on public.api_keys',
	'table constraint api_keys_scopes_is_array on public.api_keys',
	'table constraint api_keys_user_id_fkey on public.api_keys',
	'table constraint asset_versions_asset_id_fkey on public.asset_versions',
	'table constraint asset_versions_asset_id_version_key on public.asset_versions',
	'table constraint asset_versions_checksum_sha256_format on public.asset_versions',
	'table constraint asset_versions_created_by_fkey on public.asset_versions',
	'table constraint asset_versions_file_present on public.asset_versions',
	'table constraint asset_versions_file_size_bytes_not_negative on public.asset_versions',
	'table constraint asset_versions_metadata_is_object on public.asset_versions',
	'table constraint asset_versions_org_id_fkey on public.asset_versions',
	'table constraint asset_versions_pkey on public.asset_versions',
	'table constraint asset_versions_storage_path_not_empty on public.asset_versions',
	'table constraint asset_versions_url_format on public.asset_versions',
	'table constraint asset_versions_version_positive on public.asset_versions',
	'table constraint assets_duration_seconds_not_negative on public.assets',
	'table constraint assets_file_size_bytes_not_negative on public.assets',
	'table constraint assets_fps_positive on public.assets',
	'table constraint assets_height_positive on public.assets',
	'table constraint assets_metadata_is_object on public.assets',
	'table constraint assets_mime_type_format on public.assets',
	'table constraint assets_name_not_empty on public.assets',
	'table constraint assets_org_id_fkey on public.assets',
	'table constraint assets_org_id_id_key on public.assets',
	'table constraint assets_pkey on public.assets',
	'table constraint assets_project_id_fkey on public.assets',
	'table constraint assets_storage_path_not_empty on public.assets',
	'table constraint assets_thumbnail_url_format on public.assets',
	'table constraint assets_url_format on public.assets',
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
	'table constraint integrations_credentials_is_object on public.integrations',
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
	'table constraint org_members_org_id_fkey on public.org_members',
	'table constraint org_members_org_id_user_id_key on public.org_members',
	'table constraint org_members_pkey on public.org_members',
	'table constraint org_members_user_id_fkey on public.org_members',
	'table constraint orgs_billing_email_format on public.orgs',
	'table constraint orgs_name_not_empty on public.orgs',
	'table constraint orgs_owner_id_fkey on public.orgs',
	'table constraint orgs_pkey on public.orgs',
	'table constraint orgs_settings_is_object on public.orgs',
	'table constraint orgs_slug_format on public.orgs',
	'table constraint orgs_slug_key on public.orgs',
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
	'table constraint profiles_id_fkey on public.profiles',
	'table constraint profiles_metadata_is_object on public.profiles',
	'table constraint profiles_name_not_empty on public.profiles',
	'table constraint profiles_pkey on public.profiles',
	'table constraint projects_name_not_empty on public.projects',
	'table constraint projects_org_id_fkey on public.projects',
	'table constraint projects_org_id_id_key on public.projects',
	'table constraint projects_pkey on public.projects',
	'table constraint projects_settings_is_object on public.projects',
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
	'table constraint schedules_org_id_fkey on public.schedules',
	'table constraint schedules_pkey on public.schedules',
	'table constraint schedules_run_count_not_negative on public.schedules',
	'table constraint schedules_timezone_valid on public.schedules',
	'table constraint schedules_workflow_id_fkey on public.schedules',
	'table constraint templates_aspect_valid on public.templates',
	'table constraint templates_name_not_empty on public.templates',
	'table constraint templates_org_id_fkey on public.templates',
	'table constraint templates_org_id_id_key on public.templates',
	'table constraint templates_pkey on public.templates',
	'table constraint templates_project_id_fkey on public.templates',
	'table constraint templates_resolution_format on public.templates',
	'table constraint templates_spec_is_object on public.templates',
	'table constraint templates_thumbnail_url_format on public.templates',
	'table constraint templates_usage_count_not_negative on public.templates',
	'table constraint tenant_limits_name_known on fenta.tenant_limits',
	'table constraint tenant_limits_pkey on fenta.tenant_limits',
	'table constraint tenant_limits_value_not_negative on fenta.tenant_limits',
	'table constraint usage_idempotency_org_id_fkey on fenta.usage_idempotency',
	'table constraint usage_idempotency_pkey on fenta.usage_idempotency',
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
	'table constraint webhooks_name_not_empty on public.webhooks',
	'table constraint webhooks_org_id_fkey on public.webhooks',
	'table constraint webhooks_org_id_id_key on public.webhooks',
	'table constraint webhooks_pkey on public.webhooks',
	'table constraint webhooks_secret_length on public.webhooks',
	'table constraint webhooks_url_https on public.webhooks',
	'table constraint workflow_versions_created_by_fkey on public.workflow_versions',
	'table constraint workflow_versions_graph_shape on public.workflow_versions',
	'table constraint workflow_versions_org_id_fkey on public.workflow_versions',
	'table constraint workflow_versions_pkey on public.workflow_versions',
	'table constraint workflow_versions_variables_is_object on public.workflow_versions',
	'table constraint workflow_versions_version_positive on public.workflow_versions',
	'table constraint workflow_versions_workflow_id_fkey on public.workflow_versions',
	'table constraint workflow_versions_workflow_id_version_key on public.workflow_versions',
	'table constraint workflows_graph_shape on public.workflows',
	'table constraint workflows_name_not_empty on public.workflows',
	'table constraint workflows_org_id_fkey on public.workflows',
	'table constraint workflows_org_id_id_key on public.workflows',
	'table constraint workflows_pkey on public.workflows',
	'table constraint workflows_project_id_fkey on public.workflows',
	'table constraint workflows_run_count_not_negative on public.workflows',
	'table constraint workflows_template_id_fkey on public.workflows',
	'table constraint workflows_variables_is_object on public.workflows',
	'table fenta.customer_objects',
	'table fenta.guarded_objects',
	'table fenta.plan_overrides',
	'table fenta.quota_counters',
	'table fenta.quota_reservations',
	'table fenta.tenant_limits',
	'table fenta.usage_idempotency',
	'table public.api_keys',
	'table public.asset_versions',
	'table public.assets',
	'table public.credit_packs',
	'table public.integrations',
	'table public.invoices',
	'table public.job_logs',
	'table public.jobs',
	'table public.kai_generations',
	'table public.org_members',
	'table public.orgs',
	'table public.profiles',
	'table public.projects',
	'table public.quota_limits',
	'table public.renders',
	'table public.schedules',
	'table public.templates',
	'table public.usage_records',
	'table public.usage_records_default',
	'table public.webhook_deliveries',
	'table public.webhooks',
	'table public.workflow_versions',
	'table public.workflows',
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
	'trigger jobs_update_guard on public.jobs',
	'trigger jobs_updated_at on public.jobs',
	'trigger kai_generations_updated_at on public.kai_generations',
	'trigger org_members_guard on public.org_members',
	'trigger org_members_updated_at on public.org_members',
	'trigger orgs_copy_deleted_at on public.orgs',
	'trigger orgs_handle_new on public.orgs',
	'trigger orgs_lifecycle_guard on public.orgs',
	'trigger orgs_quota_plan on public.orgs',
	'trigger orgs_quota_plan_change on public.orgs',
	'trigger orgs_updated_at on public.orgs',
	'trigger profiles_updated_at on public.profiles',
	'trigger projects_delete_guard on public.projects',
	'trigger projects_updated_at on public.projects',
	'trigger quota_limits_org_deleted_at on public.quota_limits',
	'trigger quota_limits_updated_at on public.quota_limits',
	'trigger renders_updated_at on public.renders',
	'trigger schedules_delete_guard on public.schedules',
	'trigger schedules_updated_at on public.schedules',
	'trigger templates_delete_guard on public.templates',
	'trigger templates_updated_at on public.templates',
	'trigger usage_records_append_only on public.usage_records',
	'trigger usage_records_idempotency on public.usage_records',
	'trigger usage_records_idempotency on public.usage_records_default',
	'trigger usage_records_quota on public.usage_records',
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
	'view fenta.plans'
]) > 0 AS guard_registered;
-- and what is not fenta's on its tables is kept for dumps (96_customer_objects.sql)
SELECT fenta.customer_objects_refresh() >= 0 AS customer_objects_listed;
