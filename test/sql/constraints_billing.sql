--
-- Billing tables: every CHECK constraint rejects its bad row (23514, named)
-- and accepts the good row next to it; usage lands in the default partition;
-- mv_daily_usage and its reading path public.daily_usage().
--
\set VERBOSITY terse

-- Runs one statement and reports, as a NOTICE, whether it was accepted or the
-- SQLSTATE and the constraint (or message) of its error.
CREATE FUNCTION pg_temp.attempt(label text, stmt text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	state text;
	cons text;
	msg text;
BEGIN
	EXECUTE stmt;
	RAISE NOTICE '%: accepted', label;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE,
							cons = CONSTRAINT_NAME,
							msg = MESSAGE_TEXT;
	RAISE NOTICE '%: % %', label, state, coalesce(nullif(cons, ''), msg);
END
$$;

-- an owner with an org, and an outsider
INSERT INTO auth.users (id, email, raw_user_meta_data) VALUES
	('b1000000-0000-4000-8000-000000000001', 'owner@billing.test', '{"full_name": "Billing Owner"}'),
	('b1000000-0000-4000-8000-000000000002', 'outsider@billing.test', '{}');
INSERT INTO public.orgs (id, name, slug, owner_id) VALUES
	('b2000000-0000-4000-8000-000000000001', 'Billing Org', 'billing-test', 'b1000000-0000-4000-8000-000000000001');
-- the org came with its owner membership and its quota row
SELECT m.role, q.tokens_limit IS NULL AS unlimited, q.tokens_used,
	q.reset_at = (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC' AS reset_next_utc_month
FROM public.org_members m JOIN public.quota_limits q USING (org_id)
WHERE m.org_id = 'b2000000-0000-4000-8000-000000000001';

--
-- usage_records
--
DO $$
DECLARE
	ins text := 'INSERT INTO public.usage_records (org_id, resource_type, created_at, %s) VALUES (''b2000000-0000-4000-8000-000000000001'', %L, ''2024-01-15 12:00+00'', %s)';
BEGIN
	PERFORM pg_temp.attempt('llm_tokens_prompt -1', format(ins, 'llm_tokens_prompt', 'llm_tokens', '-1'));
	PERFORM pg_temp.attempt('llm_tokens_prompt 0', format(ins, 'llm_tokens_prompt', 'llm_tokens', '0'));
	PERFORM pg_temp.attempt('llm_tokens_output -1', format(ins, 'llm_tokens_output', 'llm_tokens', '-1'));
	PERFORM pg_temp.attempt('llm_tokens_output 1', format(ins, 'llm_tokens_output', 'llm_tokens', '1'));
	PERFORM pg_temp.attempt('kai_credits -1', format(ins, 'kai_credits', 'kai_credits', '-1'));
	PERFORM pg_temp.attempt('kai_credits 1', format(ins, 'kai_credits', 'kai_credits', '1'));
	PERFORM pg_temp.attempt('render_seconds -1', format(ins, 'render_seconds', 'render_seconds', '-1'));
	PERFORM pg_temp.attempt('render_seconds 1', format(ins, 'render_seconds', 'render_seconds', '1'));
	PERFORM pg_temp.attempt('cost_usd -0.000001', format(ins, 'cost_usd', 'llm_tokens', '-0.000001'));
	PERFORM pg_temp.attempt('cost_usd 0.000001', format(ins, 'cost_usd', 'llm_tokens', '0.000001'));
	PERFORM pg_temp.attempt('metadata array', format(ins, 'metadata', 'llm_tokens', '''[]'''));
	PERFORM pg_temp.attempt('metadata object', format(ins, 'metadata', 'llm_tokens', '''{"k": 1}'''));
	-- storage may go down
	PERFORM pg_temp.attempt('storage_bytes 100', format(ins, 'storage_bytes', 'storage', '100'));
	PERFORM pg_temp.attempt('storage_bytes -100', format(ins, 'storage_bytes', 'storage', '-100'));
END
$$;

--
-- quota_limits (the row made with the org)
--
DO $$
DECLARE
	col text;
	upd text := 'UPDATE public.quota_limits SET %I = %s WHERE org_id = ''b2000000-0000-4000-8000-000000000001''';
BEGIN
	FOREACH col IN ARRAY ARRAY['tokens_limit', 'render_seconds_limit', 'kai_credits_limit', 'storage_bytes_limit',
							   'tokens_used', 'render_seconds_used', 'kai_credits_used', 'storage_bytes_used',
							   'overage_cap_usd']
	LOOP
		PERFORM pg_temp.attempt(col || ' -1', format(upd, col, '-1'));
		PERFORM pg_temp.attempt(col || ' 0', format(upd, col, '0'));
	END LOOP;
	-- back to unlimited, as it was
	UPDATE public.quota_limits SET tokens_limit = NULL, render_seconds_limit = NULL,
		kai_credits_limit = NULL, storage_bytes_limit = NULL
	WHERE org_id = 'b2000000-0000-4000-8000-000000000001';
END
$$;
-- one quota row per org
DO $$
BEGIN
	PERFORM pg_temp.attempt('second quota row',
		'INSERT INTO public.quota_limits (org_id) VALUES (''b2000000-0000-4000-8000-000000000001'')');
END
$$;

--
-- invoices
--
DO $$
DECLARE
	ins text := 'INSERT INTO public.invoices (org_id, %s) VALUES (''b2000000-0000-4000-8000-000000000001'', %s)';
BEGIN
	PERFORM pg_temp.attempt('amount_usd -0.01', format(ins, 'amount_usd', '-0.01'));
	PERFORM pg_temp.attempt('amount_usd 0.01', format(ins, 'amount_usd', '0.01'));
	PERFORM pg_temp.attempt('currency USD', format(ins, 'currency', '''USD'''));
	PERFORM pg_temp.attempt('currency eur', format(ins, 'currency', '''eur'''));
	PERFORM pg_temp.attempt('period end before start', format(ins, 'period_start, period_end', '''2024-02-01 00:00+00'', ''2024-01-31 23:59:59+00'''));
	PERFORM pg_temp.attempt('period end = start', format(ins, 'period_start, period_end', '''2024-02-01 00:00+00'', ''2024-02-01 00:00+00'''));
	PERFORM pg_temp.attempt('line_items object', format(ins, 'line_items', '''{}'''));
	PERFORM pg_temp.attempt('line_items array', format(ins, 'line_items', '''[{"description": "Pro plan", "amount": 49}]'''));
	PERFORM pg_temp.attempt('stripe_invoice_id in_b1', format(ins, 'stripe_invoice_id', '''in_b1'''));
	PERFORM pg_temp.attempt('stripe_invoice_id in_b1 again', format(ins, 'stripe_invoice_id', '''in_b1'''));
END
$$;

--
-- credit_packs
--
DO $$
DECLARE
	ins text := 'INSERT INTO public.credit_packs (org_id, pack_type, credits_purchased, credits_remaining, price_usd, expires_at) VALUES (''b2000000-0000-4000-8000-000000000001'', %s)';
BEGIN
	PERFORM pg_temp.attempt('pack_type blank', format(ins, ''' '', 100, 100, 10, NULL'));
	PERFORM pg_temp.attempt('pack_type small', format(ins, '''small'', 100, 100, 10, NULL'));
	PERFORM pg_temp.attempt('credits_purchased 0', format(ins, '''small'', 0, 0, 10, NULL'));
	PERFORM pg_temp.attempt('credits_purchased 1', format(ins, '''small'', 1, 0, 10, NULL'));
	PERFORM pg_temp.attempt('credits_remaining -1', format(ins, '''small'', 100, -1, 10, NULL'));
	PERFORM pg_temp.attempt('credits_remaining 0', format(ins, '''small'', 100, 0, 10, NULL'));
	PERFORM pg_temp.attempt('credits_remaining 101 of 100', format(ins, '''small'', 100, 101, 10, NULL'));
	PERFORM pg_temp.attempt('credits_remaining 100 of 100', format(ins, '''small'', 100, 100, 10, ''2030-01-01 00:00+00'''));
	PERFORM pg_temp.attempt('price_usd -0.01', format(ins, '''small'', 100, 100, -0.01, NULL'));
	PERFORM pg_temp.attempt('price_usd 0', format(ins, '''promo'', 100, 100, 0, NULL'));
END
$$;
-- available packs, in drawing order: soonest expiry first, never-expiring last
SELECT pack_type, credits_remaining, expires_at IS NULL AS never_expires
FROM public.credit_packs
WHERE org_id = 'b2000000-0000-4000-8000-000000000001' AND credits_remaining > 0
ORDER BY expires_at, pack_type, price_usd;

--
-- integrations
--
DO $$
DECLARE
	ins text := 'INSERT INTO public.integrations (org_id, provider, %s) VALUES (''b2000000-0000-4000-8000-000000000001'', %s)';
BEGIN
	PERFORM pg_temp.attempt('credentials string', format(ins, 'credentials', '''openai'', ''"sk-secret"'''));
	PERFORM pg_temp.attempt('credentials object', format(ins, 'credentials', '''openai'', ''{"ciphertext": "x"}'''));
	PERFORM pg_temp.attempt('config array', format(ins, 'config', '''pexels'', ''[]'''));
	PERFORM pg_temp.attempt('config object', format(ins, 'config', '''pexels'', ''{"per_page": 20}'''));
	-- one live integration per provider; a soft-deleted one makes room
	PERFORM pg_temp.attempt('second live pexels', format(ins, 'config', '''pexels'', ''{}'''));
	PERFORM pg_temp.attempt('soft-delete pexels',
		'UPDATE public.integrations SET deleted_at = now() WHERE org_id = ''b2000000-0000-4000-8000-000000000001'' AND provider = ''pexels''');
	PERFORM pg_temp.attempt('new live pexels', format(ins, 'config', '''pexels'', ''{}'''));
END
$$;

--
-- kai_generations
--
DO $$
DECLARE
	ins text := 'INSERT INTO public.kai_generations (org_id, type, model, %s) VALUES (''b2000000-0000-4000-8000-000000000001'', ''image'', %s)';
BEGIN
	PERFORM pg_temp.attempt('model blank', format(ins, 'prompt', ''''', ''a cat'''));
	PERFORM pg_temp.attempt('model flux', format(ins, 'prompt', '''flux'', ''a cat'''));
	PERFORM pg_temp.attempt('params array', format(ins, 'params', '''flux'', ''[]'''));
	PERFORM pg_temp.attempt('params object', format(ins, 'params', '''flux'', ''{"steps": 4}'''));
	PERFORM pg_temp.attempt('result_asset_ids with NULL', format(ins, 'result_asset_ids', '''flux'', ''{b3000000-0000-4000-8000-000000000001,NULL}'''));
	PERFORM pg_temp.attempt('result_asset_ids', format(ins, 'result_asset_ids', '''flux'', ''{b3000000-0000-4000-8000-000000000001}'''));
	PERFORM pg_temp.attempt('credits_used -1', format(ins, 'credits_used', '''flux'', -1'));
	PERFORM pg_temp.attempt('credits_used 0', format(ins, 'credits_used', '''flux'', 0'));
	PERFORM pg_temp.attempt('cost_usd -0.000001', format(ins, 'cost_usd', '''flux'', -0.000001'));
	PERFORM pg_temp.attempt('cost_usd 0', format(ins, 'cost_usd', '''flux'', 0'));
	PERFORM pg_temp.attempt('error string', format(ins, 'status, error', '''flux'', ''failed'', ''"timeout"'''));
	PERFORM pg_temp.attempt('error object', format(ins, 'status, error', '''flux'', ''failed'', ''{"code": "timeout"}'''));
END
$$;

-- every CHECK constraint of the billing tables was exercised above
SELECT conrelid::regclass AS table_name, count(*) AS checks
FROM pg_constraint
WHERE contype = 'c'
	AND conrelid IN ('public.usage_records'::regclass, 'public.usage_records_default'::regclass,
					 'public.quota_limits'::regclass, 'public.invoices'::regclass, 'public.credit_packs'::regclass,
					 'public.integrations'::regclass, 'public.kai_generations'::regclass)
GROUP BY conrelid ORDER BY conrelid::regclass::text;

--
-- Usage lands in the default partition (no monthly partitions for 2024).
-- Days are UTC days: 23:30 in Los Angeles on March 5 is March 6 in UTC.
--
INSERT INTO public.usage_records (org_id, user_id, resource_type, llm_tokens_prompt, llm_tokens_output, llm_model, cost_usd, created_at) VALUES
	('b2000000-0000-4000-8000-000000000001', 'b1000000-0000-4000-8000-000000000001', 'llm_tokens', 1200, 300, 'gpt-4o', 0.012, '2024-03-05 10:00+00'),
	('b2000000-0000-4000-8000-000000000001', 'b1000000-0000-4000-8000-000000000001', 'llm_tokens', 800, 200, 'gpt-4o', 0.008, '2024-03-05 23:30-08');
INSERT INTO public.usage_records (org_id, resource_type, kai_credits, kai_model, render_seconds, render_profile, storage_bytes, cost_usd, created_at) VALUES
	('b2000000-0000-4000-8000-000000000001', 'kai_credits', 40, 'flux', 0, NULL, 0, 0.4, '2024-03-05 11:00+00'),
	('b2000000-0000-4000-8000-000000000001', 'render_seconds', 0, NULL, 95, '1080p', 0, 0.19, '2024-03-05 12:00+00'),
	('b2000000-0000-4000-8000-000000000001', 'storage', 0, NULL, 0, NULL, 5000000, 0, '2024-03-05 13:00+00'),
	('b2000000-0000-4000-8000-000000000001', 'storage', 0, NULL, 0, NULL, -2000000, 0, '2024-03-05 14:00+00');
SELECT tableoid::regclass AS partition, count(*) AS records
FROM public.usage_records
WHERE org_id = 'b2000000-0000-4000-8000-000000000001'
GROUP BY tableoid ORDER BY tableoid::regclass::text;

--
-- mv_daily_usage: refreshed by the backend, read by members
--
SELECT fenta.refresh_daily_usage(false);
SELECT fenta.refresh_daily_usage();
SELECT day, resource_type, events, llm_tokens_prompt, llm_tokens_output, tokens, kai_credits, render_seconds, storage_bytes, cost_usd
FROM fenta.mv_daily_usage
WHERE org_id = 'b2000000-0000-4000-8000-000000000001'
ORDER BY day, resource_type;

-- the owner, as the Data API calls it
SET ROLE authenticated;
SET request.jwt.claims = '{"sub": "b1000000-0000-4000-8000-000000000001", "role": "authenticated"}';
SELECT * FROM public.daily_usage('b2000000-0000-4000-8000-000000000001', '2024-03-01', '2024-03-31');
SELECT day, resource_type, tokens FROM public.daily_usage('b2000000-0000-4000-8000-000000000001', from_day => '2024-03-06');
SELECT count(*) AS rows_before_march FROM public.daily_usage('b2000000-0000-4000-8000-000000000001', to_day => '2024-02-29');
-- members read usage through the parent only, and never write it
SELECT count(*) AS usage_records_visible FROM public.usage_records
WHERE org_id = 'b2000000-0000-4000-8000-000000000001' AND created_at >= '2024-03-01';
DO $$
BEGIN
	PERFORM pg_temp.attempt('member reads the default partition',
		'SELECT 1 FROM public.usage_records_default');
	PERFORM pg_temp.attempt('member reads the materialized view',
		'SELECT 1 FROM fenta.mv_daily_usage');
	PERFORM pg_temp.attempt('member inserts usage',
		'INSERT INTO public.usage_records (org_id, resource_type) VALUES (''b2000000-0000-4000-8000-000000000001'', ''storage'')');
	PERFORM pg_temp.attempt('member refreshes the view',
		'SELECT fenta.refresh_daily_usage()');
END
$$;

-- an outsider gets 42501
SET request.jwt.claims = '{"sub": "b1000000-0000-4000-8000-000000000002", "role": "authenticated"}';
DO $$
DECLARE
	state text;
	msg text;
BEGIN
	PERFORM * FROM public.daily_usage('b2000000-0000-4000-8000-000000000001');
	RAISE NOTICE 'outsider: accepted';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
	RAISE NOTICE 'outsider: % %', state, msg;
END
$$;
SELECT count(*) AS usage_records_visible FROM public.usage_records
WHERE org_id = 'b2000000-0000-4000-8000-000000000001';
RESET request.jwt.claims;

-- anon may not call it at all
SET ROLE anon;
DO $$
BEGIN
	PERFORM pg_temp.attempt('anon',
		'SELECT * FROM public.daily_usage(''b2000000-0000-4000-8000-000000000001'')');
END
$$;

-- service_role bypasses RLS: reads any org, refreshes
SET ROLE service_role;
SELECT count(*) AS days, sum(tokens) AS tokens, sum(storage_bytes) AS storage_bytes
FROM public.daily_usage('b2000000-0000-4000-8000-000000000001');
SELECT fenta.refresh_daily_usage();
DO $$
BEGIN
	PERFORM pg_temp.attempt('org_id NULL', 'SELECT * FROM public.daily_usage(NULL)');
END
$$;
RESET ROLE;

-- clean up: the org's rows go with it
DELETE FROM public.orgs WHERE id = 'b2000000-0000-4000-8000-000000000001';
DELETE FROM auth.users WHERE id IN ('b1000000-0000-4000-8000-000000000001', 'b1000000-0000-4000-8000-000000000002');
SELECT fenta.refresh_daily_usage();
SELECT (SELECT count(*) FROM public.usage_records WHERE org_id = 'b2000000-0000-4000-8000-000000000001') AS usage_left,
	(SELECT count(*) FROM fenta.mv_daily_usage WHERE org_id = 'b2000000-0000-4000-8000-000000000001') AS days_left;
