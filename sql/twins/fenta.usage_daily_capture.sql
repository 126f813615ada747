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
