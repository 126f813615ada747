CREATE FUNCTION public.quota_status(org_id uuid, tokens bigint DEFAULT 0, kai_credits bigint DEFAULT 0, render_seconds bigint DEFAULT 0)
RETURNS TABLE (resource text, quota_limit bigint, used bigint, reserved bigint, remaining bigint,
			   requested bigint, allowed boolean, reason text)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 4
SET search_path = ''
AS $$
	SELECT * FROM fenta.quota_detail(org_id, tokens, kai_credits, render_seconds)
$$;
