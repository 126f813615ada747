-- test/hosted/emulation.sql: an emulation of a hosted Supabase database on
-- stock PostgreSQL 15, for the migrations flavour's tests (issue 13).
--
-- Run once, as the bootstrap superuser supabase_admin (initdb -U
-- supabase_admin), on a fresh database.  Written from Supabase's public
-- sources: supabase/postgres (migrations/db/init-scripts/00000000000000-
-- initial-schema.sql, 00000000000001-auth-schema.sql, migrations/db/
-- migrations/*: roles, attributes, grants, default privileges, schema
-- extensions) and supabase/auth (migrations: auth.users' columns).  It is a
-- test fixture: never run it on Supabase, and it is not shipped.
--
-- Known gaps against hosted Supabase (stock PostgreSQL cannot do them):
-- * supautils: on Supabase, postgres may CREATE EVENT TRIGGER (supautils runs
--   it as a superuser).  Here only a superuser can: the test driver
--   (test/t/migrations.sh) runs the blocks of the migrations marked
--   "-- fenta:superuser begin/end" as supabase_admin and the rest as postgres.
-- * PostgreSQL 15: postgres is a member of anon, authenticated and
--   service_role without admin option, as on Supabase.
-- * The auth server's own migrations (sessions, identities, ...) are not
--   reproduced: only auth.users, which fenta references.

\set ON_ERROR_STOP on

-- Roles (init-scripts/00000000000000-initial-schema.sql)
DO $roles$
BEGIN
	IF pg_catalog.current_user() OPERATOR(pg_catalog.<>) 'supabase_admin' THEN
		RAISE EXCEPTION 'run the emulation as supabase_admin (initdb -U supabase_admin)';
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'postgres') THEN
		CREATE ROLE postgres NOSUPERUSER CREATEDB CREATEROLE LOGIN REPLICATION BYPASSRLS;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'anon') THEN
		CREATE ROLE anon NOLOGIN NOINHERIT;
		CREATE ROLE authenticated NOLOGIN NOINHERIT;
		CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
		CREATE ROLE authenticator LOGIN NOINHERIT;
		CREATE ROLE supabase_auth_admin NOINHERIT CREATEROLE LOGIN;
		CREATE ROLE supabase_storage_admin NOINHERIT CREATEROLE LOGIN;
		CREATE ROLE pgbouncer LOGIN;
	END IF;
END
$roles$;
ALTER ROLE postgres SET search_path = "$user", public, extensions;
ALTER ROLE supabase_admin SET search_path = "$user", public, auth, extensions;
ALTER ROLE supabase_auth_admin SET search_path = auth;
GRANT anon, authenticated, service_role TO authenticator;
GRANT anon, authenticated, service_role TO postgres;
GRANT supabase_auth_admin TO supabase_admin;
GRANT ALL PRIVILEGES ON DATABASE postgres TO postgres;
DO $db$ BEGIN EXECUTE pg_catalog.format('GRANT ALL ON DATABASE %I TO postgres', pg_catalog.current_database()); END $db$;

-- public: owned by postgres on Supabase images before 15 (pg_database_owner
-- on 15); the API roles use it, postgres creates in it.
ALTER SCHEMA public OWNER TO postgres;
GRANT USAGE ON SCHEMA public TO postgres, anon, authenticated, service_role;

-- Default privileges: everything postgres or supabase_admin creates in
-- public is granted to the API roles (initial-schema.sql).
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;

-- Schema extensions: pgcrypto and uuid-ossp live here, not in public.
CREATE SCHEMA IF NOT EXISTS extensions;
GRANT USAGE ON SCHEMA extensions TO postgres, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA extensions GRANT ALL ON FUNCTIONS TO postgres WITH GRANT OPTION;
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA extensions;
GRANT ALL ON ALL FUNCTIONS IN SCHEMA extensions TO postgres WITH GRANT OPTION;

-- Schema auth (init-scripts/00000000000001-auth-schema.sql): owned by
-- supabase_admin, its tables by supabase_auth_admin.
CREATE SCHEMA IF NOT EXISTS auth AUTHORIZATION supabase_admin;
GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role, postgres;
GRANT ALL ON SCHEMA auth TO supabase_auth_admin;

-- auth.users: GoTrue's columns (supabase/auth migrations, 35 columns).
CREATE TABLE auth.users (
	instance_id uuid NULL,
	id uuid NOT NULL PRIMARY KEY,
	aud varchar(255) NULL,
	"role" varchar(255) NULL,
	email varchar(255) NULL,
	encrypted_password varchar(255) NULL,
	email_confirmed_at timestamptz NULL,
	invited_at timestamptz NULL,
	confirmation_token varchar(255) NULL,
	confirmation_sent_at timestamptz NULL,
	recovery_token varchar(255) NULL,
	recovery_sent_at timestamptz NULL,
	email_change_token_new varchar(255) NULL,
	email_change varchar(255) NULL,
	email_change_sent_at timestamptz NULL,
	last_sign_in_at timestamptz NULL,
	raw_app_meta_data jsonb NULL,
	raw_user_meta_data jsonb NULL,
	is_super_admin bool NULL,
	created_at timestamptz NULL,
	updated_at timestamptz NULL,
	phone text NULL DEFAULT NULL::character varying UNIQUE,
	phone_confirmed_at timestamptz NULL,
	phone_change text NULL DEFAULT ''::character varying,
	phone_change_token varchar(255) NULL DEFAULT ''::character varying,
	phone_change_sent_at timestamptz NULL,
	confirmed_at timestamptz GENERATED ALWAYS AS (LEAST(email_confirmed_at, phone_confirmed_at)) STORED,
	email_change_token_current varchar(255) NULL DEFAULT ''::character varying,
	email_change_confirm_status smallint NULL DEFAULT 0 CHECK (email_change_confirm_status >= 0 AND email_change_confirm_status <= 2),
	banned_until timestamptz NULL,
	reauthentication_token varchar(255) NULL DEFAULT ''::character varying,
	reauthentication_sent_at timestamptz NULL,
	is_sso_user boolean NOT NULL DEFAULT false,
	deleted_at timestamptz NULL,
	is_anonymous boolean NOT NULL DEFAULT false
);
CREATE INDEX users_instance_id_idx ON auth.users (instance_id);
CREATE UNIQUE INDEX users_email_partial_key ON auth.users (email) WHERE is_sso_user = false;
COMMENT ON TABLE auth.users IS 'Auth: Stores user login data within a secure schema.';
ALTER TABLE auth.users OWNER TO supabase_auth_admin;
ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY;

-- auth.uid(), auth.role(), auth.jwt() as Supabase defines them (the newer
-- request.jwt.claims form, falling back to the older per-claim settings).
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
	select coalesce(
		nullif(current_setting('request.jwt.claim.sub', true), ''),
		(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
	)::uuid
$$;
CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $$
	select coalesce(
		nullif(current_setting('request.jwt.claim.role', true), ''),
		(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
	)::text
$$;
CREATE FUNCTION auth.email() RETURNS text LANGUAGE sql STABLE AS $$
	select coalesce(
		nullif(current_setting('request.jwt.claim.email', true), ''),
		(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
	)::text
$$;
CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $$
	select coalesce(
		nullif(current_setting('request.jwt.claim', true), ''),
		nullif(current_setting('request.jwt.claims', true), '')
	)::jsonb
$$;
ALTER FUNCTION auth.uid() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.role() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.email() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.jwt() OWNER TO supabase_auth_admin;
GRANT EXECUTE ON FUNCTION auth.uid(), auth.role(), auth.email(), auth.jwt() TO PUBLIC;

-- postgres has ALL on the auth tables (CREATE TRIGGER ... ON auth.users),
-- USAGE only on the schema; the API roles see nothing of auth.users.
GRANT ALL ON ALL TABLES IN SCHEMA auth TO postgres, supabase_auth_admin;
GRANT ALL ON ALL SEQUENCES IN SCHEMA auth TO postgres, supabase_auth_admin;
GRANT ALL ON ALL ROUTINES IN SCHEMA auth TO postgres, supabase_auth_admin;
ALTER DEFAULT PRIVILEGES FOR ROLE supabase_auth_admin IN SCHEMA auth GRANT ALL ON TABLES TO postgres;

-- pg_cron, when the PostgreSQL copy has it and shared_preload_libraries
-- loads it: the platform installs it into pg_catalog; postgres schedules
-- (migrations/db/migrations: grant usage on schema cron to postgres), in the
-- database named by cron.database_name.
SELECT (pg_catalog.current_setting('shared_preload_libraries') LIKE '%pg_cron%'
	AND pg_catalog.current_database() OPERATOR(pg_catalog.=) pg_catalog.current_setting('cron.database_name', true)
	AND EXISTS (SELECT FROM pg_catalog.pg_available_extensions WHERE name = 'pg_cron')) AS have_cron \gset
\if :have_cron
CREATE EXTENSION IF NOT EXISTS pg_cron WITH SCHEMA pg_catalog;
GRANT USAGE ON SCHEMA cron TO postgres WITH GRANT OPTION;
GRANT ALL ON ALL TABLES IN SCHEMA cron TO postgres WITH GRANT OPTION;
GRANT ALL ON ALL SEQUENCES IN SCHEMA cron TO postgres WITH GRANT OPTION;
GRANT ALL ON ALL ROUTINES IN SCHEMA cron TO postgres WITH GRANT OPTION;
\endif
