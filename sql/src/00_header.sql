-- fenta install script, built from sql/src/*.sql (see Makefile).

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION fenta CASCADE" to load this file. \quit

-- fenta is written against Supabase's auth interface.  Refuse to install
-- without it, and say where to get it on plain PostgreSQL.
DO $check$
BEGIN
	IF pg_catalog.to_regclass('auth.users') IS NULL
		OR pg_catalog.to_regprocedure('auth.uid()') IS NULL THEN
		RAISE EXCEPTION 'fenta requires the Supabase auth schema: auth.users and auth.uid() do not exist'
			USING ERRCODE = 'undefined_table',
				HINT = 'On plain PostgreSQL run the auth script shipped with fenta first: psql -f "$(pg_config --sharedir)/extension/supabase_auth.sql"';
	END IF;
	IF (SELECT pg_catalog.count(*) FROM pg_catalog.pg_roles
		WHERE rolname IN ('anon', 'authenticated', 'service_role')) <> 3 THEN
		RAISE EXCEPTION 'fenta requires the roles anon, authenticated and service_role'
			USING ERRCODE = 'undefined_object',
				HINT = 'On plain PostgreSQL run the auth script shipped with fenta first: psql -f "$(pg_config --sharedir)/extension/supabase_auth.sql"';
	END IF;
END
$check$;

COMMENT ON SCHEMA fenta IS 'fenta internals: native functions, policy helpers, maintenance and configuration. Not exposed through the Data API.';
REVOKE ALL ON SCHEMA fenta FROM PUBLIC;
-- Policies call fenta's membership helpers as the requesting role.
GRANT USAGE ON SCHEMA fenta TO anon, authenticated, service_role;
