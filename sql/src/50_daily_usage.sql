-- Daily usage: fenta.mv_daily_usage, its refresh, and the members' reading
-- path public.daily_usage().
--
-- A materialized view has no row level security, so it lives in fenta (not
-- exposed by the Data API) and members read their own org's days through
-- public.daily_usage(), which checks membership.

CREATE MATERIALIZED VIEW fenta.mv_daily_usage AS
SELECT u.org_id,
	(u.created_at AT TIME ZONE 'UTC')::date AS day,
	u.resource_type,
	pg_catalog.count(*) AS events,
	pg_catalog.sum(u.llm_tokens_prompt)::bigint AS llm_tokens_prompt,
	pg_catalog.sum(u.llm_tokens_output)::bigint AS llm_tokens_output,
	pg_catalog.sum(u.llm_tokens_prompt + u.llm_tokens_output)::bigint AS tokens,
	pg_catalog.sum(u.kai_credits)::bigint AS kai_credits,
	pg_catalog.sum(u.render_seconds)::bigint AS render_seconds,
	pg_catalog.sum(u.storage_bytes)::bigint AS storage_bytes,
	pg_catalog.sum(u.cost_usd) AS cost_usd
FROM public.usage_records u
GROUP BY u.org_id, (u.created_at AT TIME ZONE 'UTC')::date, u.resource_type
WITH DATA;
COMMENT ON MATERIALIZED VIEW fenta.mv_daily_usage IS 'Usage per org, UTC day and resource type, aggregated from public.usage_records. Refreshed by fenta.refresh_daily_usage() (and fenta.maintain_partitions). No row level security: not exposed; members read it through public.daily_usage().';
COMMENT ON COLUMN fenta.mv_daily_usage.org_id IS 'The org.';
COMMENT ON COLUMN fenta.mv_daily_usage.day IS 'UTC date of the events (created_at).';
COMMENT ON COLUMN fenta.mv_daily_usage.resource_type IS 'Metered resource.';
COMMENT ON COLUMN fenta.mv_daily_usage.events IS 'Number of usage records.';
COMMENT ON COLUMN fenta.mv_daily_usage.llm_tokens_prompt IS 'Sum of LLM prompt tokens.';
COMMENT ON COLUMN fenta.mv_daily_usage.llm_tokens_output IS 'Sum of LLM output tokens.';
COMMENT ON COLUMN fenta.mv_daily_usage.tokens IS 'Sum of LLM tokens, prompt + output (what tokens_used counts).';
COMMENT ON COLUMN fenta.mv_daily_usage.kai_credits IS 'Sum of KIE.ai credits.';
COMMENT ON COLUMN fenta.mv_daily_usage.render_seconds IS 'Sum of render seconds.';
COMMENT ON COLUMN fenta.mv_daily_usage.storage_bytes IS 'Net change of stored bytes.';
COMMENT ON COLUMN fenta.mv_daily_usage.cost_usd IS 'Sum of costs in US dollars.';
-- Needed by REFRESH MATERIALIZED VIEW CONCURRENTLY.
CREATE UNIQUE INDEX idx_mv_daily_usage_org_day_resource ON fenta.mv_daily_usage (org_id, day, resource_type);
REVOKE ALL ON fenta.mv_daily_usage FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON fenta.mv_daily_usage TO service_role;

-- Recomputes mv_daily_usage; concurrently (readers are not blocked) unless
-- told otherwise or the view has never been populated.
CREATE FUNCTION fenta.refresh_daily_usage(concurrently boolean DEFAULT true)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	IF refresh_daily_usage.concurrently
		AND (SELECT c.relispopulated FROM pg_catalog.pg_class c
			 WHERE c.oid = 'fenta.mv_daily_usage'::pg_catalog.regclass) THEN
		REFRESH MATERIALIZED VIEW CONCURRENTLY fenta.mv_daily_usage;
	ELSE
		REFRESH MATERIALIZED VIEW fenta.mv_daily_usage;
	END IF;
END
$$;
COMMENT ON FUNCTION fenta.refresh_daily_usage(boolean) IS
'Backend (service_role): refreshes fenta.mv_daily_usage, CONCURRENTLY by default (readers are not blocked; falls back to a plain refresh if the view is not populated). With false, a plain refresh, which locks readers out but is faster.';
REVOKE ALL ON FUNCTION fenta.refresh_daily_usage(boolean) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.refresh_daily_usage(boolean) TO service_role;

-- Members' reading path to mv_daily_usage.
--
-- It runs as the extension owner to read the view, so fenta.bypasses_rls()
-- (which looks at CURRENT_USER, here the owner) cannot tell who called: the
-- caller is the role the session has SET ROLE to (as PostgREST does), else
-- the session user.  A session can only SET ROLE to roles it is a member of.
CREATE FUNCTION public.daily_usage(org_id uuid, from_day date DEFAULT NULL, to_day date DEFAULT NULL)
RETURNS TABLE (day date, resource_type public.resource_type, events bigint,
			   llm_tokens_prompt bigint, llm_tokens_output bigint, tokens bigint,
			   kai_credits bigint, render_seconds bigint, storage_bytes bigint, cost_usd numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	caller name := CASE pg_catalog.current_setting('role')
		WHEN 'none' THEN SESSION_USER
		ELSE pg_catalog.current_setting('role')::name END;
BEGIN
	IF daily_usage.org_id IS NULL THEN
		RAISE EXCEPTION 'org_id must not be NULL'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT fenta.has_org_role(daily_usage.org_id, 'viewer')
		AND NOT coalesce((SELECT r.rolsuper OR r.rolbypassrls
						  FROM pg_catalog.pg_roles r
						  WHERE r.rolname = caller), false) THEN
		RAISE EXCEPTION 'permission denied for org %', daily_usage.org_id
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Only members of the org may read its usage.';
	END IF;
	RETURN QUERY
		SELECT m.day, m.resource_type, m.events,
			m.llm_tokens_prompt, m.llm_tokens_output, m.tokens,
			m.kai_credits, m.render_seconds, m.storage_bytes, m.cost_usd
		FROM fenta.mv_daily_usage m
		WHERE m.org_id = daily_usage.org_id
			AND (daily_usage.from_day IS NULL OR m.day >= daily_usage.from_day)
			AND (daily_usage.to_day IS NULL OR m.day <= daily_usage.to_day)
		ORDER BY m.day, m.resource_type;
END
$$;
COMMENT ON FUNCTION public.daily_usage(uuid, date, date) IS
'RPC: daily usage of an org from fenta.mv_daily_usage (as of its last refresh), one row per UTC day and resource type, days from from_day to to_day inclusive (NULL = open end), ordered by day. For members of the org and for roles that bypass RLS (service_role); anybody else gets 42501.';
REVOKE ALL ON FUNCTION public.daily_usage(uuid, date, date) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.daily_usage(uuid, date, date) TO authenticated, service_role;
