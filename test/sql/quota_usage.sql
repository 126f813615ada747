--
-- The quota engine's counters: accounting of usage_records, credit packs,
-- idempotency keys, rollup, resets, plans and reservations.
-- Users e1000000-...-00000000001N, orgs e2000000-...-00000000001N, slugs quota-*.
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
-- exact counters == sums of the org's usage rows (storage: the balance)
CREATE FUNCTION pg_temp.exact(o uuid) RETURNS text LANGUAGE sql AS $$
	SELECT format('tokens %s kai %s render %s storage %s | rows: tokens %s kai %s render %s storage %s',
				  u.tokens, u.kai_credits, u.render_seconds, u.storage_bytes,
				  coalesce(sum(r.llm_tokens_prompt + r.llm_tokens_output), 0), coalesce(sum(r.kai_credits), 0),
				  coalesce(sum(r.render_seconds), 0), coalesce(sum(r.storage_bytes), 0))
	FROM fenta.quota_usage(o) u LEFT JOIN public.usage_records r ON r.org_id = o
	GROUP BY u.tokens, u.kai_credits, u.render_seconds, u.storage_bytes
$$;
INSERT INTO auth.users (id, email) VALUES ('e1000000-0000-4000-8000-000000000011', 'owner@quota-usage.test');
INSERT INTO public.orgs (id, name, slug, owner_id, plan) VALUES
	('e2000000-0000-4000-8000-000000000011', 'Quota A', 'quota-a', 'e1000000-0000-4000-8000-000000000011', 'starter'),
	('e2000000-0000-4000-8000-000000000012', 'Quota B', 'quota-b', 'e1000000-0000-4000-8000-000000000011', 'free');
\set a '''e2000000-0000-4000-8000-000000000011'''
\set b '''e2000000-0000-4000-8000-000000000012'''

--
-- Plans: defaults applied at creation and on plan change; overrides.
--
SELECT plan, tokens_limit, kai_credits_limit, render_seconds_limit, storage_bytes_limit, price_per_1k_tokens_usd,
	price_per_kai_credit_usd, price_per_render_second_usd, allow_overage, overage_cap_usd
FROM fenta.plans ORDER BY plan;
SELECT count(*) AS overrides_at_install FROM fenta.plan_overrides;
SELECT o.slug, o.plan, q.tokens_limit, q.kai_credits_limit, q.allow_overage, q.overage_cap_usd, q.price_per_1k_tokens_usd
FROM public.orgs o JOIN public.quota_limits q ON q.org_id = o.id WHERE o.slug LIKE 'quota-_' ORDER BY 1;
-- a plan change applies the new plan's limits and prices, and keeps the counters
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt) VALUES (:b, 'llm_tokens', 1234);
UPDATE public.orgs SET plan = 'pro' WHERE id = :b;
SELECT q.tokens_limit, q.kai_credits_limit, q.render_seconds_limit, q.allow_overage, q.overage_cap_usd,
	q.price_per_kai_credit_usd, u.tokens AS tokens_kept
FROM public.quota_limits q, fenta.quota_usage(q.org_id) u WHERE q.org_id = :b;
-- an update that does not change the plan leaves custom limits alone
UPDATE public.quota_limits SET tokens_limit = 42 WHERE org_id = :b;
UPDATE public.orgs SET plan = 'pro', name = 'Quota B2' WHERE id = :b;
SELECT tokens_limit AS custom_limit_kept FROM public.quota_limits WHERE org_id = :b;
-- an override replaces its plan as a whole; apply_plan re-applies it
INSERT INTO fenta.plan_overrides VALUES ('pro', NULL, 7, 8, NULL, 0.5, 0.25, 0.125, false, 1);
SELECT fenta.apply_plan(:b) AS applied, fenta.apply_plan('e2000000-0000-4000-8000-0000000000ff') AS unknown_org;
SELECT tokens_limit, kai_credits_limit, render_seconds_limit, storage_bytes_limit, allow_overage, overage_cap_usd,
	price_per_1k_tokens_usd FROM public.quota_limits WHERE org_id = :b;
DELETE FROM fenta.plan_overrides;
UPDATE public.orgs SET plan = 'free' WHERE id = :b;
SELECT tokens_limit, kai_credits_limit FROM public.quota_limits WHERE org_id = :b;

--
-- Accounting: tokens = prompt + output; one statement, many orgs and rows.
--
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, llm_tokens_output, render_seconds, storage_bytes)
SELECT CASE WHEN g % 2 = 0 THEN 'e2000000-0000-4000-8000-000000000011'::uuid ELSE 'e2000000-0000-4000-8000-000000000012'::uuid END,
	'llm_tokens', g, 2 * g, g % 7, 1000 - g
FROM generate_series(1, 1000) g;
SELECT pg_temp.exact(:a) AS a, pg_temp.exact(:b) AS b;
-- COPY goes through the same trigger
COPY public.usage_records (org_id, resource_type, llm_tokens_prompt, llm_tokens_output, render_seconds, storage_bytes) FROM stdin;
e2000000-0000-4000-8000-000000000011	llm_tokens	5	6	7	-8
e2000000-0000-4000-8000-000000000012	render_seconds	0	0	30	0
\.
SELECT pg_temp.exact(:a) AS a, pg_temp.exact(:b) AS b;
-- many statements in one transaction: each adds to the backend's slot row in
-- place; the row's versions fill its page, so some updates cannot be HOT and
-- add primary key entries, which must all be there (amcheck)
BEGIN;
SELECT n_tup_ins AS ins0, n_tup_upd AS upd0, n_tup_hot_upd AS hot0
FROM pg_stat_xact_user_tables WHERE relid = 'fenta.quota_counters'::regclass \gset
DO $$
BEGIN
	FOR i IN 1..400 LOOP
		INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, render_seconds, storage_bytes)
		VALUES ('e2000000-0000-4000-8000-000000000011', 'llm_tokens', i, 1, 1);
	END LOOP;
END
$$;
SELECT n_tup_ins - :ins0 AS slots_inserted, n_tup_upd - :upd0 AS slot_updates,
	n_tup_upd - :upd0 > n_tup_hot_upd - :hot0 AS some_not_hot
FROM pg_stat_xact_user_tables WHERE relid = 'fenta.quota_counters'::regclass;
COMMIT;
CREATE EXTENSION amcheck;
SELECT bt_index_check('fenta.quota_counters_pkey', heapallindexed => true);
DROP EXTENSION amcheck;
SELECT pg_temp.exact(:a) AS a, pg_temp.exact(:b) AS b;
-- the rollup moves the slots into quota_limits without changing the totals
SELECT fenta.rollup_quota_counters() >= 2 AS rolled_up;
SELECT count(*) AS slots_left FROM fenta.quota_counters WHERE org_id IN (:a, :b);
SELECT tokens_used, render_seconds_used, storage_bytes_used FROM public.quota_limits WHERE org_id = :a;
SELECT pg_temp.exact(:a) AS a, pg_temp.exact(:b) AS b;
SELECT fenta.rollup_quota_counters() AS nothing_to_roll_up;

-- storage may go down; the balance is exact, quota_limits keeps >= 0 and
-- slot -1 carries what is below 0; quota_status shows it clamped at 0
INSERT INTO public.usage_records (org_id, resource_type, storage_bytes) VALUES (:a, 'storage', -1000000);
SELECT fenta.rollup_quota_counters() > 0 AS rolled_up;
SELECT q.storage_bytes_used, c.slot, c.storage_bytes AS carried
FROM public.quota_limits q JOIN fenta.quota_counters c ON c.org_id = q.org_id WHERE q.org_id = :a;
SELECT used, remaining FROM quota_status(:a) WHERE resource = 'storage_bytes';
SELECT pg_temp.exact(:a) AS a;
INSERT INTO public.usage_records (org_id, resource_type, storage_bytes) VALUES (:a, 'storage', 1000000);
SELECT fenta.rollup_quota_counters() > 0 AS rolled_up;
SELECT q.storage_bytes_used, (SELECT count(*) FROM fenta.quota_counters c WHERE c.org_id = q.org_id) AS slots
FROM public.quota_limits q WHERE q.org_id = :a;
SELECT pg_temp.exact(:a) AS a;

--
-- Bad input: counters that would overflow: 22003 and nothing changed.
--
SELECT pg_temp.try($$INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, llm_tokens_output)
	VALUES ('e2000000-0000-4000-8000-000000000011', 'llm_tokens', 9223372036854775807, 1)$$) AS prompt_plus_output;
SELECT pg_temp.try($$INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt)
	VALUES ('e2000000-0000-4000-8000-000000000011', 'llm_tokens', 9223372036854775000),
		   ('e2000000-0000-4000-8000-000000000011', 'llm_tokens', 9223372036854775000)$$) AS two_rows;
UPDATE public.quota_limits SET tokens_used = 9223372036854775000, render_seconds_used = 9223372036854775000,
	kai_credits_used = 9223372036854775000, kai_credits_limit = NULL WHERE org_id = :b;
SELECT pg_temp.try($$INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt)
	VALUES ('e2000000-0000-4000-8000-000000000012', 'llm_tokens', 10000)$$) AS tokens_counter;
SELECT pg_temp.try($$INSERT INTO public.usage_records (org_id, resource_type, render_seconds)
	VALUES ('e2000000-0000-4000-8000-000000000012', 'render_seconds', 10000)$$) AS render_counter;
SELECT pg_temp.try($$INSERT INTO public.usage_records (org_id, resource_type, kai_credits)
	VALUES ('e2000000-0000-4000-8000-000000000012', 'kai_credits', 10000)$$) AS kai_counter;
SELECT pg_temp.try($$INSERT INTO public.usage_records (org_id, resource_type, storage_bytes)
	VALUES ('e2000000-0000-4000-8000-000000000012', 'storage', 9223372036854775807),
		   ('e2000000-0000-4000-8000-000000000012', 'storage', 1)$$) AS storage_sum;
-- negative amounts: the table's CHECK constraints (23514)
SELECT pg_temp.try($$INSERT INTO public.usage_records (org_id, resource_type, kai_credits)
	VALUES ('e2000000-0000-4000-8000-000000000012', 'kai_credits', -1)$$) AS negative_kai;
SELECT tokens_used, render_seconds_used, kai_credits_used FROM public.quota_limits WHERE org_id = :b;
SELECT count(*) AS rows_of_failed_inserts FROM public.usage_records WHERE org_id = :b AND (llm_tokens_prompt > 1000000 OR storage_bytes > 1000000 OR render_seconds >= 10000 OR kai_credits > 0);
UPDATE public.quota_limits SET tokens_used = 0, render_seconds_used = 0, kai_credits_used = 0 WHERE org_id = :b;
-- an org without a quota row cannot record usage
DELETE FROM public.quota_limits WHERE org_id = :b;
SELECT pg_temp.try($$INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt)
	VALUES ('e2000000-0000-4000-8000-000000000012', 'llm_tokens', 1)$$) AS no_quota_row;
INSERT INTO public.quota_limits (org_id) VALUES (:b);

--
-- KIE.ai credits beyond the limit come from unexpired packs, soonest expiry
-- first, packs without expiry last, never below zero, never twice.
--
DELETE FROM public.usage_records WHERE org_id = :a;
UPDATE public.quota_limits SET kai_credits_limit = 100, kai_credits_used = 0, kai_credits_from_packs = 0, allow_overage = false
WHERE org_id = :a;
INSERT INTO public.credit_packs (org_id, pack_type, credits_purchased, credits_remaining, expires_at) VALUES
	(:a, 'never', 50, 50, NULL),
	(:a, 'late', 30, 30, now() + interval '30 days'),
	(:a, 'soon', 20, 20, now() + interval '1 day'),
	(:a, 'expired', 40, 40, now() - interval '1 second'),
	(:a, 'empty', 10, 0, now() + interval '2 days');
SELECT check_quota(:a, 0, 200, 0) AS within_limit_and_packs, check_quota(:a, 0, 201, 0) AS beyond_packs;
-- 90 within the limit: no pack touched
INSERT INTO public.usage_records (org_id, resource_type, kai_credits) VALUES (:a, 'kai_credits', 90);
SELECT pack_type, credits_remaining FROM public.credit_packs WHERE org_id = :a ORDER BY pack_type;
-- 10 more to the limit and 25 beyond: soon (20) then late (5)
INSERT INTO public.usage_records (org_id, resource_type, kai_credits) VALUES (:a, 'kai_credits', 15), (:a, 'kai_credits', 20);
SELECT pack_type, credits_remaining FROM public.credit_packs WHERE org_id = :a ORDER BY pack_type;
SELECT kai_credits_used, kai_credits_from_packs FROM public.quota_limits WHERE org_id = :a;
SELECT resource, quota_limit, used, remaining, allowed FROM quota_status(:a, 0, 75, 0) WHERE resource = 'kai_credits';
SELECT check_quota(:a, 0, 75, 0) AS rest_of_packs, check_quota(:a, 0, 76, 0) AS one_more;
-- 100 beyond: late (25) then never (50); 25 uncovered (overage, recorded anyway)
INSERT INTO public.usage_records (org_id, resource_type, kai_credits) VALUES (:a, 'kai_credits', 100);
SELECT pack_type, credits_remaining FROM public.credit_packs WHERE org_id = :a ORDER BY pack_type;
SELECT kai_credits_used, kai_credits_from_packs FROM public.quota_limits WHERE org_id = :a;
SELECT check_quota(:a, 0, 1, 0) AS hard_limit_reached;
-- a new pack covers new usage; the overage already incurred stays
INSERT INTO public.credit_packs (org_id, pack_type, credits_purchased, credits_remaining) VALUES (:a, 'topup', 10, 10);
SELECT check_quota(:a, 0, 10, 0) AS topup_covers, check_quota(:a, 0, 11, 0) AS beyond_topup;
INSERT INTO public.usage_records (org_id, resource_type, kai_credits) VALUES (:a, 'kai_credits', 4);
SELECT pack_type, credits_remaining FROM public.credit_packs WHERE org_id = :a AND pack_type = 'topup';
-- a NULL limit (unlimited) draws nothing
UPDATE public.quota_limits SET kai_credits_limit = NULL WHERE org_id = :a;
INSERT INTO public.usage_records (org_id, resource_type, kai_credits) VALUES (:a, 'kai_credits', 500);
SELECT sum(credits_remaining) AS packs_untouched FROM public.credit_packs WHERE org_id = :a;
-- (the rows of org A were deleted above: deleting usage rows refunds nothing)
SELECT pg_temp.exact(:a) AS a;
UPDATE public.quota_limits SET kai_credits_limit = 100 WHERE org_id = :a;

--
-- Idempotency keys: a retry is counted once, whatever its partition.
--
SELECT count(*) AS keys_before FROM fenta.usage_idempotency WHERE org_id IN (:a, :b);
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, idempotency_key, created_at)
VALUES (:b, 'llm_tokens', 100, 'evt-1', '2031-01-15');
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, idempotency_key, created_at)
VALUES (:b, 'llm_tokens', 100, 'evt-1', '2031-02-15');
-- twice in one statement, and once more with another key
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, idempotency_key)
VALUES (:b, 'llm_tokens', 7, 'evt-2'), (:b, 'llm_tokens', 7, 'evt-2'), (:b, 'llm_tokens', 7, 'evt-3');
-- the same key in another org is another event
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, idempotency_key)
VALUES (:a, 'llm_tokens', 1, 'evt-1');
SELECT org_id = :a AS org_a, idempotency_key, llm_tokens_prompt FROM public.usage_records
WHERE idempotency_key IS NOT NULL AND org_id IN (:a, :b) ORDER BY 1, 2;
SELECT count(*) AS keys_after FROM fenta.usage_idempotency WHERE org_id IN (:a, :b);
-- (org B's quota row was recreated above) evt-1 counted once, evt-2 once, evt-3
SELECT tokens AS b_tokens_100_7_7 FROM fenta.quota_usage(:b);
-- a key that failed with its statement can be used again
SELECT pg_temp.try($$INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, idempotency_key)
	VALUES ('e2000000-0000-4000-8000-000000000012', 'llm_tokens', 1, 'evt-4'),
		   ('e2000000-0000-4000-8000-000000000012', 'llm_tokens', -1, 'evt-5')$$) AS failed;
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, idempotency_key) VALUES (:b, 'llm_tokens', 1, 'evt-4');
SELECT count(*) AS evt_4 FROM public.usage_records WHERE org_id = :b AND idempotency_key = 'evt-4';
-- a row re-inserted with its own id (moved between partitions, restored) is kept
CREATE TEMP TABLE moved AS SELECT * FROM public.usage_records WHERE org_id = :b AND idempotency_key = 'evt-3';
DELETE FROM public.usage_records WHERE org_id = :b AND idempotency_key = 'evt-3';
INSERT INTO public.usage_records_default SELECT * FROM moved;
SELECT count(*) AS evt_3_kept FROM public.usage_records WHERE org_id = :b AND idempotency_key = 'evt-3';
SELECT pg_temp.try($$INSERT INTO public.usage_records (org_id, resource_type, idempotency_key)
	VALUES ('e2000000-0000-4000-8000-000000000012', 'llm_tokens', '')$$) AS empty_key;

--
-- Resets: the counters restart, storage is kept, reset_at moves on by whole
-- months until it is in the future.
--
SELECT fenta.apply_quota_resets() AS nothing_due;
UPDATE public.quota_limits SET reset_at = '2020-01-31 00:00 UTC' WHERE org_id = :a;
UPDATE public.quota_limits SET reset_at = now() - interval '1 hour' WHERE org_id = :b;
SELECT u.tokens > 0 AND u.kai_credits > 0 AND u.render_seconds > 0 AS a_has_usage, u.storage_bytes AS a_storage
FROM fenta.quota_usage(:a) u;
SELECT fenta.apply_quota_resets() AS orgs_reset;
SELECT * FROM fenta.quota_usage(:a);
SELECT tokens_used, kai_credits_used, kai_credits_from_packs, render_seconds_used FROM public.quota_limits WHERE org_id = :a;
-- whole months from the old reset_at (in UTC): the last day of a month stays clamped as interval arithmetic does
SELECT reset_at > now() AS in_future, reset_at <= now() + interval '1 month' AS within_a_month,
	extract(day FROM reset_at AT TIME ZONE 'UTC') IN (28, 29, 30, 31) AS month_end, (reset_at AT TIME ZONE 'UTC')::time AS at
FROM public.quota_limits WHERE org_id = :a;
SELECT reset_at > now() AS b_in_future FROM public.quota_limits WHERE org_id = :b;
SELECT fenta.apply_quota_resets() AS again_nothing;
-- usage after the reset counts in the new period
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, kai_credits) VALUES (:a, 'llm_tokens', 11, 3);
SELECT * FROM fenta.quota_usage(:a);
-- resets need READ COMMITTED
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT pg_temp.try('SELECT fenta.apply_quota_resets()') AS repeatable_read;
ROLLBACK;

--
-- Reservations: held amounts count as used until released or expired.
--
UPDATE public.quota_limits SET render_seconds_limit = 100, render_seconds_used = 0, allow_overage = false WHERE org_id = :b;
DELETE FROM fenta.quota_counters WHERE org_id = :b;
CREATE TEMP TABLE res (name text, id uuid);
INSERT INTO res SELECT 'r1', fenta.reserve_quota(:b, 0, 0, 60);
INSERT INTO res SELECT 'r2', fenta.reserve_quota(:b, 0, 0, 41);
INSERT INTO res SELECT 'r3', fenta.reserve_quota(:b, 0, 0, 40, '1 second');
SELECT name, id IS NOT NULL AS granted FROM res ORDER BY name;
SELECT reserved_render_seconds FROM public.quota_limits WHERE org_id = :b;
SELECT check_quota(:b, 0, 0, 1) AS full, resource, reserved, remaining FROM quota_status(:b) WHERE resource = 'render_seconds';
-- the job of r1 records its usage and releases its reservation
INSERT INTO public.usage_records (org_id, resource_type, render_seconds) VALUES (:b, 'render_seconds', 55);
SELECT fenta.release_quota((SELECT id FROM res WHERE name = 'r1')) AS released,
	fenta.release_quota((SELECT id FROM res WHERE name = 'r1')) AS released_twice,
	fenta.release_quota('e2000000-0000-4000-8000-0000000000ff') AS unknown;
SELECT reserved_render_seconds FROM public.quota_limits WHERE org_id = :b;
SELECT check_quota(:b, 0, 0, 5) AS fits, check_quota(:b, 0, 0, 6) AS over;
-- expired reservations are released by apply_quota_resets
UPDATE fenta.quota_reservations SET expires_at = now() - interval '1 second' WHERE org_id = :b;
SELECT fenta.apply_quota_resets() AS orgs_reset;
SELECT reserved_render_seconds, (SELECT count(*) FROM fenta.quota_reservations WHERE org_id = :b) AS reservations
FROM public.quota_limits WHERE org_id = :b;
-- bad arguments and unknown orgs
SELECT pg_temp.try($$SELECT fenta.reserve_quota(NULL, 0, 0, 0)$$) AS null_org,
	pg_temp.try($$SELECT fenta.reserve_quota('e2000000-0000-4000-8000-000000000012', 0, -1, 0)$$) AS negative,
	pg_temp.try($$SELECT fenta.reserve_quota('e2000000-0000-4000-8000-000000000012', 0, 0, 0, '-1 minute')$$) AS negative_ttl,
	pg_temp.try($$SELECT fenta.release_quota(NULL)$$) AS null_release;
SELECT fenta.reserve_quota('e2000000-0000-4000-8000-0000000000ff', 0, 0, 0) IS NULL AS unknown_org;

-- clean up
DELETE FROM public.orgs WHERE id IN (:a, :b);
DELETE FROM auth.users WHERE id = 'e1000000-0000-4000-8000-000000000011';
SELECT count(*) AS left_over FROM fenta.quota_counters c WHERE NOT EXISTS (SELECT FROM public.orgs o WHERE o.id = c.org_id);
