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
