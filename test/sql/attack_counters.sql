--
-- Attacks on the quota counters: the table as a DBA may really have made
-- it (an added CHECK, index or trigger, a changed column type), DDL after
-- check_quota in one transaction, retried events, and writes that would
-- make the counters drift.  Each of these got past 0.3.0.
-- Users c1000000-..., orgs c2000000-..., slugs attack-cnt-*.
--
\set VERBOSITY terse
CREATE EXTENSION IF NOT EXISTS amcheck;
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
INSERT INTO auth.users (id, email) VALUES ('c1000000-0000-4000-8000-000000000001', 'owner@attack-cnt.test');
INSERT INTO public.orgs (id, name, slug, owner_id, plan) VALUES
	('c2000000-0000-4000-8000-000000000001', 'Attack Counters', 'attack-cnt-a', 'c1000000-0000-4000-8000-000000000001', 'pro');
\set a '''c2000000-0000-4000-8000-000000000001'''
CREATE FUNCTION pg_temp.use(tokens bigint) RETURNS text LANGUAGE sql AS $$
	SELECT pg_temp.try(format('INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, render_seconds)
		VALUES (%L, %L, %s, 1)', 'c2000000-0000-4000-8000-000000000001', 'llm_tokens', tokens))
$$;
-- the first row makes this backend's slot row; later ones update it in place
SELECT pg_temp.use(10) AS first_row;

-- 1. a CHECK added by a DBA holds for the in-place update too
ALTER TABLE fenta.quota_counters ADD CONSTRAINT dba_tokens_cap CHECK (tokens < 100);
SELECT pg_temp.use(50) AS within_the_check, pg_temp.use(50) AS beyond_the_check;
ALTER TABLE fenta.quota_counters DROP CONSTRAINT dba_tokens_cap;
SELECT pg_temp.exact(:a);

-- 2. an index added by a DBA gets an entry for every new version
CREATE INDEX dba_tokens_idx ON fenta.quota_counters (tokens);
SELECT pg_temp.use(5) AS after_the_index, pg_temp.use(6) AS again;
SELECT bt_index_check('fenta.dba_tokens_idx', true) AS dba_index_complete,
	bt_index_check('fenta.quota_counters_pkey', true) AS pkey_complete;
DROP INDEX fenta.dba_tokens_idx;
SELECT pg_temp.exact(:a);

-- 3. a BEFORE UPDATE trigger that could skip or change the row is refused
CREATE FUNCTION public.dba_skip() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER dba_skip BEFORE UPDATE ON fenta.quota_counters FOR EACH ROW EXECUTE FUNCTION public.dba_skip();
SELECT pg_temp.use(7) AS with_a_skipping_trigger;
DROP TRIGGER dba_skip ON fenta.quota_counters;
DROP FUNCTION public.dba_skip();
-- an AFTER trigger is fine, and fires
CREATE TABLE public.dba_audit (n int);
CREATE FUNCTION public.dba_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.dba_audit VALUES (1); RETURN NULL; END $$;
CREATE TRIGGER dba_audit AFTER UPDATE ON fenta.quota_counters FOR EACH ROW EXECUTE FUNCTION public.dba_audit();
SELECT pg_temp.use(8) AS with_an_after_trigger;
SELECT count(*) AS audit_rows FROM public.dba_audit;
DROP TRIGGER dba_audit ON fenta.quota_counters;
DROP FUNCTION public.dba_audit();
DROP TABLE public.dba_audit;
SELECT pg_temp.exact(:a);

-- 4. a column of another type is refused, not read as garbage (its CHECK is
-- rebuilt by ALTER TYPE, which the drop guard wants confirmed)
BEGIN;
SET LOCAL fenta.allow_drop = on;
ALTER TABLE fenta.quota_counters ALTER COLUMN tokens TYPE numeric;
SELECT pg_temp.try(format('SELECT public.check_quota(%L, 1, 0, 0)', :a)) AS check_quota_numeric;
SELECT pg_temp.use(9) AS insert_numeric;
ROLLBACK;
SELECT public.check_quota(:a, 1, 0, 0) AS check_quota_after;

-- 4b. the idempotency guard reads its columns as it found them once per
-- relation (0.6.0): after ALTER TABLE it looks again
SELECT pg_temp.try(format('INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, idempotency_key)
	VALUES (%L, %L, 1, %L)', :a, 'llm_tokens', 'key-before-alter')) AS key_before_alter;
BEGIN;
SET LOCAL fenta.allow_drop = on;
ALTER TABLE public.usage_records ALTER COLUMN idempotency_key TYPE varchar(300);
SELECT pg_temp.try(format('INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, idempotency_key)
	VALUES (%L, %L, 1, %L)', :a, 'llm_tokens', 'key-after-alter')) AS key_after_alter;
ROLLBACK;
SELECT pg_temp.try(format('INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, idempotency_key)
	VALUES (%L, %L, 1, %L)', :a, 'llm_tokens', 'key-before-alter')) AS retried_after_rollback;
SELECT count(*) AS rows_of_the_key FROM public.usage_records WHERE idempotency_key = 'key-before-alter';

-- 5. check_quota, then DDL on its tables in the same transaction
BEGIN;
SELECT public.check_quota(:a, 1, 0, 0) AS checked;
ALTER TABLE public.quota_limits ADD COLUMN dba_note text;
SELECT public.check_quota(:a, 1, 0, 0) AS checked_again;
ROLLBACK;

-- 6. a retry repeating the event's id as well as its key counts once and
-- does not fail, whatever its created_at
INSERT INTO public.usage_records (id, org_id, resource_type, llm_tokens_prompt, idempotency_key, created_at)
VALUES ('c3000000-0000-4000-8000-000000000001', :a, 'llm_tokens', 1000, 'retry-1', now() - interval '1 minute');
SELECT pg_temp.try(format('INSERT INTO public.usage_records (id, org_id, resource_type, llm_tokens_prompt, idempotency_key, created_at)
	VALUES (%L, %L, %L, 1000, %L, now())', 'c3000000-0000-4000-8000-000000000001', :a, 'llm_tokens', 'retry-1')) AS retry_later_created_at;
SELECT pg_temp.try(format('INSERT INTO public.usage_records (id, org_id, resource_type, llm_tokens_prompt, idempotency_key, created_at)
	VALUES (%L, %L, %L, 1000, %L, now() - interval %L)', 'c3000000-0000-4000-8000-000000000001', :a, 'llm_tokens', 'retry-1', '1 minute')) AS retry_same_created_at;
SELECT count(*) AS rows_of_the_event FROM public.usage_records WHERE id = 'c3000000-0000-4000-8000-000000000001';
SELECT pg_temp.exact(:a);

-- 7. usage is an append-only ledger for the API roles
SET ROLE service_role;
SELECT pg_temp.try(format('UPDATE public.usage_records SET llm_tokens_prompt = 0 WHERE org_id = %L', :a)) AS service_update;
SELECT pg_temp.try(format('DELETE FROM public.usage_records WHERE org_id = %L', :a)) AS service_delete;
SELECT pg_temp.try('TRUNCATE public.usage_records') AS service_truncate;
RESET ROLE;
SELECT pg_temp.exact(:a);

-- 8. the daily usage capture appends to fenta.usage_daily_pending row by row
-- through the executor (0.6.0): an index is maintained, row triggers fire,
-- a nullable column is left NULL; what such an insert cannot honour (a
-- rule, a statement trigger, a column default, another column type) is
-- refused, decided on the table as it is now (its cache follows ALTER)
CREATE FUNCTION pg_temp.pending() RETURNS text LANGUAGE sql AS $$
	SELECT format('pending rows %s, events %s, tokens %s', count(*), coalesce(sum(events), 0), coalesce(sum(tokens), 0))
	FROM fenta.usage_daily_pending WHERE org_id = 'c2000000-0000-4000-8000-000000000001'
$$;
SELECT fenta.refresh_daily_usage(false) IS NOT NULL AS drained;
BEGIN;
SET LOCAL fenta.allow_drop = on;
CREATE INDEX dba_pending_idx ON fenta.usage_daily_pending (org_id, day, tokens);
CREATE TABLE public.dba_audit (n int);
CREATE FUNCTION public.dba_pending_before() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.dba_audit VALUES (2); NEW.events := NEW.events * 10; RETURN NEW; END $$;
CREATE FUNCTION public.dba_pending_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.dba_audit VALUES (1); RETURN NULL; END $$;
CREATE TRIGGER dba_before BEFORE INSERT ON fenta.usage_daily_pending FOR EACH ROW EXECUTE FUNCTION public.dba_pending_before();
CREATE TRIGGER dba_after AFTER INSERT ON fenta.usage_daily_pending FOR EACH ROW EXECUTE FUNCTION public.dba_pending_after();
SELECT pg_temp.use(11) AS with_an_index_and_row_triggers;
SELECT pg_temp.pending() AS pending_after_one;
SELECT count(*) AS audit_rows, sum(n) AS audit_sum FROM public.dba_audit;
SELECT bt_index_check('fenta.dba_pending_idx', true) AS pending_index_complete;
ALTER TABLE fenta.usage_daily_pending ADD COLUMN dba_note text;
SELECT pg_temp.use(12) AS with_a_nullable_column;
SELECT count(*) AS rows_with_null_note FROM fenta.usage_daily_pending WHERE dba_note IS NULL;
ALTER TABLE fenta.usage_daily_pending ALTER COLUMN dba_note SET DEFAULT 'x';
SELECT pg_temp.use(13) AS with_a_column_default;
ALTER TABLE fenta.usage_daily_pending DROP COLUMN dba_note;
SELECT pg_temp.use(14) AS column_dropped;
CREATE RULE dba_rule AS ON INSERT TO fenta.usage_daily_pending DO ALSO NOTIFY dba_pending;
SELECT pg_temp.use(15) AS with_a_rule;
DROP RULE dba_rule ON fenta.usage_daily_pending;
CREATE TRIGGER dba_statement AFTER INSERT ON fenta.usage_daily_pending FOR EACH STATEMENT EXECUTE FUNCTION public.dba_pending_after();
SELECT pg_temp.use(16) AS with_a_statement_trigger;
DROP TRIGGER dba_statement ON fenta.usage_daily_pending;
ALTER TABLE fenta.usage_daily_pending ALTER COLUMN events TYPE numeric;
SELECT pg_temp.use(17) AS with_events_numeric;
ROLLBACK;
SELECT pg_temp.use(18) AS after_rollback;
SELECT pg_temp.pending() AS pending_after_rollback;
SELECT pg_temp.exact(:a);
-- the rows go with their org
SELECT bt_index_check('fenta.quota_counters_pkey', true) AS pkey_complete;
DELETE FROM public.orgs WHERE id = :a;
SELECT count(*) AS rows_left FROM public.usage_records WHERE org_id = :a;
DELETE FROM auth.users WHERE id = 'c1000000-0000-4000-8000-000000000001';
DROP EXTENSION amcheck;
