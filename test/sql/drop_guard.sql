--
-- DROP EXTENSION fenta is refused unless the session confirms it.
--
\set VERBOSITY default
SET client_min_messages = warning;
DROP EXTENSION fenta;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
DROP EXTENSION IF EXISTS "fenta" CASCADE;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
DROP SCHEMA public CASCADE;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT extname FROM pg_extension WHERE extname = 'fenta';
SELECT count(*) > 0 AS tables_still_there FROM pg_tables WHERE schemaname = 'public';
-- other extensions are not concerned
CREATE EXTENSION IF NOT EXISTS pg_trgm;
DROP EXTENSION pg_trgm;
-- the confirmation works (inside a transaction rolled back, to keep fenta for
-- the next tests)
BEGIN;
SET LOCAL fenta.allow_drop = on;
DROP EXTENSION fenta CASCADE;
SELECT count(*) AS fenta_left FROM pg_extension WHERE extname = 'fenta';
ROLLBACK;
SELECT extname FROM pg_extension WHERE extname = 'fenta';

--
-- Attacks on the guard (0.3.0 read the statement text, so these got past it)
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
CREATE FUNCTION pg_temp.snapshot() RETURNS text LANGUAGE sql AS $$
	SELECT format('fenta %s, tables %s, policies %s, signup trigger %s, defaults %s',
		(SELECT count(*) FROM pg_extension WHERE extname = 'fenta'),
		(SELECT count(*) FROM pg_tables WHERE schemaname = 'public'),
		(SELECT count(*) FROM pg_policies WHERE schemaname = 'public'),
		(SELECT count(*) FROM pg_trigger WHERE tgrelid = 'auth.users'::regclass AND NOT tgisinternal),
		(SELECT count(*) FROM pg_attrdef d JOIN pg_class c ON c.oid = d.adrelid
		 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'))
$$;
SELECT pg_temp.snapshot() AS before;
-- a DROP EXTENSION built at run time
SELECT pg_temp.try($q$DO $d$ BEGIN EXECUTE 'DROP EXTENSION ' || 'fen' || 'ta CASCADE'; END $d$$q$) AS built_in_do;
-- cascades from what fenta uses or lives in
SELECT pg_temp.try('DROP SCHEMA fenta CASCADE') AS drop_schema_fenta;
SELECT pg_temp.try('DROP FUNCTION auth.uid() CASCADE') AS drop_auth_uid;
SELECT pg_temp.try('DROP SCHEMA auth CASCADE') AS drop_schema_auth;
SELECT pg_temp.try('DROP TABLE auth.users CASCADE') AS drop_auth_users;
-- fenta requires no other extension: dropping pgcrypto or uuid-ossp leaves it
SELECT extname FROM pg_extension WHERE extname IN ('pgcrypto', 'uuid-ossp');
CREATE EXTENSION IF NOT EXISTS pgcrypto;
SELECT pg_temp.try('DROP EXTENSION pgcrypto CASCADE') AS drop_pgcrypto;
-- what fenta made on its tables
SELECT pg_temp.try('ALTER TABLE public.jobs DROP COLUMN progress') AS drop_column;
SELECT pg_temp.try('DROP POLICY ' || (SELECT quote_ident(policyname) FROM pg_policies
	WHERE schemaname = 'public' AND tablename = 'integrations' ORDER BY 1 LIMIT 1) || ' ON public.integrations') AS drop_policy;
SELECT pg_temp.try('DROP TRIGGER fenta_on_auth_user_created ON auth.users') AS drop_signup_trigger;
SELECT pg_temp.try('ALTER TABLE public.projects ALTER COLUMN id DROP DEFAULT') AS drop_default;
SELECT pg_temp.try('DROP INDEX public.idx_jobs_status') AS drop_index;
SELECT pg_temp.try('ALTER TABLE public.credit_packs DROP CONSTRAINT credit_packs_credits_remaining_non_negative') AS drop_check;
SELECT pg_temp.snapshot() AS after;
-- unrelated drops always work, also sent with other statements in one string
CREATE SCHEMA staging;
CREATE TABLE staging.t (a int);
SET search_path = public; DROP SCHEMA staging CASCADE;
RESET search_path;
SELECT count(*) AS staging_left FROM pg_namespace WHERE nspname = 'staging';
-- a customer's own index, policy, check and column on a fenta table come and go
CREATE INDEX customer_jobs_idx ON public.jobs (created_at);
CREATE POLICY customer_policy ON public.jobs AS RESTRICTIVE FOR SELECT TO authenticated USING (true);
ALTER TABLE public.jobs ADD COLUMN customer_note text;
ALTER TABLE public.jobs ADD CONSTRAINT customer_check CHECK (customer_note <> '');
SELECT pg_temp.try('DROP INDEX public.customer_jobs_idx') AS own_index,
	pg_temp.try('DROP POLICY customer_policy ON public.jobs') AS own_policy,
	pg_temp.try('ALTER TABLE public.jobs DROP CONSTRAINT customer_check') AS own_check,
	pg_temp.try('ALTER TABLE public.jobs DROP COLUMN customer_note') AS own_column;
-- with the confirmation, fenta's objects can go
BEGIN;
SET LOCAL fenta.allow_drop = on;
SELECT pg_temp.try('DROP FUNCTION auth.uid() CASCADE') AS confirmed_drop;
ROLLBACK;
SELECT pg_temp.snapshot() AS at_the_end;
-- fenta.allow_drop is a real boolean setting, and fenta. names are reserved
SELECT pg_temp.try('SET fenta.allow_drop = maybe') AS bad_value;
SELECT pg_temp.try('SET fenta.alow_drop = on') AS misspelt;
SHOW fenta.allow_drop;
