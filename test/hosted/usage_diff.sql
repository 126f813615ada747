-- Differential scenario of the usage path (test/t/migrations.sh): run as
-- supabase_admin in an extension database and in a migrations database; the
-- output must be identical.  Usage statements over several orgs at once,
-- KIE.ai credits beyond the limit drawn from credit packs, storage up and
-- down, repeated idempotency keys, rollups, errors.
\set ON_ERROR_STOP off
\set VERBOSITY verbose
\set SHOW_CONTEXT never
\pset footer off
SET client_min_messages = warning;
SET TIME ZONE 'UTC';
INSERT INTO auth.users (id, email) VALUES ('d1000000-0000-4000-8000-0000000000d1', 'diff@usage.test');
INSERT INTO public.orgs (id, name, slug, owner_id, plan)
SELECT ('d2000000-0000-4000-8000-0000000000d' || n)::uuid, 'Usage ' || n, 'usage-diff-' || n,
	'd1000000-0000-4000-8000-0000000000d1', (ARRAY['free', 'starter', 'pro', 'enterprise']::public.org_plan[])[n]
FROM generate_series(1, 4) n;
UPDATE public.quota_limits SET kai_credits_limit = 100 WHERE org_id <> 'd2000000-0000-4000-8000-0000000000d4';
UPDATE public.quota_limits SET kai_credits_limit = NULL WHERE org_id = 'd2000000-0000-4000-8000-0000000000d4';
INSERT INTO public.credit_packs (org_id, pack_type, credits_purchased, credits_remaining, expires_at)
VALUES ('d2000000-0000-4000-8000-0000000000d1', 'soon', 50, 50, now() + interval '1 day'),
	('d2000000-0000-4000-8000-0000000000d1', 'later', 500, 500, now() + interval '30 days'),
	('d2000000-0000-4000-8000-0000000000d1', 'never', 1000, 1000, NULL),
	('d2000000-0000-4000-8000-0000000000d1', 'expired', 1000, 1000, now() - interval '1 day'),
	('d2000000-0000-4000-8000-0000000000d2', 'small', 30, 30, now() + interval '2 days');
-- 200 statements of 1 to 7 rows over the four orgs
DO $$
BEGIN
	FOR s IN 1 .. 200 LOOP
		INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, llm_tokens_output,
			kai_credits, render_seconds, storage_bytes, cost_usd, idempotency_key, created_at)
		SELECT ('d2000000-0000-4000-8000-0000000000d' || (1 + (s * 7 + r) % 4))::uuid,
			(ARRAY['llm_tokens', 'kai_credits', 'render_seconds', 'storage']::public.resource_type[])[1 + (s + r) % 4],
			(s * 37 + r * 11) % 500, (s * 13 + r) % 300, (s * 7 + r * 3) % 9, (s + r) % 17,
			((s * 101 + r * 7) % 2000) - 800, ((s * 3 + r) % 50) / 10.0,
			CASE WHEN (s + r) % 5 = 0 THEN 'key-' || ((s * 3 + r) % 40) END,
			timestamptz '2026-11-01 00:00 UTC' + (s * interval '37 minutes') + (r * interval '1 minute')
		FROM generate_series(1, 1 + s % 7) r;
		IF s % 50 = 0 THEN
			PERFORM fenta.rollup_quota_counters();
		END IF;
	END LOOP;
END
$$;
SELECT o.slug, u.* FROM public.orgs o, fenta.quota_usage(o.id) u ORDER BY o.slug;
SELECT o.slug, l.kai_credits_used, l.kai_credits_from_packs FROM public.quota_limits l JOIN public.orgs o ON o.id = l.org_id ORDER BY o.slug;
SELECT pack_type, credits_remaining FROM public.credit_packs ORDER BY pack_type;
SELECT count(*) AS rows, sum(kai_credits) AS kai, count(idempotency_key) AS keyed FROM public.usage_records;
SELECT count(*) AS keys FROM fenta.usage_idempotency;
SELECT o.slug, p.day, p.resource_type, sum(p.events) AS events, sum(p.tokens) AS tokens, sum(p.kai_credits) AS kai,
	sum(p.render_seconds) AS render, sum(p.storage_bytes) AS storage, sum(p.cost_usd) AS cost
FROM fenta.usage_daily_pending p JOIN public.orgs o ON o.id = p.org_id
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
-- a retry that repeats the key is skipped
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, idempotency_key)
VALUES ('d2000000-0000-4000-8000-0000000000d1', 'llm_tokens', 5, 'key-1');
SELECT count(*) FROM public.usage_records WHERE idempotency_key = 'key-1';
-- check_quota and quota_status: limits, packs, reservations, overage
UPDATE public.quota_limits SET tokens_limit = 70000, render_seconds_limit = 1400, storage_bytes_limit = 40000,
	allow_overage = (org_id <> 'd2000000-0000-4000-8000-0000000000d2'), overage_cap_usd = 5,
	price_per_1k_tokens_usd = 0.2, price_per_kai_credit_usd = 0.05, price_per_render_second_usd = 0.01;
SELECT fenta.reserve_quota('d2000000-0000-4000-8000-0000000000d1', 1000, 20, 10) IS NOT NULL AS reserved;
SELECT o.slug, t.n, public.check_quota(o.id, (t.n * 997) % 9000, (t.n * 13) % 700, (t.n * 7) % 90) AS allowed
FROM public.orgs o, generate_series(0, 24) t(n) ORDER BY 1, 2;
SELECT o.slug, s.* FROM public.orgs o, public.quota_status(o.id, 2500, 120, 30) s ORDER BY 1;
SELECT * FROM public.quota_status('d2000000-0000-4000-8000-0000000000d9', 1);
SELECT public.check_quota('d2000000-0000-4000-8000-0000000000d9', 1);
SELECT public.check_quota(NULL, 1);
SELECT public.check_quota('d2000000-0000-4000-8000-0000000000d1', 1, NULL);
SELECT public.check_quota('d2000000-0000-4000-8000-0000000000d1', 1, 2, -3);
SELECT * FROM public.quota_status('d2000000-0000-4000-8000-0000000000d1', -1);
-- as a signed-in member, a stranger and anon
BEGIN;
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub": "d1000000-0000-4000-8000-0000000000d1", "role": "authenticated"}', true);
SELECT public.check_quota('d2000000-0000-4000-8000-0000000000d1', 10);
SELECT resource, remaining, allowed FROM public.quota_status('d2000000-0000-4000-8000-0000000000d2', 10);
SELECT set_config('request.jwt.claims', '{"sub": "d1000000-0000-4000-8000-0000000000ff", "role": "authenticated"}', true);
SELECT public.check_quota('d2000000-0000-4000-8000-0000000000d1', 10);
ROLLBACK;
BEGIN;
SET LOCAL ROLE anon;
SELECT public.check_quota('d2000000-0000-4000-8000-0000000000d1', 10);
ROLLBACK;
BEGIN;
SET LOCAL ROLE service_role;
SELECT public.check_quota('d2000000-0000-4000-8000-0000000000d3', 10);
ROLLBACK;
UPDATE public.orgs SET deleted_at = now() WHERE id = 'd2000000-0000-4000-8000-0000000000d4';
SELECT public.check_quota('d2000000-0000-4000-8000-0000000000d4', 0);
SELECT * FROM public.quota_status('d2000000-0000-4000-8000-0000000000d4', 0) LIMIT 1;
-- errors
INSERT INTO public.usage_records (org_id, resource_type, storage_bytes)
VALUES ('d2000000-0000-4000-8000-0000000000d1', 'storage', 9223372036854775807),
	('d2000000-0000-4000-8000-0000000000d1', 'storage', 9223372036854775807);
DELETE FROM public.quota_limits WHERE org_id = 'd2000000-0000-4000-8000-0000000000d3';
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt)
VALUES ('d2000000-0000-4000-8000-0000000000d3', 'llm_tokens', 5);
INSERT INTO public.usage_records (org_id, resource_type, kai_credits)
VALUES ('d2000000-0000-4000-8000-0000000000d3', 'kai_credits', 5);
-- public ids (their functions pin search_path in the migrations flavour)
SELECT public.public_id(o), public.uuid_from_public_id(public.public_id(o), 'public.orgs') = o.id,
	fenta.typeid_prefix_of('public.orgs') FROM public.orgs o ORDER BY o.slug;
SELECT public.public_id(p) FROM public.profiles p;
