--
-- The accounting trigger adds a statement's tokens and render seconds to
-- the counter slot row it wrote last for the org (0.6.0), without adding up
-- the org's slots, when that is safe: a slot row holds at most 2^51 of
-- each (22003 beyond), and the org's rolled-up usage is at most 2^62.
-- Where it wrote last is only a hint: a rolled-up (deleted) row, a rewritten
-- table, a line pointer now used by another org's slot, a version of an
-- aborted transaction, a row another transaction holds all send the
-- statement the long way, and the counters stay exact.
-- Users e5000000-..., orgs e5100000-..., slugs quota-hint-*.
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
-- exact counters == sums of the org's usage rows
CREATE FUNCTION pg_temp.exact(o uuid) RETURNS text LANGUAGE sql AS $$
	SELECT format('tokens %s render %s | rows: tokens %s render %s',
				  u.tokens, u.render_seconds,
				  coalesce(sum(r.llm_tokens_prompt + r.llm_tokens_output), 0), coalesce(sum(r.render_seconds), 0))
	FROM fenta.quota_usage(o) u LEFT JOIN public.usage_records r ON r.org_id = o
	GROUP BY u.tokens, u.render_seconds
$$;
CREATE FUNCTION pg_temp.use(o uuid, tokens bigint, render bigint DEFAULT 1) RETURNS text LANGUAGE sql AS $$
	SELECT pg_temp.try(format('INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, render_seconds)
		VALUES (%L, %L, %s, %s)', o, 'llm_tokens', tokens, render))
$$;
INSERT INTO auth.users (id, email) VALUES ('e5000000-0000-4000-8000-000000000001', 'owner@quota-hint.test');
INSERT INTO public.orgs (id, name, slug, owner_id, plan) VALUES
	('e5100000-0000-4000-8000-000000000001', 'Hint A', 'quota-hint-a', 'e5000000-0000-4000-8000-000000000001', 'pro'),
	('e5100000-0000-4000-8000-000000000002', 'Hint B', 'quota-hint-b', 'e5000000-0000-4000-8000-000000000001', 'pro');
\set a '''e5100000-0000-4000-8000-000000000001'''
\set b '''e5100000-0000-4000-8000-000000000002'''

-- 1. the first statement finds (makes) the slot row, the next ones add to it
SELECT pg_temp.use(:a, 10) AS first, pg_temp.use(:a, 20) AS second, pg_temp.use(:a, 30) AS third;
SELECT count(*) AS slot_rows FROM fenta.quota_counters WHERE org_id = :a;
SELECT pg_temp.exact(:a);

-- 2. a slot row holds at most 2^51 tokens and 2^51 render seconds
SELECT pg_temp.use(:b, 2251799813685248, 0) AS up_to_the_cap;
SELECT pg_temp.use(:b, 1, 0) AS one_more_token;
SELECT pg_temp.use(:b, 0, 2251799813685249) AS render_beyond;
SELECT pg_temp.exact(:b);
-- rolled up, the slot is empty again
SELECT fenta.rollup_quota_counters() >= 1 AS rolled_up;
SELECT pg_temp.use(:b, 1, 0) AS after_the_rollup;
SELECT pg_temp.exact(:b);
-- the cap's detail
DO $$
BEGIN
	INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt)
	VALUES ('e5100000-0000-4000-8000-000000000002', 'llm_tokens', 2251799813685248);
EXCEPTION WHEN numeric_value_out_of_range THEN
	DECLARE
		d text;
	BEGIN
		GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
		RAISE NOTICE 'caught: % (%)', SQLERRM, d;
	END;
END
$$;

-- 3. the hinted row rolled up (deleted) and vacuumed away, its line pointer
-- then used by another org's slot row: A's statement does not add to B's
-- row (VACUUM's catalog update drops the hints here; pruning, which can free
-- the line pointer of a heap-only version as well, does not: then the row
-- found is checked to be a slot row of the org)
SELECT fenta.rollup_quota_counters() >= 1 AS rolled_up;
VACUUM fenta.quota_counters;
SELECT pg_temp.use(:a, 1) AS a_makes_a_slot_row;
SELECT ctid AS a_ctid FROM fenta.quota_counters WHERE org_id = :a \gset
SELECT fenta.rollup_quota_counters() >= 1 AS rolled_up;
VACUUM fenta.quota_counters;
SELECT pg_temp.use(:b, 5) AS b_makes_a_slot_row;
SELECT ctid = :'a_ctid' AS b_row_where_a_row_was FROM fenta.quota_counters WHERE org_id = :b;
SELECT pg_temp.use(:a, 7) AS a_again;
SELECT pg_temp.exact(:a) AS a, pg_temp.exact(:b) AS b;
SELECT org_id = :a AS a_row, tokens FROM fenta.quota_counters WHERE org_id IN (:a, :b) ORDER BY 1;

-- 3b. the hinted version pruned away (no VACUUM, no catalog change): ten
-- statements make a chain of versions, a rollup deletes the newest, and a
-- reader prunes the page, which frees the line pointers of the chain's
-- heap-only versions, the hinted one among them; the next statement must
-- not lock what is (or is not) there now
SELECT count(*) FILTER (WHERE pg_temp.use(:a, 2) = 'ok') AS ten_statements FROM generate_series(1, 10);
SELECT fenta.rollup_quota_counters() >= 1 AS rolled_up;
SELECT public.check_quota(:a, 1, 0, 0) AS check_quota_prunes;
SELECT pg_temp.use(:a, 3) AS after_the_prune;
SELECT pg_temp.use(:b, 4) AS b_after_the_prune;
SELECT pg_temp.exact(:a) AS a, pg_temp.exact(:b) AS b;

-- 4. a rewritten table (every row moves)
SET fenta.allow_drop = on;
VACUUM FULL fenta.quota_counters;
RESET fenta.allow_drop;
SELECT pg_temp.use(:a, 11) AS after_vacuum_full;
SELECT pg_temp.exact(:a);

-- 5. the version the hint names was written by a transaction that aborted
BEGIN;
SELECT pg_temp.use(:a, 1000) AS in_a_rolled_back_transaction;
ROLLBACK;
SELECT pg_temp.use(:a, 13) AS after_the_rollback;
SELECT pg_temp.exact(:a);
-- and by a subtransaction that aborted
BEGIN;
SAVEPOINT s;
SELECT pg_temp.use(:a, 1000) AS in_a_rolled_back_savepoint;
ROLLBACK TO SAVEPOINT s;
SELECT pg_temp.use(:a, 17) AS after_the_savepoint;
COMMIT;
SELECT pg_temp.exact(:a);

-- 6. rolled-up usage beyond 2^62: the long way, with the exact check
UPDATE public.quota_limits SET tokens_used = 4611686018427387905 WHERE org_id = :a;
SELECT pg_temp.use(:a, 19) AS beyond_2_62;
UPDATE public.quota_limits SET tokens_used = 9223372036854775000 WHERE org_id = :a;
SELECT pg_temp.use(:a, 10000) AS would_overflow;
SELECT tokens FROM fenta.quota_usage(:a);

-- clean up
DELETE FROM public.orgs WHERE id IN (:a, :b);
DELETE FROM auth.users WHERE id = 'e5000000-0000-4000-8000-000000000001';
