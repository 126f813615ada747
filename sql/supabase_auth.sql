-- supabase_auth.sql: a Supabase-compatible auth schema for plain PostgreSQL.
--
-- Supabase provides the schema "auth" (auth.users, auth.uid(), auth.role(),
-- auth.jwt()) and the roles anon, authenticated, service_role, authenticator
-- and supabase_auth_admin.  fenta is written against that interface.  On plain
-- PostgreSQL run this script once per database, as a superuser, before
-- CREATE EXTENSION fenta:
--
--     psql -d mydb -f "$(pg_config --sharedir)/extension/supabase_auth.sql"
--
-- It is idempotent.  It also reproduces Supabase's default privileges (every
-- table created in public is granted to anon and authenticated), so that an
-- installation here meets the same conditions as on Supabase.
-- Never run it on Supabase itself.

DO $roles$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'anon') THEN
		CREATE ROLE anon NOLOGIN NOINHERIT;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'authenticated') THEN
		CREATE ROLE authenticated NOLOGIN NOINHERIT;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'service_role') THEN
		CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'authenticator') THEN
		CREATE ROLE authenticator LOGIN NOINHERIT;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'supabase_auth_admin') THEN
		CREATE ROLE supabase_auth_admin LOGIN NOINHERIT CREATEROLE;
	END IF;
END
$roles$;

GRANT anon, authenticated, service_role TO authenticator;

CREATE SCHEMA IF NOT EXISTS auth AUTHORIZATION supabase_auth_admin;
GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;

CREATE TABLE IF NOT EXISTS auth.users (
	instance_id uuid,
	id uuid PRIMARY KEY,
	aud varchar(255),
	role varchar(255),
	email varchar(255),
	encrypted_password varchar(255),
	email_confirmed_at timestamptz,
	last_sign_in_at timestamptz,
	raw_app_meta_data jsonb,
	raw_user_meta_data jsonb,
	is_super_admin boolean,
	phone text,
	is_anonymous boolean NOT NULL DEFAULT false,
	created_at timestamptz DEFAULT now(),
	updated_at timestamptz DEFAULT now(),
	deleted_at timestamptz
);
ALTER TABLE auth.users OWNER TO supabase_auth_admin;
COMMENT ON TABLE auth.users IS 'Supabase-compatible stand-in for the auth server''s user table.';

-- The id of the user the request acts for (the JWT's "sub"), or NULL.
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid
LANGUAGE sql STABLE
AS $$
	SELECT coalesce(
		nullif(current_setting('request.jwt.claim.sub', true), ''),
		(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
	)::uuid
$$;

-- The role of the request (the JWT's "role"), or NULL.
CREATE OR REPLACE FUNCTION auth.role() RETURNS text
LANGUAGE sql STABLE
AS $$
	SELECT coalesce(
		nullif(current_setting('request.jwt.claim.role', true), ''),
		(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
	)::text
$$;

-- The e-mail of the request's user (the JWT's "email"), or NULL.
CREATE OR REPLACE FUNCTION auth.email() RETURNS text
LANGUAGE sql STABLE
AS $$
	SELECT coalesce(
		nullif(current_setting('request.jwt.claim.email', true), ''),
		(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
	)::text
$$;

-- All claims of the request's JWT.
CREATE OR REPLACE FUNCTION auth.jwt() RETURNS jsonb
LANGUAGE sql STABLE
AS $$
	SELECT coalesce(
		nullif(current_setting('request.jwt.claim', true), ''),
		nullif(current_setting('request.jwt.claims', true), '')
	)::jsonb
$$;

ALTER FUNCTION auth.uid() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.role() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.email() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.jwt() OWNER TO supabase_auth_admin;
GRANT EXECUTE ON FUNCTION auth.uid(), auth.role(), auth.email(), auth.jwt()
	TO anon, authenticated, service_role;

-- Supabase's default privileges: everything created in public is granted to
-- the API roles.  fenta revokes and grants exactly what each role needs.
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
