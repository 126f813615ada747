--
-- The quota engine's decisions: check_quota() and quota_status().
-- Users e1000000-...-0000000000NN, orgs e2000000-...-0000000000NN, slugs quota-*.
--
\set VERBOSITY terse
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text;
	msg text;
BEGIN
	EXECUTE sql;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
	RETURN st || ': ' || msg;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO PUBLIC;
INSERT INTO auth.users (id, email) VALUES
	('e1000000-0000-4000-8000-000000000001', 'owner@quota.test'),
	('e1000000-0000-4000-8000-000000000002', 'viewer@quota.test'),
	('e1000000-0000-4000-8000-000000000003', 'outsider@quota.test');
INSERT INTO public.orgs (id, name, slug, owner_id, plan) VALUES
	('e2000000-0000-4000-8000-000000000001', 'Quota Free', 'quota-free', 'e1000000-0000-4000-8000-000000000001', 'free'),
	('e2000000-0000-4000-8000-000000000002', 'Quota Pro', 'quota-pro', 'e1000000-0000-4000-8000-000000000001', 'pro'),
	('e2000000-0000-4000-8000-000000000003', 'Quota Gone', 'quota-gone', 'e1000000-0000-4000-8000-000000000001', 'pro');
INSERT INTO public.org_members (org_id, user_id, role) VALUES
	('e2000000-0000-4000-8000-000000000001', 'e1000000-0000-4000-8000-000000000002', 'viewer');
\set free '''e2000000-0000-4000-8000-000000000001'''
\set pro '''e2000000-0000-4000-8000-000000000002'''
\set gone '''e2000000-0000-4000-8000-000000000003'''

-- a fresh org gets its plan's limits (free: 100,000 tokens, 50 credits, 600 s)
SELECT check_quota(:free, 100000, 50, 600) AS exactly_the_limit,
	check_quota(:free, 100001, 0, 0) AS one_token_over,
	check_quota(:free, 0, 51, 0) AS one_credit_over,
	check_quota(:free, 0, 0, 601) AS one_second_over,
	check_quota(:free) AS nothing_requested;

-- used counts: usage goes to the counters at once (slots), rolled up or not
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, llm_tokens_output, render_seconds)
VALUES (:free, 'llm_tokens', 60000, 30000, 500);
SELECT check_quota(:free, 10000, 0, 0) AS fits, check_quota(:free, 10001, 0, 0) AS over,
	check_quota(:free, 0, 0, 100) AS render_fits, check_quota(:free, 0, 0, 101) AS render_over;
SELECT fenta.rollup_quota_counters() > 0 AS rolled_up;
SELECT check_quota(:free, 10000, 0, 0) AS fits, check_quota(:free, 10001, 0, 0) AS over;
SELECT * FROM quota_status(:free, 10001, 0, 0);
-- a resource already over its limit blocks only requests for that resource
UPDATE public.quota_limits SET tokens_limit = 1000 WHERE org_id = :free;
SELECT check_quota(:free, 0, 0, 100) AS render_still_fits, check_quota(:free, 1, 0, 0) AS tokens_blocked;

-- NULL limit: unlimited
UPDATE public.quota_limits SET tokens_limit = NULL WHERE org_id = :free;
SELECT check_quota(:free, 9223372036854775807, 0, 0) AS unlimited;
SELECT resource, quota_limit, remaining, allowed FROM quota_status(:free, 9223372036854775807) WHERE resource = 'tokens';

-- overage: pro allows it up to $500 at 0.001 per 1k tokens, 0.006 per credit, 0.003 per second
SELECT tokens_limit, kai_credits_limit, render_seconds_limit, allow_overage, overage_cap_usd,
	price_per_1k_tokens_usd, price_per_kai_credit_usd, price_per_render_second_usd
FROM public.quota_limits WHERE org_id = :pro;
-- 500,000,000 tokens over = $500: exactly the cap; one more token is over it
SELECT check_quota(:pro, 10000000 + 500000000, 0, 0) AS at_cap,
	check_quota(:pro, 10000000 + 500000001, 0, 0) AS above_cap;
-- the cap is shared by the resources: $300 of tokens + $200 of render seconds
SELECT check_quota(:pro, 10000000 + 300000000, 0, 72000 + 66666) AS shared_within,
	check_quota(:pro, 10000000 + 300000000, 0, 72000 + 66667) AS shared_above;
SELECT resource, requested, allowed, reason FROM quota_status(:pro, 10000000 + 300000000, 0, 72000 + 66667);
SELECT resource, requested, allowed, reason FROM quota_status(:pro, 10000000 + 300000000, 0, 72000 + 66666);
-- overage already used counts against the cap
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt) VALUES (:pro, 'llm_tokens', 10000000 + 400000000);
SELECT check_quota(:pro, 100000000, 0, 0) AS rest_of_cap, check_quota(:pro, 100000001, 0, 0) AS beyond,
	check_quota(:pro, 0, 0, 72000) AS render_within_limit;
-- no overage allowed: hard limit
UPDATE public.quota_limits SET allow_overage = false WHERE org_id = :pro;
SELECT check_quota(:pro, 1, 0, 0) AS tokens_hard, check_quota(:pro, 0, 1, 0) AS credits_ok;
SELECT resource, allowed, reason FROM quota_status(:pro, 1, 0, 0) WHERE resource = 'tokens';
UPDATE public.quota_limits SET allow_overage = true WHERE org_id = :pro;

-- reservations count as used
UPDATE public.quota_limits SET reserved_render_seconds = 600 WHERE org_id = :free;
SELECT check_quota(:free, 0, 0, 0) AS nothing, check_quota(:free, 0, 0, 1) AS reserved_blocks;
UPDATE public.quota_limits SET reserved_render_seconds = 0 WHERE org_id = :free;

-- unknown or soft-deleted org: false (service_role and superusers learn that)
UPDATE public.orgs SET deleted_at = now() WHERE id = :gone;
SELECT check_quota(:gone, 0, 0, 0) AS deleted_org,
	check_quota('e2000000-0000-4000-8000-0000000000ff', 0, 0, 0) AS unknown_org;
SELECT resource, quota_limit, used, allowed, reason FROM quota_status(:gone);
-- check_quota reads the quota row's copy of deleted_at; it follows the org
-- and cannot be written past it (a write takes the org's value)
SELECT org_deleted_at = (SELECT deleted_at FROM public.orgs WHERE id = :gone) AS copied
FROM public.quota_limits WHERE org_id = :gone;
UPDATE public.quota_limits SET org_deleted_at = NULL WHERE org_id = :gone;
SELECT org_deleted_at IS NOT NULL AS still_deleted, check_quota(:gone, 0, 0, 0) AS deleted_org
FROM public.quota_limits WHERE org_id = :gone;
UPDATE public.orgs SET deleted_at = NULL WHERE id = :gone;
SELECT org_deleted_at IS NULL AS restored, check_quota(:gone, 0, 0, 0) AS restored_org
FROM public.quota_limits WHERE org_id = :gone;
UPDATE public.quota_limits SET org_deleted_at = now() WHERE org_id = :gone;
SELECT org_deleted_at IS NULL AS still_restored FROM public.quota_limits WHERE org_id = :gone;
-- an org whose quota row is missing: false; a quota row inserted again for a
-- soft-deleted org copies its deleted_at
UPDATE public.orgs SET deleted_at = now() WHERE id = :gone;
DELETE FROM public.quota_limits WHERE org_id = :gone;
UPDATE public.orgs SET deleted_at = NULL WHERE id = :gone;
SELECT check_quota(:gone, 0, 0, 0) AS no_quota_row;
UPDATE public.orgs SET deleted_at = now() WHERE id = :gone;
INSERT INTO public.quota_limits (org_id) VALUES (:gone);
SELECT org_deleted_at IS NOT NULL AS copied_on_insert, check_quota(:gone, 0, 0, 0) AS deleted_org
FROM public.quota_limits WHERE org_id = :gone;
DELETE FROM public.quota_limits WHERE org_id = :gone;
UPDATE public.orgs SET deleted_at = NULL WHERE id = :gone;

--
-- Bad input: NULL or negative amounts are 22023, for every argument.
--
SELECT pg_temp.try($$SELECT check_quota(NULL, 0, 0, 0)$$) AS null_org,
	pg_temp.try($$SELECT check_quota('e2000000-0000-4000-8000-000000000001', NULL, 0, 0)$$) AS null_tokens,
	pg_temp.try($$SELECT check_quota('e2000000-0000-4000-8000-000000000001', 0, NULL, 0)$$) AS null_kai,
	pg_temp.try($$SELECT check_quota('e2000000-0000-4000-8000-000000000001', 0, 0, NULL)$$) AS null_render;
SELECT pg_temp.try($$SELECT check_quota('e2000000-0000-4000-8000-000000000001', -1, 0, 0)$$) AS negative_tokens,
	pg_temp.try($$SELECT check_quota('e2000000-0000-4000-8000-000000000001', 0, -1, 0)$$) AS negative_kai,
	pg_temp.try($$SELECT check_quota('e2000000-0000-4000-8000-000000000001', 0, 0, -9223372036854775808)$$) AS negative_render,
	pg_temp.try($$SELECT * FROM quota_status('e2000000-0000-4000-8000-000000000001', -5)$$) AS status_negative;
-- extreme amounts do not overflow the decision
SELECT check_quota(:pro, 9223372036854775807, 9223372036854775807, 9223372036854775807) AS all_max;
SELECT resource, remaining, allowed, reason FROM quota_status(:pro, 9223372036854775807, 9223372036854775807, 9223372036854775807);

--
-- Who may ask: members (any role) and RLS-exempt roles; anybody else 42501,
-- the same whether the org exists or not.
--
SET ROLE service_role;
SELECT check_quota(:free, 1, 0, 0) AS service_role_any_org, check_quota(:gone) AS service_role_no_row;
RESET ROLE;
SET ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub": "e1000000-0000-4000-8000-000000000002", "role": "authenticated"}', false) IS NOT NULL AS as_viewer;
SELECT check_quota(:free, 1, 0, 0) AS viewer_own_org;
SELECT count(*) AS viewer_status_rows FROM quota_status(:free);
SELECT pg_temp.try($$SELECT check_quota('e2000000-0000-4000-8000-000000000002', 1, 0, 0)$$) AS viewer_other_org,
	pg_temp.try($$SELECT check_quota('e2000000-0000-4000-8000-0000000000ff', 1, 0, 0)$$) AS viewer_unknown_org,
	pg_temp.try($$SELECT * FROM quota_status('e2000000-0000-4000-8000-000000000002')$$) AS viewer_other_status;
-- request.jwt.claim.sub wins over request.jwt.claims, as in auth.uid()
SELECT set_config('request.jwt.claim.sub', 'e1000000-0000-4000-8000-000000000001', false) IS NOT NULL AS as_owner;
SELECT check_quota(:pro, 1, 0, 0) AS owner_pro;
SELECT set_config('request.jwt.claim.sub', '', false) IS NOT NULL AS sub_cleared;
SELECT pg_temp.try($$SELECT check_quota('e2000000-0000-4000-8000-000000000002', 1, 0, 0)$$) AS viewer_again;
SELECT set_config('request.jwt.claims', '{"sub": "e1000000-0000-4000-8000-000000000003"}', false) IS NOT NULL AS as_outsider;
SELECT pg_temp.try($$SELECT check_quota('e2000000-0000-4000-8000-000000000001', 0, 0, 0)$$) AS outsider;
SELECT set_config('request.jwt.claims', '{"role": "authenticated"}', false) IS NOT NULL AS no_subject;
SELECT pg_temp.try($$SELECT check_quota('e2000000-0000-4000-8000-000000000001', 0, 0, 0)$$) AS no_sub;
SELECT set_config('request.jwt.claims', '{"sub": "not-a-uuid"}', false) IS NOT NULL AS bad_subject;
SELECT pg_temp.try($$SELECT check_quota('e2000000-0000-4000-8000-000000000001', 0, 0, 0)$$) AS bad_sub;
SELECT set_config('request.jwt.claims', '', false) IS NOT NULL AS claims_cleared;
RESET ROLE;
SET ROLE anon;
SELECT pg_temp.try($$SELECT check_quota('e2000000-0000-4000-8000-000000000001', 0, 0, 0)$$) AS anon;
RESET ROLE;
-- who may execute what
SELECT p.oid::regprocedure AS function, has_function_privilege('anon', p.oid, 'EXECUTE') AS anon,
	has_function_privilege('authenticated', p.oid, 'EXECUTE') AS authenticated,
	has_function_privilege('service_role', p.oid, 'EXECUTE') AS service_role
FROM pg_proc p
WHERE p.oid IN ('public.check_quota'::regproc, 'public.quota_status'::regproc, 'fenta.reserve_quota'::regproc,
				'fenta.release_quota'::regproc, 'fenta.apply_quota_resets'::regproc, 'fenta.rollup_quota_counters'::regproc,
				'fenta.apply_plan'::regproc, 'fenta.quota_usage'::regproc)
ORDER BY 1::text;

-- clean up
DELETE FROM public.orgs WHERE id IN (:free, :pro, :gone);
DELETE FROM auth.users WHERE id::text LIKE 'e1000000-%';
