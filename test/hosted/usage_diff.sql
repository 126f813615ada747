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
-- errors
INSERT INTO public.usage_records (org_id, resource_type, storage_bytes)
VALUES ('d2000000-0000-4000-8000-0000000000d1', 'storage', 9223372036854775807),
	('d2000000-0000-4000-8000-0000000000d1', 'storage', 9223372036854775807);
DELETE FROM public.quota_limits WHERE org_id = 'd2000000-0000-4000-8000-0000000000d3';
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt)
VALUES ('d2000000-0000-4000-8000-0000000000d3', 'llm_tokens', 5);
INSERT INTO public.usage_records (org_id, resource_type, kai_credits)
VALUES ('d2000000-0000-4000-8000-0000000000d3', 'kai_credits', 5);
