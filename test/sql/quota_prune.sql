--
-- check_quota after a burst of usage inserts: the usage trigger updates the
-- org's counter slot row in place, leaving a chain of superseded versions
-- that PostgreSQL prunes on access only once the page is nearly full; until
-- then every check_quota would walk them.  The reader prunes the page itself.
-- User e4000000-...-01, org e4100000-...-01.
--
CREATE EXTENSION pageinspect;
INSERT INTO auth.users (id, email) VALUES ('e4000000-0000-4000-8000-000000000001', 'owner@prune.test');
INSERT INTO public.orgs (id, name, slug, owner_id, plan) VALUES
	('e4100000-0000-4000-8000-000000000001', 'Prune', 'quota-prune', 'e4000000-0000-4000-8000-000000000001', 'pro');
-- superseded (HOT-updated) row versions on the pages of the org's slot rows
CREATE FUNCTION pg_temp.superseded() RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*)
	FROM (SELECT DISTINCT (c.ctid::text::point)[0]::int AS blk
		  FROM fenta.quota_counters c WHERE c.org_id = 'e4100000-0000-4000-8000-000000000001') b,
		LATERAL heap_page_items(get_raw_page('fenta.quota_counters', b.blk)) h
	WHERE h.lp_flags = 1 AND (h.t_infomask2 & 16384) <> 0
$$;
-- 40 usage rows, each in a transaction of its own
SELECT format($$INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt) VALUES ('e4100000-0000-4000-8000-000000000001', 'llm_tokens', %s)$$, n)
FROM generate_series(1, 40) n
\gexec
SELECT pg_temp.superseded() >= 8 AS dead_versions_after_the_burst;
SELECT check_quota('e4100000-0000-4000-8000-000000000001', 1, 0, 0) AS allowed;
SELECT pg_temp.superseded() < 8 AS pruned_by_check_quota;
-- the answer is the same, exact, before and after
SELECT used FROM quota_status('e4100000-0000-4000-8000-000000000001') WHERE resource = 'tokens';
SELECT sum(llm_tokens_prompt) AS tokens_inserted FROM public.usage_records
WHERE org_id = 'e4100000-0000-4000-8000-000000000001';

-- clean up
DELETE FROM public.orgs WHERE id = 'e4100000-0000-4000-8000-000000000001';
DELETE FROM auth.users WHERE id = 'e4000000-0000-4000-8000-000000000001';
DROP EXTENSION pageinspect;
