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
-- ===========================================================================
-- Identifiers: time-ordered UUIDv7 keys (src/uuidv7.c) and their prefixed
-- TypeID text form (src/typeid.c).  The table-specific prefixes and the
-- public_id computed fields are in 75_public_ids.sql.
-- ===========================================================================

CREATE FUNCTION fenta.uuid_generate_v7()
RETURNS uuid
LANGUAGE C VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'fenta_uuid_generate_v7';

COMMENT ON FUNCTION fenta.uuid_generate_v7() IS
'A new time-ordered UUID, version 7 (RFC 9562): 48-bit Unix time in milliseconds, a 12-bit counter, 62 random bits. Strictly increasing within a session, so new rows land at the right edge of a B-tree index. Default of every id column.';

CREATE FUNCTION fenta.uuid_v7_timestamp(id uuid)
RETURNS timestamptz
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'fenta_uuid_v7_timestamp';

COMMENT ON FUNCTION fenta.uuid_v7_timestamp(uuid) IS
'Creation time recorded in a version 7 UUID, to the millisecond. Raises 22023 for any other UUID version.';

CREATE FUNCTION fenta.typeid_encode(prefix text, id uuid)
RETURNS text
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'fenta_typeid_encode';

COMMENT ON FUNCTION fenta.typeid_encode(text, uuid) IS
'TypeID (spec 0.3.0) of a uuid: prefix, "_", and the 128 bits in 26 characters of lower-case Crockford base32, e.g. org_01h455vb4pex5vsknk084sn02q. An empty prefix gives the bare 26 characters. Raises 22023 unless the prefix is empty or 1-63 characters of a-z and "_" that start and end with a letter.';

CREATE FUNCTION fenta.typeid_decode(typeid text, expected_prefix text)
RETURNS uuid
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'fenta_typeid_decode';

COMMENT ON FUNCTION fenta.typeid_decode(text, text) IS
'The uuid of a TypeID (spec 0.3.0) whose prefix must be expected_prefix ('''' for none). Raises 22P02 with a detail naming the problem if the TypeID is malformed or carries another prefix, 22023 if expected_prefix is not a valid prefix.';

CREATE FUNCTION fenta.typeid_prefix(typeid text)
RETURNS text
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'fenta_typeid_prefix';

COMMENT ON FUNCTION fenta.typeid_prefix(text) IS
'The prefix of a TypeID ('''' if it has none), after checking the whole TypeID like typeid_decode does (22P02 if malformed).';
-- Enumerations, the membership helpers every policy uses, and the generic
-- triggers shared by all tables.

CREATE TYPE public.user_role AS ENUM ('user', 'admin');
COMMENT ON TYPE public.user_role IS 'Platform role of a profile: user, or Fenta staff admin.';
CREATE TYPE public.user_status AS ENUM ('active', 'suspended');
COMMENT ON TYPE public.user_status IS 'Platform status of a profile.';
CREATE TYPE public.org_plan AS ENUM ('free', 'starter', 'pro', 'enterprise');
COMMENT ON TYPE public.org_plan IS 'Billing plan of an organization.';
-- Ordered from weakest to strongest, so that role >= 'editor' means "editor or above".
CREATE TYPE public.member_role AS ENUM ('viewer', 'editor', 'admin', 'owner');
COMMENT ON TYPE public.member_role IS 'Role of a member in an organization, ordered from weakest (viewer) to strongest (owner).';
CREATE TYPE public.workflow_status AS ENUM ('draft', 'confirmed', 'production', 'archived');
COMMENT ON TYPE public.workflow_status IS 'Life cycle of a workflow.';
CREATE TYPE public.asset_type AS ENUM ('image', 'video', 'audio');
COMMENT ON TYPE public.asset_type IS 'Media kind of an asset.';
CREATE TYPE public.asset_source AS ENUM ('upload', 'stock', 'kai');
COMMENT ON TYPE public.asset_source IS 'Where an asset came from: user upload, stock library, or KIE.ai generation.';
CREATE TYPE public.asset_status AS ENUM ('processing', 'ready', 'failed');
COMMENT ON TYPE public.asset_status IS 'Processing state of an asset.';
CREATE TYPE public.job_status AS ENUM ('queued', 'processing', 'completed', 'failed', 'cancelled');
COMMENT ON TYPE public.job_status IS 'Life cycle of a render job or an AI generation.';
CREATE TYPE public.log_level AS ENUM ('debug', 'info', 'warn', 'error');
COMMENT ON TYPE public.log_level IS 'Severity of a job log line.';
CREATE TYPE public.delivery_status AS ENUM ('pending', 'success', 'failed');
COMMENT ON TYPE public.delivery_status IS 'State of a webhook delivery.';
CREATE TYPE public.resource_type AS ENUM ('llm_tokens', 'kai_credits', 'render_seconds', 'storage');
COMMENT ON TYPE public.resource_type IS 'Metered resource of a usage record.';
CREATE TYPE public.invoice_status AS ENUM ('draft', 'open', 'paid', 'void');
COMMENT ON TYPE public.invoice_status IS 'Stripe invoice status.';
CREATE TYPE public.integration_provider AS ENUM ('kai', 'openai', 'pexels', 'stripe');
COMMENT ON TYPE public.integration_provider IS 'External service an integration connects to.';
CREATE TYPE public.integration_status AS ENUM ('active', 'expired', 'revoked');
COMMENT ON TYPE public.integration_status IS 'State of an integration''s credentials.';
CREATE TYPE public.kai_generation_type AS ENUM ('image', 'video', 'edit', 'voice', 'music');
COMMENT ON TYPE public.kai_generation_type IS 'Kind of KIE.ai generation.';

CREATE FUNCTION fenta.bypasses_rls()
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT coalesce((SELECT r.rolsuper OR r.rolbypassrls
					 FROM pg_catalog.pg_roles r
					 WHERE r.rolname = CURRENT_USER), false)
$$;
COMMENT ON FUNCTION fenta.bypasses_rls() IS
'True when the current role is exempt from row level security (superuser, or BYPASSRLS such as service_role): the guard triggers then let it through.';

-- Sets updated_at on every update.  One function for every table.
CREATE FUNCTION fenta.update_updated_at()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	NEW.updated_at := pg_catalog.now();
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.update_updated_at() IS
'BEFORE UPDATE trigger of every fenta table: sets updated_at to the transaction time.';

-- Deletes are granted to members so that a member without the right role
-- gets an error (42501) instead of silently deleting nothing.
CREATE FUNCTION fenta.require_org_role()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	min_role public.member_role := TG_ARGV[0]::public.member_role;
	org uuid := (pg_catalog.to_jsonb(OLD) ->> coalesce(TG_ARGV[1], 'org_id'))::uuid;
BEGIN
	IF NOT fenta.bypasses_rls() AND NOT fenta.has_org_role(org, min_role) THEN
		RAISE EXCEPTION 'permission denied to % from table %', pg_catalog.lower(TG_OP), TG_TABLE_NAME
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = pg_catalog.format('Only members with role %s or above may %s rows of %s.',
										   min_role, pg_catalog.lower(TG_OP), TG_TABLE_NAME);
	END IF;
	RETURN OLD;
END
$$;
COMMENT ON FUNCTION fenta.require_org_role() IS
'BEFORE DELETE trigger: raises 42501 unless the requesting user has the role given as first trigger argument in the row''s org (column named by the second argument, default org_id). Roles that bypass RLS pass.';
-- Users and organizations: profiles, orgs, org_members, api_keys, projects.

--
-- profiles: one per auth user, created by the signup trigger.
--
CREATE TABLE public.profiles (
	id uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
	name text CONSTRAINT profiles_name_not_empty CHECK (name IS NULL OR pg_catalog.btrim(name) <> ''),
	avatar_url text CONSTRAINT profiles_avatar_url_format CHECK (avatar_url IS NULL OR avatar_url ~ '^https?://'),
	role public.user_role NOT NULL DEFAULT 'user',
	status public.user_status NOT NULL DEFAULT 'active',
	metadata jsonb NOT NULL DEFAULT '{}' CONSTRAINT profiles_metadata_is_object CHECK (pg_catalog.jsonb_typeof(metadata) = 'object'),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE public.profiles IS 'Public profile of a user; extends auth.users one to one. Created by the signup trigger. Text id prefix: user_.';
COMMENT ON COLUMN public.profiles.id IS 'The auth user''s id (auth.users.id).';
COMMENT ON COLUMN public.profiles.name IS 'Display name; filled at signup from raw_user_meta_data (full_name, name) or the e-mail''s local part.';
COMMENT ON COLUMN public.profiles.avatar_url IS 'Avatar image URL; filled at signup from raw_user_meta_data.avatar_url.';
COMMENT ON COLUMN public.profiles.role IS 'Platform role (user or Fenta staff admin); set by the platform, never by the user.';
COMMENT ON COLUMN public.profiles.status IS 'Platform status (active or suspended); set by the platform, never by the user.';
COMMENT ON COLUMN public.profiles.metadata IS 'Free-form user preferences (JSON object).';
COMMENT ON COLUMN public.profiles.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.profiles.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_profiles_status ON public.profiles (status);
CREATE INDEX idx_profiles_metadata ON public.profiles USING gin (metadata);
CREATE TRIGGER profiles_updated_at BEFORE UPDATE ON public.profiles
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

--
-- orgs: the tenants.
--
CREATE TABLE public.orgs (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	name text NOT NULL CONSTRAINT orgs_name_not_empty CHECK (pg_catalog.btrim(name) <> ''),
	slug text NOT NULL CONSTRAINT orgs_slug_key UNIQUE
		CONSTRAINT orgs_slug_format CHECK (slug ~ '^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$'),
	owner_id uuid NOT NULL DEFAULT auth.uid() REFERENCES public.profiles (id),
	plan public.org_plan NOT NULL DEFAULT 'free',
	billing_email text CONSTRAINT orgs_billing_email_format CHECK (billing_email IS NULL OR billing_email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'),
	stripe_customer_id text CONSTRAINT orgs_stripe_customer_id_key UNIQUE,
	settings jsonb NOT NULL DEFAULT '{}' CONSTRAINT orgs_settings_is_object CHECK (pg_catalog.jsonb_typeof(settings) = 'object'),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	deleted_at timestamptz
);
COMMENT ON TABLE public.orgs IS 'Organizations: the tenants. Every customer row carries the org_id of its org. Creating one makes the creator its owner and gives it a quota row. Text id prefix: org_.';
COMMENT ON COLUMN public.orgs.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.orgs.name IS 'Display name (not empty).';
COMMENT ON COLUMN public.orgs.slug IS 'Unique URL name: 3 to 63 lower-case letters, digits and single inner hyphens.';
COMMENT ON COLUMN public.orgs.owner_id IS 'Profile that owns the org; defaults to the creating user.';
COMMENT ON COLUMN public.orgs.plan IS 'Billing plan (free, starter, pro, enterprise); changed by the billing backend.';
COMMENT ON COLUMN public.orgs.billing_email IS 'Where invoices are sent.';
COMMENT ON COLUMN public.orgs.stripe_customer_id IS 'Stripe customer id (cus_...).';
COMMENT ON COLUMN public.orgs.settings IS 'Org preferences (JSON object).';
COMMENT ON COLUMN public.orgs.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.orgs.updated_at IS 'When the row was last updated (set by trigger).';
COMMENT ON COLUMN public.orgs.deleted_at IS 'Soft delete: when set, the org is hidden from its members (the owner still sees it).';
CREATE INDEX idx_orgs_owner_id ON public.orgs (owner_id);
CREATE INDEX idx_orgs_plan ON public.orgs (plan);
CREATE INDEX idx_orgs_active ON public.orgs (id) WHERE deleted_at IS NULL;
CREATE INDEX idx_orgs_settings ON public.orgs USING gin (settings);
CREATE TRIGGER orgs_updated_at BEFORE UPDATE ON public.orgs
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

--
-- org_members: who belongs to which org, with which role.
--
CREATE TABLE public.org_members (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	user_id uuid NOT NULL REFERENCES public.profiles (id) ON DELETE CASCADE,
	role public.member_role NOT NULL DEFAULT 'viewer',
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT org_members_org_id_user_id_key UNIQUE (org_id, user_id)
);
COMMENT ON TABLE public.org_members IS 'Membership of users in orgs, with their role (viewer < editor < admin < owner). Text id prefix: mem_.';
COMMENT ON COLUMN public.org_members.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.org_members.org_id IS 'The org.';
COMMENT ON COLUMN public.org_members.user_id IS 'The member''s profile.';
COMMENT ON COLUMN public.org_members.role IS 'Role in the org: viewer, editor, admin or owner.';
COMMENT ON COLUMN public.org_members.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.org_members.updated_at IS 'When the row was last updated (set by trigger).';
-- Serves the membership helpers: user first, role included.
CREATE INDEX idx_org_members_user_id ON public.org_members (user_id, org_id, role);
CREATE INDEX idx_org_members_role ON public.org_members (role);
CREATE TRIGGER org_members_updated_at BEFORE UPDATE ON public.org_members
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

-- Membership helpers.  They read org_members as the extension owner, so a
-- policy that calls them does not recurse into org_members' own policies.

CREATE FUNCTION fenta.org_ids(min_role public.member_role DEFAULT 'viewer')
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE ROWS 10
SET search_path = ''
AS $$
	SELECT m.org_id
	FROM public.org_members m
	WHERE m.user_id = (SELECT auth.uid())
		AND m.role >= min_role
$$;
COMMENT ON FUNCTION fenta.org_ids(public.member_role) IS
'Ids of the orgs in which the requesting user (auth.uid()) has at least min_role. Used by RLS policies as "org_id IN (SELECT fenta.org_ids(''editor''))".';

CREATE FUNCTION fenta.has_org_role(org_id uuid, min_role public.member_role DEFAULT 'viewer')
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT EXISTS (
		SELECT FROM public.org_members m
		WHERE m.org_id = has_org_role.org_id
			AND m.user_id = (SELECT auth.uid())
			AND m.role >= min_role)
$$;
COMMENT ON FUNCTION fenta.has_org_role(uuid, public.member_role) IS
'True when the requesting user (auth.uid()) is a member of org_id with at least min_role.';

-- Owner rows of org_members are the owner's business: an admin may manage
-- viewers, editors and admins, but neither create, change nor remove an owner.
CREATE FUNCTION fenta.org_members_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	is_owner boolean;
BEGIN
	IF fenta.bypasses_rls() THEN
		RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
	END IF;
	is_owner := fenta.has_org_role(CASE TG_OP WHEN 'INSERT' THEN NEW.org_id ELSE OLD.org_id END, 'owner');
	IF TG_OP = 'DELETE' THEN
		IF OLD.role = 'owner' AND NOT EXISTS (
			SELECT FROM public.org_members m
			WHERE m.org_id = OLD.org_id AND m.role = 'owner' AND m.id <> OLD.id) THEN
			RAISE EXCEPTION 'an org must keep at least one owner'
				USING ERRCODE = 'check_violation',
					HINT = 'Make another member owner first, or delete the org.';
		END IF;
		-- admins remove non-owners; anybody but an owner may leave
		IF is_owner
			OR (OLD.user_id = (SELECT auth.uid()) AND OLD.role <> 'owner')
			OR (OLD.role <> 'owner' AND fenta.has_org_role(OLD.org_id, 'admin')) THEN
			RETURN OLD;
		END IF;
		RAISE EXCEPTION 'permission denied to remove this member from the org'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Admins remove viewers, editors and admins; only an owner removes an owner; any member but an owner may leave.';
	END IF;
	IF (TG_OP = 'UPDATE' AND OLD.role = 'owner' OR NEW.role = 'owner') AND NOT is_owner THEN
		RAISE EXCEPTION 'permission denied to grant or change the owner role'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Only an owner of the org may create or change owner memberships.';
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.org_members_guard() IS
'BEFORE INSERT/UPDATE/DELETE trigger of org_members: only owners touch owner rows; admins manage the rest; a non-owner member may remove themselves; the last owner stays.';
CREATE TRIGGER org_members_guard BEFORE INSERT OR UPDATE OR DELETE ON public.org_members
	FOR EACH ROW EXECUTE FUNCTION fenta.org_members_guard();

--
-- api_keys: personal access tokens.  Only a SHA-256 hash is stored.
--
CREATE TABLE public.api_keys (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	user_id uuid NOT NULL DEFAULT auth.uid() REFERENCES public.profiles (id) ON DELETE CASCADE,
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	name text NOT NULL CONSTRAINT api_keys_name_not_empty CHECK (pg_catalog.btrim(name) <> ''),
	key_hash text NOT NULL CONSTRAINT api_keys_key_hash_key UNIQUE
		CONSTRAINT api_keys_key_hash_format CHECK (key_hash ~ '^[0-9a-f]{64}$'),
	key_prefix text NOT NULL CONSTRAINT api_keys_key_prefix_format CHECK (key_prefix ~ '^[A-Za-z0-9_]{4,16}$'),
	scopes jsonb NOT NULL DEFAULT '[]' CONSTRAINT api_keys_scopes_is_array CHECK (pg_catalog.jsonb_typeof(scopes) = 'array'),
	expires_at timestamptz,
	revoked_at timestamptz,
	last_used_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	-- a key belongs to a member of its org, and goes when the member leaves
	CONSTRAINT api_keys_member_fkey FOREIGN KEY (org_id, user_id)
		REFERENCES public.org_members (org_id, user_id) ON DELETE CASCADE
);
COMMENT ON TABLE public.api_keys IS 'Personal access tokens of a member for one org. Only the SHA-256 hash of a key is stored; create keys with public.create_api_key(). Text id prefix: key_.';
COMMENT ON COLUMN public.api_keys.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.api_keys.user_id IS 'The member the key acts for; defaults to the creating user.';
COMMENT ON COLUMN public.api_keys.org_id IS 'The org the key gives access to.';
COMMENT ON COLUMN public.api_keys.name IS 'Label given by the user.';
COMMENT ON COLUMN public.api_keys.key_hash IS 'Hex SHA-256 of the raw key (secret: not readable through the Data API).';
COMMENT ON COLUMN public.api_keys.key_prefix IS 'First characters of the raw key, shown to identify it.';
COMMENT ON COLUMN public.api_keys.scopes IS 'Granted scopes (JSON array of strings).';
COMMENT ON COLUMN public.api_keys.expires_at IS 'When the key stops working; NULL = never.';
COMMENT ON COLUMN public.api_keys.revoked_at IS 'When the key was revoked; NULL = active.';
COMMENT ON COLUMN public.api_keys.last_used_at IS 'When the key was last used (set by the backend).';
COMMENT ON COLUMN public.api_keys.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.api_keys.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_api_keys_user_id ON public.api_keys (user_id);
CREATE INDEX idx_api_keys_org_id_user_id ON public.api_keys (org_id, user_id);
CREATE INDEX idx_api_keys_valid ON public.api_keys (key_hash) WHERE revoked_at IS NULL;
CREATE INDEX idx_api_keys_scopes ON public.api_keys USING gin (scopes);
CREATE TRIGGER api_keys_updated_at BEFORE UPDATE ON public.api_keys
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

--
-- projects: group resources inside an org.
--
CREATE TABLE public.projects (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	name text NOT NULL CONSTRAINT projects_name_not_empty CHECK (pg_catalog.btrim(name) <> ''),
	description text,
	settings jsonb NOT NULL DEFAULT '{}' CONSTRAINT projects_settings_is_object CHECK (pg_catalog.jsonb_typeof(settings) = 'object'),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	deleted_at timestamptz,
	-- target of the children's (org_id, project_id) foreign keys
	CONSTRAINT projects_org_id_id_key UNIQUE (org_id, id)
);
COMMENT ON TABLE public.projects IS 'Projects group templates, workflows, assets and jobs inside an org. Text id prefix: proj_.';
COMMENT ON COLUMN public.projects.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.projects.org_id IS 'Owning org.';
COMMENT ON COLUMN public.projects.name IS 'Display name (not empty).';
COMMENT ON COLUMN public.projects.description IS 'Free text.';
COMMENT ON COLUMN public.projects.settings IS 'Project preferences (JSON object).';
COMMENT ON COLUMN public.projects.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.projects.updated_at IS 'When the row was last updated (set by trigger).';
COMMENT ON COLUMN public.projects.deleted_at IS 'Soft delete: when set, hidden from ordinary reads (admins still see it).';
CREATE INDEX idx_projects_active ON public.projects (org_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_projects_settings ON public.projects USING gin (settings);
CREATE TRIGGER projects_updated_at BEFORE UPDATE ON public.projects
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

--
-- Signup and org creation.
--

-- Creates the profile of a new auth user.  Runs as the extension owner, so
-- it works whichever role the auth server inserts users with.
CREATE FUNCTION fenta.handle_new_user()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	meta jsonb := coalesce(NEW.raw_user_meta_data, '{}');
BEGIN
	INSERT INTO public.profiles (id, name, avatar_url)
	VALUES (NEW.id,
			coalesce(nullif(pg_catalog.btrim(meta ->> 'full_name'), ''),
					 nullif(pg_catalog.btrim(meta ->> 'name'), ''),
					 nullif(pg_catalog.split_part(NEW.email, '@', 1), '')),
			CASE WHEN meta ->> 'avatar_url' ~ '^https?://' THEN meta ->> 'avatar_url' END)
	ON CONFLICT (id) DO NOTHING;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.handle_new_user() IS
'AFTER INSERT trigger on auth.users: creates the user''s profile, name and avatar taken from raw_user_meta_data (full_name or name, avatar_url), else the e-mail''s local part.';
CREATE TRIGGER fenta_on_auth_user_created AFTER INSERT ON auth.users
	FOR EACH ROW EXECUTE FUNCTION fenta.handle_new_user();

-- Makes the creator of an org its owner and gives the org its quota row, in
-- the creating transaction.
CREATE FUNCTION fenta.handle_new_org()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	INSERT INTO public.org_members (org_id, user_id, role)
	VALUES (NEW.id, NEW.owner_id, 'owner')
	ON CONFLICT (org_id, user_id) DO UPDATE SET role = 'owner';
	INSERT INTO public.quota_limits (org_id)
	VALUES (NEW.id)
	ON CONFLICT (org_id) DO NOTHING;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION fenta.handle_new_org() IS
'AFTER INSERT trigger on orgs: adds the owner as a member with role owner and creates the org''s quota_limits row.';

CREATE TRIGGER orgs_handle_new AFTER INSERT ON public.orgs
	FOR EACH ROW EXECUTE FUNCTION fenta.handle_new_org();

-- Deletes are granted to members so that a member without the role gets
-- 42501 rather than nothing deleted (row level security: 70_policies.sql).
CREATE TRIGGER projects_delete_guard BEFORE DELETE ON public.projects
	FOR EACH ROW EXECUTE FUNCTION fenta.require_org_role('admin');

--
-- API key helpers (RPCs).
--

-- Creates an API key for the calling user in one of their orgs and returns
-- the raw key, which is shown once and never stored.
CREATE FUNCTION public.create_api_key(org_id uuid, name text, scopes jsonb DEFAULT '[]', expires_at timestamptz DEFAULT NULL)
RETURNS TABLE (id uuid, key text)
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	raw text := 'fk_' || pg_catalog.replace(pg_catalog.gen_random_uuid()::text || pg_catalog.gen_random_uuid()::text, '-', '');
	new_id uuid;
BEGIN
	INSERT INTO public.api_keys (user_id, org_id, name, key_hash, key_prefix, scopes, expires_at)
	VALUES ((SELECT auth.uid()), create_api_key.org_id, create_api_key.name,
			pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(raw, 'UTF8')), 'hex'),
			pg_catalog.left(raw, 11), create_api_key.scopes, create_api_key.expires_at)
	RETURNING api_keys.id INTO new_id;
	RETURN QUERY SELECT new_id, raw;
END
$$;
COMMENT ON FUNCTION public.create_api_key(uuid, text, jsonb, timestamptz) IS
'RPC: creates an API key for the calling user in an org they belong to and returns (id, key). The raw key is returned once; only its SHA-256 is stored. Runs with the caller''s rights (RLS applies).';
REVOKE ALL ON FUNCTION public.create_api_key(uuid, text, jsonb, timestamptz) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.create_api_key(uuid, text, jsonb, timestamptz) TO authenticated, service_role;

-- Resolves a raw API key for the backend: its user, org and scopes, when the
-- key exists, is not revoked and has not expired.
CREATE FUNCTION fenta.verify_api_key(key text)
RETURNS TABLE (key_id uuid, user_id uuid, org_id uuid, scopes jsonb)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
	SELECT k.id, k.user_id, k.org_id, k.scopes
	FROM public.api_keys k
	WHERE k.key_hash = pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(verify_api_key.key, 'UTF8')), 'hex')
		AND k.revoked_at IS NULL
		AND (k.expires_at IS NULL OR k.expires_at > pg_catalog.now())
$$;
COMMENT ON FUNCTION fenta.verify_api_key(text) IS
'Backend (service_role): resolves a raw API key to (key_id, user_id, org_id, scopes) if it is valid (not revoked, not expired); no row otherwise.';
REVOKE ALL ON FUNCTION fenta.verify_api_key(text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.verify_api_key(text) TO service_role;
-- Content: templates, workflows, workflow_versions, assets, asset_versions.

--
-- templates: video montage templates.
--
CREATE TABLE public.templates (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	project_id uuid,
	name text NOT NULL CONSTRAINT templates_name_not_empty CHECK (pg_catalog.btrim(name) <> ''),
	description text,
	aspect text NOT NULL DEFAULT '9:16' CONSTRAINT templates_aspect_valid CHECK (aspect IN ('9:16', '16:9', '1:1')),
	resolution text CONSTRAINT templates_resolution_format CHECK (resolution ~ '^[0-9]{2,5}x[0-9]{2,5}$'),
	spec jsonb NOT NULL DEFAULT '{}' CONSTRAINT templates_spec_is_object CHECK (pg_catalog.jsonb_typeof(spec) = 'object'),
	is_public boolean NOT NULL DEFAULT false,
	thumbnail_url text CONSTRAINT templates_thumbnail_url_format CHECK (thumbnail_url ~ '^https?://'),
	usage_count bigint NOT NULL DEFAULT 0 CONSTRAINT templates_usage_count_not_negative CHECK (usage_count >= 0),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	deleted_at timestamptz,
	-- target of the children's (org_id, template_id) foreign keys
	CONSTRAINT templates_org_id_id_key UNIQUE (org_id, id),
	CONSTRAINT templates_project_id_fkey FOREIGN KEY (org_id, project_id)
		REFERENCES public.projects (org_id, id) ON DELETE SET NULL (project_id)
);
COMMENT ON TABLE public.templates IS 'Video montage templates: aspect, resolution and a spec of tracks, overlays, placeholders and rules. A public template (is_public) is readable by anyone, anon included; it is used by other orgs by copying it into their org. Text id prefix: tmpl_.';
COMMENT ON COLUMN public.templates.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.templates.org_id IS 'Owning org.';
COMMENT ON COLUMN public.templates.project_id IS 'Project the template belongs to, in the same org; NULL when none (set to NULL when the project is deleted).';
COMMENT ON COLUMN public.templates.name IS 'Display name (not empty).';
COMMENT ON COLUMN public.templates.description IS 'Free text.';
COMMENT ON COLUMN public.templates.aspect IS 'Aspect ratio of the video: 9:16 (default), 16:9 or 1:1.';
COMMENT ON COLUMN public.templates.resolution IS 'Output size as WIDTHxHEIGHT in pixels, e.g. 1080x1920; NULL = the render profile''s default.';
COMMENT ON COLUMN public.templates.spec IS 'Template definition (JSON object): tracks, overlays, placeholders, rules.';
COMMENT ON COLUMN public.templates.is_public IS 'When true (and not deleted), anyone can read the template, anon included.';
COMMENT ON COLUMN public.templates.thumbnail_url IS 'Preview image URL (http or https).';
COMMENT ON COLUMN public.templates.usage_count IS 'How many jobs used the template (>= 0; maintained by the backend).';
COMMENT ON COLUMN public.templates.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.templates.updated_at IS 'When the row was last updated (set by trigger).';
COMMENT ON COLUMN public.templates.deleted_at IS 'Soft delete: when set, hidden from ordinary reads (admins still see it) and no longer public.';
CREATE INDEX idx_templates_org_id_project_id ON public.templates (org_id, project_id);
CREATE INDEX idx_templates_active ON public.templates (org_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_templates_public ON public.templates (is_public) WHERE is_public = true;
CREATE INDEX idx_templates_spec ON public.templates USING gin (spec);
CREATE TRIGGER templates_updated_at BEFORE UPDATE ON public.templates
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

CREATE TRIGGER templates_delete_guard BEFORE DELETE ON public.templates
	FOR EACH ROW EXECUTE FUNCTION fenta.require_org_role('admin');

--
-- workflows: visual workflow graphs.
--
CREATE TABLE public.workflows (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	project_id uuid,
	template_id uuid,
	name text NOT NULL CONSTRAINT workflows_name_not_empty CHECK (pg_catalog.btrim(name) <> ''),
	description text,
	status public.workflow_status NOT NULL DEFAULT 'draft',
	-- coalesce: a missing key must fail the check, not pass it as NULL
	graph jsonb NOT NULL DEFAULT '{"nodes": [], "edges": []}'
		CONSTRAINT workflows_graph_shape CHECK (pg_catalog.jsonb_typeof(graph) = 'object'
												AND coalesce(pg_catalog.jsonb_typeof(graph -> 'nodes') = 'array', false)
												AND coalesce(pg_catalog.jsonb_typeof(graph -> 'edges') = 'array', false)),
	variables jsonb NOT NULL DEFAULT '{}' CONSTRAINT workflows_variables_is_object CHECK (pg_catalog.jsonb_typeof(variables) = 'object'),
	run_count bigint NOT NULL DEFAULT 0 CONSTRAINT workflows_run_count_not_negative CHECK (run_count >= 0),
	last_run_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	deleted_at timestamptz,
	-- target of the children's (org_id, workflow_id) foreign keys
	CONSTRAINT workflows_org_id_id_key UNIQUE (org_id, id),
	CONSTRAINT workflows_project_id_fkey FOREIGN KEY (org_id, project_id)
		REFERENCES public.projects (org_id, id) ON DELETE SET NULL (project_id),
	CONSTRAINT workflows_template_id_fkey FOREIGN KEY (org_id, template_id)
		REFERENCES public.templates (org_id, id) ON DELETE SET NULL (template_id)
);
COMMENT ON TABLE public.workflows IS 'Visual workflow graphs (nodes and edges) that produce videos; run by jobs, on demand or by schedules. Text id prefix: wf_.';
COMMENT ON COLUMN public.workflows.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.workflows.org_id IS 'Owning org.';
COMMENT ON COLUMN public.workflows.project_id IS 'Project the workflow belongs to, in the same org; NULL when none (set to NULL when the project is deleted).';
COMMENT ON COLUMN public.workflows.template_id IS 'Template the workflow renders with, in the same org; NULL when none (set to NULL when the template is deleted).';
COMMENT ON COLUMN public.workflows.name IS 'Display name (not empty).';
COMMENT ON COLUMN public.workflows.description IS 'Free text.';
COMMENT ON COLUMN public.workflows.status IS 'Life cycle: draft (default), confirmed, production, archived.';
COMMENT ON COLUMN public.workflows.graph IS 'The graph: a JSON object with a "nodes" array and an "edges" array.';
COMMENT ON COLUMN public.workflows.variables IS 'Workflow variables and their default values (JSON object).';
COMMENT ON COLUMN public.workflows.run_count IS 'How many times the workflow ran (>= 0; maintained by the backend).';
COMMENT ON COLUMN public.workflows.last_run_at IS 'When the workflow last ran.';
COMMENT ON COLUMN public.workflows.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.workflows.updated_at IS 'When the row was last updated (set by trigger).';
COMMENT ON COLUMN public.workflows.deleted_at IS 'Soft delete: when set, hidden from ordinary reads (admins still see it).';
CREATE INDEX idx_workflows_org_id_project_id ON public.workflows (org_id, project_id);
CREATE INDEX idx_workflows_org_id_template_id ON public.workflows (org_id, template_id);
CREATE INDEX idx_workflows_status ON public.workflows (status);
CREATE INDEX idx_workflows_active ON public.workflows (org_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_workflows_graph ON public.workflows USING gin (graph);
CREATE TRIGGER workflows_updated_at BEFORE UPDATE ON public.workflows
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

CREATE TRIGGER workflows_delete_guard BEFORE DELETE ON public.workflows
	FOR EACH ROW EXECUTE FUNCTION fenta.require_org_role('admin');

--
-- workflow_versions: history of a workflow's graph.
--
CREATE TABLE public.workflow_versions (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	workflow_id uuid NOT NULL,
	version integer NOT NULL CONSTRAINT workflow_versions_version_positive CHECK (version >= 1),
	graph jsonb NOT NULL DEFAULT '{"nodes": [], "edges": []}'
		CONSTRAINT workflow_versions_graph_shape CHECK (pg_catalog.jsonb_typeof(graph) = 'object'
														AND coalesce(pg_catalog.jsonb_typeof(graph -> 'nodes') = 'array', false)
														AND coalesce(pg_catalog.jsonb_typeof(graph -> 'edges') = 'array', false)),
	variables jsonb NOT NULL DEFAULT '{}' CONSTRAINT workflow_versions_variables_is_object CHECK (pg_catalog.jsonb_typeof(variables) = 'object'),
	note text,
	created_by uuid DEFAULT auth.uid() REFERENCES public.profiles (id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT workflow_versions_workflow_id_version_key UNIQUE (workflow_id, version),
	CONSTRAINT workflow_versions_workflow_id_fkey FOREIGN KEY (org_id, workflow_id)
		REFERENCES public.workflows (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE public.workflow_versions IS 'Version history of workflows: a snapshot of the graph and variables per version number. Text id prefix: wfv_.';
COMMENT ON COLUMN public.workflow_versions.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.workflow_versions.org_id IS 'Owning org (the workflow''s).';
COMMENT ON COLUMN public.workflow_versions.workflow_id IS 'The workflow, in the same org; its versions go with it.';
COMMENT ON COLUMN public.workflow_versions.version IS 'Version number (>= 1), unique per workflow.';
COMMENT ON COLUMN public.workflow_versions.graph IS 'The graph of this version: a JSON object with a "nodes" array and an "edges" array.';
COMMENT ON COLUMN public.workflow_versions.variables IS 'The variables of this version (JSON object).';
COMMENT ON COLUMN public.workflow_versions.note IS 'What changed in this version (free text).';
COMMENT ON COLUMN public.workflow_versions.created_by IS 'Profile that saved the version; defaults to the requesting user; NULL once the profile is deleted.';
COMMENT ON COLUMN public.workflow_versions.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.workflow_versions.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_workflow_versions_org_id_workflow_id ON public.workflow_versions (org_id, workflow_id);
CREATE INDEX idx_workflow_versions_created_by ON public.workflow_versions (created_by);
CREATE INDEX idx_workflow_versions_graph ON public.workflow_versions USING gin (graph);
CREATE TRIGGER workflow_versions_updated_at BEFORE UPDATE ON public.workflow_versions
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

CREATE TRIGGER workflow_versions_delete_guard BEFORE DELETE ON public.workflow_versions
	FOR EACH ROW EXECUTE FUNCTION fenta.require_org_role('admin');

--
-- assets: media files.
--
CREATE TABLE public.assets (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	project_id uuid,
	type public.asset_type NOT NULL,
	source public.asset_source NOT NULL DEFAULT 'upload',
	name text CONSTRAINT assets_name_not_empty CHECK (pg_catalog.btrim(name) <> ''),
	storage_path text CONSTRAINT assets_storage_path_not_empty CHECK (pg_catalog.btrim(storage_path) <> ''),
	url text CONSTRAINT assets_url_format CHECK (url ~ '^https?://'),
	thumbnail_url text CONSTRAINT assets_thumbnail_url_format CHECK (thumbnail_url ~ '^https?://'),
	mime_type text CONSTRAINT assets_mime_type_format
		CHECK (mime_type ~* '^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*(\s*;.*)?$'),
	file_size_bytes bigint CONSTRAINT assets_file_size_bytes_not_negative CHECK (file_size_bytes >= 0),
	duration_seconds numeric(12,3) CONSTRAINT assets_duration_seconds_not_negative CHECK (duration_seconds >= 0),
	width integer CONSTRAINT assets_width_positive CHECK (width > 0),
	height integer CONSTRAINT assets_height_positive CHECK (height > 0),
	fps numeric(6,3) CONSTRAINT assets_fps_positive CHECK (fps > 0),
	metadata jsonb NOT NULL DEFAULT '{}' CONSTRAINT assets_metadata_is_object CHECK (pg_catalog.jsonb_typeof(metadata) = 'object'),
	status public.asset_status NOT NULL DEFAULT 'processing',
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	deleted_at timestamptz,
	-- target of the children's (org_id, asset_id) foreign keys
	CONSTRAINT assets_org_id_id_key UNIQUE (org_id, id),
	CONSTRAINT assets_project_id_fkey FOREIGN KEY (org_id, project_id)
		REFERENCES public.projects (org_id, id) ON DELETE SET NULL (project_id)
);
COMMENT ON TABLE public.assets IS 'Media files (images, videos, audio) uploaded, taken from stock libraries or generated by KIE.ai. Text id prefix: asset_.';
COMMENT ON COLUMN public.assets.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.assets.org_id IS 'Owning org.';
COMMENT ON COLUMN public.assets.project_id IS 'Project the asset belongs to, in the same org; NULL when none (set to NULL when the project is deleted).';
COMMENT ON COLUMN public.assets.type IS 'Media kind: image, video or audio.';
COMMENT ON COLUMN public.assets.source IS 'Where the asset came from: upload (default), stock or kai.';
COMMENT ON COLUMN public.assets.name IS 'Display name, e.g. the uploaded file''s name (not empty when set).';
COMMENT ON COLUMN public.assets.storage_path IS 'Path of the current file in Supabase Storage (bucket/key).';
COMMENT ON COLUMN public.assets.url IS 'URL of the current file (http or https).';
COMMENT ON COLUMN public.assets.thumbnail_url IS 'Preview image URL (http or https).';
COMMENT ON COLUMN public.assets.mime_type IS 'Media type of the file, e.g. video/mp4 (type/subtype, optional parameters).';
COMMENT ON COLUMN public.assets.file_size_bytes IS 'Size of the current file in bytes (>= 0).';
COMMENT ON COLUMN public.assets.duration_seconds IS 'Duration of audio or video in seconds (>= 0, millisecond precision).';
COMMENT ON COLUMN public.assets.width IS 'Width in pixels of an image or video (> 0).';
COMMENT ON COLUMN public.assets.height IS 'Height in pixels of an image or video (> 0).';
COMMENT ON COLUMN public.assets.fps IS 'Frame rate of a video (> 0).';
COMMENT ON COLUMN public.assets.metadata IS 'Further media properties and tags (JSON object).';
COMMENT ON COLUMN public.assets.status IS 'Processing state: processing (default), ready, failed.';
COMMENT ON COLUMN public.assets.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.assets.updated_at IS 'When the row was last updated (set by trigger).';
COMMENT ON COLUMN public.assets.deleted_at IS 'Soft delete: when set, hidden from ordinary reads (admins still see it).';
CREATE INDEX idx_assets_org_id_project_id ON public.assets (org_id, project_id);
CREATE INDEX idx_assets_status ON public.assets (status);
CREATE INDEX idx_assets_active ON public.assets (org_id, type) WHERE deleted_at IS NULL;
CREATE INDEX idx_assets_metadata ON public.assets USING gin (metadata);
CREATE TRIGGER assets_updated_at BEFORE UPDATE ON public.assets
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

CREATE TRIGGER assets_delete_guard BEFORE DELETE ON public.assets
	FOR EACH ROW EXECUTE FUNCTION fenta.require_org_role('admin');

--
-- asset_versions: history of an asset's file.
--
CREATE TABLE public.asset_versions (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	asset_id uuid NOT NULL,
	version integer NOT NULL CONSTRAINT asset_versions_version_positive CHECK (version >= 1),
	storage_path text CONSTRAINT asset_versions_storage_path_not_empty CHECK (pg_catalog.btrim(storage_path) <> ''),
	url text CONSTRAINT asset_versions_url_format CHECK (url ~ '^https?://'),
	file_size_bytes bigint CONSTRAINT asset_versions_file_size_bytes_not_negative CHECK (file_size_bytes >= 0),
	checksum_sha256 text CONSTRAINT asset_versions_checksum_sha256_format CHECK (checksum_sha256 ~ '^[0-9a-f]{64}$'),
	metadata jsonb NOT NULL DEFAULT '{}' CONSTRAINT asset_versions_metadata_is_object CHECK (pg_catalog.jsonb_typeof(metadata) = 'object'),
	created_by uuid DEFAULT auth.uid() REFERENCES public.profiles (id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	-- a version without a file is no version
	CONSTRAINT asset_versions_file_present CHECK (storage_path IS NOT NULL OR url IS NOT NULL),
	CONSTRAINT asset_versions_asset_id_version_key UNIQUE (asset_id, version),
	CONSTRAINT asset_versions_asset_id_fkey FOREIGN KEY (org_id, asset_id)
		REFERENCES public.assets (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE public.asset_versions IS 'Version history of assets: each replaced file of an asset, by version number (as workflow_versions is for graphs). Text id prefix: assetv_.';
COMMENT ON COLUMN public.asset_versions.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.asset_versions.org_id IS 'Owning org (the asset''s).';
COMMENT ON COLUMN public.asset_versions.asset_id IS 'The asset, in the same org; its versions go with it.';
COMMENT ON COLUMN public.asset_versions.version IS 'Version number (>= 1), unique per asset.';
COMMENT ON COLUMN public.asset_versions.storage_path IS 'Path of this version''s file in Supabase Storage (bucket/key); storage_path or url must be set.';
COMMENT ON COLUMN public.asset_versions.url IS 'URL of this version''s file (http or https); storage_path or url must be set.';
COMMENT ON COLUMN public.asset_versions.file_size_bytes IS 'Size of the file in bytes (>= 0).';
COMMENT ON COLUMN public.asset_versions.checksum_sha256 IS 'SHA-256 of the file as 64 lower-case hex digits.';
COMMENT ON COLUMN public.asset_versions.metadata IS 'Media properties of this version (JSON object).';
COMMENT ON COLUMN public.asset_versions.created_by IS 'Profile that added the version; defaults to the requesting user; NULL once the profile is deleted.';
COMMENT ON COLUMN public.asset_versions.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.asset_versions.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_asset_versions_org_id_asset_id ON public.asset_versions (org_id, asset_id);
CREATE INDEX idx_asset_versions_created_by ON public.asset_versions (created_by);
CREATE INDEX idx_asset_versions_metadata ON public.asset_versions USING gin (metadata);
CREATE TRIGGER asset_versions_updated_at BEFORE UPDATE ON public.asset_versions
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

CREATE TRIGGER asset_versions_delete_guard BEFORE DELETE ON public.asset_versions
	FOR EACH ROW EXECUTE FUNCTION fenta.require_org_role('admin');
-- Jobs: jobs, job_logs, renders, schedules, webhooks, webhook_deliveries.

--
-- jobs: render tasks.
--
CREATE TABLE public.jobs (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	project_id uuid,
	workflow_id uuid,
	template_id uuid,
	created_by uuid DEFAULT auth.uid() REFERENCES public.profiles (id) ON DELETE SET NULL,
	status public.job_status NOT NULL DEFAULT 'queued',
	progress smallint NOT NULL DEFAULT 0 CONSTRAINT jobs_progress_range CHECK (progress BETWEEN 0 AND 100),
	config jsonb NOT NULL DEFAULT '{}' CONSTRAINT jobs_config_is_object CHECK (pg_catalog.jsonb_typeof(config) = 'object'),
	result jsonb,
	error jsonb,
	cost_tokens bigint NOT NULL DEFAULT 0 CONSTRAINT jobs_cost_tokens_not_negative CHECK (cost_tokens >= 0),
	cost_render_seconds numeric(12,3) NOT NULL DEFAULT 0 CONSTRAINT jobs_cost_render_seconds_not_negative CHECK (cost_render_seconds >= 0),
	cost_kai_credits bigint NOT NULL DEFAULT 0 CONSTRAINT jobs_cost_kai_credits_not_negative CHECK (cost_kai_credits >= 0),
	cost_total_usd numeric(12,4) NOT NULL DEFAULT 0 CONSTRAINT jobs_cost_total_usd_not_negative CHECK (cost_total_usd >= 0),
	queued_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	started_at timestamptz,
	completed_at timestamptz,
	retry_count integer NOT NULL DEFAULT 0 CONSTRAINT jobs_retry_count_not_negative CHECK (retry_count >= 0),
	parent_job_id uuid,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	deleted_at timestamptz,
	CONSTRAINT jobs_completed_at_order CHECK (completed_at >= started_at),
	CONSTRAINT jobs_parent_job_id_not_self CHECK (parent_job_id <> id),
	-- target of the children's (org_id, job_id) foreign keys
	CONSTRAINT jobs_org_id_id_key UNIQUE (org_id, id),
	CONSTRAINT jobs_project_id_fkey FOREIGN KEY (org_id, project_id)
		REFERENCES public.projects (org_id, id) ON DELETE SET NULL (project_id),
	CONSTRAINT jobs_workflow_id_fkey FOREIGN KEY (org_id, workflow_id)
		REFERENCES public.workflows (org_id, id) ON DELETE SET NULL (workflow_id),
	CONSTRAINT jobs_template_id_fkey FOREIGN KEY (org_id, template_id)
		REFERENCES public.templates (org_id, id) ON DELETE SET NULL (template_id),
	CONSTRAINT jobs_parent_job_id_fkey FOREIGN KEY (org_id, parent_job_id)
		REFERENCES public.jobs (org_id, id) ON DELETE SET NULL (parent_job_id)
);
COMMENT ON TABLE public.jobs IS 'Render tasks: a workflow or template run with a config, queued by members and executed by the render workers (service_role), which set status, progress, result, error and costs. Members with role editor or above may cancel a queued or processing job: the only status an API user may write is ''cancelled'' (see fenta.jobs_update_guard()). Text id prefix: job_.';
COMMENT ON COLUMN public.jobs.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.jobs.org_id IS 'Owning org.';
COMMENT ON COLUMN public.jobs.project_id IS 'Project of the job, in the same org; NULL when none (set to NULL when the project is deleted).';
COMMENT ON COLUMN public.jobs.workflow_id IS 'Workflow the job runs, in the same org; NULL when none (set to NULL when the workflow is deleted).';
COMMENT ON COLUMN public.jobs.template_id IS 'Template the job renders with, in the same org; NULL when none (set to NULL when the template is deleted).';
COMMENT ON COLUMN public.jobs.created_by IS 'Profile that queued the job; defaults to the requesting user; NULL for system jobs or once the profile is deleted.';
COMMENT ON COLUMN public.jobs.status IS 'Life cycle: queued (default), processing, completed, failed, cancelled. Set by the workers; members (editor+) may only set cancelled, and only on a queued or processing job.';
COMMENT ON COLUMN public.jobs.progress IS 'Progress in percent, 0 to 100.';
COMMENT ON COLUMN public.jobs.config IS 'Job input: variables, render profile, overrides (JSON object).';
COMMENT ON COLUMN public.jobs.result IS 'Job output as reported by the worker (JSON).';
COMMENT ON COLUMN public.jobs.error IS 'Error reported by the worker when the job failed (JSON).';
COMMENT ON COLUMN public.jobs.cost_tokens IS 'LLM tokens spent (>= 0).';
COMMENT ON COLUMN public.jobs.cost_render_seconds IS 'Render time spent in seconds (>= 0).';
COMMENT ON COLUMN public.jobs.cost_kai_credits IS 'KIE.ai credits spent (>= 0).';
COMMENT ON COLUMN public.jobs.cost_total_usd IS 'Total cost in US dollars (>= 0).';
COMMENT ON COLUMN public.jobs.queued_at IS 'When the job was (last) queued.';
COMMENT ON COLUMN public.jobs.started_at IS 'When a worker started the job.';
COMMENT ON COLUMN public.jobs.completed_at IS 'When the job ended: completed, failed or cancelled (not before started_at).';
COMMENT ON COLUMN public.jobs.retry_count IS 'How many times the job was retried (>= 0).';
COMMENT ON COLUMN public.jobs.parent_job_id IS 'Job this one was spawned or retried from, in the same org (not itself); set to NULL when the parent is deleted.';
COMMENT ON COLUMN public.jobs.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.jobs.updated_at IS 'When the row was last updated (set by trigger).';
COMMENT ON COLUMN public.jobs.deleted_at IS 'Soft delete (admin+): when set, hidden from ordinary reads (admins still see it).';
CREATE INDEX idx_jobs_org_status ON public.jobs (org_id, status);
CREATE INDEX idx_jobs_status ON public.jobs (status);
CREATE INDEX idx_jobs_org_id_project_id ON public.jobs (org_id, project_id);
CREATE INDEX idx_jobs_org_id_workflow_id ON public.jobs (org_id, workflow_id);
CREATE INDEX idx_jobs_org_id_template_id ON public.jobs (org_id, template_id);
CREATE INDEX idx_jobs_org_id_parent_job_id ON public.jobs (org_id, parent_job_id);
CREATE INDEX idx_jobs_created_by ON public.jobs (created_by);
CREATE INDEX idx_jobs_active ON public.jobs (org_id) WHERE deleted_at IS NULL;
-- the workers' queue, oldest first
CREATE INDEX idx_jobs_queued ON public.jobs (queued_at) WHERE status = 'queued';
CREATE INDEX idx_jobs_config ON public.jobs USING gin (config);
CREATE TRIGGER jobs_updated_at BEFORE UPDATE ON public.jobs
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

-- The workers own a job's life cycle; members may only cancel it.  The
-- column grants let authenticated change status and deleted_at only; this
-- trigger limits what status may become.
CREATE FUNCTION fenta.jobs_update_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF fenta.bypasses_rls() OR NEW.status IS NOT DISTINCT FROM OLD.status THEN
		RETURN NEW;
	END IF;
	IF NEW.status <> 'cancelled' THEN
		RAISE EXCEPTION 'permission denied to set the status of job % to %', OLD.id, NEW.status
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Members may only cancel a job (status = ''cancelled''); the workers set every other status.';
	END IF;
	IF OLD.status NOT IN ('queued', 'processing') THEN
		RAISE EXCEPTION 'job % cannot be cancelled: it is already %', OLD.id, OLD.status
			USING ERRCODE = 'object_not_in_prerequisite_state',
				DETAIL = 'Only a queued or processing job can be cancelled.';
	END IF;
	NEW.completed_at := pg_catalog.now();
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.jobs_update_guard() IS
'BEFORE UPDATE trigger of jobs: an API user (not bypassing RLS) may change a job''s status only to cancelled (else 42501), and only from queued or processing (else 55000); cancelling sets completed_at. Roles that bypass RLS (service_role, the workers) pass.';
CREATE TRIGGER jobs_update_guard BEFORE UPDATE ON public.jobs
	FOR EACH ROW EXECUTE FUNCTION fenta.jobs_update_guard();

CREATE TRIGGER jobs_delete_guard BEFORE DELETE ON public.jobs
	FOR EACH ROW EXECUTE FUNCTION fenta.require_org_role('admin');

--
-- job_logs: execution logs, written by the workers.
--
CREATE TABLE public.job_logs (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	job_id uuid NOT NULL,
	level public.log_level NOT NULL DEFAULT 'info',
	stage text,
	message text NOT NULL,
	data jsonb,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT job_logs_job_id_fkey FOREIGN KEY (org_id, job_id)
		REFERENCES public.jobs (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE public.job_logs IS 'Execution log lines of jobs, written by the workers (service_role); members read them. Text id prefix: log_.';
COMMENT ON COLUMN public.job_logs.id IS 'Primary key (UUIDv7, so ordering by id is ordering by time).';
COMMENT ON COLUMN public.job_logs.org_id IS 'Owning org (the job''s).';
COMMENT ON COLUMN public.job_logs.job_id IS 'The job, in the same org; its logs go with it.';
COMMENT ON COLUMN public.job_logs.level IS 'Severity: debug, info (default), warn, error.';
COMMENT ON COLUMN public.job_logs.stage IS 'Pipeline stage that logged the line (e.g. a workflow node, render, upload).';
COMMENT ON COLUMN public.job_logs.message IS 'The log message.';
COMMENT ON COLUMN public.job_logs.data IS 'Structured details (JSON).';
COMMENT ON COLUMN public.job_logs.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.job_logs.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_job_logs_org_id_job_id ON public.job_logs (org_id, job_id, created_at);
CREATE TRIGGER job_logs_updated_at BEFORE UPDATE ON public.job_logs
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

--
-- renders: output artifacts of jobs, written by the workers.
--
CREATE TABLE public.renders (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	job_id uuid NOT NULL,
	video_url text CONSTRAINT renders_video_url_format CHECK (video_url ~ '^https?://'),
	video_storage_path text CONSTRAINT renders_video_storage_path_not_empty CHECK (pg_catalog.btrim(video_storage_path) <> ''),
	thumbnail_url text CONSTRAINT renders_thumbnail_url_format CHECK (thumbnail_url ~ '^https?://'),
	srt_url text CONSTRAINT renders_srt_url_format CHECK (srt_url ~ '^https?://'),
	duration_seconds numeric(12,3) CONSTRAINT renders_duration_seconds_not_negative CHECK (duration_seconds >= 0),
	resolution text CONSTRAINT renders_resolution_format CHECK (resolution ~ '^[0-9]{2,5}x[0-9]{2,5}$'),
	file_size_bytes bigint CONSTRAINT renders_file_size_bytes_not_negative CHECK (file_size_bytes >= 0),
	codec text,
	bitrate_kbps integer CONSTRAINT renders_bitrate_kbps_not_negative CHECK (bitrate_kbps >= 0),
	fps numeric(6,3) CONSTRAINT renders_fps_positive CHECK (fps > 0),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT renders_job_id_fkey FOREIGN KEY (org_id, job_id)
		REFERENCES public.jobs (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE public.renders IS 'Output artifacts of jobs (video, thumbnail, subtitles), written by the workers (service_role); members read them. Text id prefix: render_.';
COMMENT ON COLUMN public.renders.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.renders.org_id IS 'Owning org (the job''s).';
COMMENT ON COLUMN public.renders.job_id IS 'The job that produced the render, in the same org; its renders go with it.';
COMMENT ON COLUMN public.renders.video_url IS 'URL of the video (http or https).';
COMMENT ON COLUMN public.renders.video_storage_path IS 'Path of the video in Supabase Storage (bucket/key).';
COMMENT ON COLUMN public.renders.thumbnail_url IS 'Preview image URL (http or https).';
COMMENT ON COLUMN public.renders.srt_url IS 'URL of the subtitles in SRT format (http or https).';
COMMENT ON COLUMN public.renders.duration_seconds IS 'Duration of the video in seconds (>= 0, millisecond precision).';
COMMENT ON COLUMN public.renders.resolution IS 'Video size as WIDTHxHEIGHT in pixels, e.g. 1080x1920.';
COMMENT ON COLUMN public.renders.file_size_bytes IS 'Size of the video file in bytes (>= 0).';
COMMENT ON COLUMN public.renders.codec IS 'Video codec, e.g. h264.';
COMMENT ON COLUMN public.renders.bitrate_kbps IS 'Video bit rate in kbit/s (>= 0).';
COMMENT ON COLUMN public.renders.fps IS 'Frame rate (> 0).';
COMMENT ON COLUMN public.renders.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.renders.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_renders_org_id_job_id ON public.renders (org_id, job_id);
CREATE TRIGGER renders_updated_at BEFORE UPDATE ON public.renders
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

--
-- schedules: cron schedules of workflows.
--

-- Time zone names are checked against the server's time zone database.
CREATE FUNCTION fenta.is_valid_timezone(tz text)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = ''
AS $$
BEGIN
	RETURN tz = 'UTC'
		OR EXISTS (SELECT FROM pg_catalog.pg_timezone_names n WHERE n.name = tz);
EXCEPTION WHEN OTHERS THEN
	RETURN false;
END
$$;
COMMENT ON FUNCTION fenta.is_valid_timezone(text) IS
'True when tz is ''UTC'' or a time zone name of the server''s time zone database (pg_timezone_names, e.g. Europe/Paris; case-sensitive; abbreviations and POSIX strings are not names); false otherwise, never an error. Declared IMMUTABLE for use in CHECK constraints: the list only changes with the server''s tz data.';

CREATE TABLE public.schedules (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	workflow_id uuid NOT NULL,
	-- five fields: minute hour day-of-month month day-of-week; digits, * , / -
	-- and, in the last two, month and day names
	cron text NOT NULL CONSTRAINT schedules_cron_format
		CHECK (cron ~* '^\s*[0-9*,/-]+\s+[0-9*,/-]+\s+[0-9*,/-]+\s+(?:[0-9*,/-]|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)+\s+(?:[0-9*,/-]|sun|mon|tue|wed|thu|fri|sat)+\s*$'),
	timezone text NOT NULL DEFAULT 'UTC' CONSTRAINT schedules_timezone_valid CHECK (fenta.is_valid_timezone(timezone)),
	enabled boolean NOT NULL DEFAULT true,
	last_run_at timestamptz,
	next_run_at timestamptz,
	run_count bigint NOT NULL DEFAULT 0 CONSTRAINT schedules_run_count_not_negative CHECK (run_count >= 0),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT schedules_workflow_id_fkey FOREIGN KEY (org_id, workflow_id)
		REFERENCES public.workflows (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE public.schedules IS 'Cron schedules that run workflows; the backend computes next_run_at and queues the jobs. Text id prefix: sched_.';
COMMENT ON COLUMN public.schedules.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.schedules.org_id IS 'Owning org (the workflow''s).';
COMMENT ON COLUMN public.schedules.workflow_id IS 'The workflow to run, in the same org; its schedules go with it.';
COMMENT ON COLUMN public.schedules.cron IS 'Standard five-field cron expression (minute hour day-of-month month day-of-week), e.g. ''0 9 * * mon-fri''. Fields use digits, *, ",", "/" and "-"; month and day-of-week also accept three-letter English names. The syntax is checked here, value ranges by the scheduler.';
COMMENT ON COLUMN public.schedules.timezone IS 'Time zone the cron expression is read in: a name of the time zone database such as Europe/Paris; default UTC.';
COMMENT ON COLUMN public.schedules.enabled IS 'Whether the schedule fires.';
COMMENT ON COLUMN public.schedules.last_run_at IS 'When the schedule last fired.';
COMMENT ON COLUMN public.schedules.next_run_at IS 'When the schedule fires next (computed by the backend).';
COMMENT ON COLUMN public.schedules.run_count IS 'How many times the schedule fired (>= 0).';
COMMENT ON COLUMN public.schedules.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.schedules.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_schedules_org_id_workflow_id ON public.schedules (org_id, workflow_id);
CREATE INDEX idx_schedules_enabled ON public.schedules (next_run_at) WHERE enabled = true;
CREATE TRIGGER schedules_updated_at BEFORE UPDATE ON public.schedules
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

CREATE TRIGGER schedules_delete_guard BEFORE DELETE ON public.schedules
	FOR EACH ROW EXECUTE FUNCTION fenta.require_org_role('admin');

--
-- webhooks: where to notify an org of events.
--
CREATE TABLE public.webhooks (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	name text CONSTRAINT webhooks_name_not_empty CHECK (pg_catalog.btrim(name) <> ''),
	url text NOT NULL CONSTRAINT webhooks_url_https CHECK (url ~ '^https://[^\s/?#]+([/?#]\S*)?$'),
	events text[] NOT NULL
		CONSTRAINT webhooks_events_not_empty CHECK (pg_catalog.cardinality(events) > 0)
		CONSTRAINT webhooks_events_known CHECK (events <@ ARRAY['job.queued', 'job.started', 'job.completed',
																'job.failed', 'job.cancelled', 'render.completed',
																'asset.ready', 'asset.failed', 'usage.quota_exceeded']::text[]),
	secret text NOT NULL DEFAULT pg_catalog.replace(pg_catalog.gen_random_uuid()::text || pg_catalog.gen_random_uuid()::text, '-', '')
		CONSTRAINT webhooks_secret_length CHECK (pg_catalog.length(secret) >= 16),
	enabled boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	deleted_at timestamptz,
	-- target of the children's (org_id, webhook_id) foreign keys
	CONSTRAINT webhooks_org_id_id_key UNIQUE (org_id, id)
);
COMMENT ON TABLE public.webhooks IS 'Webhook endpoints notified of an org''s events; payloads are signed with the secret. Admins and owners only (the secret is never readable by viewers or editors). Text id prefix: hook_.';
COMMENT ON COLUMN public.webhooks.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.webhooks.org_id IS 'Owning org.';
COMMENT ON COLUMN public.webhooks.name IS 'Label (not empty when set).';
COMMENT ON COLUMN public.webhooks.url IS 'Endpoint URL; must be https://host[/path].';
COMMENT ON COLUMN public.webhooks.events IS 'Events delivered (non-empty array), among: job.queued, job.started, job.completed, job.failed, job.cancelled, render.completed, asset.ready, asset.failed, usage.quota_exceeded.';
COMMENT ON COLUMN public.webhooks.secret IS 'Signing secret (at least 16 characters; default 64 random hex digits). Readable by admins and owners only.';
COMMENT ON COLUMN public.webhooks.enabled IS 'Whether events are delivered.';
COMMENT ON COLUMN public.webhooks.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.webhooks.updated_at IS 'When the row was last updated (set by trigger).';
COMMENT ON COLUMN public.webhooks.deleted_at IS 'Soft delete: when set, nothing is delivered any more; admins still see the row.';
CREATE INDEX idx_webhooks_active ON public.webhooks (org_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_webhooks_events ON public.webhooks USING gin (events);
CREATE TRIGGER webhooks_updated_at BEFORE UPDATE ON public.webhooks
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

--
-- webhook_deliveries: one row per event sent to a webhook.
--
CREATE TABLE public.webhook_deliveries (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	webhook_id uuid NOT NULL,
	event text NOT NULL CONSTRAINT webhook_deliveries_event_format CHECK (event ~ '^[a-z][a-z_]*(\.[a-z][a-z_]*)+$'),
	payload jsonb NOT NULL DEFAULT '{}' CONSTRAINT webhook_deliveries_payload_is_object CHECK (pg_catalog.jsonb_typeof(payload) = 'object'),
	status public.delivery_status NOT NULL DEFAULT 'pending',
	http_status integer CONSTRAINT webhook_deliveries_http_status_range CHECK (http_status BETWEEN 100 AND 599),
	response_body text,
	attempts integer NOT NULL DEFAULT 0 CONSTRAINT webhook_deliveries_attempts_not_negative CHECK (attempts >= 0),
	next_retry_at timestamptz,
	delivered_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT webhook_deliveries_webhook_id_fkey FOREIGN KEY (org_id, webhook_id)
		REFERENCES public.webhooks (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE public.webhook_deliveries IS 'Deliveries of events to webhooks, with their outcome and retries; written by the backend (service_role), readable by admins and owners. Text id prefix: hookdel_.';
COMMENT ON COLUMN public.webhook_deliveries.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.webhook_deliveries.org_id IS 'Owning org (the webhook''s).';
COMMENT ON COLUMN public.webhook_deliveries.webhook_id IS 'The webhook, in the same org; its deliveries go with it.';
COMMENT ON COLUMN public.webhook_deliveries.event IS 'Event name, dot-separated lower-case words, e.g. job.completed.';
COMMENT ON COLUMN public.webhook_deliveries.payload IS 'The JSON object sent.';
COMMENT ON COLUMN public.webhook_deliveries.status IS 'pending (default, waiting for a first try or a retry), success, failed (given up).';
COMMENT ON COLUMN public.webhook_deliveries.http_status IS 'HTTP status code of the last attempt (100 to 599); NULL if no response.';
COMMENT ON COLUMN public.webhook_deliveries.response_body IS 'Response body of the last attempt (possibly truncated).';
COMMENT ON COLUMN public.webhook_deliveries.attempts IS 'Attempts made so far (>= 0).';
COMMENT ON COLUMN public.webhook_deliveries.next_retry_at IS 'When a pending delivery is tried next.';
COMMENT ON COLUMN public.webhook_deliveries.delivered_at IS 'When the delivery succeeded.';
COMMENT ON COLUMN public.webhook_deliveries.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.webhook_deliveries.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_webhook_deliveries_org_id_webhook_id ON public.webhook_deliveries (org_id, webhook_id, created_at);
CREATE INDEX idx_webhook_deliveries_status ON public.webhook_deliveries (status);
CREATE INDEX idx_webhook_deliveries_pending ON public.webhook_deliveries (next_retry_at) WHERE status = 'pending';
CREATE TRIGGER webhook_deliveries_updated_at BEFORE UPDATE ON public.webhook_deliveries
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

-- Billing: usage_records (partitioned by month), quota_limits, invoices,
-- credit_packs, integrations, kai_generations.
--
-- Counters are bigint in integral units (tokens, kai credits, whole render
-- seconds, bytes) so that the native quota engine adds them exactly.

--
-- usage_records: one row per metered event, partitioned by created_at.
--
CREATE TABLE public.usage_records (
	id uuid NOT NULL DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	user_id uuid REFERENCES public.profiles (id) ON DELETE SET NULL,
	job_id uuid,
	resource_type public.resource_type NOT NULL,
	llm_tokens_prompt bigint NOT NULL DEFAULT 0 CONSTRAINT usage_records_llm_tokens_prompt_non_negative CHECK (llm_tokens_prompt >= 0),
	llm_tokens_output bigint NOT NULL DEFAULT 0 CONSTRAINT usage_records_llm_tokens_output_non_negative CHECK (llm_tokens_output >= 0),
	llm_model text,
	kai_credits bigint NOT NULL DEFAULT 0 CONSTRAINT usage_records_kai_credits_non_negative CHECK (kai_credits >= 0),
	kai_model text,
	render_seconds bigint NOT NULL DEFAULT 0 CONSTRAINT usage_records_render_seconds_non_negative CHECK (render_seconds >= 0),
	render_profile text,
	-- storage goes down when files are deleted: negative amounts are allowed
	storage_bytes bigint NOT NULL DEFAULT 0,
	cost_usd numeric(12,6) NOT NULL DEFAULT 0 CONSTRAINT usage_records_cost_usd_non_negative CHECK (cost_usd >= 0),
	metadata jsonb NOT NULL DEFAULT '{}' CONSTRAINT usage_records_metadata_is_object CHECK (pg_catalog.jsonb_typeof(metadata) = 'object'),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	idempotency_key text CONSTRAINT usage_records_idempotency_key_length
		CHECK (pg_catalog.length(idempotency_key) BETWEEN 1 AND 255),
	CONSTRAINT usage_records_job_id_fkey FOREIGN KEY (org_id, job_id)
		REFERENCES public.jobs (org_id, id) ON DELETE SET NULL (job_id)
) PARTITION BY RANGE (created_at);
COMMENT ON TABLE public.usage_records IS 'Metered usage: one row per billable event (LLM tokens, KIE.ai credits, render seconds, storage bytes). Partitioned by created_at, one partition per UTC month (usage_records_YYYY_MM, created by fenta.maintain_partitions) plus usage_records_default. Each insert is added to the org''s quota_limits counters. Written by the backend only. Text id prefix: usage_.';
COMMENT ON COLUMN public.usage_records.id IS 'Primary key (UUIDv7), unique together with created_at.';
COMMENT ON COLUMN public.usage_records.org_id IS 'Org the usage is billed to.';
COMMENT ON COLUMN public.usage_records.user_id IS 'Profile that caused the usage, if any; set to NULL when the profile is deleted.';
COMMENT ON COLUMN public.usage_records.job_id IS 'Job that caused the usage, if any; set to NULL when the job is deleted.';
COMMENT ON COLUMN public.usage_records.resource_type IS 'Metered resource: llm_tokens, kai_credits, render_seconds or storage.';
COMMENT ON COLUMN public.usage_records.llm_tokens_prompt IS 'LLM prompt (input) tokens (>= 0).';
COMMENT ON COLUMN public.usage_records.llm_tokens_output IS 'LLM output (completion) tokens (>= 0).';
COMMENT ON COLUMN public.usage_records.llm_model IS 'LLM model that consumed the tokens.';
COMMENT ON COLUMN public.usage_records.kai_credits IS 'KIE.ai credits spent (>= 0).';
COMMENT ON COLUMN public.usage_records.kai_model IS 'KIE.ai model that consumed the credits.';
COMMENT ON COLUMN public.usage_records.render_seconds IS 'Render time in whole seconds (>= 0).';
COMMENT ON COLUMN public.usage_records.render_profile IS 'Render profile (preset) used.';
COMMENT ON COLUMN public.usage_records.storage_bytes IS 'Change of stored bytes: positive when files are added, negative when they are removed.';
COMMENT ON COLUMN public.usage_records.cost_usd IS 'Cost of the event to Fenta in US dollars (>= 0).';
COMMENT ON COLUMN public.usage_records.metadata IS 'Free-form details of the event (JSON object).';
COMMENT ON COLUMN public.usage_records.created_at IS 'When the event happened; the partition key.';
COMMENT ON COLUMN public.usage_records.updated_at IS 'When the row was last updated (set by trigger).';
COMMENT ON COLUMN public.usage_records.idempotency_key IS 'Optional key of the event (1 to 255 characters): a second insert with the same key for the same org is skipped, so a retried event is counted once. NULL = no key.';
-- No index on the parent: its indexes are those of each partition (see
-- usage_records_default below).
CREATE TRIGGER usage_records_updated_at BEFORE UPDATE ON public.usage_records
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

-- Catches rows outside the monthly partitions, so that an insert never fails
-- for want of a partition.  fenta.maintain_partitions() moves them into their
-- month once it exists.
CREATE TABLE public.usage_records_default PARTITION OF public.usage_records DEFAULT;
COMMENT ON TABLE public.usage_records_default IS 'Default partition of usage_records: rows of months without a partition yet. Read through usage_records; not accessible to the API roles directly.';
-- The primary key and indexes of usage_records are those of its partitions:
-- the default partition has them here, and fenta.maintain_partitions()
-- gives each monthly partition the same (the default partition is their
-- template).  A partitioned index on the parent would make every monthly
-- partition unrestorable from pg_dump: at restore, CREATE EXTENSION creates
-- the parent with its indexes, ATTACH PARTITION then creates the partition's
-- indexes, and the dump's own ADD CONSTRAINT ... PRIMARY KEY and CREATE
-- INDEX for the partition fail.  (id, created_at) is still unique across
-- the table, since created_at decides the partition.
ALTER TABLE public.usage_records_default ADD CONSTRAINT usage_records_default_pkey PRIMARY KEY (id, created_at);
CREATE INDEX usage_records_default_org_id_created_at_idx ON public.usage_records_default (org_id, created_at);
CREATE INDEX usage_records_default_user_id_idx ON public.usage_records_default (user_id);
CREATE INDEX usage_records_default_org_id_job_id_idx ON public.usage_records_default (org_id, job_id);
CREATE INDEX usage_records_default_resource_type_idx ON public.usage_records_default (resource_type);
CREATE INDEX usage_records_default_metadata_idx ON public.usage_records_default USING gin (metadata);
-- The partition's columns carry the parent's comments.
DO $comments$
DECLARE
	c record;
BEGIN
	FOR c IN
		SELECT a.attname, d.description
		FROM pg_catalog.pg_attribute a
			JOIN pg_catalog.pg_description d
				ON d.objoid = a.attrelid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = a.attnum
		WHERE a.attrelid = 'public.usage_records'::regclass AND a.attnum > 0 AND NOT a.attisdropped
	LOOP
		EXECUTE pg_catalog.format('COMMENT ON COLUMN public.usage_records_default.%I IS %L', c.attname, c.description);
	END LOOP;
END
$comments$;

--
-- quota_limits: one row per org, created with the org.
--
CREATE TABLE public.quota_limits (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL CONSTRAINT quota_limits_org_id_key UNIQUE REFERENCES public.orgs (id) ON DELETE CASCADE,
	tokens_limit bigint CONSTRAINT quota_limits_tokens_limit_non_negative CHECK (tokens_limit >= 0),
	render_seconds_limit bigint CONSTRAINT quota_limits_render_seconds_limit_non_negative CHECK (render_seconds_limit >= 0),
	kai_credits_limit bigint CONSTRAINT quota_limits_kai_credits_limit_non_negative CHECK (kai_credits_limit >= 0),
	storage_bytes_limit bigint CONSTRAINT quota_limits_storage_bytes_limit_non_negative CHECK (storage_bytes_limit >= 0),
	tokens_used bigint NOT NULL DEFAULT 0 CONSTRAINT quota_limits_tokens_used_non_negative CHECK (tokens_used >= 0),
	render_seconds_used bigint NOT NULL DEFAULT 0 CONSTRAINT quota_limits_render_seconds_used_non_negative CHECK (render_seconds_used >= 0),
	kai_credits_used bigint NOT NULL DEFAULT 0 CONSTRAINT quota_limits_kai_credits_used_non_negative CHECK (kai_credits_used >= 0),
	storage_bytes_used bigint NOT NULL DEFAULT 0 CONSTRAINT quota_limits_storage_bytes_used_non_negative CHECK (storage_bytes_used >= 0),
	kai_credits_from_packs bigint NOT NULL DEFAULT 0 CONSTRAINT quota_limits_kai_credits_from_packs_non_negative CHECK (kai_credits_from_packs >= 0),
	reserved_tokens bigint NOT NULL DEFAULT 0 CONSTRAINT quota_limits_reserved_tokens_non_negative CHECK (reserved_tokens >= 0),
	reserved_kai_credits bigint NOT NULL DEFAULT 0 CONSTRAINT quota_limits_reserved_kai_credits_non_negative CHECK (reserved_kai_credits >= 0),
	reserved_render_seconds bigint NOT NULL DEFAULT 0 CONSTRAINT quota_limits_reserved_render_seconds_non_negative CHECK (reserved_render_seconds >= 0),
	price_per_1k_tokens_usd numeric(12,6) NOT NULL DEFAULT 0 CONSTRAINT quota_limits_price_per_1k_tokens_usd_non_negative CHECK (price_per_1k_tokens_usd >= 0),
	price_per_kai_credit_usd numeric(12,6) NOT NULL DEFAULT 0 CONSTRAINT quota_limits_price_per_kai_credit_usd_non_negative CHECK (price_per_kai_credit_usd >= 0),
	price_per_render_second_usd numeric(12,6) NOT NULL DEFAULT 0 CONSTRAINT quota_limits_price_per_render_second_usd_non_negative CHECK (price_per_render_second_usd >= 0),
	allow_overage boolean NOT NULL DEFAULT false,
	overage_cap_usd numeric(12,2) NOT NULL DEFAULT 0 CONSTRAINT quota_limits_overage_cap_usd_non_negative CHECK (overage_cap_usd >= 0),
	reset_at timestamptz NOT NULL
		DEFAULT ((pg_catalog.date_trunc('month', pg_catalog.now() AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC'),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE public.quota_limits IS 'Usage limits and counters of an org, one row per org (created with the org). The counters are kept by the usage_records trigger and restart at reset_at; check with public.check_quota(). Written by the backend only. Text id prefix: quota_.';
COMMENT ON COLUMN public.quota_limits.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.quota_limits.org_id IS 'The org (one row per org).';
COMMENT ON COLUMN public.quota_limits.tokens_limit IS 'LLM tokens (prompt + output) allowed per period; NULL = unlimited.';
COMMENT ON COLUMN public.quota_limits.render_seconds_limit IS 'Render seconds allowed per period; NULL = unlimited.';
COMMENT ON COLUMN public.quota_limits.kai_credits_limit IS 'KIE.ai credits allowed per period (credit packs come on top); NULL = unlimited.';
COMMENT ON COLUMN public.quota_limits.storage_bytes_limit IS 'Stored bytes allowed; NULL = unlimited.';
COMMENT ON COLUMN public.quota_limits.tokens_used IS 'LLM tokens (prompt + output) used since the last reset: the rolled-up part; recent usage waits in fenta.quota_counters until fenta.rollup_quota_counters(). public.quota_status() gives the exact figure.';
COMMENT ON COLUMN public.quota_limits.render_seconds_used IS 'Render seconds used since the last reset: the rolled-up part (see tokens_used).';
COMMENT ON COLUMN public.quota_limits.kai_credits_used IS 'KIE.ai credits used since the last reset, those drawn from credit packs included (exact: kept by the usage trigger directly).';
COMMENT ON COLUMN public.quota_limits.storage_bytes_used IS 'Bytes currently stored: the rolled-up part, never negative (see tokens_used); not restarted by resets.';
COMMENT ON COLUMN public.quota_limits.kai_credits_from_packs IS 'KIE.ai credits of this period drawn from credit packs (part of kai_credits_used; not overage).';
COMMENT ON COLUMN public.quota_limits.reserved_tokens IS 'LLM tokens held by active reservations (fenta.reserve_quota); counted as used by check_quota.';
COMMENT ON COLUMN public.quota_limits.reserved_kai_credits IS 'KIE.ai credits held by active reservations; counted as used by check_quota.';
COMMENT ON COLUMN public.quota_limits.reserved_render_seconds IS 'Render seconds held by active reservations; counted as used by check_quota.';
COMMENT ON COLUMN public.quota_limits.price_per_1k_tokens_usd IS 'Overage price of 1,000 LLM tokens in US dollars, set from the org''s plan.';
COMMENT ON COLUMN public.quota_limits.price_per_kai_credit_usd IS 'Overage price of one KIE.ai credit in US dollars, set from the org''s plan.';
COMMENT ON COLUMN public.quota_limits.price_per_render_second_usd IS 'Overage price of one render second in US dollars, set from the org''s plan.';
COMMENT ON COLUMN public.quota_limits.allow_overage IS 'Whether usage beyond the limits is allowed and billed, up to overage_cap_usd.';
COMMENT ON COLUMN public.quota_limits.overage_cap_usd IS 'Maximum overage per period in US dollars, at the plan''s unit prices (>= 0).';
COMMENT ON COLUMN public.quota_limits.reset_at IS 'When the counters restart; then moves one month on. Defaults to the start of the next UTC month.';
COMMENT ON COLUMN public.quota_limits.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.quota_limits.updated_at IS 'When the row was last updated (set by trigger).';
-- The org_id unique constraint's index covers the foreign key.
CREATE INDEX idx_quota_limits_reset_at ON public.quota_limits (reset_at);
CREATE TRIGGER quota_limits_updated_at BEFORE UPDATE ON public.quota_limits
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

--
-- invoices: Stripe invoices of an org.
--
CREATE TABLE public.invoices (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	stripe_invoice_id text CONSTRAINT invoices_stripe_invoice_id_key UNIQUE,
	amount_usd numeric(12,2) NOT NULL DEFAULT 0 CONSTRAINT invoices_amount_usd_non_negative CHECK (amount_usd >= 0),
	currency text NOT NULL DEFAULT 'usd' CONSTRAINT invoices_currency_format CHECK (currency ~ '^[a-z]{3}$'),
	status public.invoice_status NOT NULL DEFAULT 'draft',
	period_start timestamptz,
	period_end timestamptz,
	line_items jsonb NOT NULL DEFAULT '[]' CONSTRAINT invoices_line_items_is_array CHECK (pg_catalog.jsonb_typeof(line_items) = 'array'),
	due_at timestamptz,
	paid_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT invoices_period_end_not_before_start CHECK (period_end >= period_start)
);
COMMENT ON TABLE public.invoices IS 'Invoices of an org, mirrored from Stripe by the backend. Readable by admins and owners. Text id prefix: inv_.';
COMMENT ON COLUMN public.invoices.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.invoices.org_id IS 'Invoiced org.';
COMMENT ON COLUMN public.invoices.stripe_invoice_id IS 'Stripe invoice id (in_...), unique.';
COMMENT ON COLUMN public.invoices.amount_usd IS 'Total amount (>= 0), in the invoice currency.';
COMMENT ON COLUMN public.invoices.currency IS 'ISO 4217 currency code in lower case, as Stripe writes it (usd).';
COMMENT ON COLUMN public.invoices.status IS 'Stripe status: draft, open, paid or void.';
COMMENT ON COLUMN public.invoices.period_start IS 'Start of the billed period.';
COMMENT ON COLUMN public.invoices.period_end IS 'End of the billed period (not before period_start).';
COMMENT ON COLUMN public.invoices.line_items IS 'Invoice lines (JSON array of objects).';
COMMENT ON COLUMN public.invoices.due_at IS 'When payment is due.';
COMMENT ON COLUMN public.invoices.paid_at IS 'When the invoice was paid.';
COMMENT ON COLUMN public.invoices.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.invoices.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_invoices_org_id ON public.invoices (org_id, period_start);
CREATE INDEX idx_invoices_status ON public.invoices (status);
CREATE TRIGGER invoices_updated_at BEFORE UPDATE ON public.invoices
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

--
-- credit_packs: prepaid KIE.ai credits, drawn when the monthly quota is used up.
--
CREATE TABLE public.credit_packs (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	pack_type text NOT NULL CONSTRAINT credit_packs_pack_type_not_empty CHECK (pg_catalog.btrim(pack_type) <> ''),
	credits_purchased bigint NOT NULL CONSTRAINT credit_packs_credits_purchased_positive CHECK (credits_purchased > 0),
	credits_remaining bigint NOT NULL CONSTRAINT credit_packs_credits_remaining_non_negative CHECK (credits_remaining >= 0),
	price_usd numeric(12,2) NOT NULL DEFAULT 0 CONSTRAINT credit_packs_price_usd_non_negative CHECK (price_usd >= 0),
	stripe_payment_id text CONSTRAINT credit_packs_stripe_payment_id_key UNIQUE,
	expires_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT credit_packs_credits_remaining_not_above_purchased CHECK (credits_remaining <= credits_purchased)
);
COMMENT ON TABLE public.credit_packs IS 'Prepaid KIE.ai credit packs of an org. Credits beyond the monthly quota are drawn from unexpired packs, soonest expiry first. Readable by admins and owners; written by the backend. Text id prefix: pack_.';
COMMENT ON COLUMN public.credit_packs.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.credit_packs.org_id IS 'Org that bought the pack.';
COMMENT ON COLUMN public.credit_packs.pack_type IS 'Product name of the pack (not empty).';
COMMENT ON COLUMN public.credit_packs.credits_purchased IS 'Credits bought (> 0).';
COMMENT ON COLUMN public.credit_packs.credits_remaining IS 'Credits left, between 0 and credits_purchased.';
COMMENT ON COLUMN public.credit_packs.price_usd IS 'Price paid in US dollars (>= 0).';
COMMENT ON COLUMN public.credit_packs.stripe_payment_id IS 'Stripe payment (intent) id, unique.';
COMMENT ON COLUMN public.credit_packs.expires_at IS 'When the remaining credits expire; NULL = never.';
COMMENT ON COLUMN public.credit_packs.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.credit_packs.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_credit_packs_org_id ON public.credit_packs (org_id, created_at);
CREATE INDEX idx_credit_packs_available ON public.credit_packs (org_id) WHERE credits_remaining > 0;
-- Drawing order: soonest expiry first, packs that never expire last.
CREATE INDEX idx_credit_packs_draw_order ON public.credit_packs (org_id, expires_at) WHERE credits_remaining > 0;
CREATE TRIGGER credit_packs_updated_at BEFORE UPDATE ON public.credit_packs
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

--
-- integrations: connections to external services, one active per provider.
--
CREATE TABLE public.integrations (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	provider public.integration_provider NOT NULL,
	status public.integration_status NOT NULL DEFAULT 'active',
	credentials jsonb NOT NULL DEFAULT '{}' CONSTRAINT integrations_credentials_is_object CHECK (pg_catalog.jsonb_typeof(credentials) = 'object'),
	config jsonb NOT NULL DEFAULT '{}' CONSTRAINT integrations_config_is_object CHECK (pg_catalog.jsonb_typeof(config) = 'object'),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	deleted_at timestamptz
);
COMMENT ON TABLE public.integrations IS 'Connections of an org to external services (KIE.ai, OpenAI, Pexels, Stripe), at most one live per provider. Holds secrets: admins and owners only. Text id prefix: integ_.';
COMMENT ON COLUMN public.integrations.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.integrations.org_id IS 'Owning org.';
COMMENT ON COLUMN public.integrations.provider IS 'External service: kai, openai, pexels or stripe. One live integration per provider and org.';
COMMENT ON COLUMN public.integrations.status IS 'State of the credentials: active, expired or revoked.';
COMMENT ON COLUMN public.integrations.credentials IS 'Encrypted credentials payload (JSON object). Secret: readable by admins and owners only.';
COMMENT ON COLUMN public.integrations.config IS 'Provider settings (JSON object).';
COMMENT ON COLUMN public.integrations.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.integrations.updated_at IS 'When the row was last updated (set by trigger).';
COMMENT ON COLUMN public.integrations.deleted_at IS 'Soft delete (by the backend): when set, the integration is hidden, admins included, and another one for the same provider may be created. Admins remove integrations with DELETE.';
CREATE INDEX idx_integrations_org_id ON public.integrations (org_id);
CREATE UNIQUE INDEX idx_integrations_org_provider_active ON public.integrations (org_id, provider) WHERE deleted_at IS NULL;
CREATE INDEX idx_integrations_status ON public.integrations (status);
CREATE INDEX idx_integrations_config ON public.integrations USING gin (config);
CREATE TRIGGER integrations_updated_at BEFORE UPDATE ON public.integrations
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

--
-- kai_generations: KIE.ai generation requests and their results.
--
CREATE TABLE public.kai_generations (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	job_id uuid,
	type public.kai_generation_type NOT NULL,
	model text NOT NULL CONSTRAINT kai_generations_model_not_empty CHECK (pg_catalog.btrim(model) <> ''),
	prompt text,
	params jsonb NOT NULL DEFAULT '{}' CONSTRAINT kai_generations_params_is_object CHECK (pg_catalog.jsonb_typeof(params) = 'object'),
	status public.job_status NOT NULL DEFAULT 'queued',
	result_asset_ids uuid[] NOT NULL DEFAULT '{}'
		CONSTRAINT kai_generations_result_asset_ids_no_nulls CHECK (pg_catalog.array_position(result_asset_ids, NULL) IS NULL),
	credits_used bigint CONSTRAINT kai_generations_credits_used_non_negative CHECK (credits_used >= 0),
	cost_usd numeric(12,6) CONSTRAINT kai_generations_cost_usd_non_negative CHECK (cost_usd >= 0),
	external_task_id text,
	error jsonb CONSTRAINT kai_generations_error_is_object CHECK (pg_catalog.jsonb_typeof(error) = 'object'),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT kai_generations_job_id_fkey FOREIGN KEY (org_id, job_id)
		REFERENCES public.jobs (org_id, id) ON DELETE SET NULL (job_id)
);
COMMENT ON TABLE public.kai_generations IS 'AI generations requested from KIE.ai (images, videos, edits, voices, music), with their status, cost and resulting assets. Written by the backend. Text id prefix: kaigen_.';
COMMENT ON COLUMN public.kai_generations.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.kai_generations.org_id IS 'Owning org.';
COMMENT ON COLUMN public.kai_generations.job_id IS 'Job the generation belongs to, if any; set to NULL when the job is deleted.';
COMMENT ON COLUMN public.kai_generations.type IS 'Kind of generation: image, video, edit, voice or music.';
COMMENT ON COLUMN public.kai_generations.model IS 'KIE.ai model (not empty).';
COMMENT ON COLUMN public.kai_generations.prompt IS 'Prompt sent to the model.';
COMMENT ON COLUMN public.kai_generations.params IS 'Generation parameters (JSON object).';
COMMENT ON COLUMN public.kai_generations.status IS 'Life cycle: queued, processing, completed, failed or cancelled.';
COMMENT ON COLUMN public.kai_generations.result_asset_ids IS 'Assets produced (ids of public.assets rows of the same org; no NULL elements).';
COMMENT ON COLUMN public.kai_generations.credits_used IS 'KIE.ai credits charged (>= 0); NULL until known.';
COMMENT ON COLUMN public.kai_generations.cost_usd IS 'Cost in US dollars (>= 0); NULL until known.';
COMMENT ON COLUMN public.kai_generations.external_task_id IS 'Task id at KIE.ai, used to match its callbacks.';
COMMENT ON COLUMN public.kai_generations.error IS 'Error details when the generation failed (JSON object).';
COMMENT ON COLUMN public.kai_generations.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.kai_generations.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_kai_generations_org_id_job_id ON public.kai_generations (org_id, job_id);
CREATE INDEX idx_kai_generations_status ON public.kai_generations (status);
CREATE INDEX idx_kai_generations_external_task_id ON public.kai_generations (external_task_id);
CREATE INDEX idx_kai_generations_params ON public.kai_generations USING gin (params);
CREATE TRIGGER kai_generations_updated_at BEFORE UPDATE ON public.kai_generations
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();
-- The native quota engine: plans, usage counters spread over slots,
-- idempotent usage events, reservations, resets, and the C functions
-- check_quota(), quota_status() and the usage_records triggers.
-- See doc/quota.md for the design.

--
-- Plans: built-in defaults (an IMMUTABLE function, nothing stored) and
-- overrides (a table, empty at install, so dump and restore carry them).
--
CREATE TABLE fenta.plan_overrides (
	plan public.org_plan PRIMARY KEY,
	tokens_limit bigint CONSTRAINT plan_overrides_tokens_limit_non_negative CHECK (tokens_limit >= 0),
	kai_credits_limit bigint CONSTRAINT plan_overrides_kai_credits_limit_non_negative CHECK (kai_credits_limit >= 0),
	render_seconds_limit bigint CONSTRAINT plan_overrides_render_seconds_limit_non_negative CHECK (render_seconds_limit >= 0),
	storage_bytes_limit bigint CONSTRAINT plan_overrides_storage_bytes_limit_non_negative CHECK (storage_bytes_limit >= 0),
	price_per_1k_tokens_usd numeric(12,6) NOT NULL CONSTRAINT plan_overrides_price_per_1k_tokens_usd_non_negative CHECK (price_per_1k_tokens_usd >= 0),
	price_per_kai_credit_usd numeric(12,6) NOT NULL CONSTRAINT plan_overrides_price_per_kai_credit_usd_non_negative CHECK (price_per_kai_credit_usd >= 0),
	price_per_render_second_usd numeric(12,6) NOT NULL CONSTRAINT plan_overrides_price_per_render_second_usd_non_negative CHECK (price_per_render_second_usd >= 0),
	allow_overage boolean NOT NULL,
	overage_cap_usd numeric(12,2) NOT NULL CONSTRAINT plan_overrides_overage_cap_usd_non_negative CHECK (overage_cap_usd >= 0)
);
COMMENT ON TABLE fenta.plan_overrides IS 'Site-specific plan definitions: a row replaces the built-in defaults of its plan (fenta.plan_defaults()) as a whole. Empty at install. Applied to an org when it is created or changes plan, or by fenta.apply_plan().';
COMMENT ON COLUMN fenta.plan_overrides.plan IS 'The plan this row defines.';
COMMENT ON COLUMN fenta.plan_overrides.tokens_limit IS 'LLM tokens per period; NULL = unlimited.';
COMMENT ON COLUMN fenta.plan_overrides.kai_credits_limit IS 'KIE.ai credits per period; NULL = unlimited.';
COMMENT ON COLUMN fenta.plan_overrides.render_seconds_limit IS 'Render seconds per period; NULL = unlimited.';
COMMENT ON COLUMN fenta.plan_overrides.storage_bytes_limit IS 'Stored bytes; NULL = unlimited.';
COMMENT ON COLUMN fenta.plan_overrides.price_per_1k_tokens_usd IS 'Overage price of 1,000 LLM tokens in US dollars.';
COMMENT ON COLUMN fenta.plan_overrides.price_per_kai_credit_usd IS 'Overage price of one KIE.ai credit in US dollars.';
COMMENT ON COLUMN fenta.plan_overrides.price_per_render_second_usd IS 'Overage price of one render second in US dollars.';
COMMENT ON COLUMN fenta.plan_overrides.allow_overage IS 'Whether usage beyond the limits is allowed (and billed) by default.';
COMMENT ON COLUMN fenta.plan_overrides.overage_cap_usd IS 'Default maximum overage per period in US dollars.';
-- not exposed; RLS on all the same, with no policy (only the owner's code writes)
ALTER TABLE fenta.plan_overrides ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON fenta.plan_overrides FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON fenta.plan_overrides TO service_role;

CREATE FUNCTION fenta.plan_defaults()
RETURNS SETOF fenta.plan_overrides
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$
	VALUES
		('free'::public.org_plan, 100000::bigint, 50::bigint, 600::bigint, 1073741824::bigint,
		 0.002000::numeric(12,6), 0.010000::numeric(12,6), 0.005000::numeric(12,6), false, 0.00::numeric(12,2)),
		('starter', 2000000, 1000, 18000, 10737418240,
		 0.001500, 0.008000, 0.004000, true, 50.00),
		('pro', 10000000, 5000, 72000, 107374182400,
		 0.001000, 0.006000, 0.003000, true, 500.00),
		('enterprise', 100000000, 50000, 720000, 1099511627776,
		 0.000800, 0.005000, 0.002000, true, 5000.00)
$$;
COMMENT ON FUNCTION fenta.plan_defaults() IS
'Built-in plan definitions (free, starter, pro, enterprise): limits per period, overage unit prices, overage default. A row of fenta.plan_overrides replaces its plan''s row.';

CREATE VIEW fenta.plans AS
	SELECT o.* FROM fenta.plan_overrides o
	UNION ALL
	SELECT d.* FROM fenta.plan_defaults() d
	WHERE NOT EXISTS (SELECT FROM fenta.plan_overrides o WHERE o.plan = d.plan);
COMMENT ON VIEW fenta.plans IS 'The plan definitions in force: fenta.plan_overrides, else the built-in fenta.plan_defaults().';
REVOKE ALL ON fenta.plans FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON fenta.plans TO service_role;
COMMENT ON COLUMN fenta.plans.plan IS 'The plan.';
COMMENT ON COLUMN fenta.plans.tokens_limit IS 'LLM tokens per period (NULL = unlimited).';
COMMENT ON COLUMN fenta.plans.render_seconds_limit IS 'Render seconds per period (NULL = unlimited).';
COMMENT ON COLUMN fenta.plans.kai_credits_limit IS 'KIE.ai credits per period (NULL = unlimited).';
COMMENT ON COLUMN fenta.plans.storage_bytes_limit IS 'Storage bytes (NULL = unlimited).';
COMMENT ON COLUMN fenta.plans.price_per_1k_tokens_usd IS 'Overage price of 1,000 tokens, USD.';
COMMENT ON COLUMN fenta.plans.price_per_kai_credit_usd IS 'Overage price of one KIE.ai credit, USD.';
COMMENT ON COLUMN fenta.plans.price_per_render_second_usd IS 'Overage price of one render second, USD.';
COMMENT ON COLUMN fenta.plans.allow_overage IS 'Whether orgs on the plan may exceed their limits (within overage_cap_usd) by default.';
COMMENT ON COLUMN fenta.plans.overage_cap_usd IS 'Default cap of the overage per period, USD.';

-- Sets an org's limits, prices and overage settings from its plan.
CREATE FUNCTION fenta.apply_plan(org_id uuid)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	IF org_id IS NULL THEN
		RAISE EXCEPTION 'org_id must not be NULL' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	UPDATE public.quota_limits q
	SET tokens_limit = p.tokens_limit,
		kai_credits_limit = p.kai_credits_limit,
		render_seconds_limit = p.render_seconds_limit,
		storage_bytes_limit = p.storage_bytes_limit,
		price_per_1k_tokens_usd = p.price_per_1k_tokens_usd,
		price_per_kai_credit_usd = p.price_per_kai_credit_usd,
		price_per_render_second_usd = p.price_per_render_second_usd,
		allow_overage = p.allow_overage,
		overage_cap_usd = p.overage_cap_usd
	FROM public.orgs o, fenta.plans p
	WHERE o.id = apply_plan.org_id AND p.plan = o.plan AND q.org_id = o.id;
	RETURN FOUND;
END
$$;
COMMENT ON FUNCTION fenta.apply_plan(uuid) IS
'Sets the org''s quota_limits limits, overage prices, allow_overage and overage_cap_usd from its plan (fenta.plans); counters are kept. Returns false when the org or its quota row does not exist. Runs when an org is created or changes plan; call it after changing fenta.plan_overrides for the orgs that should follow.';
REVOKE ALL ON FUNCTION fenta.apply_plan(uuid) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.apply_plan(uuid) TO service_role;

CREATE FUNCTION fenta.orgs_apply_plan()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	PERFORM fenta.apply_plan(NEW.id);
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION fenta.orgs_apply_plan() IS
'AFTER INSERT and AFTER UPDATE OF plan trigger on orgs: applies the plan''s limits and prices to the org''s quota row (fenta.apply_plan).';
REVOKE ALL ON FUNCTION fenta.orgs_apply_plan() FROM PUBLIC, anon, authenticated, service_role;
-- named after orgs_handle_new, which creates the quota row first
CREATE TRIGGER orgs_quota_plan AFTER INSERT ON public.orgs
	FOR EACH ROW EXECUTE FUNCTION fenta.orgs_apply_plan();
CREATE TRIGGER orgs_quota_plan_change AFTER UPDATE OF plan ON public.orgs
	FOR EACH ROW WHEN (OLD.plan IS DISTINCT FROM NEW.plan) EXECUTE FUNCTION fenta.orgs_apply_plan();

--
-- quota_counters: the recent part of the counters, spread over slots so that
-- concurrent writers of one org do not queue on one row.
--
CREATE TABLE fenta.quota_counters (
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	slot smallint NOT NULL CONSTRAINT quota_counters_slot_range CHECK (slot BETWEEN -1 AND 1023),
	tokens bigint NOT NULL DEFAULT 0 CONSTRAINT quota_counters_tokens_non_negative CHECK (tokens >= 0),
	render_seconds bigint NOT NULL DEFAULT 0 CONSTRAINT quota_counters_render_seconds_non_negative CHECK (render_seconds >= 0),
	storage_bytes bigint NOT NULL DEFAULT 0,
	CONSTRAINT quota_counters_pkey PRIMARY KEY (org_id, slot)
);
COMMENT ON TABLE fenta.quota_counters IS 'Usage not yet rolled up into public.quota_limits: the usage trigger adds to the slot of its backend (backend number modulo fenta.quota_slots); fenta.rollup_quota_counters() moves the sums into quota_limits. Exact usage = quota_limits.*_used + the sum of the org''s slots.';
COMMENT ON COLUMN fenta.quota_counters.org_id IS 'The org.';
COMMENT ON COLUMN fenta.quota_counters.slot IS 'Slot number (0 .. fenta.quota_slots - 1); slot -1 carries a negative storage balance that quota_limits (>= 0) cannot hold.';
COMMENT ON COLUMN fenta.quota_counters.tokens IS 'LLM tokens (prompt + output) not yet rolled up.';
COMMENT ON COLUMN fenta.quota_counters.render_seconds IS 'Render seconds not yet rolled up.';
COMMENT ON COLUMN fenta.quota_counters.storage_bytes IS 'Change of stored bytes not yet rolled up (may be negative).';
-- not exposed; RLS on all the same, with no policy (only the owner's code writes)
ALTER TABLE fenta.quota_counters ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON fenta.quota_counters FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON fenta.quota_counters TO service_role;

--
-- usage_idempotency: the idempotency keys of usage events, one per org and
-- key whatever the monthly partition of the event.
--
CREATE TABLE fenta.usage_idempotency (
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	idempotency_key text NOT NULL,
	usage_id uuid NOT NULL,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT usage_idempotency_pkey PRIMARY KEY (org_id, idempotency_key)
);
COMMENT ON TABLE fenta.usage_idempotency IS 'Idempotency keys of usage events: the first usage_records row with a key for an org records it here; later rows with the same key and org are skipped.';
COMMENT ON COLUMN fenta.usage_idempotency.org_id IS 'The org of the event.';
COMMENT ON COLUMN fenta.usage_idempotency.idempotency_key IS 'The key given in usage_records.idempotency_key.';
COMMENT ON COLUMN fenta.usage_idempotency.usage_id IS 'id of the usage_records row that was counted.';
COMMENT ON COLUMN fenta.usage_idempotency.created_at IS 'When the key was first seen.';
CREATE INDEX idx_usage_idempotency_created_at ON fenta.usage_idempotency (created_at);
-- not exposed; RLS on all the same, with no policy (only the owner's code writes)
ALTER TABLE fenta.usage_idempotency ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON fenta.usage_idempotency FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON fenta.usage_idempotency TO service_role;

--
-- quota_reservations: amounts held for running jobs (hard limits under
-- concurrency).  Their sums are kept in quota_limits.reserved_*.
--
CREATE TABLE fenta.quota_reservations (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	tokens bigint NOT NULL CONSTRAINT quota_reservations_tokens_non_negative CHECK (tokens >= 0),
	kai_credits bigint NOT NULL CONSTRAINT quota_reservations_kai_credits_non_negative CHECK (kai_credits >= 0),
	render_seconds bigint NOT NULL CONSTRAINT quota_reservations_render_seconds_non_negative CHECK (render_seconds >= 0),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	expires_at timestamptz NOT NULL
);
COMMENT ON TABLE fenta.quota_reservations IS 'Active quota reservations (fenta.reserve_quota): counted as used by check_quota until released (fenta.release_quota) or expired (released by fenta.apply_quota_resets).';
COMMENT ON COLUMN fenta.quota_reservations.id IS 'Primary key (UUIDv7): the handle returned by fenta.reserve_quota.';
COMMENT ON COLUMN fenta.quota_reservations.org_id IS 'The org.';
COMMENT ON COLUMN fenta.quota_reservations.tokens IS 'LLM tokens held.';
COMMENT ON COLUMN fenta.quota_reservations.kai_credits IS 'KIE.ai credits held.';
COMMENT ON COLUMN fenta.quota_reservations.render_seconds IS 'Render seconds held.';
COMMENT ON COLUMN fenta.quota_reservations.created_at IS 'When the reservation was made.';
COMMENT ON COLUMN fenta.quota_reservations.expires_at IS 'When the reservation lapses if not released.';
CREATE INDEX idx_quota_reservations_org_id ON fenta.quota_reservations (org_id);
CREATE INDEX idx_quota_reservations_expires_at ON fenta.quota_reservations (expires_at);
-- not exposed; RLS on all the same, with no policy (only the owner's code writes)
ALTER TABLE fenta.quota_reservations ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON fenta.quota_reservations FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON fenta.quota_reservations TO service_role;

--
-- The C functions.
--
CREATE FUNCTION fenta.update_quota_usage()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'fenta_update_quota_usage';
COMMENT ON FUNCTION fenta.update_quota_usage() IS
'AFTER INSERT statement trigger on usage_records (transition table new_rows): adds the new rows to their orgs'' counters (tokens = prompt + output, render seconds and storage bytes to the backend''s slot of fenta.quota_counters; KIE.ai credits to quota_limits under a row lock, drawing what exceeds the limit from unexpired credit packs, soonest expiry first).';
REVOKE ALL ON FUNCTION fenta.update_quota_usage() FROM PUBLIC, anon, authenticated, service_role;

CREATE FUNCTION fenta.usage_idempotency_guard()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'fenta_usage_idempotency_guard';
COMMENT ON FUNCTION fenta.usage_idempotency_guard() IS
'BEFORE INSERT row trigger on usage_records for rows with an idempotency_key: records the key in fenta.usage_idempotency, or skips the row when the org already has an event with that key.';
REVOKE ALL ON FUNCTION fenta.usage_idempotency_guard() FROM PUBLIC, anon, authenticated, service_role;

CREATE TRIGGER usage_records_idempotency BEFORE INSERT ON public.usage_records
	FOR EACH ROW WHEN (NEW.idempotency_key IS NOT NULL)
	EXECUTE FUNCTION fenta.usage_idempotency_guard();
CREATE TRIGGER usage_records_quota AFTER INSERT ON public.usage_records
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION fenta.update_quota_usage();

CREATE FUNCTION public.check_quota(org_id uuid, tokens bigint DEFAULT 0, kai_credits bigint DEFAULT 0, render_seconds bigint DEFAULT 0)
RETURNS boolean
LANGUAGE c STABLE PARALLEL SAFE
AS 'MODULE_PATHNAME', 'fenta_check_quota';
COMMENT ON FUNCTION public.check_quota(uuid, bigint, bigint, bigint) IS
'True when the org may use the requested amounts now: each requested amount fits its limit (NULL = unlimited; counting used, reserved and, for KIE.ai credits, unexpired credit packs), or the org allows overage and the period''s overage at its unit prices stays within overage_cap_usd. Unknown or deleted org: false. Members of the org and service_role may ask; anybody else gets 42501. NULL or negative amounts: 22023.';
REVOKE ALL ON FUNCTION public.check_quota(uuid, bigint, bigint, bigint) FROM PUBLIC, anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION public.check_quota(uuid, bigint, bigint, bigint) TO authenticated, service_role;

CREATE FUNCTION public.quota_status(org_id uuid, tokens bigint DEFAULT 0, kai_credits bigint DEFAULT 0, render_seconds bigint DEFAULT 0)
RETURNS TABLE (resource text, quota_limit bigint, used bigint, reserved bigint, remaining bigint,
			   requested bigint, allowed boolean, reason text)
LANGUAGE c STABLE PARALLEL SAFE ROWS 4
AS 'MODULE_PATHNAME', 'fenta_quota_status';
COMMENT ON FUNCTION public.quota_status(uuid, bigint, bigint, bigint) IS
'The detail behind check_quota, one row per resource (tokens, kai_credits, render_seconds, storage_bytes): limit (NULL = unlimited), exact usage of the period, amount reserved, amount still available (credit packs included), amount requested, whether the request is allowed and why not. check_quota is true exactly when every row is allowed. Same access rules and errors as check_quota.';
REVOKE ALL ON FUNCTION public.quota_status(uuid, bigint, bigint, bigint) FROM PUBLIC, anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION public.quota_status(uuid, bigint, bigint, bigint) TO authenticated, service_role;

-- Exact counters of an org: rolled-up part plus slots.
CREATE FUNCTION fenta.quota_usage(org_id uuid)
RETURNS TABLE (tokens bigint, kai_credits bigint, render_seconds bigint, storage_bytes bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
	SELECT (q.tokens_used + coalesce(s.tokens, 0))::bigint,
		q.kai_credits_used,
		(q.render_seconds_used + coalesce(s.render_seconds, 0))::bigint,
		(q.storage_bytes_used + coalesce(s.storage_bytes, 0))::bigint
	FROM public.quota_limits q
		LEFT JOIN LATERAL (SELECT sum(c.tokens) AS tokens, sum(c.render_seconds) AS render_seconds,
								  sum(c.storage_bytes) AS storage_bytes
						   FROM fenta.quota_counters c WHERE c.org_id = q.org_id) s ON true
	WHERE q.org_id = quota_usage.org_id
$$;
COMMENT ON FUNCTION fenta.quota_usage(uuid) IS
'Exact counters of an org''s current period: quota_limits.*_used plus the org''s quota_counters slots. storage_bytes is the exact balance of all storage events and may be negative (quota_status shows it clamped at 0). No row when the org has no quota row.';
REVOKE ALL ON FUNCTION fenta.quota_usage(uuid) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.quota_usage(uuid) TO service_role;

--
-- Rollup: moves the slots into quota_limits.  Never waits: rows locked by
-- running transactions are left for the next run.
--
CREATE FUNCTION fenta.rollup_quota_counters()
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	o uuid;
	stored bigint;
	t numeric;
	r numeric;
	s numeric;
	n integer := 0;
BEGIN
	FOR o IN SELECT DISTINCT c.org_id FROM fenta.quota_counters c ORDER BY 1 LOOP
		SELECT q.storage_bytes_used INTO stored
		FROM public.quota_limits q WHERE q.org_id = o
		FOR NO KEY UPDATE SKIP LOCKED;
		CONTINUE WHEN NOT FOUND;
		WITH moved AS (
			DELETE FROM fenta.quota_counters c
			WHERE c.ctid = ANY (ARRAY(SELECT c2.ctid FROM fenta.quota_counters c2
									  WHERE c2.org_id = o FOR UPDATE SKIP LOCKED))
			RETURNING c.tokens, c.render_seconds, c.storage_bytes)
		SELECT coalesce(sum(m.tokens), 0), coalesce(sum(m.render_seconds), 0), coalesce(sum(m.storage_bytes), 0)
		INTO t, r, s FROM moved m;
		CONTINUE WHEN t = 0 AND r = 0 AND s = 0;
		s := stored + s;
		IF s < 0 THEN
			-- quota_limits cannot hold a negative balance: slot -1 carries it
			INSERT INTO fenta.quota_counters AS c (org_id, slot, storage_bytes) VALUES (o, -1, s)
			ON CONFLICT (org_id, slot) DO UPDATE SET storage_bytes = c.storage_bytes + excluded.storage_bytes;
			s := 0;
		END IF;
		UPDATE public.quota_limits q
		SET tokens_used = q.tokens_used + t, render_seconds_used = q.render_seconds_used + r, storage_bytes_used = s
		WHERE q.org_id = o;
		n := n + 1;
	END LOOP;
	RETURN n;
END
$$;
COMMENT ON FUNCTION fenta.rollup_quota_counters() IS
'Moves the sums of fenta.quota_counters into quota_limits.*_used, exactly (what is deleted from the slots is what is added), skipping rows that running transactions hold; returns the number of orgs rolled up. Safe at any time, concurrently with usage inserts and with itself. Called by partition maintenance.';
REVOKE ALL ON FUNCTION fenta.rollup_quota_counters() FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.rollup_quota_counters() TO service_role;

--
-- Resets.
--
CREATE FUNCTION fenta.apply_quota_resets()
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = '' SET TimeZone = 'UTC'
AS $$
DECLARE
	o uuid;
	q record;
	s numeric;
	next_reset timestamptz;
	k integer;
	n integer := 0;
	rt numeric;
	rk numeric;
	rr numeric;
BEGIN
	IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'fenta.apply_quota_resets() must run at isolation level READ COMMITTED'
			USING ERRCODE = 'invalid_transaction_state',
				DETAIL = 'A reset must see every usage transaction that committed before it.';
	END IF;
	FOR o IN SELECT l.org_id FROM public.quota_limits l WHERE l.reset_at <= pg_catalog.now() ORDER BY 1 LOOP
		-- Waits for the org's running usage transactions (their foreign key
		-- checks hold a key share lock on the org) and holds new ones back
		-- until this transaction ends: a period covers exactly the usage
		-- committed before its reset.
		PERFORM FROM public.orgs g WHERE g.id = o FOR UPDATE;
		SELECT l.reset_at, l.storage_bytes_used INTO q
		FROM public.quota_limits l WHERE l.org_id = o AND l.reset_at <= pg_catalog.now()
		FOR NO KEY UPDATE;
		CONTINUE WHEN NOT FOUND;	-- reset meanwhile by another session
		-- storage is a balance, not a flow: it is kept (rolled up)
		WITH moved AS (DELETE FROM fenta.quota_counters c WHERE c.org_id = o RETURNING c.storage_bytes)
		SELECT coalesce(sum(m.storage_bytes), 0) INTO s FROM moved m;
		s := q.storage_bytes_used + s;
		IF s < 0 THEN
			INSERT INTO fenta.quota_counters (org_id, slot, storage_bytes) VALUES (o, -1, s);
			s := 0;
		END IF;
		-- whole months on from the old reset_at, until in the future
		k := 1;
		LOOP
			next_reset := q.reset_at + pg_catalog.make_interval(months => k);
			EXIT WHEN next_reset > pg_catalog.now();
			k := k + 1;
		END LOOP;
		UPDATE public.quota_limits l
		SET tokens_used = 0, render_seconds_used = 0, kai_credits_used = 0, kai_credits_from_packs = 0,
			storage_bytes_used = s, reset_at = next_reset
		WHERE l.org_id = o;
		n := n + 1;
	END LOOP;
	-- expired reservations
	FOR o IN SELECT DISTINCT r.org_id FROM fenta.quota_reservations r WHERE r.expires_at <= pg_catalog.now() ORDER BY 1 LOOP
		PERFORM FROM public.quota_limits l WHERE l.org_id = o FOR NO KEY UPDATE;
		WITH gone AS (DELETE FROM fenta.quota_reservations r WHERE r.org_id = o AND r.expires_at <= pg_catalog.now()
					  RETURNING r.tokens, r.kai_credits, r.render_seconds)
		SELECT coalesce(sum(g.tokens), 0), coalesce(sum(g.kai_credits), 0), coalesce(sum(g.render_seconds), 0)
		INTO rt, rk, rr FROM gone g;
		UPDATE public.quota_limits l
		SET reserved_tokens = l.reserved_tokens - rt, reserved_kai_credits = l.reserved_kai_credits - rk,
			reserved_render_seconds = l.reserved_render_seconds - rr
		WHERE l.org_id = o;
	END LOOP;
	RETURN n;
END
$$;
COMMENT ON FUNCTION fenta.apply_quota_resets() IS
'Restarts the counters (tokens, KIE.ai credits, render seconds; storage is a balance and is kept) of every org whose reset_at has passed, moving reset_at on by whole months until it is in the future, and releases expired reservations. Returns the number of orgs reset. A period covers the usage committed before its reset (the reset waits for the org''s running usage transactions). Safe at any time and concurrently; needs READ COMMITTED. Called by partition maintenance.';
REVOKE ALL ON FUNCTION fenta.apply_quota_resets() FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.apply_quota_resets() TO service_role;

--
-- Reservations.
--
CREATE FUNCTION fenta.reserve_quota(org_id uuid, tokens bigint, kai_credits bigint, render_seconds bigint,
									ttl interval DEFAULT '15 minutes')
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	res uuid;
BEGIN
	IF org_id IS NULL OR tokens IS NULL OR kai_credits IS NULL OR render_seconds IS NULL OR ttl IS NULL THEN
		RAISE EXCEPTION 'arguments of fenta.reserve_quota must not be NULL' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF tokens < 0 OR kai_credits < 0 OR render_seconds < 0 THEN
		RAISE EXCEPTION 'reserved amounts must not be negative' USING ERRCODE = 'invalid_parameter_value',
			DETAIL = pg_catalog.format('tokens %s, kai_credits %s, render_seconds %s', tokens, kai_credits, render_seconds);
	END IF;
	IF ttl <= interval '0' THEN
		RAISE EXCEPTION 'ttl must be positive' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- lock order of the quota engine: org, quota row, then the rest
	PERFORM FROM public.orgs g WHERE g.id = reserve_quota.org_id AND g.deleted_at IS NULL FOR KEY SHARE;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	-- serialises the reservations of the org: the next one sees this one
	PERFORM FROM public.quota_limits l WHERE l.org_id = reserve_quota.org_id FOR NO KEY UPDATE;
	IF NOT FOUND OR NOT public.check_quota(reserve_quota.org_id, tokens, kai_credits, render_seconds) THEN
		RETURN NULL;
	END IF;
	INSERT INTO fenta.quota_reservations (org_id, tokens, kai_credits, render_seconds, expires_at)
	VALUES (reserve_quota.org_id, tokens, kai_credits, render_seconds, pg_catalog.now() + ttl)
	RETURNING id INTO res;
	UPDATE public.quota_limits l
	SET reserved_tokens = l.reserved_tokens + tokens, reserved_kai_credits = l.reserved_kai_credits + kai_credits,
		reserved_render_seconds = l.reserved_render_seconds + render_seconds
	WHERE l.org_id = reserve_quota.org_id;
	RETURN res;
END
$$;
COMMENT ON FUNCTION fenta.reserve_quota(uuid, bigint, bigint, bigint, interval) IS
'Reserves amounts for a job if check_quota allows them, counting them as used until fenta.release_quota() or until ttl has passed (expired reservations are released by fenta.apply_quota_resets). Returns the reservation id, or NULL when the amounts do not fit or the org is unknown or deleted. Reservations of one org are serialised, so two jobs can never both pass a limit. NULL or negative arguments: 22023.';
REVOKE ALL ON FUNCTION fenta.reserve_quota(uuid, bigint, bigint, bigint, interval) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.reserve_quota(uuid, bigint, bigint, bigint, interval) TO service_role;

CREATE FUNCTION fenta.release_quota(reservation uuid)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	o uuid;
	r record;
BEGIN
	IF reservation IS NULL THEN
		RAISE EXCEPTION 'reservation must not be NULL' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT x.org_id INTO o FROM fenta.quota_reservations x WHERE x.id = reservation;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	PERFORM FROM public.orgs g WHERE g.id = o FOR KEY SHARE;
	PERFORM FROM public.quota_limits l WHERE l.org_id = o FOR NO KEY UPDATE;
	DELETE FROM fenta.quota_reservations x WHERE x.id = reservation
	RETURNING x.tokens, x.kai_credits, x.render_seconds INTO r;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	UPDATE public.quota_limits l
	SET reserved_tokens = l.reserved_tokens - r.tokens, reserved_kai_credits = l.reserved_kai_credits - r.kai_credits,
		reserved_render_seconds = l.reserved_render_seconds - r.render_seconds
	WHERE l.org_id = o;
	RETURN true;
END
$$;
COMMENT ON FUNCTION fenta.release_quota(uuid) IS
'Releases a reservation (the job is done or abandoned; record its actual usage in usage_records, ideally in the same transaction). Returns false when the reservation does not exist (already released or expired).';
REVOKE ALL ON FUNCTION fenta.release_quota(uuid) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.release_quota(uuid) TO service_role;

-- The new tables are empty after CREATE EXTENSION: dump all their rows.
SELECT pg_catalog.pg_extension_config_dump('fenta.plan_overrides', '');
SELECT pg_catalog.pg_extension_config_dump('fenta.quota_counters', '');
SELECT pg_catalog.pg_extension_config_dump('fenta.usage_idempotency', '');
SELECT pg_catalog.pg_extension_config_dump('fenta.quota_reservations', '');
--
-- quota_limits.org_deleted_at: a copy of orgs.deleted_at on the org's quota
-- row, so that check_quota() answers from the quota row and the counter
-- slots alone (one unique-index lookup fewer per call).  The copy cannot
-- drift: it is derived from orgs whenever a quota row is inserted or the
-- column is written, and rewritten when an org's deleted_at changes.
--
-- (Added with ALTER TABLE in the fresh install too, so that installed and
-- updated databases have the column at the same position.)
--
ALTER TABLE public.quota_limits ADD COLUMN org_deleted_at timestamptz;
COMMENT ON COLUMN public.quota_limits.org_deleted_at IS 'Copy of orgs.deleted_at, kept by triggers (any value written is replaced by the org''s): check_quota() answers false when it is set.';

-- existing rows (an update from 0.2.0): copy, without touching updated_at
ALTER TABLE public.quota_limits DISABLE TRIGGER quota_limits_updated_at;
UPDATE public.quota_limits q
SET org_deleted_at = o.deleted_at
FROM public.orgs o
WHERE o.id = q.org_id AND o.deleted_at IS NOT NULL;
ALTER TABLE public.quota_limits ENABLE TRIGGER quota_limits_updated_at;

CREATE FUNCTION fenta.quota_limits_org_deleted_at()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	NEW.org_deleted_at := (SELECT o.deleted_at FROM public.orgs o WHERE o.id = NEW.org_id);
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.quota_limits_org_deleted_at() IS
'BEFORE INSERT OR UPDATE OF org_deleted_at trigger on quota_limits: sets org_deleted_at to the org''s deleted_at, whatever was written.';
REVOKE ALL ON FUNCTION fenta.quota_limits_org_deleted_at() FROM PUBLIC, anon, authenticated, service_role;
CREATE TRIGGER quota_limits_org_deleted_at BEFORE INSERT OR UPDATE OF org_deleted_at ON public.quota_limits
	FOR EACH ROW EXECUTE FUNCTION fenta.quota_limits_org_deleted_at();

CREATE FUNCTION fenta.copy_org_deleted_at()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	UPDATE public.quota_limits q SET org_deleted_at = NEW.deleted_at WHERE q.org_id = NEW.id;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION fenta.copy_org_deleted_at() IS
'AFTER UPDATE OF deleted_at trigger on orgs: copies the org''s deleted_at to its quota_limits row (soft delete and restore take effect in check_quota at once).';
REVOKE ALL ON FUNCTION fenta.copy_org_deleted_at() FROM PUBLIC, anon, authenticated, service_role;
CREATE TRIGGER orgs_copy_deleted_at AFTER UPDATE OF deleted_at ON public.orgs
	FOR EACH ROW WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
	EXECUTE FUNCTION fenta.copy_org_deleted_at();
--
-- 0.4.0: quota_limits.org_deleted_at can no longer drift from orgs.deleted_at.
--
-- The 0.2.0 -> 0.3.0 update copied orgs.deleted_at with one UPDATE and only
-- then created the triggers that keep the copy: an org soft-deleted or
-- restored by a transaction that committed in between kept the old copy for
-- good (a deleted org passed check_quota).  Here, on update and on install
-- alike:
--   1. orgs is locked against writes (SHARE: waits for the transactions that
--      changed it, blocks new ones until the end of this transaction), and
--      every copy that differs is rewritten from orgs, under the lock;
--   2. the triggers fire on what matters, whatever the statement names:
--      - orgs: AFTER UPDATE (any column) when deleted_at changed, so a
--        BEFORE trigger or a rule that sets deleted_at is followed too;
--      - quota_limits: BEFORE INSERT OR UPDATE OF org_id, org_deleted_at
--        (a row moved to another org takes that org's value), reading the
--        org row FOR SHARE: an insert waits for a running soft delete of its
--        org, and sees its outcome, instead of copying the value from
--        before it (the soft delete's own trigger cannot see a quota row
--        inserted meanwhile).
--
LOCK TABLE public.orgs IN SHARE MODE;
ALTER TABLE public.quota_limits DISABLE TRIGGER quota_limits_updated_at;
UPDATE public.quota_limits q
SET org_deleted_at = o.deleted_at
FROM public.orgs o
WHERE o.id OPERATOR(pg_catalog.=) q.org_id AND q.org_deleted_at IS DISTINCT FROM o.deleted_at;
ALTER TABLE public.quota_limits ENABLE TRIGGER quota_limits_updated_at;

CREATE OR REPLACE FUNCTION fenta.quota_limits_org_deleted_at()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	NEW.org_deleted_at := (SELECT o.deleted_at FROM public.orgs o
						   WHERE o.id OPERATOR(pg_catalog.=) NEW.org_id FOR SHARE);
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.quota_limits_org_deleted_at() IS
'BEFORE INSERT OR UPDATE OF org_id, org_deleted_at trigger on quota_limits: sets org_deleted_at to the org''s deleted_at, whatever was written, reading the org row FOR SHARE (waits for a running soft delete or restore of the org).';
DROP TRIGGER quota_limits_org_deleted_at ON public.quota_limits;
CREATE TRIGGER quota_limits_org_deleted_at BEFORE INSERT OR UPDATE OF org_id, org_deleted_at ON public.quota_limits
	FOR EACH ROW EXECUTE FUNCTION fenta.quota_limits_org_deleted_at();

COMMENT ON FUNCTION fenta.copy_org_deleted_at() IS
'AFTER UPDATE trigger on orgs, for rows whose deleted_at changed: copies the org''s deleted_at to its quota_limits row (soft delete and restore take effect in check_quota at once).';
DROP TRIGGER orgs_copy_deleted_at ON public.orgs;
CREATE TRIGGER orgs_copy_deleted_at AFTER UPDATE ON public.orgs
	FOR EACH ROW WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
	EXECUTE FUNCTION fenta.copy_org_deleted_at();
-- ===========================================================================
-- usage_records is an append-only ledger: the quota counters follow every
-- insert exactly (update_quota_usage), so an UPDATE, DELETE or TRUNCATE
-- through the table would make them drift.  Corrections are new rows.  Rows
-- go with their org (the foreign key's cascade, a nested statement); a
-- superuser may still repair by hand (and recount the counters after).
-- ===========================================================================
CREATE FUNCTION fenta.usage_records_append_only()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF pg_catalog.pg_trigger_depth() OPERATOR(pg_catalog.>) 1
		OR (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER) THEN
		RETURN NULL;
	END IF;
	RAISE EXCEPTION '% on public.usage_records is not allowed: usage is an append-only ledger', TG_OP
		USING ERRCODE = 'insufficient_privilege',
			DETAIL = 'The quota counters follow the inserted rows; changing or removing rows would make them drift.',
			HINT = 'Record a correction as a new usage row (storage_bytes may be negative).';
END
$$;
COMMENT ON FUNCTION fenta.usage_records_append_only() IS
'BEFORE UPDATE OR DELETE OR TRUNCATE statement trigger on usage_records: refuses the statement (42501) unless it is nested in another (the foreign key''s cascade when an org is deleted) or run by a superuser. Usage is an append-only ledger.';
REVOKE ALL ON FUNCTION fenta.usage_records_append_only() FROM PUBLIC, anon, authenticated, service_role;
CREATE TRIGGER usage_records_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON public.usage_records
	FOR EACH STATEMENT EXECUTE FUNCTION fenta.usage_records_append_only();
-- The idempotency guard fires for every row (0.6.0): its WHEN clause
-- (NEW.idempotency_key IS NOT NULL) was compiled again by PostgreSQL for
-- every INSERT statement, about 1.5% of the CPU of single-row usage inserts;
-- the C function now returns a row without a key at once.
DROP TRIGGER usage_records_idempotency ON public.usage_records;
CREATE TRIGGER usage_records_idempotency BEFORE INSERT ON public.usage_records
	FOR EACH ROW EXECUTE FUNCTION fenta.usage_idempotency_guard();
-- Daily usage: fenta.mv_daily_usage, its refresh, and the members' reading
-- path public.daily_usage().
--
-- A materialized view has no row level security, so it lives in fenta (not
-- exposed by the Data API) and members read their own org's days through
-- public.daily_usage(), which checks membership.

CREATE MATERIALIZED VIEW fenta.mv_daily_usage AS
SELECT u.org_id,
	(u.created_at AT TIME ZONE 'UTC')::date AS day,
	u.resource_type,
	pg_catalog.count(*) AS events,
	pg_catalog.sum(u.llm_tokens_prompt)::bigint AS llm_tokens_prompt,
	pg_catalog.sum(u.llm_tokens_output)::bigint AS llm_tokens_output,
	pg_catalog.sum(u.llm_tokens_prompt + u.llm_tokens_output)::bigint AS tokens,
	pg_catalog.sum(u.kai_credits)::bigint AS kai_credits,
	pg_catalog.sum(u.render_seconds)::bigint AS render_seconds,
	pg_catalog.sum(u.storage_bytes)::bigint AS storage_bytes,
	pg_catalog.sum(u.cost_usd) AS cost_usd
FROM public.usage_records u
GROUP BY u.org_id, (u.created_at AT TIME ZONE 'UTC')::date, u.resource_type
WITH DATA;
COMMENT ON MATERIALIZED VIEW fenta.mv_daily_usage IS 'Usage per org, UTC day and resource type, aggregated from public.usage_records. Refreshed by fenta.refresh_daily_usage() (and fenta.maintain_partitions). No row level security: not exposed; members read it through public.daily_usage().';
COMMENT ON COLUMN fenta.mv_daily_usage.org_id IS 'The org.';
COMMENT ON COLUMN fenta.mv_daily_usage.day IS 'UTC date of the events (created_at).';
COMMENT ON COLUMN fenta.mv_daily_usage.resource_type IS 'Metered resource.';
COMMENT ON COLUMN fenta.mv_daily_usage.events IS 'Number of usage records.';
COMMENT ON COLUMN fenta.mv_daily_usage.llm_tokens_prompt IS 'Sum of LLM prompt tokens.';
COMMENT ON COLUMN fenta.mv_daily_usage.llm_tokens_output IS 'Sum of LLM output tokens.';
COMMENT ON COLUMN fenta.mv_daily_usage.tokens IS 'Sum of LLM tokens, prompt + output (what tokens_used counts).';
COMMENT ON COLUMN fenta.mv_daily_usage.kai_credits IS 'Sum of KIE.ai credits.';
COMMENT ON COLUMN fenta.mv_daily_usage.render_seconds IS 'Sum of render seconds.';
COMMENT ON COLUMN fenta.mv_daily_usage.storage_bytes IS 'Net change of stored bytes.';
COMMENT ON COLUMN fenta.mv_daily_usage.cost_usd IS 'Sum of costs in US dollars.';
-- Needed by REFRESH MATERIALIZED VIEW CONCURRENTLY.
CREATE UNIQUE INDEX idx_mv_daily_usage_org_day_resource ON fenta.mv_daily_usage (org_id, day, resource_type);
REVOKE ALL ON fenta.mv_daily_usage FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON fenta.mv_daily_usage TO service_role;

-- Recomputes mv_daily_usage; concurrently (readers are not blocked) unless
-- told otherwise or the view has never been populated.
CREATE FUNCTION fenta.refresh_daily_usage(concurrently boolean DEFAULT true)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	IF refresh_daily_usage.concurrently
		AND (SELECT c.relispopulated FROM pg_catalog.pg_class c
			 WHERE c.oid = 'fenta.mv_daily_usage'::pg_catalog.regclass) THEN
		REFRESH MATERIALIZED VIEW CONCURRENTLY fenta.mv_daily_usage;
	ELSE
		REFRESH MATERIALIZED VIEW fenta.mv_daily_usage;
	END IF;
END
$$;
COMMENT ON FUNCTION fenta.refresh_daily_usage(boolean) IS
'Backend (service_role): refreshes fenta.mv_daily_usage, CONCURRENTLY by default (readers are not blocked; falls back to a plain refresh if the view is not populated). With false, a plain refresh, which locks readers out but is faster.';
REVOKE ALL ON FUNCTION fenta.refresh_daily_usage(boolean) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.refresh_daily_usage(boolean) TO service_role;

-- Members' reading path to mv_daily_usage.
--
-- It runs as the extension owner to read the view, so fenta.bypasses_rls()
-- (which looks at CURRENT_USER, here the owner) cannot tell who called: the
-- caller is the role the session has SET ROLE to (as PostgREST does), else
-- the session user.  A session can only SET ROLE to roles it is a member of.
CREATE FUNCTION public.daily_usage(org_id uuid, from_day date DEFAULT NULL, to_day date DEFAULT NULL)
RETURNS TABLE (day date, resource_type public.resource_type, events bigint,
			   llm_tokens_prompt bigint, llm_tokens_output bigint, tokens bigint,
			   kai_credits bigint, render_seconds bigint, storage_bytes bigint, cost_usd numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	caller name := CASE pg_catalog.current_setting('role')
		WHEN 'none' THEN SESSION_USER
		ELSE pg_catalog.current_setting('role')::name END;
BEGIN
	IF daily_usage.org_id IS NULL THEN
		RAISE EXCEPTION 'org_id must not be NULL'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT fenta.has_org_role(daily_usage.org_id, 'viewer')
		AND NOT coalesce((SELECT r.rolsuper OR r.rolbypassrls
						  FROM pg_catalog.pg_roles r
						  WHERE r.rolname = caller), false) THEN
		RAISE EXCEPTION 'permission denied for org %', daily_usage.org_id
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Only members of the org may read its usage.';
	END IF;
	RETURN QUERY
		SELECT m.day, m.resource_type, m.events,
			m.llm_tokens_prompt, m.llm_tokens_output, m.tokens,
			m.kai_credits, m.render_seconds, m.storage_bytes, m.cost_usd
		FROM fenta.mv_daily_usage m
		WHERE m.org_id = daily_usage.org_id
			AND (daily_usage.from_day IS NULL OR m.day >= daily_usage.from_day)
			AND (daily_usage.to_day IS NULL OR m.day <= daily_usage.to_day)
		ORDER BY m.day, m.resource_type;
END
$$;
COMMENT ON FUNCTION public.daily_usage(uuid, date, date) IS
'RPC: daily usage of an org from fenta.mv_daily_usage (as of its last refresh), one row per UTC day and resource type, days from from_day to to_day inclusive (NULL = open end), ordered by day. For members of the org and for roles that bypass RLS (service_role); anybody else gets 42501.';
REVOKE ALL ON FUNCTION public.daily_usage(uuid, date, date) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.daily_usage(uuid, date, date) TO authenticated, service_role;
-- ===========================================================================
-- Daily usage, incremental (0.5.0): public.usage_daily replaces the
-- materialized view fenta.mv_daily_usage, which was recomputed over all of
-- history on every maintenance run.
--
-- - Every INSERT statement into usage_records appends its rows, grouped by
--   org, UTC day and resource type, to fenta.usage_daily_pending (a statement
--   trigger with a transition table).  The pending table has no key: inserts
--   never wait for each other on a hot daily row.
-- - fenta.refresh_daily_usage() (each maintenance run) drains the pending
--   rows into public.usage_daily: its cost follows the rows added since the
--   last run, not history.  fenta.rebuild_daily_usage() recomputes from
--   usage_records (after a superuser's repair of the ledger).
-- - Members read their own orgs' days from public.usage_daily under row
--   level security; public.daily_usage() reads it as the caller.
-- - fenta.mv_daily_usage stays, as a view over public.usage_daily.
-- - Retention (detaching months of usage_records) keeps the daily rows: they
--   are the history of the months whose ledger rows were retired.
-- See doc/operations.md, "Daily usage".
-- ===========================================================================

CREATE TABLE public.usage_daily (
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	day date NOT NULL,
	resource_type public.resource_type NOT NULL,
	events bigint NOT NULL DEFAULT 0,
	llm_tokens_prompt bigint NOT NULL DEFAULT 0,
	llm_tokens_output bigint NOT NULL DEFAULT 0,
	tokens bigint NOT NULL DEFAULT 0,
	kai_credits bigint NOT NULL DEFAULT 0,
	render_seconds bigint NOT NULL DEFAULT 0,
	storage_bytes bigint NOT NULL DEFAULT 0,
	cost_usd numeric NOT NULL DEFAULT 0,
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT usage_daily_pkey PRIMARY KEY (org_id, day, resource_type)
);
COMMENT ON TABLE public.usage_daily IS 'Usage per org, UTC day and resource type: the sums of public.usage_records, current as of the last fenta.refresh_daily_usage() (each maintenance run). Kept incrementally (fenta.usage_daily_pending); days of months retired by retention stay. Members read their orgs'' days; written by fenta only.';
COMMENT ON COLUMN public.usage_daily.org_id IS 'The org.';
COMMENT ON COLUMN public.usage_daily.day IS 'UTC date of the events (created_at).';
COMMENT ON COLUMN public.usage_daily.resource_type IS 'Metered resource.';
COMMENT ON COLUMN public.usage_daily.events IS 'Number of usage records.';
COMMENT ON COLUMN public.usage_daily.llm_tokens_prompt IS 'Sum of LLM prompt tokens.';
COMMENT ON COLUMN public.usage_daily.llm_tokens_output IS 'Sum of LLM output tokens.';
COMMENT ON COLUMN public.usage_daily.tokens IS 'Sum of LLM tokens, prompt + output (what tokens_used counts).';
COMMENT ON COLUMN public.usage_daily.kai_credits IS 'Sum of KIE.ai credits.';
COMMENT ON COLUMN public.usage_daily.render_seconds IS 'Sum of render seconds.';
COMMENT ON COLUMN public.usage_daily.storage_bytes IS 'Net change of stored bytes.';
COMMENT ON COLUMN public.usage_daily.cost_usd IS 'Sum of costs in US dollars.';
COMMENT ON COLUMN public.usage_daily.updated_at IS 'When the row last took usage in (a refresh or a rebuild).';
CREATE TRIGGER usage_daily_updated_at BEFORE UPDATE ON public.usage_daily
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();
-- members read, only fenta writes (the functions below, as the owner)
ALTER TABLE public.usage_daily ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.usage_daily FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.usage_daily TO authenticated;
GRANT SELECT ON public.usage_daily TO service_role;
CREATE POLICY usage_daily_select ON public.usage_daily FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer'))));

-- The deltas not yet drained: one row per INSERT statement, org, UTC day
-- and resource type.  No key and no index: appending never waits.
CREATE TABLE fenta.usage_daily_pending (
	org_id uuid NOT NULL,
	day date NOT NULL,
	resource_type public.resource_type NOT NULL,
	events bigint NOT NULL,
	llm_tokens_prompt bigint NOT NULL,
	llm_tokens_output bigint NOT NULL,
	tokens bigint NOT NULL,
	kai_credits bigint NOT NULL,
	render_seconds bigint NOT NULL,
	storage_bytes bigint NOT NULL,
	cost_usd numeric NOT NULL
);
COMMENT ON TABLE fenta.usage_daily_pending IS 'Usage not yet in public.usage_daily: the rows of each INSERT statement into usage_records, grouped by org, UTC day and resource type (fenta.usage_daily_capture()); drained by fenta.refresh_daily_usage(). Rows of a deleted org are discarded by the drain.';
COMMENT ON COLUMN fenta.usage_daily_pending.org_id IS 'The org (no foreign key: a drain discards the rows of deleted orgs).';
COMMENT ON COLUMN fenta.usage_daily_pending.day IS 'UTC date of the events.';
COMMENT ON COLUMN fenta.usage_daily_pending.resource_type IS 'Metered resource.';
COMMENT ON COLUMN fenta.usage_daily_pending.events IS 'Number of usage records.';
COMMENT ON COLUMN fenta.usage_daily_pending.llm_tokens_prompt IS 'Sum of LLM prompt tokens.';
COMMENT ON COLUMN fenta.usage_daily_pending.llm_tokens_output IS 'Sum of LLM output tokens.';
COMMENT ON COLUMN fenta.usage_daily_pending.tokens IS 'Sum of LLM tokens, prompt + output.';
COMMENT ON COLUMN fenta.usage_daily_pending.kai_credits IS 'Sum of KIE.ai credits.';
COMMENT ON COLUMN fenta.usage_daily_pending.render_seconds IS 'Sum of render seconds.';
COMMENT ON COLUMN fenta.usage_daily_pending.storage_bytes IS 'Net change of stored bytes.';
COMMENT ON COLUMN fenta.usage_daily_pending.cost_usd IS 'Sum of costs in US dollars.';
-- not exposed; RLS on all the same, with no policy (only the owner's code writes)
ALTER TABLE fenta.usage_daily_pending ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON fenta.usage_daily_pending FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON fenta.usage_daily_pending TO service_role;

-- The capture: AFTER INSERT ... FOR EACH STATEMENT on usage_records, in C
-- (src/daily.c): it runs with every insert.
CREATE FUNCTION fenta.usage_daily_capture()
RETURNS trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'fenta_usage_daily_capture';
COMMENT ON FUNCTION fenta.usage_daily_capture() IS
'AFTER INSERT statement trigger on usage_records (transition table new_rows): appends the statement''s rows, grouped by org, UTC day and resource type, to fenta.usage_daily_pending. Rows skipped by the idempotency guard are not in new_rows. Rows written straight into a partition (maintenance moving rows between partitions, a superuser''s repair) are not captured.';
REVOKE ALL ON FUNCTION fenta.usage_daily_capture() FROM PUBLIC, anon, authenticated, service_role;

-- Created before the backfill below: its lock holds inserts back until the
-- update commits, so every row is counted once, by the backfill or the
-- trigger.
CREATE TRIGGER usage_records_to_daily AFTER INSERT ON public.usage_records
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION fenta.usage_daily_capture();

-- Existing history, once (the update from 0.4.0; nothing on a fresh install).
INSERT INTO public.usage_daily (org_id, day, resource_type, events,
	llm_tokens_prompt, llm_tokens_output, tokens, kai_credits, render_seconds, storage_bytes, cost_usd)
SELECT u.org_id, (u.created_at AT TIME ZONE 'UTC')::date, u.resource_type, pg_catalog.count(*),
	pg_catalog.sum(u.llm_tokens_prompt)::bigint, pg_catalog.sum(u.llm_tokens_output)::bigint,
	pg_catalog.sum(u.llm_tokens_prompt + u.llm_tokens_output)::bigint,
	pg_catalog.sum(u.kai_credits)::bigint, pg_catalog.sum(u.render_seconds)::bigint,
	pg_catalog.sum(u.storage_bytes)::bigint, pg_catalog.sum(u.cost_usd)
FROM public.usage_records u
GROUP BY 1, 2, 3;

-- The original name and columns, now a view (service_role only, as before).
DROP MATERIALIZED VIEW fenta.mv_daily_usage;
CREATE VIEW fenta.mv_daily_usage AS
SELECT d.org_id, d.day, d.resource_type, d.events, d.llm_tokens_prompt, d.llm_tokens_output,
	d.tokens, d.kai_credits, d.render_seconds, d.storage_bytes, d.cost_usd
FROM public.usage_daily d;
COMMENT ON VIEW fenta.mv_daily_usage IS 'Usage per org, UTC day and resource type: public.usage_daily under its 0.1.0 name (a materialized view until 0.4.0). For service_role; members read public.usage_daily.';
REVOKE ALL ON fenta.mv_daily_usage FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON fenta.mv_daily_usage TO service_role;

-- The lock that keeps drains and rebuilds apart: ('fent', 3).
CREATE FUNCTION fenta.daily_usage_lock(wait boolean)
RETURNS boolean
LANGUAGE sql VOLATILE
SET search_path = ''
AS $$
	SELECT CASE WHEN daily_usage_lock.wait
		THEN (SELECT true FROM pg_catalog.pg_advisory_xact_lock(1717923444, 3))
		ELSE pg_catalog.pg_try_advisory_xact_lock(1717923444, 3) END
$$;
COMMENT ON FUNCTION fenta.daily_usage_lock(boolean) IS
'Internal (fenta.drain_daily_usage, fenta.rebuild_daily_usage): the transaction-level advisory lock that keeps a drain and a rebuild of public.usage_daily apart; waits for it (true) or tries it (false), returning whether it is held.';
REVOKE ALL ON FUNCTION fenta.daily_usage_lock(boolean) FROM PUBLIC, anon, authenticated, service_role;

-- The drain.
CREATE FUNCTION fenta.drain_daily_usage(
	OUT pending_rows bigint,
	OUT usage_rows bigint,
	OUT days bigint,
	OUT discarded bigint)
RETURNS record
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	pending_rows := 0;
	usage_rows := 0;
	days := 0;
	discarded := 0;
	IF NOT fenta.daily_usage_lock(false) THEN
		RAISE NOTICE 'fenta.drain_daily_usage(): a rebuild of public.usage_daily is running; the pending rows are left for the next run';
		RETURN;
	END IF;
	-- One statement, one snapshot: the pending rows committed so far, of
	-- orgs locked so that they cannot go away meanwhile (an org being
	-- deleted or reset is skipped, not waited for: its rows wait for the
	-- next run), merged into their days.
	WITH o AS (
		SELECT g.id FROM public.orgs g
		WHERE g.id IN (SELECT p.org_id FROM fenta.usage_daily_pending p)
		FOR KEY SHARE OF g SKIP LOCKED
	), d AS (
		DELETE FROM fenta.usage_daily_pending p USING o
		WHERE p.org_id = o.id
		RETURNING p.*
	), s AS (
		SELECT d.org_id, d.day, d.resource_type, pg_catalog.count(*) AS n,
			pg_catalog.sum(d.events)::bigint AS events,
			pg_catalog.sum(d.llm_tokens_prompt)::bigint AS llm_tokens_prompt,
			pg_catalog.sum(d.llm_tokens_output)::bigint AS llm_tokens_output,
			pg_catalog.sum(d.tokens)::bigint AS tokens,
			pg_catalog.sum(d.kai_credits)::bigint AS kai_credits,
			pg_catalog.sum(d.render_seconds)::bigint AS render_seconds,
			pg_catalog.sum(d.storage_bytes)::bigint AS storage_bytes,
			pg_catalog.sum(d.cost_usd) AS cost_usd
		FROM d GROUP BY 1, 2, 3
	), w AS (
		INSERT INTO public.usage_daily AS u (org_id, day, resource_type, events,
			llm_tokens_prompt, llm_tokens_output, tokens, kai_credits, render_seconds, storage_bytes, cost_usd)
		SELECT s.org_id, s.day, s.resource_type, s.events, s.llm_tokens_prompt, s.llm_tokens_output,
			s.tokens, s.kai_credits, s.render_seconds, s.storage_bytes, s.cost_usd
		FROM s
		ON CONFLICT (org_id, day, resource_type) DO UPDATE
		SET events = u.events + excluded.events,
			llm_tokens_prompt = u.llm_tokens_prompt + excluded.llm_tokens_prompt,
			llm_tokens_output = u.llm_tokens_output + excluded.llm_tokens_output,
			tokens = u.tokens + excluded.tokens,
			kai_credits = u.kai_credits + excluded.kai_credits,
			render_seconds = u.render_seconds + excluded.render_seconds,
			storage_bytes = u.storage_bytes + excluded.storage_bytes,
			cost_usd = u.cost_usd + excluded.cost_usd
		RETURNING 1
	)
	SELECT coalesce(pg_catalog.sum(s.n), 0)::bigint, coalesce(pg_catalog.sum(s.events), 0)::bigint,
		(SELECT pg_catalog.count(*) FROM w)
	INTO pending_rows, usage_rows, days
	FROM s;
	-- rows of orgs deleted since they were appended
	WITH gone AS (
		DELETE FROM fenta.usage_daily_pending p
		WHERE NOT EXISTS (SELECT FROM public.orgs g WHERE g.id = p.org_id)
		RETURNING 1
	)
	SELECT pg_catalog.count(*) INTO discarded FROM gone;
END
$$;
COMMENT ON FUNCTION fenta.drain_daily_usage() IS
'Maintenance (service_role): merges the rows of fenta.usage_daily_pending committed so far into public.usage_daily and discards those of deleted orgs; its cost follows the pending rows, not history. Returns the pending rows drained, the usage records they stand for, the days written and the pending rows discarded. Orgs locked FOR UPDATE (being deleted or reset) are skipped until the next run; while a rebuild runs it does nothing (NOTICE).';
REVOKE ALL ON FUNCTION fenta.drain_daily_usage() FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.drain_daily_usage() TO service_role;

-- The refresh keeps its name and signature; it is the drain now.
CREATE OR REPLACE FUNCTION fenta.refresh_daily_usage(concurrently boolean DEFAULT true)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	PERFORM fenta.drain_daily_usage();
END
$$;
COMMENT ON FUNCTION fenta.refresh_daily_usage(boolean) IS
'Backend (service_role), each maintenance run: brings public.usage_daily (and the view fenta.mv_daily_usage) up to date with the usage committed so far, at a cost that follows the rows added since the last refresh (fenta.drain_daily_usage()). Readers are never blocked; the argument is kept for compatibility and has no effect. fenta.rebuild_daily_usage() recomputes from usage_records.';

-- The full recomputation.
CREATE FUNCTION fenta.rebuild_daily_usage(from_day date DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = '' SET TimeZone = 'UTC'
AS $$
DECLARE
	since date := rebuild_daily_usage.from_day;
	n bigint;
BEGIN
	IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'fenta.rebuild_daily_usage() must run at isolation level READ COMMITTED'
			USING ERRCODE = 'invalid_transaction_state';
	END IF;
	PERFORM fenta.daily_usage_lock(true);
	PERFORM fenta.drain_daily_usage();
	-- by default, from the oldest month attached to usage_records: days of
	-- months retired by retention keep their rows
	IF since IS NULL THEN
		SELECT pg_catalog.min(pg_catalog.to_date(pg_catalog.substr(c.relname, 15), 'YYYY_MM'))
		INTO since
		FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
		WHERE i.inhparent = 'public.usage_records'::pg_catalog.regclass
			AND c.relname ~ '^usage_records_[0-9]{4}_[0-9]{2}$';
		since := coalesce(since, '-infinity'::date);
	END IF;
	-- Nothing else writes usage_daily while the lock is held.  The pending
	-- rows of the days recomputed that this statement's snapshot sees stand
	-- for exactly the usage rows it counts: they go, the rest stay pending.
	DELETE FROM public.usage_daily d WHERE d.day >= since;
	WITH gone AS (
		DELETE FROM fenta.usage_daily_pending p WHERE p.day >= since
	)
	INSERT INTO public.usage_daily (org_id, day, resource_type, events,
		llm_tokens_prompt, llm_tokens_output, tokens, kai_credits, render_seconds, storage_bytes, cost_usd)
	SELECT u.org_id, (u.created_at AT TIME ZONE 'UTC')::date, u.resource_type, pg_catalog.count(*),
		pg_catalog.sum(u.llm_tokens_prompt)::bigint, pg_catalog.sum(u.llm_tokens_output)::bigint,
		pg_catalog.sum(u.llm_tokens_prompt + u.llm_tokens_output)::bigint,
		pg_catalog.sum(u.kai_credits)::bigint, pg_catalog.sum(u.render_seconds)::bigint,
		pg_catalog.sum(u.storage_bytes)::bigint, pg_catalog.sum(u.cost_usd)
	FROM public.usage_records u
	WHERE u.created_at >= since::timestamp AT TIME ZONE 'UTC'
	GROUP BY 1, 2, 3;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION fenta.rebuild_daily_usage(date) IS
'Admin (service_role): recomputes public.usage_daily from public.usage_records for the UTC days from from_day on (default: the first day of the oldest monthly partition attached to usage_records, or all days when there is none; ''-infinity'' for all days), after a superuser''s repair of usage_records. Days before from_day keep their rows (the history of months retired by retention). Returns the days written. Blocks drains until it commits; usage inserts go on. Needs READ COMMITTED.';
REVOKE ALL ON FUNCTION fenta.rebuild_daily_usage(date) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.rebuild_daily_usage(date) TO service_role;

-- Members' reading path: as the caller now, under the table's RLS.
CREATE OR REPLACE FUNCTION public.daily_usage(org_id uuid, from_day date DEFAULT NULL, to_day date DEFAULT NULL)
RETURNS TABLE (day date, resource_type public.resource_type, events bigint,
			   llm_tokens_prompt bigint, llm_tokens_output bigint, tokens bigint,
			   kai_credits bigint, render_seconds bigint, storage_bytes bigint, cost_usd numeric)
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = ''
AS $$
BEGIN
	IF daily_usage.org_id IS NULL THEN
		RAISE EXCEPTION 'org_id must not be NULL'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT fenta.bypasses_rls() AND NOT fenta.has_org_role(daily_usage.org_id, 'viewer') THEN
		RAISE EXCEPTION 'permission denied for org %', daily_usage.org_id
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Only members of the org may read its usage.';
	END IF;
	RETURN QUERY
		SELECT m.day, m.resource_type, m.events,
			m.llm_tokens_prompt, m.llm_tokens_output, m.tokens,
			m.kai_credits, m.render_seconds, m.storage_bytes, m.cost_usd
		FROM public.usage_daily m
		WHERE m.org_id = daily_usage.org_id
			AND (daily_usage.from_day IS NULL OR m.day >= daily_usage.from_day)
			AND (daily_usage.to_day IS NULL OR m.day <= daily_usage.to_day)
		ORDER BY m.day, m.resource_type;
END
$$;
COMMENT ON FUNCTION public.daily_usage(uuid, date, date) IS
'RPC: daily usage of an org from public.usage_daily (as of the last refresh), one row per UTC day and resource type, days from from_day to to_day inclusive (NULL = open end), ordered by day. Runs as the caller, under the table''s row level security: for members of the org and for roles that bypass RLS (service_role); anybody else gets 42501.';

SELECT pg_catalog.pg_extension_config_dump('public.usage_daily', '');
SELECT pg_catalog.pg_extension_config_dump('fenta.usage_daily_pending', '');
-- Partition maintenance: fenta.maintain_partitions() (C), the archive schema
-- for detached months, and scheduling with pg_cron.
--
-- The install script creates no monthly partition: partitions are created by
-- fenta.maintain_partitions() after CREATE EXTENSION, as ordinary tables (not
-- extension members), so that pg_dump dumps them with their rows and a
-- restore, which runs this script again, finds nothing in its way.

CREATE SCHEMA fenta_archive;
COMMENT ON SCHEMA fenta_archive IS 'Months of usage_records detached by fenta.maintain_partitions(retention_months => N): tables usage_records_YYYY_MM, kept until dropped on purpose. Not exposed through the Data API.';
REVOKE ALL ON SCHEMA fenta_archive FROM PUBLIC;
GRANT USAGE ON SCHEMA fenta_archive TO service_role;

CREATE FUNCTION fenta.maintain_partitions(
	months_ahead integer DEFAULT 3,
	retention_months integer DEFAULT NULL,
	drop_detached boolean DEFAULT false,
	refresh_usage boolean DEFAULT true,
	as_of timestamptz DEFAULT pg_catalog.now(),
	OUT months_created integer,
	OUT rows_moved bigint,
	OUT months_detached integer,
	OUT months_dropped integer,
	OUT months_deferred integer,
	OUT quota_resets integer,
	OUT counters_rolled_up integer,
	OUT usage_refreshed boolean,
	OUT skipped boolean)
RETURNS record
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = ''
AS 'MODULE_PATHNAME', 'fenta_maintain_partitions';
COMMENT ON FUNCTION fenta.maintain_partitions(integer, integer, boolean, boolean, timestamptz) IS
'Maintenance (service_role, pg_cron, the background worker): creates the monthly partitions public.usage_records_YYYY_MM (UTC) of the month of as_of and the next months_ahead (0..120) months, and of every month with rows in usage_records_default, moving those rows in; each partition gets RLS, no privileges for anon and authenticated, SELECT only for service_role. With retention_months (1..1200), attached months before the last retention_months complete months are detached into schema fenta_archive (dropped instead, and archived ones too, only with drop_detached). Then runs the quota engine''s rollup and resets and refreshes fenta.mv_daily_usage (unless refresh_usage is false). Strong locks wait at most fenta.maintenance_lock_timeout; a month that could not be locked is counted in months_deferred and retried on the next run. A second concurrent run returns at once with skipped = true. quota_resets and counters_rolled_up are NULL when not run. Bad arguments: 22023.';
REVOKE ALL ON FUNCTION fenta.maintain_partitions(integer, integer, boolean, boolean, timestamptz) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.maintain_partitions(integer, integer, boolean, boolean, timestamptz) TO service_role;

-- The name of fenta's pg_cron job.
CREATE FUNCTION fenta.maintenance_job_name()
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = ''
AS $$ SELECT 'fenta-maintain-partitions'::text $$;
COMMENT ON FUNCTION fenta.maintenance_job_name() IS
'Name of the pg_cron job created by fenta.schedule_maintenance(): fenta-maintain-partitions.';
REVOKE ALL ON FUNCTION fenta.maintenance_job_name() FROM PUBLIC, anon, authenticated;

-- Schedules fenta.maintain_partitions() with pg_cron, idempotently: the job
-- has a fixed name, and cron.schedule() with an existing name updates it.
CREATE FUNCTION fenta.schedule_maintenance(
	schedule text DEFAULT '*/10 * * * *',
	months_ahead integer DEFAULT 3,
	retention_months integer DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	command text;
	job bigint;
BEGIN
	IF schedule_maintenance.schedule IS NULL THEN
		RAISE EXCEPTION 'invalid value for argument "schedule" of fenta.schedule_maintenance(): must not be NULL'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF schedule_maintenance.months_ahead IS NULL
		OR schedule_maintenance.months_ahead NOT BETWEEN 0 AND 120 THEN
		RAISE EXCEPTION 'invalid value for argument "months_ahead" of fenta.schedule_maintenance(): % is out of range', coalesce(schedule_maintenance.months_ahead::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				DETAIL = 'months_ahead counts the months after the current one to create, from 0 to 120.';
	END IF;
	IF schedule_maintenance.retention_months NOT BETWEEN 1 AND 1200 THEN
		RAISE EXCEPTION 'invalid value for argument "retention_months" of fenta.schedule_maintenance(): % is out of range', schedule_maintenance.retention_months
			USING ERRCODE = 'invalid_parameter_value',
				DETAIL = 'retention_months counts the complete months before the current one that stay attached, from 1 to 1200 (NULL keeps every month).';
	END IF;
	IF pg_catalog.to_regprocedure('cron.schedule(text, text, text)') IS NULL THEN
		RAISE EXCEPTION 'pg_cron is not installed in database %', pg_catalog.current_database()
			USING ERRCODE = 'object_not_in_prerequisite_state',
				HINT = 'CREATE EXTENSION pg_cron in the database named by cron.database_name (on Supabase: enable pg_cron in the dashboard), or put fenta in shared_preload_libraries and set fenta.maintenance_database for the background worker.';
	END IF;
	command := pg_catalog.format('SELECT * FROM fenta.maintain_partitions(months_ahead => %s%s)',
		schedule_maintenance.months_ahead,
		CASE WHEN schedule_maintenance.retention_months IS NOT NULL
			THEN pg_catalog.format(', retention_months => %s', schedule_maintenance.retention_months) ELSE '' END);
	EXECUTE 'SELECT cron.schedule($1, $2, $3)'
		INTO job
		USING fenta.maintenance_job_name(), schedule_maintenance.schedule, command;
	RETURN job;
END
$$;
COMMENT ON FUNCTION fenta.schedule_maintenance(text, integer, integer) IS
'Admin: schedules fenta.maintain_partitions(months_ahead, retention_months) with pg_cron under the job name fenta-maintain-partitions (every 10 minutes by default; schedule in cron syntax) and returns the job id. Idempotent: calling it again updates the same job. Needs pg_cron in this database (55000 otherwise).';
REVOKE ALL ON FUNCTION fenta.schedule_maintenance(text, integer, integer) FROM PUBLIC, anon, authenticated;

-- Removes fenta's pg_cron job; false when there was none.
CREATE FUNCTION fenta.unschedule_maintenance()
RETURNS boolean
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	found_job boolean;
BEGIN
	IF pg_catalog.to_regclass('cron.job') IS NULL THEN
		RETURN false;
	END IF;
	EXECUTE 'SELECT EXISTS (SELECT FROM cron.job WHERE jobname = $1 AND username = CURRENT_USER)'
		INTO found_job USING fenta.maintenance_job_name();
	IF found_job THEN
		EXECUTE 'SELECT cron.unschedule($1)' USING fenta.maintenance_job_name();
	END IF;
	RETURN found_job;
END
$$;
COMMENT ON FUNCTION fenta.unschedule_maintenance() IS
'Admin: removes the pg_cron job fenta-maintain-partitions created by fenta.schedule_maintenance(); returns false when there was none.';
REVOKE ALL ON FUNCTION fenta.unschedule_maintenance() FROM PUBLIC, anon, authenticated;
-- Maintenance that never stalls writers (0.4.0): CALL fenta.run_maintenance()
-- does every step in a short transaction of its own (each month created,
-- archived, detached or dropped; the rollup; the quota resets in batches
-- that skip held orgs; the refresh), every lock under
-- fenta.maintenance_lock_timeout.  fenta.maintain_partitions() stays for
-- compatibility (one transaction; see doc/maintenance.md).

-- The C steps of the procedure.
CREATE FUNCTION fenta.maintenance_plan(
	months_ahead integer,
	retention_months integer,
	drop_detached boolean,
	as_of timestamptz)
RETURNS TABLE (step text, month text)
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = ''
AS 'MODULE_PATHNAME', 'fenta_maintenance_plan';
COMMENT ON FUNCTION fenta.maintenance_plan(integer, integer, boolean, timestamptz) IS
'Internal (fenta.run_maintenance): the partition steps of a run, in order: create (a month of the window of as_of and months_ahead, or with rows in usage_records_default), archive_rows (late rows of a month retired by retention), detach, detach_drop, drop_archived. NULL months_ahead and retention_months take fenta.maintenance_months_ahead and fenta.maintenance_retention_months (retention 0: keep every month); NULL as_of is now(), and as_of must be within 3 months of now(). Bad arguments: 22023.';
REVOKE ALL ON FUNCTION fenta.maintenance_plan(integer, integer, boolean, timestamptz) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.maintenance_plan(integer, integer, boolean, timestamptz) TO service_role;

CREATE FUNCTION fenta.maintenance_step(step text, month text, OUT done boolean, OUT rows_moved bigint)
RETURNS record
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = ''
AS 'MODULE_PATHNAME', 'fenta_maintenance_step';
COMMENT ON FUNCTION fenta.maintenance_step(text, text) IS
'Internal (fenta.run_maintenance): does one step of fenta.maintenance_plan() for month YYYY_MM in a subtransaction, every lock under fenta.maintenance_lock_timeout; done is false when it was deferred (a lock not had in time, or another run at work) and is retried on the next run. Archive, detach and drop steps refuse the current and previous month of now(). Needs READ COMMITTED.';
REVOKE ALL ON FUNCTION fenta.maintenance_step(text, text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.maintenance_step(text, text) TO service_role;

CREATE FUNCTION fenta.maintenance_session_lock(acquire boolean)
RETURNS boolean
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = ''
AS 'MODULE_PATHNAME', 'fenta_maintenance_session_lock';
COMMENT ON FUNCTION fenta.maintenance_session_lock(boolean) IS
'Internal (fenta.run_maintenance): takes (true) or releases (false) the session-level advisory lock of maintenance runs, which fenta.maintain_partitions() also takes; false when another session holds it. Taking it refuses to run inside a transaction block (25001) and first releases what a failed earlier run of the session left.';
REVOKE ALL ON FUNCTION fenta.maintenance_session_lock(boolean) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.maintenance_session_lock(boolean) TO service_role;

-- One org's reset and one org's expired reservations, shared by
-- fenta.apply_quota_resets() (which waits for the org's running usage
-- transactions) and fenta.apply_quota_resets_batch() (which skips them).
-- The caller holds the org row FOR UPDATE and the quota row FOR NO KEY
-- UPDATE; run as the owner from those SECURITY DEFINER functions only.
CREATE FUNCTION fenta.reset_org_quota(org uuid, reset_at timestamptz, storage_bytes_used bigint)
RETURNS void
LANGUAGE plpgsql
SET search_path = '' SET TimeZone = 'UTC'
AS $$
DECLARE
	s numeric;
	next_reset timestamptz;
	k integer := 1;
BEGIN
	-- storage is a balance, not a flow: it is kept (rolled up)
	WITH moved AS (DELETE FROM fenta.quota_counters c WHERE c.org_id = reset_org_quota.org RETURNING c.storage_bytes)
	SELECT coalesce(sum(m.storage_bytes), 0) INTO s FROM moved m;
	s := reset_org_quota.storage_bytes_used + s;
	IF s < 0 THEN
		INSERT INTO fenta.quota_counters (org_id, slot, storage_bytes) VALUES (reset_org_quota.org, -1, s);
		s := 0;
	END IF;
	-- whole months on from the old reset_at, until in the future
	LOOP
		next_reset := reset_org_quota.reset_at + pg_catalog.make_interval(months => k);
		EXIT WHEN next_reset > pg_catalog.now();
		k := k + 1;
	END LOOP;
	UPDATE public.quota_limits l
	SET tokens_used = 0, render_seconds_used = 0, kai_credits_used = 0, kai_credits_from_packs = 0,
		storage_bytes_used = s, reset_at = next_reset
	WHERE l.org_id = reset_org_quota.org;
END
$$;
COMMENT ON FUNCTION fenta.reset_org_quota(uuid, timestamptz, bigint) IS
'Internal (fenta.apply_quota_resets, fenta.apply_quota_resets_batch): restarts the counters of one org whose org and quota rows the caller has locked (storage kept as a balance) and moves reset_at on by whole months until it is in the future.';
REVOKE ALL ON FUNCTION fenta.reset_org_quota(uuid, timestamptz, bigint) FROM PUBLIC, anon, authenticated, service_role;

CREATE FUNCTION fenta.release_expired_reservations(org uuid)
RETURNS void
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	rt numeric;
	rk numeric;
	rr numeric;
BEGIN
	WITH gone AS (DELETE FROM fenta.quota_reservations r
				  WHERE r.org_id = release_expired_reservations.org AND r.expires_at <= pg_catalog.now()
				  RETURNING r.tokens, r.kai_credits, r.render_seconds)
	SELECT coalesce(sum(g.tokens), 0), coalesce(sum(g.kai_credits), 0), coalesce(sum(g.render_seconds), 0)
	INTO rt, rk, rr FROM gone g;
	UPDATE public.quota_limits l
	SET reserved_tokens = l.reserved_tokens - rt, reserved_kai_credits = l.reserved_kai_credits - rk,
		reserved_render_seconds = l.reserved_render_seconds - rr
	WHERE l.org_id = release_expired_reservations.org;
END
$$;
COMMENT ON FUNCTION fenta.release_expired_reservations(uuid) IS
'Internal (fenta.apply_quota_resets, fenta.apply_quota_resets_batch): releases the expired reservations of one org whose quota row the caller has locked.';
REVOKE ALL ON FUNCTION fenta.release_expired_reservations(uuid) FROM PUBLIC, anon, authenticated, service_role;

-- 0.2.0's fenta.apply_quota_resets(), through the shared steps (it waits)
CREATE OR REPLACE FUNCTION fenta.apply_quota_resets()
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = '' SET TimeZone = 'UTC'
AS $$
DECLARE
	o uuid;
	q record;
	n integer := 0;
BEGIN
	IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'fenta.apply_quota_resets() must run at isolation level READ COMMITTED'
			USING ERRCODE = 'invalid_transaction_state',
				DETAIL = 'A reset must see every usage transaction that committed before it.';
	END IF;
	FOR o IN SELECT l.org_id FROM public.quota_limits l WHERE l.reset_at <= pg_catalog.now() ORDER BY 1 LOOP
		-- Waits for the org's running usage transactions (their foreign key
		-- checks hold a key share lock on the org) and holds new ones back
		-- until this transaction ends: a period covers exactly the usage
		-- committed before its reset.
		PERFORM FROM public.orgs g WHERE g.id = o FOR UPDATE;
		SELECT l.reset_at, l.storage_bytes_used INTO q
		FROM public.quota_limits l WHERE l.org_id = o AND l.reset_at <= pg_catalog.now()
		FOR NO KEY UPDATE;
		CONTINUE WHEN NOT FOUND;	-- reset meanwhile by another session
		PERFORM fenta.reset_org_quota(o, q.reset_at, q.storage_bytes_used);
		n := n + 1;
	END LOOP;
	-- expired reservations
	FOR o IN SELECT DISTINCT r.org_id FROM fenta.quota_reservations r WHERE r.expires_at <= pg_catalog.now() ORDER BY 1 LOOP
		PERFORM FROM public.quota_limits l WHERE l.org_id = o FOR NO KEY UPDATE;
		PERFORM fenta.release_expired_reservations(o);
	END LOOP;
	RETURN n;
END
$$;

--
-- Quota resets in batches that never wait: an org that a running
-- transaction holds (a usage writer holds a key share lock on it) is
-- skipped and reset by a later batch or run, so a reset period still covers
-- exactly the usage committed before the reset, and no writer waits behind
-- the reset of another org.
--
CREATE FUNCTION fenta.apply_quota_resets_batch(
	max_orgs integer DEFAULT 100,
	OUT orgs_reset integer,
	OUT reservations_released integer,
	OUT orgs_due integer,
	OUT progress boolean,
	OUT done boolean)
RETURNS record
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = '' SET TimeZone = 'UTC'
AS $$
DECLARE
	o uuid;
	q record;
BEGIN
	IF max_orgs IS NULL OR max_orgs NOT BETWEEN 1 AND 100000 THEN
		RAISE EXCEPTION 'invalid value for argument "max_orgs" of fenta.apply_quota_resets_batch(): % is out of range', coalesce(max_orgs::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value', DETAIL = 'max_orgs is from 1 to 100000.';
	END IF;
	IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'fenta.apply_quota_resets_batch() must run at isolation level READ COMMITTED'
			USING ERRCODE = 'invalid_transaction_state',
				DETAIL = 'A reset must see every usage transaction that committed before it.';
	END IF;
	orgs_reset := 0;
	reservations_released := 0;
	-- the org locked FOR UPDATE, or skipped: its running usage transactions
	-- (key share locks) would otherwise be waited for
	FOR o IN SELECT g.id FROM public.quota_limits l JOIN public.orgs g ON g.id = l.org_id
			 WHERE l.reset_at <= pg_catalog.now()
			 ORDER BY l.org_id LIMIT max_orgs
			 FOR UPDATE OF g SKIP LOCKED LOOP
		SELECT l.reset_at, l.storage_bytes_used INTO q
		FROM public.quota_limits l WHERE l.org_id = o AND l.reset_at <= pg_catalog.now()
		FOR NO KEY UPDATE SKIP LOCKED;
		CONTINUE WHEN NOT FOUND;	-- reset meanwhile, or held
		PERFORM fenta.reset_org_quota(o, q.reset_at, q.storage_bytes_used);
		orgs_reset := orgs_reset + 1;
	END LOOP;
	-- expired reservations, skipping quota rows held
	FOR o IN SELECT l.org_id FROM public.quota_limits l
			 WHERE EXISTS (SELECT FROM fenta.quota_reservations r
						   WHERE r.org_id = l.org_id AND r.expires_at <= pg_catalog.now())
			 ORDER BY l.org_id LIMIT max_orgs
			 FOR NO KEY UPDATE OF l SKIP LOCKED LOOP
		PERFORM fenta.release_expired_reservations(o);
		reservations_released := reservations_released + 1;
	END LOOP;
	SELECT count(*) INTO orgs_due FROM public.quota_limits l WHERE l.reset_at <= pg_catalog.now();
	progress := orgs_reset > 0 OR reservations_released > 0;
	done := orgs_due = 0 AND NOT EXISTS (SELECT FROM fenta.quota_reservations r WHERE r.expires_at <= pg_catalog.now());
END
$$;
COMMENT ON FUNCTION fenta.apply_quota_resets_batch(integer) IS
'Maintenance: resets up to max_orgs due orgs (as fenta.apply_quota_resets() does) and releases the expired reservations of up to max_orgs orgs, never waiting: orgs that running transactions hold are skipped (a period still covers exactly the usage committed before its reset) and are left for the next batch. Returns the counts, the orgs still due, progress (something was done) and done (nothing left). Used by fenta.run_maintenance() (one batch per transaction) and fenta.maintain_partitions(). Needs READ COMMITTED.';
REVOKE ALL ON FUNCTION fenta.apply_quota_resets_batch(integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.apply_quota_resets_batch(integer) TO service_role;

--
-- The procedure.  It commits between steps, so it cannot be SECURITY
-- DEFINER nor have a SET clause: it runs with the caller's rights and
-- search_path, and its body therefore calls nothing but schema-qualified
-- functions and uses no operator (OPERATOR(pg_catalog.+) where it counts).
--
CREATE PROCEDURE fenta.run_maintenance(
	months_ahead integer DEFAULT NULL,
	retention_months integer DEFAULT NULL,
	drop_detached boolean DEFAULT false,
	refresh_usage boolean DEFAULT true,
	as_of timestamptz DEFAULT NULL,
	reset_batch_size integer DEFAULT 100)
LANGUAGE plpgsql
AS $$
DECLARE
	s record;
	r record;
	b record;
	created integer := 0;
	deferred integer := 0;
	moved bigint := 0;
	rolled integer := 0;
	reset integer := 0;
	attempt integer;
BEGIN
	IF NOT fenta.maintenance_session_lock(true) THEN
		RETURN;
	END IF;
	COMMIT;
	-- the partition steps, one transaction each (the plan checks the arguments)
	FOR s IN SELECT p.step, p.month
			 FROM fenta.maintenance_plan(run_maintenance.months_ahead, run_maintenance.retention_months,
										 run_maintenance.drop_detached, run_maintenance.as_of) p LOOP
		SELECT x.done, x.rows_moved INTO r FROM fenta.maintenance_step(s.step, s.month) x;
		COMMIT;
		IF r.done THEN
			IF pg_catalog.texteq(s.step, 'create') THEN
				created := created OPERATOR(pg_catalog.+) 1;
			END IF;
			moved := moved OPERATOR(pg_catalog.+) r.rows_moved;
		ELSE
			deferred := deferred OPERATOR(pg_catalog.+) 1;
		END IF;
	END LOOP;
	-- the rollup (skips rows held by running transactions)
	IF pg_catalog.to_regprocedure('fenta.rollup_quota_counters()') IS NOT NULL THEN
		SELECT fenta.rollup_quota_counters() INTO rolled;
		COMMIT;
	END IF;
	-- the resets, reset_batch_size orgs per transaction, never waiting; orgs
	-- held by running transactions are tried again a few times, then left
	-- for the next run
	IF pg_catalog.to_regprocedure('fenta.apply_quota_resets_batch(integer)') IS NOT NULL THEN
		FOR attempt IN 1..5 LOOP
			LOOP
				SELECT x.orgs_reset, x.orgs_due, x.progress, x.done INTO b
				FROM fenta.apply_quota_resets_batch(run_maintenance.reset_batch_size) x;
				COMMIT;
				reset := reset OPERATOR(pg_catalog.+) b.orgs_reset;
				EXIT WHEN NOT b.progress;
			END LOOP;
			EXIT WHEN b.done;
			PERFORM pg_catalog.pg_sleep(0.2);
			COMMIT;
		END LOOP;
		IF NOT b.done THEN
			RAISE NOTICE 'fenta.run_maintenance(): % org(s) due for a quota reset are held by running transactions; they are reset on the next run', b.orgs_due;
		END IF;
	END IF;
	IF run_maintenance.refresh_usage THEN
		PERFORM fenta.refresh_daily_usage(true);
		COMMIT;
	END IF;
	PERFORM fenta.maintenance_session_lock(false);
	RAISE LOG 'fenta.run_maintenance(): % month(s) created, % row(s) moved, % step(s) deferred, % org(s) rolled up, % org(s) reset',
		created, moved, deferred, rolled, reset;
END
$$;
COMMENT ON PROCEDURE fenta.run_maintenance(integer, integer, boolean, boolean, timestamptz, integer) IS
'Maintenance (service_role, pg_cron, the background worker): CALL fenta.run_maintenance() outside a transaction block. Does what fenta.maintain_partitions() does, every step in a short transaction of its own: creates the monthly partitions of the month of as_of (default now(), within 3 months of it) and the next months_ahead months (default fenta.maintenance_months_ahead) and of months with rows in usage_records_default; moves late rows of months retired by retention into fenta_archive; with retention_months (default fenta.maintenance_retention_months; 0 keeps every month) detaches older months into fenta_archive (drops them with drop_detached); never touches the current or previous month of now(). Then rolls the quota counters up, resets due orgs reset_batch_size per transaction skipping orgs held by running transactions (retried, else left for the next run), and refreshes fenta.mv_daily_usage unless refresh_usage is false. Every lock waits at most fenta.maintenance_lock_timeout; a step that could not lock in time is deferred to the next run (WARNING). A second concurrent run returns at once (NOTICE). Inside a transaction block: 25001. Bad arguments: 22023.';
REVOKE ALL ON PROCEDURE fenta.run_maintenance(integer, integer, boolean, boolean, timestamptz, integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON PROCEDURE fenta.run_maintenance(integer, integer, boolean, boolean, timestamptz, integer) TO service_role;

COMMENT ON FUNCTION fenta.maintain_partitions(integer, integer, boolean, boolean, timestamptz) IS
'Maintenance in one transaction (kept for compatibility; CALL fenta.run_maintenance() is the way, it commits between steps): creates the monthly partitions public.usage_records_YYYY_MM (UTC) of the month of as_of (within 3 months of now()) and the next months_ahead (0..120) months, and of every month with rows in usage_records_default, moving those rows in; late rows of a month retired by retention go to fenta_archive instead; each partition gets RLS, no privileges for anon and authenticated, SELECT only for service_role. With retention_months (1..1200), attached months before the last retention_months complete months are detached into schema fenta_archive (dropped instead, and archived ones too, only with drop_detached); the current and previous month of now() are never detached. When no partition was changed, then rolls the quota counters up, refreshes fenta.mv_daily_usage (unless refresh_usage is false) and resets due orgs, skipping orgs held by running transactions; when partitions were changed (their locks last until the transaction ends) these are left to the next run (NULL/false). Strong locks wait at most fenta.maintenance_lock_timeout; a month that could not be locked is counted in months_deferred and retried on the next run. A second concurrent run returns at once with skipped = true. Needs READ COMMITTED (25000). Bad arguments: 22023.';

-- pg_cron schedules the procedure.
CREATE OR REPLACE FUNCTION fenta.schedule_maintenance(
	schedule text DEFAULT '*/10 * * * *',
	months_ahead integer DEFAULT 3,
	retention_months integer DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	command text;
	job bigint;
BEGIN
	IF schedule_maintenance.schedule IS NULL THEN
		RAISE EXCEPTION 'invalid value for argument "schedule" of fenta.schedule_maintenance(): must not be NULL'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF schedule_maintenance.months_ahead IS NULL
		OR schedule_maintenance.months_ahead NOT BETWEEN 0 AND 120 THEN
		RAISE EXCEPTION 'invalid value for argument "months_ahead" of fenta.schedule_maintenance(): % is out of range', coalesce(schedule_maintenance.months_ahead::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				DETAIL = 'months_ahead counts the months after the current one to create, from 0 to 120.';
	END IF;
	IF schedule_maintenance.retention_months NOT BETWEEN 1 AND 1200 THEN
		RAISE EXCEPTION 'invalid value for argument "retention_months" of fenta.schedule_maintenance(): % is out of range', schedule_maintenance.retention_months
			USING ERRCODE = 'invalid_parameter_value',
				DETAIL = 'retention_months counts the complete months before the current one that stay attached, from 1 to 1200 (NULL keeps every month).';
	END IF;
	IF pg_catalog.to_regprocedure('cron.schedule(text, text, text)') IS NULL THEN
		RAISE EXCEPTION 'pg_cron is not installed in database %', pg_catalog.current_database()
			USING ERRCODE = 'object_not_in_prerequisite_state',
				HINT = 'CREATE EXTENSION pg_cron in the database named by cron.database_name (on Supabase: enable pg_cron in the dashboard), or put fenta in shared_preload_libraries and set fenta.maintenance_database for the background worker.';
	END IF;
	command := pg_catalog.format('CALL fenta.run_maintenance(months_ahead => %s, retention_months => %s)',
		schedule_maintenance.months_ahead, coalesce(schedule_maintenance.retention_months, 0));
	EXECUTE 'SELECT cron.schedule($1, $2, $3)'
		INTO job
		USING fenta.maintenance_job_name(), schedule_maintenance.schedule, command;
	RETURN job;
END
$$;
COMMENT ON FUNCTION fenta.schedule_maintenance(text, integer, integer) IS
'Admin: schedules CALL fenta.run_maintenance(months_ahead, retention_months) with pg_cron under the job name fenta-maintain-partitions (every 10 minutes by default; schedule in cron syntax; NULL retention_months keeps every month) and returns the job id. Idempotent: calling it again updates the same job. Needs pg_cron in this database (55000 otherwise).';
--
-- 0.4.0: the monthly partitions hold exactly their documented privileges,
-- however they were created.
--
-- fenta.maintain_partitions() gives each partition RLS, no privileges for
-- PUBLIC, anon and authenticated, and SELECT only for service_role.  A
-- restore creates the partitions with pg_dump's CREATE TABLE, which applies
-- the target's default privileges (on Supabase: ALL in public to anon,
-- authenticated and service_role), and pg_dump's GRANTs only add what the
-- source had: anon could INSERT, DELETE and TRUNCATE usage_records_YYYY_MM.
-- This event trigger runs at the end of every CREATE TABLE, ALTER TABLE
-- (ATTACH PARTITION, DETACH PARTITION, ...) and GRANT that involves
-- usage_records or a month of it, and resets every month (the partitions of
-- public.usage_records and the tables usage_records_YYYY_MM of
-- fenta_archive) whose RLS or privileges for those four roles differ.
-- Privileges granted to other roles are left alone.  It is enabled ALWAYS,
-- so that it also fires during a restore under session_replication_role =
-- replica.
--
CREATE FUNCTION fenta.usage_months_misprivileged()
RETURNS SETOF regclass
LANGUAGE sql STABLE
SET search_path = ''
AS $$
	SELECT c.oid::pg_catalog.regclass
	FROM pg_catalog.pg_class c
	WHERE c.relkind OPERATOR(pg_catalog.=) 'r'
		AND (c.oid IN (SELECT i.inhrelid FROM pg_catalog.pg_inherits i
					   WHERE i.inhparent OPERATOR(pg_catalog.=) 'public.usage_records'::pg_catalog.regclass)
			 OR (c.relnamespace OPERATOR(pg_catalog.=) 'fenta_archive'::pg_catalog.regnamespace
				 AND c.relname OPERATOR(pg_catalog.~) '^usage_records_[0-9]{4}_[0-9]{2}$'))
		AND c.oid OPERATOR(pg_catalog.<>) 'public.usage_records_default'::pg_catalog.regclass
		AND (NOT c.relrowsecurity
			 OR EXISTS (SELECT FROM pg_catalog.aclexplode(c.relacl) a
						WHERE (a.grantee OPERATOR(pg_catalog.=) 0
							   OR a.grantee IN (SELECT r.oid FROM pg_catalog.pg_roles r
												WHERE r.rolname IN ('anon', 'authenticated', 'service_role')))
							AND NOT (a.grantee OPERATOR(pg_catalog.=) (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) 'service_role')
									 AND a.privilege_type OPERATOR(pg_catalog.=) 'SELECT' AND NOT a.is_grantable))
			 OR NOT EXISTS (SELECT FROM pg_catalog.aclexplode(c.relacl) a
							WHERE a.grantee OPERATOR(pg_catalog.=) (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) 'service_role')
								AND a.privilege_type OPERATOR(pg_catalog.=) 'SELECT'))
	ORDER BY 1
$$;
COMMENT ON FUNCTION fenta.usage_months_misprivileged() IS
'The months of usage_records (partitions of public.usage_records, tables usage_records_YYYY_MM of fenta_archive; not the default partition) whose RLS is off or whose privileges for PUBLIC, anon, authenticated and service_role are not exactly: none, none, none, SELECT. Empty when all are as documented.';
REVOKE ALL ON FUNCTION fenta.usage_months_misprivileged() FROM PUBLIC, anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION fenta.usage_months_misprivileged() TO service_role;

CREATE FUNCTION fenta.secure_usage_months()
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	t pg_catalog.regclass;
	n integer := 0;
BEGIN
	-- the statements below fire the event trigger again: it returns at once
	-- while this runs (a transaction-local setting, outside the reserved
	-- fenta. prefix)
	PERFORM pg_catalog.set_config('fenta_internal.securing_usage_months', 'on', true);
	FOR t IN SELECT m FROM fenta.usage_months_misprivileged() m LOOP
		IF NOT (SELECT c.relrowsecurity FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) t) THEN
			EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
		END IF;
		EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC, anon, authenticated, service_role', t);
		EXECUTE pg_catalog.format('GRANT SELECT ON %s TO service_role', t);
		n := n OPERATOR(pg_catalog.+) 1;
	END LOOP;
	PERFORM pg_catalog.set_config('fenta_internal.securing_usage_months', '', true);
	RETURN n;
END
$$;
COMMENT ON FUNCTION fenta.secure_usage_months() IS
'Gives every month of usage_records listed by fenta.usage_months_misprivileged() its documented RLS and privileges (RLS on; nothing for PUBLIC, anon, authenticated; SELECT for service_role; other roles untouched). Returns the number of tables fixed. Run by the event trigger fenta_secure_usage_months; callable by hand.';
REVOKE ALL ON FUNCTION fenta.secure_usage_months() FROM PUBLIC, anon, authenticated, service_role;

CREATE FUNCTION fenta.secure_usage_months_trigger()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF pg_catalog.current_setting('fenta_internal.securing_usage_months', true) OPERATOR(pg_catalog.=) 'on' THEN
		RETURN;
	END IF;
	-- GRANT and REVOKE do not name their objects here: always look
	IF (TG_TAG IN ('GRANT', 'REVOKE')
		OR EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() d
				   WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
					   AND d.schema_name IN ('public', 'fenta_archive')
					   AND d.object_identity LIKE '%usage\_records%'))
	   AND EXISTS (SELECT FROM fenta.usage_months_misprivileged()) THEN
		PERFORM fenta.secure_usage_months();
	END IF;
END
$$;
COMMENT ON FUNCTION fenta.secure_usage_months_trigger() IS
'ddl_command_end event trigger function: after a CREATE TABLE, ALTER TABLE or GRANT/REVOKE on usage_records or one of its months, gives every month its documented privileges (fenta.secure_usage_months()).';
REVOKE ALL ON FUNCTION fenta.secure_usage_months_trigger() FROM PUBLIC, anon, authenticated, service_role;
CREATE EVENT TRIGGER fenta_secure_usage_months ON ddl_command_end
	WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE', 'GRANT', 'REVOKE')
	EXECUTE FUNCTION fenta.secure_usage_months_trigger();
ALTER EVENT TRIGGER fenta_secure_usage_months ENABLE ALWAYS;
COMMENT ON EVENT TRIGGER fenta_secure_usage_months IS
'Keeps the months of usage_records at their documented privileges and RLS, also when a restore (pg_dump) creates them with the database''s default privileges.';
-- ===========================================================================
-- Idempotency keys are kept for a window, then pruned (0.5.0).
--
-- fenta.usage_idempotency holds one row per org and key and grew forever.
-- A key is now kept for fenta.usage_idempotency_retention.keep_for (30 days
-- when the table has no row; never less than a day) after it was first seen;
-- each maintenance run deletes older keys in small batches, one short
-- transaction each.  Within the window a retry counts once; after it, a
-- retry with the same key counts again.  See doc/operations.md.
-- ===========================================================================

CREATE TABLE fenta.usage_idempotency_retention (
	singleton boolean NOT NULL DEFAULT true
		CONSTRAINT usage_idempotency_retention_singleton CHECK (singleton),
	keep_for interval NOT NULL DEFAULT interval '30 days'
		CONSTRAINT usage_idempotency_retention_keep_for_at_least_a_day CHECK (keep_for >= interval '1 day'),
	batch_size integer NOT NULL DEFAULT 1000
		CONSTRAINT usage_idempotency_retention_batch_size_range CHECK (batch_size BETWEEN 1 AND 100000),
	CONSTRAINT usage_idempotency_retention_pkey PRIMARY KEY (singleton)
);
COMMENT ON TABLE fenta.usage_idempotency_retention IS 'How long idempotency keys of usage events are kept (at most one row; no row: 30 days, batches of 1000). Set it with INSERT ... ON CONFLICT (singleton) DO UPDATE.';
COMMENT ON COLUMN fenta.usage_idempotency_retention.singleton IS 'Always true: the table has at most one row.';
COMMENT ON COLUMN fenta.usage_idempotency_retention.keep_for IS 'How long a key is kept after it was first seen (at least 1 day; default 30 days): a retry within it counts once, after it counts again.';
COMMENT ON COLUMN fenta.usage_idempotency_retention.batch_size IS 'Keys deleted per transaction by maintenance (1 to 100000; default 1000).';
-- not exposed; RLS on all the same, with no policy (service_role bypasses it)
ALTER TABLE fenta.usage_idempotency_retention ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON fenta.usage_idempotency_retention FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON fenta.usage_idempotency_retention TO service_role;
SELECT pg_catalog.pg_extension_config_dump('fenta.usage_idempotency_retention', '');

CREATE FUNCTION fenta.prune_usage_idempotency(
	max_rows integer DEFAULT NULL,
	OUT pruned bigint,
	OUT done boolean)
RETURNS record
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	keep interval;
	batch integer;
	cutoff timestamptz;
BEGIN
	IF prune_usage_idempotency.max_rows NOT BETWEEN 1 AND 100000 THEN
		RAISE EXCEPTION 'invalid value for argument "max_rows" of fenta.prune_usage_idempotency(): % is out of range', prune_usage_idempotency.max_rows
			USING ERRCODE = 'invalid_parameter_value', DETAIL = 'max_rows is from 1 to 100000 (NULL: fenta.usage_idempotency_retention.batch_size).';
	END IF;
	SELECT s.keep_for, s.batch_size INTO keep, batch FROM fenta.usage_idempotency_retention s;
	keep := coalesce(keep, interval '30 days');
	batch := coalesce(prune_usage_idempotency.max_rows, batch, 1000);
	cutoff := pg_catalog.now() - keep;
	-- the oldest keys first, through the created_at index; keys locked by
	-- someone else are skipped, never waited for
	WITH gone AS (
		DELETE FROM fenta.usage_idempotency i
		WHERE i.ctid = ANY (ARRAY(
				SELECT j.ctid FROM fenta.usage_idempotency j
				WHERE j.created_at < cutoff
				ORDER BY j.created_at
				LIMIT batch
				FOR UPDATE SKIP LOCKED))
			AND i.created_at < cutoff
		RETURNING 1
	)
	SELECT pg_catalog.count(*) INTO pruned FROM gone;
	done := pruned < batch;
END
$$;
COMMENT ON FUNCTION fenta.prune_usage_idempotency(integer) IS
'Maintenance (service_role; each fenta.run_maintenance() calls it until done): deletes up to max_rows (default fenta.usage_idempotency_retention.batch_size, 1000) idempotency keys first seen longer ago than fenta.usage_idempotency_retention.keep_for (default 30 days), oldest first, skipping locked ones. Returns how many went and done (fewer than a batch were due). A retry with a pruned key counts again. Bad max_rows: 22023.';
REVOKE ALL ON FUNCTION fenta.prune_usage_idempotency(integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.prune_usage_idempotency(integer) TO service_role;

--
-- The procedure, as in 56_maintenance.sql, plus the pruning.
--
CREATE OR REPLACE PROCEDURE fenta.run_maintenance(
	months_ahead integer DEFAULT NULL,
	retention_months integer DEFAULT NULL,
	drop_detached boolean DEFAULT false,
	refresh_usage boolean DEFAULT true,
	as_of timestamptz DEFAULT NULL,
	reset_batch_size integer DEFAULT 100)
LANGUAGE plpgsql
AS $$
DECLARE
	s record;
	r record;
	b record;
	created integer := 0;
	deferred integer := 0;
	moved bigint := 0;
	rolled integer := 0;
	reset integer := 0;
	attempt integer;
	pr record;
	pruned bigint := 0;
BEGIN
	IF NOT fenta.maintenance_session_lock(true) THEN
		RETURN;
	END IF;
	COMMIT;
	-- the partition steps, one transaction each (the plan checks the arguments)
	FOR s IN SELECT p.step, p.month
			 FROM fenta.maintenance_plan(run_maintenance.months_ahead, run_maintenance.retention_months,
										 run_maintenance.drop_detached, run_maintenance.as_of) p LOOP
		SELECT x.done, x.rows_moved INTO r FROM fenta.maintenance_step(s.step, s.month) x;
		COMMIT;
		IF r.done THEN
			IF pg_catalog.texteq(s.step, 'create') THEN
				created := created OPERATOR(pg_catalog.+) 1;
			END IF;
			moved := moved OPERATOR(pg_catalog.+) r.rows_moved;
		ELSE
			deferred := deferred OPERATOR(pg_catalog.+) 1;
		END IF;
	END LOOP;
	-- the rollup (skips rows held by running transactions)
	IF pg_catalog.to_regprocedure('fenta.rollup_quota_counters()') IS NOT NULL THEN
		SELECT fenta.rollup_quota_counters() INTO rolled;
		COMMIT;
	END IF;
	-- the resets, reset_batch_size orgs per transaction, never waiting; orgs
	-- held by running transactions are tried again a few times, then left
	-- for the next run
	IF pg_catalog.to_regprocedure('fenta.apply_quota_resets_batch(integer)') IS NOT NULL THEN
		FOR attempt IN 1..5 LOOP
			LOOP
				SELECT x.orgs_reset, x.orgs_due, x.progress, x.done INTO b
				FROM fenta.apply_quota_resets_batch(run_maintenance.reset_batch_size) x;
				COMMIT;
				reset := reset OPERATOR(pg_catalog.+) b.orgs_reset;
				EXIT WHEN NOT b.progress;
			END LOOP;
			EXIT WHEN b.done;
			PERFORM pg_catalog.pg_sleep(0.2);
			COMMIT;
		END LOOP;
		IF NOT b.done THEN
			RAISE NOTICE 'fenta.run_maintenance(): % org(s) due for a quota reset are held by running transactions; they are reset on the next run', b.orgs_due;
		END IF;
	END IF;
	IF run_maintenance.refresh_usage THEN
		PERFORM fenta.refresh_daily_usage(true);
		COMMIT;
	END IF;
	-- idempotency keys past their window, one small batch per transaction,
	-- at most 1000 batches per run (the rest waits for the next run)
	IF pg_catalog.to_regprocedure('fenta.prune_usage_idempotency(integer)') IS NOT NULL THEN
		FOR attempt IN 1..1000 LOOP
			SELECT x.pruned, x.done INTO pr FROM fenta.prune_usage_idempotency() x;
			COMMIT;
			pruned := pruned OPERATOR(pg_catalog.+) pr.pruned;
			EXIT WHEN pr.done;
		END LOOP;
	END IF;
	PERFORM fenta.maintenance_session_lock(false);
	RAISE LOG 'fenta.run_maintenance(): % month(s) created, % row(s) moved, % step(s) deferred, % org(s) rolled up, % org(s) reset, % idempotency key(s) pruned',
		created, moved, deferred, rolled, reset, pruned;
END
$$;
COMMENT ON PROCEDURE fenta.run_maintenance(integer, integer, boolean, boolean, timestamptz, integer) IS
'Maintenance (service_role, pg_cron, the background worker): CALL fenta.run_maintenance() outside a transaction block. Does what fenta.maintain_partitions() does, every step in a short transaction of its own: creates the monthly partitions of the month of as_of (default now(), within 3 months of it) and the next months_ahead months (default fenta.maintenance_months_ahead) and of months with rows in usage_records_default; moves late rows of months retired by retention into fenta_archive; with retention_months (default fenta.maintenance_retention_months; 0 keeps every month) detaches older months into fenta_archive (drops them with drop_detached); never touches the current or previous month of now(). Then rolls the quota counters up, resets due orgs reset_batch_size per transaction skipping orgs held by running transactions (retried, else left for the next run), brings public.usage_daily up to date (fenta.refresh_daily_usage(), the rows added since the last run) unless refresh_usage is false, and prunes the idempotency keys older than their window (fenta.prune_usage_idempotency(), one batch per transaction). Every lock waits at most fenta.maintenance_lock_timeout; a step that could not lock in time is deferred to the next run (WARNING). A second concurrent run returns at once (NOTICE). Inside a transaction block: 25001. Bad arguments: 22023.';
REVOKE ALL ON PROCEDURE fenta.run_maintenance(integer, integer, boolean, boolean, timestamptz, integer) FROM PUBLIC, anon, authenticated;
-- ===========================================================================
-- The tenancy model (0.5.0): who is a member of what, right now.
--
-- Access follows membership only, and only while both ends are live: the
-- user's profile is active (not suspended) and the org is not soft-deleted.
-- Every policy asks these helpers, once per statement, through an InitPlan:
--
--     org_id = ANY (ARRAY(SELECT fenta.org_ids('editor')))
--
-- which the planner turns into an index condition on org_id, so a member's
-- request reads their orgs' rows through an index whatever the table's size.
-- The lookups are plpgsql (plans cached per connection) and check each
-- membership's org by its primary key: a SQL function is planned again in
-- every statement, and with the generic estimate of a user's memberships
-- the planner joined them to a sequential scan of orgs (31 blocks at 2,000
-- orgs, growing with the orgs).
-- ===========================================================================

CREATE FUNCTION fenta.member_org_ids(min_role public.member_role DEFAULT 'viewer')
RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = ''
AS $$
BEGIN
	-- the org and profile tests are scalar subqueries: one index probe per
	-- membership, never a join over all orgs
	RETURN (SELECT coalesce(pg_catalog.array_agg(m.org_id ORDER BY m.org_id), '{}')
			FROM public.org_members m
			WHERE m.user_id OPERATOR(pg_catalog.=) (SELECT auth.uid())
				AND m.role OPERATOR(pg_catalog.>=) member_org_ids.min_role
				AND (SELECT o.deleted_at IS NULL FROM public.orgs o
					 WHERE o.id OPERATOR(pg_catalog.=) m.org_id)
				AND (SELECT p.status OPERATOR(pg_catalog.=) 'active' FROM public.profiles p
					 WHERE p.id OPERATOR(pg_catalog.=) (SELECT auth.uid())));
END
$$;
COMMENT ON FUNCTION fenta.member_org_ids(public.member_role) IS
'Ids of the live (not soft-deleted) orgs in which the requesting user (auth.uid()) has at least min_role, as an array; empty when the user is suspended or not signed in. Policies use its rows (fenta.org_ids()) as org_id = ANY (ARRAY(SELECT fenta.org_ids(''editor''))), computed once per statement.';
REVOKE ALL ON FUNCTION fenta.member_org_ids(public.member_role) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.member_org_ids(public.member_role) TO authenticated, service_role;

CREATE FUNCTION fenta.owned_deleted_org_ids()
RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER PARALLEL SAFE ROWS 1
SET search_path = ''
AS $$
BEGIN
	RETURN QUERY
		SELECT m.org_id
		FROM public.org_members m
		WHERE m.user_id OPERATOR(pg_catalog.=) (SELECT auth.uid())
			AND m.role OPERATOR(pg_catalog.=) 'owner'
			AND (SELECT o.deleted_at IS NOT NULL FROM public.orgs o
				 WHERE o.id OPERATOR(pg_catalog.=) m.org_id)
			AND (SELECT p.status OPERATOR(pg_catalog.=) 'active' FROM public.profiles p
				 WHERE p.id OPERATOR(pg_catalog.=) (SELECT auth.uid()));
END
$$;
COMMENT ON FUNCTION fenta.owned_deleted_org_ids() IS
'Ids of the soft-deleted orgs of which the requesting user is an owner: what an owner still sees of a deleted org, to restore it.';
REVOKE ALL ON FUNCTION fenta.owned_deleted_org_ids() FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.owned_deleted_org_ids() TO authenticated, service_role;

-- The helpers of 0.1.0-0.4.0 follow the same rule now.
CREATE OR REPLACE FUNCTION fenta.org_ids(min_role public.member_role DEFAULT 'viewer')
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE ROWS 10
SET search_path = ''
AS $$
	SELECT pg_catalog.unnest(fenta.member_org_ids(org_ids.min_role))
$$;
COMMENT ON FUNCTION fenta.org_ids(public.member_role) IS
'Ids of the live orgs in which the requesting user (auth.uid(), an active profile) has at least min_role, as a set (fenta.member_org_ids() as rows).';

CREATE OR REPLACE FUNCTION fenta.has_org_role(org_id uuid, min_role public.member_role DEFAULT 'viewer')
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT EXISTS (
		SELECT FROM public.org_members m
			JOIN public.orgs o ON o.id = m.org_id
			JOIN public.profiles p ON p.id = m.user_id
		WHERE m.org_id = has_org_role.org_id
			AND m.user_id = (SELECT auth.uid())
			AND m.role >= has_org_role.min_role
			AND o.deleted_at IS NULL
			AND p.status = 'active')
$$;
COMMENT ON FUNCTION fenta.has_org_role(uuid, public.member_role) IS
'True when the requesting user (auth.uid(), an active profile) is a member of the live org org_id with at least min_role.';

--
-- Per-tenant caps: what one user, member or org may hold at most.  The
-- defaults are below; a row of fenta.tenant_limits overrides one (service_
-- role: INSERT ... ON CONFLICT (name) DO UPDATE).  Read by the guards of
-- 71_membership.sql and 72_limits.sql.
--
CREATE TABLE fenta.tenant_limits (
	name text PRIMARY KEY CONSTRAINT tenant_limits_name_known CHECK (name IN (
		'max_orgs_per_user', 'max_free_orgs_per_user', 'max_api_keys_per_member',
		'max_pending_invitations_per_org', 'max_queued_jobs_per_org', 'max_schedules_per_org')),
	value integer NOT NULL CONSTRAINT tenant_limits_value_not_negative CHECK (value >= 0)
);
COMMENT ON TABLE fenta.tenant_limits IS 'Overrides of the per-tenant caps (see fenta.tenant_limit() for the names and defaults); empty by default; service_role may write it. Kept by pg_dump.';
COMMENT ON COLUMN fenta.tenant_limits.name IS 'Name of the cap (one of those fenta.tenant_limit() knows).';
COMMENT ON COLUMN fenta.tenant_limits.value IS 'The cap (>= 0), instead of the default.';
ALTER TABLE fenta.tenant_limits ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON fenta.tenant_limits FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON fenta.tenant_limits TO service_role;
SELECT pg_catalog.pg_extension_config_dump('fenta.tenant_limits', '');

CREATE FUNCTION fenta.tenant_limit(name text)
RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT coalesce(
		(SELECT l.value FROM fenta.tenant_limits l WHERE l.name = tenant_limit.name),
		CASE tenant_limit.name
			WHEN 'max_orgs_per_user' THEN 10
			WHEN 'max_free_orgs_per_user' THEN 1
			WHEN 'max_api_keys_per_member' THEN 20
			WHEN 'max_pending_invitations_per_org' THEN 50
			WHEN 'max_queued_jobs_per_org' THEN 500
			WHEN 'max_schedules_per_org' THEN 100
		END)
$$;
COMMENT ON FUNCTION fenta.tenant_limit(text) IS
'A per-tenant cap: the override in fenta.tenant_limits, else the default: max_orgs_per_user 10 (orgs a user may create, deleted ones included), max_free_orgs_per_user 1 (orgs of a user that get the free tier''s quota), max_api_keys_per_member 20 (unrevoked keys of a member in an org), max_pending_invitations_per_org 50, max_queued_jobs_per_org 500, max_schedules_per_org 100. NULL for an unknown name.';
REVOKE ALL ON FUNCTION fenta.tenant_limit(text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.tenant_limit(text) TO service_role;

CREATE FUNCTION fenta.is_active_user()
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT EXISTS (SELECT FROM public.profiles p
				   WHERE p.id = (SELECT auth.uid()) AND p.status = 'active')
$$;
COMMENT ON FUNCTION fenta.is_active_user() IS
'True when the requesting user (auth.uid()) has a profile that is not suspended.';
REVOKE ALL ON FUNCTION fenta.is_active_user() FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.is_active_user() TO authenticated, service_role;

--
-- The org's lifecycle.  Admins edit a live org; only an owner soft-deletes
-- it (deleted_at) and restores it; a soft-deleted org is frozen: the one
-- change it takes from an API user is its owner's restore.  Roles that
-- bypass RLS (the backend) pass.
--
CREATE FUNCTION fenta.orgs_lifecycle_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	is_owner boolean;
BEGIN
	IF fenta.bypasses_rls() THEN
		RETURN NEW;
	END IF;
	-- asked through the definer helpers: a deleted org's memberships are
	-- not visible to its members
	is_owner := CASE WHEN OLD.deleted_at IS NULL THEN fenta.has_org_role(OLD.id, 'owner')
				ELSE OLD.id IN (SELECT fenta.owned_deleted_org_ids()) END;
	IF OLD.deleted_at IS NOT NULL THEN
		IF NOT is_owner OR NEW.deleted_at IS NOT NULL
			OR (NEW.name, NEW.slug, NEW.billing_email, NEW.settings)
				IS DISTINCT FROM (OLD.name, OLD.slug, OLD.billing_email, OLD.settings) THEN
			RAISE EXCEPTION 'org % is deleted', OLD.slug
				USING ERRCODE = 'insufficient_privilege',
					DETAIL = 'A soft-deleted org is frozen; the only change it takes is its owner''s restore (deleted_at = NULL, nothing else).';
		END IF;
	ELSIF NEW.deleted_at IS NOT NULL AND NOT is_owner THEN
		RAISE EXCEPTION 'permission denied to delete org %', OLD.slug
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Only an owner of the org may delete it.';
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.orgs_lifecycle_guard() IS
'BEFORE UPDATE trigger of orgs: only an owner sets or clears deleted_at; a soft-deleted org takes no other change from an API user (42501). Roles that bypass RLS pass.';
CREATE TRIGGER orgs_lifecycle_guard BEFORE UPDATE ON public.orgs
	FOR EACH ROW EXECUTE FUNCTION fenta.orgs_lifecycle_guard();
-- ===========================================================================
-- templates.org_deleted_at: a copy of orgs.deleted_at on each template, so
-- that the public gallery (anon and signed-in users alike) hides the public
-- templates of a soft-deleted org with a test on the row itself: no lookup
-- of the org per row, and an index that holds exactly the gallery.  It is
-- kept the way quota_limits.org_deleted_at is (46/47_quota_org_deleted*):
-- derived from orgs, reading the org row FOR SHARE, whenever a template is
-- inserted or the column written, and rewritten when an org's deleted_at
-- changes (what an org's delete or restore costs is its templates).
-- (Added with ALTER TABLE in the fresh install too, so that installed and
-- updated databases have the column at the same position.)
-- ===========================================================================
ALTER TABLE public.templates ADD COLUMN org_deleted_at timestamptz;
COMMENT ON COLUMN public.templates.org_deleted_at IS 'Copy of the org''s deleted_at (kept by triggers; what is written to it is replaced): a public template of a soft-deleted org leaves the gallery.';

-- existing rows (an update from 0.4.0): copy, without touching updated_at
ALTER TABLE public.templates DISABLE TRIGGER templates_updated_at;
UPDATE public.templates t
SET org_deleted_at = o.deleted_at
FROM public.orgs o
WHERE o.id = t.org_id AND o.deleted_at IS NOT NULL;
ALTER TABLE public.templates ENABLE TRIGGER templates_updated_at;

CREATE FUNCTION fenta.templates_org_deleted_at()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	NEW.org_deleted_at := (SELECT o.deleted_at FROM public.orgs o
						   WHERE o.id OPERATOR(pg_catalog.=) NEW.org_id FOR SHARE);
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.templates_org_deleted_at() IS
'BEFORE INSERT OR UPDATE OF org_id, org_deleted_at trigger on templates: sets org_deleted_at to the org''s deleted_at, whatever was written, reading the org row FOR SHARE (waits for a running soft delete or restore of the org).';
REVOKE ALL ON FUNCTION fenta.templates_org_deleted_at() FROM PUBLIC, anon, authenticated, service_role;
CREATE TRIGGER templates_org_deleted_at BEFORE INSERT OR UPDATE OF org_id, org_deleted_at ON public.templates
	FOR EACH ROW EXECUTE FUNCTION fenta.templates_org_deleted_at();

CREATE OR REPLACE FUNCTION fenta.copy_org_deleted_at()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	UPDATE public.quota_limits q SET org_deleted_at = NEW.deleted_at
	WHERE q.org_id OPERATOR(pg_catalog.=) NEW.id;
	UPDATE public.templates t SET org_deleted_at = NEW.deleted_at
	WHERE t.org_id OPERATOR(pg_catalog.=) NEW.id AND t.org_deleted_at IS DISTINCT FROM NEW.deleted_at;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION fenta.copy_org_deleted_at() IS
'AFTER UPDATE trigger on orgs, for rows whose deleted_at changed: copies the org''s deleted_at to its quota_limits row (soft delete and restore take effect in check_quota at once) and to its templates (the gallery).';
-- ===========================================================================
-- Who may do what: the privileges and row level security of every table
-- (the model is described in README.md, "Who may do what").
--
-- Rules, the same for every table:
-- - RLS is on everywhere; service_role bypasses it (the backend, workers).
-- - One permissive policy per table, role and action, TO a role.
-- - A policy tests org_id against the requesting user's live orgs, computed
--   once per statement: org_id = ANY (ARRAY(SELECT fenta.org_ids(...))),
--   an index condition on org_id (60_tenancy.sql).
-- - An UPDATE reaches exactly the rows its author can SELECT; the WITH CHECK
--   says what the author may turn them into.
-- - A soft-deleted row (deleted_at set) is seen by admins only (to restore
--   it), and only admins set or clear deleted_at; its children (versions,
--   logs, renders, schedules) are hidden with it.
-- - Column privileges say which columns the app writes: never org_id, ids,
--   counters, statuses or timestamps the backend keeps.  Deletes are granted
--   to members so that a member without the role gets 42501 from the
--   table's delete guard rather than nothing deleted.
-- ===========================================================================

-- profiles: one's own, never role or status (the platform's)
ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.profiles FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.profiles TO authenticated;
GRANT UPDATE (name, avatar_url, metadata) ON public.profiles TO authenticated;
GRANT ALL ON public.profiles TO service_role;
CREATE POLICY profiles_select ON public.profiles FOR SELECT TO authenticated
	USING (id = (SELECT auth.uid()));
CREATE POLICY profiles_update ON public.profiles FOR UPDATE TO authenticated
	USING (id = (SELECT auth.uid()))
	WITH CHECK (id = (SELECT auth.uid()));

-- orgs: members of a live org see it, admins edit it, the owner deletes and
-- restores it (orgs_lifecycle_guard); the creator sees it in the creating
-- statement (INSERT ... RETURNING runs before the membership row exists).
-- API roles never hard-delete an org: billing records outlive it.
ALTER TABLE public.orgs ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.orgs FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.orgs TO authenticated;
GRANT INSERT (name, slug, billing_email, settings) ON public.orgs TO authenticated;
GRANT UPDATE (name, slug, billing_email, settings, deleted_at) ON public.orgs TO authenticated;
GRANT ALL ON public.orgs TO service_role;
CREATE POLICY orgs_select ON public.orgs FOR SELECT TO authenticated
	USING (id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   OR id = ANY (ARRAY(SELECT fenta.owned_deleted_org_ids()))
		   OR (owner_id = (SELECT auth.uid()) AND created_at = pg_catalog.now()));
CREATE POLICY orgs_insert ON public.orgs FOR INSERT TO authenticated
	WITH CHECK (owner_id = (SELECT auth.uid()) AND (SELECT fenta.is_active_user()));
CREATE POLICY orgs_update ON public.orgs FOR UPDATE TO authenticated
	USING (id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   OR id = ANY (ARRAY(SELECT fenta.owned_deleted_org_ids())))
	WITH CHECK (id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR id = ANY (ARRAY(SELECT fenta.owned_deleted_org_ids())));

-- org_members: members see the org's members; who may change or remove
-- whom is org_members_guard's (owners for owner rows, admins for the rest,
-- anyone but the last owner may leave).  Membership starts with an
-- invitation (71_membership.sql), never with an INSERT.
ALTER TABLE public.org_members ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.org_members FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.org_members TO authenticated;
GRANT UPDATE (role) ON public.org_members TO authenticated;
GRANT ALL ON public.org_members TO service_role;
CREATE POLICY org_members_select ON public.org_members FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer'))));
CREATE POLICY org_members_update ON public.org_members FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer'))))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));
CREATE POLICY org_members_delete ON public.org_members FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer'))));

-- api_keys: one's own keys, and admins all of the org's; made only by
-- public.create_api_key(); revocation is one-way.  key_hash is a secret.
ALTER TABLE public.api_keys ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.api_keys FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT (id, user_id, org_id, name, key_prefix, scopes, expires_at, revoked_at,
			  last_used_at, created_at, updated_at) ON public.api_keys TO authenticated;
GRANT UPDATE (name, revoked_at) ON public.api_keys TO authenticated;
GRANT ALL ON public.api_keys TO service_role;
CREATE POLICY api_keys_select ON public.api_keys FOR SELECT TO authenticated
	USING ((user_id = (SELECT auth.uid()) AND org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer'))))
		   OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));
CREATE POLICY api_keys_update ON public.api_keys FOR UPDATE TO authenticated
	USING ((user_id = (SELECT auth.uid()) AND org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer'))))
		   OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))))
	WITH CHECK ((user_id = (SELECT auth.uid()) AND org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer'))))
				OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));

-- Content with a soft delete: members read, editors write, admins delete,
-- soft-delete and restore.
ALTER TABLE public.projects ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.projects FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.projects TO authenticated;
GRANT INSERT (org_id, name, description, settings) ON public.projects TO authenticated;
GRANT UPDATE (name, description, settings, deleted_at) ON public.projects TO authenticated;
GRANT ALL ON public.projects TO service_role;
CREATE POLICY projects_select ON public.projects FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));
CREATE POLICY projects_insert ON public.projects FOR INSERT TO authenticated
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor'))));
CREATE POLICY projects_update ON public.projects FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor')))
				AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));
CREATE POLICY projects_delete ON public.projects FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));

-- templates: members as for the other content; any signed-in user sees the
-- public templates of live orgs (org_deleted_at: 61_template_gallery.sql);
-- anon's gallery (its columns and policy) is 72_limits.sql's.
ALTER TABLE public.templates ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.templates FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.templates TO authenticated;
GRANT INSERT (org_id, project_id, name, description, aspect, resolution, spec, is_public, thumbnail_url)
	ON public.templates TO authenticated;
GRANT UPDATE (project_id, name, description, aspect, resolution, spec, is_public, thumbnail_url, deleted_at)
	ON public.templates TO authenticated;
GRANT ALL ON public.templates TO service_role;
CREATE POLICY templates_select ON public.templates FOR SELECT TO authenticated
	USING ((org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
			AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))))
		   OR (is_public AND deleted_at IS NULL AND org_deleted_at IS NULL));
CREATE POLICY templates_insert ON public.templates FOR INSERT TO authenticated
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor'))));
CREATE POLICY templates_update ON public.templates FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor')))
				AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));
CREATE POLICY templates_delete ON public.templates FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));

ALTER TABLE public.workflows ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.workflows FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.workflows TO authenticated;
GRANT INSERT (org_id, project_id, template_id, name, description, status, graph, variables)
	ON public.workflows TO authenticated;
GRANT UPDATE (project_id, template_id, name, description, status, graph, variables, deleted_at)
	ON public.workflows TO authenticated;
GRANT ALL ON public.workflows TO service_role;
CREATE POLICY workflows_select ON public.workflows FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));
CREATE POLICY workflows_insert ON public.workflows FOR INSERT TO authenticated
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor'))));
CREATE POLICY workflows_update ON public.workflows FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor')))
				AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));
CREATE POLICY workflows_delete ON public.workflows FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));

ALTER TABLE public.assets ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.assets FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.assets TO authenticated;
GRANT INSERT (org_id, project_id, type, source, name, storage_path, url, thumbnail_url, mime_type,
			  duration_seconds, width, height, fps, metadata) ON public.assets TO authenticated;
GRANT UPDATE (project_id, name, thumbnail_url, metadata, deleted_at) ON public.assets TO authenticated;
GRANT ALL ON public.assets TO service_role;
CREATE POLICY assets_select ON public.assets FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));
CREATE POLICY assets_insert ON public.assets FOR INSERT TO authenticated
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor'))));
CREATE POLICY assets_update ON public.assets FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor')))
				AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));
CREATE POLICY assets_delete ON public.assets FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));

-- jobs: members read; editors queue and cancel (jobs_update_guard); admins
-- delete, soft-delete and restore.  The rest is the workers'.
ALTER TABLE public.jobs ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.jobs FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.jobs TO authenticated;
GRANT INSERT (org_id, project_id, workflow_id, template_id, config, parent_job_id) ON public.jobs TO authenticated;
GRANT UPDATE (status, deleted_at) ON public.jobs TO authenticated;
GRANT ALL ON public.jobs TO service_role;
CREATE POLICY jobs_select ON public.jobs FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));
CREATE POLICY jobs_insert ON public.jobs FOR INSERT TO authenticated
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor'))));
CREATE POLICY jobs_update ON public.jobs FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor')))
				AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));
CREATE POLICY jobs_delete ON public.jobs FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (deleted_at IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))));

-- Children: visible while their parent is (admins see those of a deleted
-- parent too).  Versions are history: editors add them and annotate them.
ALTER TABLE public.workflow_versions ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.workflow_versions FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.workflow_versions TO authenticated;
GRANT INSERT (org_id, workflow_id, version, graph, variables, note) ON public.workflow_versions TO authenticated;
GRANT UPDATE (note) ON public.workflow_versions TO authenticated;
GRANT ALL ON public.workflow_versions TO service_role;
CREATE POLICY workflow_versions_select ON public.workflow_versions FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.workflows p
						   WHERE p.org_id = workflow_versions.org_id AND p.id = workflow_versions.workflow_id
							   AND p.deleted_at IS NULL)));
CREATE POLICY workflow_versions_insert ON public.workflow_versions FOR INSERT TO authenticated
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor')))
				AND EXISTS (SELECT FROM public.workflows p
							WHERE p.org_id = workflow_versions.org_id AND p.id = workflow_versions.workflow_id
								AND p.deleted_at IS NULL));
CREATE POLICY workflow_versions_update ON public.workflow_versions FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.workflows p
						   WHERE p.org_id = workflow_versions.org_id AND p.id = workflow_versions.workflow_id
							   AND p.deleted_at IS NULL)))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor'))));
CREATE POLICY workflow_versions_delete ON public.workflow_versions FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.workflows p
						   WHERE p.org_id = workflow_versions.org_id AND p.id = workflow_versions.workflow_id
							   AND p.deleted_at IS NULL)));

ALTER TABLE public.asset_versions ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.asset_versions FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.asset_versions TO authenticated;
GRANT INSERT (org_id, asset_id, version, storage_path, url, checksum_sha256, metadata) ON public.asset_versions TO authenticated;
GRANT UPDATE (metadata) ON public.asset_versions TO authenticated;
GRANT ALL ON public.asset_versions TO service_role;
CREATE POLICY asset_versions_select ON public.asset_versions FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.assets p
						   WHERE p.org_id = asset_versions.org_id AND p.id = asset_versions.asset_id
							   AND p.deleted_at IS NULL)));
CREATE POLICY asset_versions_insert ON public.asset_versions FOR INSERT TO authenticated
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor')))
				AND EXISTS (SELECT FROM public.assets p
							WHERE p.org_id = asset_versions.org_id AND p.id = asset_versions.asset_id
								AND p.deleted_at IS NULL));
CREATE POLICY asset_versions_update ON public.asset_versions FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.assets p
						   WHERE p.org_id = asset_versions.org_id AND p.id = asset_versions.asset_id
							   AND p.deleted_at IS NULL)))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor'))));
CREATE POLICY asset_versions_delete ON public.asset_versions FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.assets p
						   WHERE p.org_id = asset_versions.org_id AND p.id = asset_versions.asset_id
							   AND p.deleted_at IS NULL)));

-- schedules of a deleted workflow are hidden with it; next_run_at, run_count
-- and last_run_at are the scheduler's.
ALTER TABLE public.schedules ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.schedules FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.schedules TO authenticated;
GRANT INSERT (org_id, workflow_id, cron, timezone, enabled) ON public.schedules TO authenticated;
GRANT UPDATE (cron, timezone, enabled) ON public.schedules TO authenticated;
GRANT ALL ON public.schedules TO service_role;
CREATE POLICY schedules_select ON public.schedules FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.workflows p
						   WHERE p.org_id = schedules.org_id AND p.id = schedules.workflow_id
							   AND p.deleted_at IS NULL)));
CREATE POLICY schedules_insert ON public.schedules FOR INSERT TO authenticated
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor')))
				AND EXISTS (SELECT FROM public.workflows p
							WHERE p.org_id = schedules.org_id AND p.id = schedules.workflow_id
								AND p.deleted_at IS NULL));
CREATE POLICY schedules_update ON public.schedules FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.workflows p
						   WHERE p.org_id = schedules.org_id AND p.id = schedules.workflow_id
							   AND p.deleted_at IS NULL)))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('editor'))));
CREATE POLICY schedules_delete ON public.schedules FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.workflows p
						   WHERE p.org_id = schedules.org_id AND p.id = schedules.workflow_id
							   AND p.deleted_at IS NULL)));

-- Written by the workers and the backend; members read.
ALTER TABLE public.job_logs ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.job_logs FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.job_logs TO authenticated;
GRANT ALL ON public.job_logs TO service_role;
CREATE POLICY job_logs_select ON public.job_logs FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.jobs p
						   WHERE p.org_id = job_logs.org_id AND p.id = job_logs.job_id
							   AND p.deleted_at IS NULL)));

ALTER TABLE public.renders ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.renders FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.renders TO authenticated;
GRANT ALL ON public.renders TO service_role;
CREATE POLICY renders_select ON public.renders FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.jobs p
						   WHERE p.org_id = renders.org_id AND p.id = renders.job_id
							   AND p.deleted_at IS NULL)));

ALTER TABLE public.kai_generations ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.kai_generations FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.kai_generations TO authenticated;
GRANT ALL ON public.kai_generations TO service_role;
CREATE POLICY kai_generations_select ON public.kai_generations FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer')))
		   AND (job_id IS NULL OR org_id = ANY (ARRAY(SELECT fenta.org_ids('admin')))
				OR EXISTS (SELECT FROM public.jobs p
						   WHERE p.org_id = kai_generations.org_id AND p.id = kai_generations.job_id
							   AND p.deleted_at IS NULL)));

-- Usage and quotas: members read, the backend writes.  Partitions are read
-- through the parent only (56_partition_privileges.sql keeps every month so).
ALTER TABLE public.usage_records ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.usage_records FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.usage_records TO authenticated;
GRANT ALL ON public.usage_records TO service_role;
CREATE POLICY usage_records_select ON public.usage_records FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer'))));
ALTER TABLE public.usage_records_default ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.usage_records_default FROM PUBLIC, anon, authenticated, service_role;
-- writes go through usage_records, where the quota accounting sees them
GRANT SELECT ON public.usage_records_default TO service_role;

ALTER TABLE public.quota_limits ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.quota_limits FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.quota_limits TO authenticated;
GRANT ALL ON public.quota_limits TO service_role;
CREATE POLICY quota_limits_select ON public.quota_limits FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('viewer'))));

-- Admins only: billing, webhooks and integrations (their secrets included).
-- Admins see soft-deleted webhooks and integrations, to restore them.
ALTER TABLE public.invoices ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.invoices FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.invoices TO authenticated;
GRANT ALL ON public.invoices TO service_role;
CREATE POLICY invoices_select ON public.invoices FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));

ALTER TABLE public.credit_packs ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.credit_packs FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.credit_packs TO authenticated;
GRANT ALL ON public.credit_packs TO service_role;
CREATE POLICY credit_packs_select ON public.credit_packs FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));

ALTER TABLE public.webhooks ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.webhooks FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.webhooks TO authenticated;
GRANT INSERT (org_id, name, url, events, enabled) ON public.webhooks TO authenticated;
GRANT UPDATE (name, url, events, enabled, deleted_at) ON public.webhooks TO authenticated;
GRANT ALL ON public.webhooks TO service_role;
CREATE POLICY webhooks_select ON public.webhooks FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));
CREATE POLICY webhooks_insert ON public.webhooks FOR INSERT TO authenticated
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));
CREATE POLICY webhooks_update ON public.webhooks FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));
CREATE POLICY webhooks_delete ON public.webhooks FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));

ALTER TABLE public.webhook_deliveries ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.webhook_deliveries FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.webhook_deliveries TO authenticated;
GRANT ALL ON public.webhook_deliveries TO service_role;
CREATE POLICY webhook_deliveries_select ON public.webhook_deliveries FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));

ALTER TABLE public.integrations ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.integrations FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT, DELETE ON public.integrations TO authenticated;
GRANT INSERT (org_id, provider, credentials, config) ON public.integrations TO authenticated;
GRANT UPDATE (credentials, config, deleted_at) ON public.integrations TO authenticated;
GRANT ALL ON public.integrations TO service_role;
CREATE POLICY integrations_select ON public.integrations FOR SELECT TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));
CREATE POLICY integrations_insert ON public.integrations FOR INSERT TO authenticated
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));
CREATE POLICY integrations_update ON public.integrations FOR UPDATE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))))
	WITH CHECK (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));
CREATE POLICY integrations_delete ON public.integrations FOR DELETE TO authenticated
	USING (org_id = ANY (ARRAY(SELECT fenta.org_ids('admin'))));

-- fenta:migrations 00008_indexes
-- Indexes with org_id leading for the orders the app lists by (a member's
-- list is an index scan of their orgs' rows, newest first).
CREATE INDEX idx_jobs_org_id_created_at ON public.jobs (org_id, created_at);
-- Enum equality (enum_eq) is not leakproof, so under RLS a status test is
-- never an index condition (it is evaluated after the policy's): a member's
-- "failed jobs" list is served by a partial index per status the app lists
-- by (predicate proof needs no leakproof operator), and a member's count(*)
-- by an index-only scan over the policy's two columns.
CREATE INDEX idx_jobs_org_id_created_at_failed ON public.jobs (org_id, created_at) WHERE status = 'failed';
CREATE INDEX idx_jobs_org_id_created_at_processing ON public.jobs (org_id, created_at) WHERE status = 'processing';
CREATE INDEX idx_jobs_org_id_deleted_at ON public.jobs (org_id, deleted_at);
CREATE INDEX idx_workflows_org_id_updated_at ON public.workflows (org_id, updated_at);
CREATE INDEX idx_templates_org_id_created_at ON public.templates (org_id, created_at);
CREATE INDEX idx_assets_org_id_created_at ON public.assets (org_id, created_at);
CREATE INDEX idx_projects_org_id_created_at ON public.projects (org_id, created_at);
-- ===========================================================================
-- Membership, invitations, ownership and API keys (0.5.0).
--
-- Membership starts with an invitation the invitee accepts (or with the org's
-- creation, which makes the creator its owner); nobody is made a member
-- without consent.  An org always keeps an owner.  API keys are made only by
-- public.create_api_key(), with scopes within the member's role, a cap per
-- member, and a revocation that cannot be undone.  A user creates at most
-- fenta.tenant_limit('max_orgs_per_user') orgs, and only the first
-- fenta.tenant_limit('max_free_orgs_per_user') of them get the free plan's
-- quota.  A suspended user (profiles.status) can do none of this.
--
-- The grants and policies of the existing tables are in 70_policies.sql;
-- the ones of org_invitations, new here, are below.  See doc/tenancy.md.
-- ===========================================================================

--
-- Serialising the changes that must see each other.  A row lock alone does not
-- help a REPEATABLE READ transaction: after waiting it still counts with its
-- old snapshot.  An UPDATE of a common row does: the second writer of the row
-- gets 40001 under REPEATABLE READ, and re-reads under READ COMMITTED.  These
-- helpers run as the extension owner and act only on the caller's own rows
-- (auth.uid()), or on an org the caller owns.
--

-- True when another owner than the leaving member stays in the org.  Runs as
-- the extension owner: the caller may not see every membership row.
CREATE FUNCTION fenta.org_keeps_owner(org uuid, leaving_member uuid)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
	SELECT EXISTS (
		SELECT FROM public.org_members m
		WHERE m.org_id OPERATOR(pg_catalog.=) org_keeps_owner.org
			AND m.role OPERATOR(pg_catalog.=) 'owner'::public.member_role
			AND m.id OPERATOR(pg_catalog.<>) org_keeps_owner.leaving_member)
$$;
COMMENT ON FUNCTION fenta.org_keeps_owner(uuid, uuid) IS
'True when the org has an owner other than the membership leaving_member; used by the org_members guard after fenta.lock_org_owners().';
REVOKE ALL ON FUNCTION fenta.org_keeps_owner(uuid, uuid) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.org_keeps_owner(uuid, uuid) TO service_role;

-- The org row serialises the changes to its owners (and its invitations).
CREATE FUNCTION fenta.lock_org_owners(org uuid, leaving_member uuid)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	IF NOT fenta.has_org_role(lock_org_owners.org, 'owner') THEN
		RAISE EXCEPTION 'permission denied to change the owners of this org'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	UPDATE public.orgs o SET updated_at = o.updated_at
	WHERE o.id OPERATOR(pg_catalog.=) lock_org_owners.org;
	RETURN fenta.org_keeps_owner(lock_org_owners.org, lock_org_owners.leaving_member);
END
$$;
COMMENT ON FUNCTION fenta.lock_org_owners(uuid, uuid) IS
'Called by the org_members guard when an owner of the org removes or demotes the owner membership leaving_member: writes the org''s row, so that concurrent owner changes of the org run one after the other (40001 under REPEATABLE READ), then tells whether another owner stays. 42501 unless the caller is an owner of the live org.';
REVOKE ALL ON FUNCTION fenta.lock_org_owners(uuid, uuid) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.lock_org_owners(uuid, uuid) TO authenticated, service_role;


--
-- org_members: who may change what, and the last owner.
--
CREATE OR REPLACE FUNCTION fenta.org_members_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	bypass boolean := fenta.bypasses_rls();
	uid uuid := (SELECT auth.uid());
	is_owner boolean;
	org_deleted timestamptz;
	org_found boolean;
	keeps_owner boolean;
BEGIN
	IF TG_OP = 'INSERT' THEN
		-- members join by accepting an invitation (public.accept_invitation)
		-- or by creating the org; both run as the extension owner
		IF NOT bypass THEN
			RAISE EXCEPTION 'permission denied to add a member to the org'
				USING ERRCODE = 'insufficient_privilege',
					HINT = 'Invite the user with public.create_invitation(); they join with public.accept_invitation().';
		END IF;
		RETURN NEW;
	END IF;

	IF NOT bypass THEN
		is_owner := fenta.has_org_role(OLD.org_id, 'owner');
		IF TG_OP = 'DELETE' THEN
			-- owners remove anyone (themselves included, if another owner
			-- stays); admins remove non-owners; any other member may leave
			IF NOT (is_owner
					OR (OLD.role OPERATOR(pg_catalog.<>) 'owner' AND fenta.has_org_role(OLD.org_id, 'admin'))
					OR (OLD.role OPERATOR(pg_catalog.<>) 'owner' AND OLD.user_id OPERATOR(pg_catalog.=) uid
						AND fenta.has_org_role(OLD.org_id, 'viewer'))) THEN
				RAISE EXCEPTION 'permission denied to remove this member from the org'
					USING ERRCODE = 'insufficient_privilege',
						DETAIL = 'Admins remove viewers, editors and admins; only an owner removes an owner; any member but an owner may leave.';
			END IF;
		ELSE
			IF NEW.org_id OPERATOR(pg_catalog.<>) OLD.org_id OR NEW.user_id OPERATOR(pg_catalog.<>) OLD.user_id
				OR NEW.id OPERATOR(pg_catalog.<>) OLD.id THEN
				RAISE EXCEPTION 'permission denied to move a membership'
					USING ERRCODE = 'insufficient_privilege';
			END IF;
			IF NOT fenta.has_org_role(OLD.org_id, 'admin') THEN
				RAISE EXCEPTION 'permission denied to change the role of a member'
					USING ERRCODE = 'insufficient_privilege',
						DETAIL = 'Only admins and owners change roles.';
			END IF;
			IF (OLD.role OPERATOR(pg_catalog.=) 'owner' OR NEW.role OPERATOR(pg_catalog.=) 'owner') AND NOT is_owner THEN
				RAISE EXCEPTION 'permission denied to grant or change the owner role'
					USING ERRCODE = 'insufficient_privilege',
						DETAIL = 'Only an owner of the org may create or change owner memberships.';
			END IF;
		END IF;
	END IF;

	-- an org keeps an owner: when an owner row goes or is demoted, serialise
	-- on the org row, then count the other owners
	IF OLD.role OPERATOR(pg_catalog.=) 'owner'
		AND (TG_OP = 'DELETE' OR NEW.role OPERATOR(pg_catalog.<>) 'owner'
			 OR NEW.org_id OPERATOR(pg_catalog.<>) OLD.org_id) THEN
		IF bypass THEN
			UPDATE public.orgs o SET updated_at = o.updated_at
			WHERE o.id OPERATOR(pg_catalog.=) OLD.org_id
			RETURNING o.deleted_at INTO org_deleted;
			org_found := FOUND;
			keeps_owner := fenta.org_keeps_owner(OLD.org_id, OLD.id);
		ELSE
			org_found := true;
			org_deleted := NULL;
			keeps_owner := fenta.lock_org_owners(OLD.org_id, OLD.id);
		END IF;
		-- the org itself is being deleted (cascade): nothing to keep
		IF org_found AND NOT keeps_owner THEN
			IF TG_OP = 'DELETE' AND bypass AND NOT EXISTS (
				SELECT FROM public.profiles p WHERE p.id OPERATOR(pg_catalog.=) OLD.user_id) THEN
				-- the user's account is being deleted
				IF org_deleted IS NOT NULL THEN
					RETURN OLD;		-- a soft-deleted org: the backend purges it
				END IF;
				RAISE EXCEPTION 'cannot delete user %: they are the last owner of org %', OLD.user_id, OLD.org_id
					USING ERRCODE = 'check_violation',
						HINT = 'Transfer the ownership first (make another member owner), or delete the org.';
			END IF;
			RAISE EXCEPTION 'an org must keep at least one owner'
				USING ERRCODE = 'check_violation',
					HINT = 'Make another member owner first, or delete the org.';
		END IF;
	END IF;
	RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
COMMENT ON FUNCTION fenta.org_members_guard() IS
'BEFORE INSERT/UPDATE/DELETE trigger of org_members. API roles never insert (invitations and org creation do, as the extension owner); admins change roles and remove viewers, editors and admins; only owners touch owner rows; any member but an owner may leave; an owner may step down while another owner stays. For every role: the last owner of an org is neither removed nor demoted (23514), under a write of the org row so that concurrent removals see each other (40001 under REPEATABLE READ), except when the org itself is deleted; deleting the account of the last owner of a live org fails with a hint.';

--
-- orgs.owner_id records the creator, nothing more: access follows org_members.
-- It goes NULL when the creator's account is deleted.
--
ALTER TABLE public.orgs ALTER COLUMN owner_id DROP NOT NULL;
ALTER TABLE public.orgs DROP CONSTRAINT orgs_owner_id_fkey;
ALTER TABLE public.orgs ADD CONSTRAINT orgs_owner_id_fkey
	FOREIGN KEY (owner_id) REFERENCES public.profiles (id) ON DELETE SET NULL;
COMMENT ON COLUMN public.orgs.owner_id IS 'Profile that created the org (the API sets it from auth.uid()); gives no access by itself (access follows org_members). NULL once the creator''s account is deleted.';

--
-- Orgs per user, and the free tier tied to the user.
--

-- Counts the orgs the calling user created (soft-deleted ones included),
-- under a write of their profile row, and refuses one more than the cap.
CREATE FUNCTION fenta.claim_org_slot()
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	uid uuid := (SELECT auth.uid());
	created integer;
	cap integer := fenta.tenant_limit('max_orgs_per_user');
BEGIN
	UPDATE public.profiles p SET updated_at = p.updated_at
	WHERE p.id OPERATOR(pg_catalog.=) uid AND p.status OPERATOR(pg_catalog.=) 'active'::public.user_status;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'permission denied to create an org'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Only signed-in users with an active profile create orgs.';
	END IF;
	SELECT pg_catalog.count(*) INTO created
	FROM public.orgs o WHERE o.owner_id OPERATOR(pg_catalog.=) uid;
	IF created OPERATOR(pg_catalog.>=) cap THEN
		RAISE EXCEPTION 'too many orgs: a user may create at most % orgs', cap
			USING ERRCODE = 'program_limit_exceeded',
				DETAIL = 'Soft-deleted orgs count too.',
				HINT = 'The cap is fenta.tenant_limit(''max_orgs_per_user'').';
	END IF;
	RETURN created;
END
$$;
COMMENT ON FUNCTION fenta.claim_org_slot() IS
'Called by the orgs_cap trigger when an API user creates an org: locks the user''s profile (writes it), counts the orgs they created (soft-deleted included) and raises 54000 at fenta.tenant_limit(''max_orgs_per_user''), 42501 for a suspended or unknown user. Returns the number of orgs created before.';
REVOKE ALL ON FUNCTION fenta.claim_org_slot() FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.claim_org_slot() TO authenticated, service_role;

CREATE FUNCTION fenta.orgs_cap()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF NEW.owner_id IS NULL THEN
		RAISE EXCEPTION 'an org needs an owner: owner_id must not be NULL'
			USING ERRCODE = 'not_null_violation',
				HINT = 'The API sets it from auth.uid(); the backend names the creating user.';
	END IF;
	IF fenta.bypasses_rls() THEN
		RETURN NEW;
	END IF;
	IF NEW.owner_id IS DISTINCT FROM (SELECT auth.uid()) THEN
		RAISE EXCEPTION 'permission denied to create an org for another user'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	PERFORM fenta.claim_org_slot();
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.orgs_cap() IS
'BEFORE INSERT trigger on orgs: an org has a creator (owner_id, 23502); an API user creates orgs only for themselves, at most fenta.tenant_limit(''max_orgs_per_user'') (fenta.claim_org_slot(), 54000). Roles that bypass RLS (the backend) are not capped.';
REVOKE ALL ON FUNCTION fenta.orgs_cap() FROM PUBLIC, anon, authenticated, service_role;
DROP TRIGGER IF EXISTS orgs_cap ON public.orgs;
CREATE TRIGGER orgs_cap BEFORE INSERT ON public.orgs
	FOR EACH ROW EXECUTE FUNCTION fenta.orgs_cap();

-- Zero quota for the free orgs of a user beyond their free allowance.
CREATE FUNCTION fenta.apply_free_tier(org uuid)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	o public.orgs;
	earlier integer;
BEGIN
	SELECT * INTO o FROM public.orgs x
	WHERE x.id OPERATOR(pg_catalog.=) apply_free_tier.org
		AND x.owner_id OPERATOR(pg_catalog.=) (SELECT auth.uid());
	IF NOT FOUND OR o.plan OPERATOR(pg_catalog.<>) 'free'::public.org_plan THEN
		RETURN false;
	END IF;
	SELECT pg_catalog.count(*) INTO earlier
	FROM public.orgs x
	WHERE x.owner_id OPERATOR(pg_catalog.=) o.owner_id
		AND (x.created_at, x.id) OPERATOR(pg_catalog.<) (o.created_at, o.id);
	IF earlier OPERATOR(pg_catalog.<) fenta.tenant_limit('max_free_orgs_per_user') THEN
		RETURN false;
	END IF;
	UPDATE public.quota_limits q
	SET tokens_limit = 0, kai_credits_limit = 0, render_seconds_limit = 0, storage_bytes_limit = 0,
		allow_overage = false, overage_cap_usd = 0
	WHERE q.org_id OPERATOR(pg_catalog.=) o.id;
	RETURN true;
END
$$;
COMMENT ON FUNCTION fenta.apply_free_tier(uuid) IS
'Called by the orgs_quota_plan_free_tier trigger when an API user creates an org: when the org is on the free plan, was created by the caller, and the caller already created fenta.tenant_limit(''max_free_orgs_per_user'') orgs before it (soft-deleted ones included), its quota limits become 0 (no overage). Returns whether it did.';
REVOKE ALL ON FUNCTION fenta.apply_free_tier(uuid) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.apply_free_tier(uuid) TO authenticated, service_role;

CREATE FUNCTION fenta.orgs_free_tier()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF NOT fenta.bypasses_rls() THEN
		PERFORM fenta.apply_free_tier(NEW.id);
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION fenta.orgs_free_tier() IS
'AFTER INSERT trigger on orgs, after orgs_quota_plan: an org an API user creates beyond their free allowance starts with zero limits (fenta.apply_free_tier). Orgs the backend creates keep their plan''s limits.';
REVOKE ALL ON FUNCTION fenta.orgs_free_tier() FROM PUBLIC, anon, authenticated, service_role;
-- named to fire after orgs_handle_new and orgs_quota_plan (same event, name order)
DROP TRIGGER IF EXISTS orgs_quota_plan_free_tier ON public.orgs;
CREATE TRIGGER orgs_quota_plan_free_tier AFTER INSERT ON public.orgs
	FOR EACH ROW EXECUTE FUNCTION fenta.orgs_free_tier();

--
-- Invitations.
--
CREATE TABLE public.org_invitations (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	role public.member_role NOT NULL DEFAULT 'viewer',
	invited_by uuid DEFAULT auth.uid() REFERENCES public.profiles (id) ON DELETE SET NULL,
	token_hash text NOT NULL CONSTRAINT org_invitations_token_hash_key UNIQUE
		CONSTRAINT org_invitations_token_hash_format CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	email text CONSTRAINT org_invitations_email_format CHECK (email IS NULL OR (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND pg_catalog.length(email) <= 320)),
	expires_at timestamptz NOT NULL DEFAULT pg_catalog.now() + interval '7 days',
	accepted_at timestamptz,
	accepted_by uuid REFERENCES public.profiles (id) ON DELETE SET NULL,
	declined_at timestamptz,
	revoked_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT org_invitations_one_outcome CHECK (pg_catalog.num_nonnulls(accepted_at, declined_at, revoked_at) <= 1),
	CONSTRAINT org_invitations_expires_after_creation CHECK (expires_at > created_at)
);
COMMENT ON TABLE public.org_invitations IS 'Invitations to join an org with a role: created by an admin (public.create_invitation), accepted or declined by the invitee with the token (public.accept_invitation, public.decline_invitation), revoked by an admin, or expired. Only the SHA-256 of the token is stored.';
COMMENT ON COLUMN public.org_invitations.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.org_invitations.org_id IS 'The org the invitee joins.';
COMMENT ON COLUMN public.org_invitations.role IS 'Role the invitee gets on acceptance (an owner role only from an owner).';
COMMENT ON COLUMN public.org_invitations.invited_by IS 'The member who created the invitation (NULL once their account is deleted).';
COMMENT ON COLUMN public.org_invitations.token_hash IS 'Hex SHA-256 of the raw token, which is returned once by create_invitation (secret: not readable through the Data API).';
COMMENT ON COLUMN public.org_invitations.email IS 'When set, only the user with this e-mail (auth.users.email, case-insensitive) may accept or decline.';
COMMENT ON COLUMN public.org_invitations.expires_at IS 'After this time the invitation can no longer be accepted (default: 7 days after creation).';
COMMENT ON COLUMN public.org_invitations.accepted_at IS 'When the invitee accepted; an invitation is used once.';
COMMENT ON COLUMN public.org_invitations.accepted_by IS 'The user who accepted.';
COMMENT ON COLUMN public.org_invitations.declined_at IS 'When the invitee declined.';
COMMENT ON COLUMN public.org_invitations.revoked_at IS 'When an admin revoked the invitation (one-way).';
COMMENT ON COLUMN public.org_invitations.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.org_invitations.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_org_invitations_org_id ON public.org_invitations (org_id, created_at);
CREATE INDEX idx_org_invitations_invited_by ON public.org_invitations (invited_by);
CREATE INDEX idx_org_invitations_accepted_by ON public.org_invitations (accepted_by);
CREATE TRIGGER org_invitations_updated_at BEFORE UPDATE ON public.org_invitations
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

-- An outcome (accepted, declined, revoked) is final; API roles only revoke.
CREATE FUNCTION fenta.org_invitations_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF OLD.accepted_at IS NOT NULL OR OLD.declined_at IS NOT NULL OR OLD.revoked_at IS NOT NULL THEN
		IF NEW.accepted_at IS DISTINCT FROM OLD.accepted_at OR NEW.declined_at IS DISTINCT FROM OLD.declined_at
			OR NEW.revoked_at IS DISTINCT FROM OLD.revoked_at THEN
			RAISE EXCEPTION 'this invitation is no longer pending: its outcome cannot change'
				USING ERRCODE = 'insufficient_privilege';
		END IF;
	END IF;
	IF NOT fenta.bypasses_rls() THEN
		IF NEW.accepted_at IS DISTINCT FROM OLD.accepted_at OR NEW.declined_at IS DISTINCT FROM OLD.declined_at
			OR NEW.org_id IS DISTINCT FROM OLD.org_id OR NEW.role IS DISTINCT FROM OLD.role
			OR NEW.token_hash IS DISTINCT FROM OLD.token_hash OR NEW.expires_at IS DISTINCT FROM OLD.expires_at
			OR NEW.email IS DISTINCT FROM OLD.email OR NEW.invited_by IS DISTINCT FROM OLD.invited_by
			OR NEW.accepted_by IS DISTINCT FROM OLD.accepted_by OR NEW.id IS DISTINCT FROM OLD.id THEN
			RAISE EXCEPTION 'permission denied: an invitation is only revoked through the API'
				USING ERRCODE = 'insufficient_privilege';
		END IF;
		IF OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL THEN
			NEW.revoked_at := pg_catalog.now();
		END IF;
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.org_invitations_guard() IS
'BEFORE UPDATE trigger of org_invitations: once accepted, declined or revoked, an invitation''s outcome never changes (every role); API roles only set revoked_at, to the current time.';
REVOKE ALL ON FUNCTION fenta.org_invitations_guard() FROM PUBLIC, anon, authenticated, service_role;
CREATE TRIGGER org_invitations_guard BEFORE UPDATE ON public.org_invitations
	FOR EACH ROW EXECUTE FUNCTION fenta.org_invitations_guard();

ALTER TABLE public.org_invitations ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.org_invitations FROM PUBLIC, anon, authenticated, service_role;
-- token_hash is a secret: no API role reads it
GRANT SELECT (id, org_id, role, invited_by, email, expires_at, accepted_at, accepted_by,
			  declined_at, revoked_at, created_at, updated_at) ON public.org_invitations TO authenticated;
GRANT UPDATE (revoked_at) ON public.org_invitations TO authenticated;
GRANT ALL ON public.org_invitations TO service_role;
CREATE POLICY org_invitations_select_admin ON public.org_invitations FOR SELECT TO authenticated
	USING (org_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT fenta.org_ids('admin'))));
CREATE POLICY org_invitations_update_admin ON public.org_invitations FOR UPDATE TO authenticated
	USING (org_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT fenta.org_ids('admin'))))
	WITH CHECK (org_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT fenta.org_ids('admin'))));
SELECT pg_catalog.pg_extension_config_dump('public.org_invitations', '');

-- SHA-256 hex of a token or key, and a new random secret (244 random bits
-- from two version 4 UUIDs: pgcrypto is not required).
CREATE FUNCTION fenta.secret_hash(secret text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(secret_hash.secret, 'UTF8')), 'hex')
$$;
COMMENT ON FUNCTION fenta.secret_hash(text) IS
'Hex SHA-256 of a raw API key or invitation token (what is stored instead of it).';
REVOKE ALL ON FUNCTION fenta.secret_hash(text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.secret_hash(text) TO service_role;

CREATE FUNCTION fenta.new_secret(prefix text)
RETURNS text
LANGUAGE sql VOLATILE
SET search_path = ''
AS $$
	SELECT new_secret.prefix || pg_catalog.replace(pg_catalog.gen_random_uuid()::text
		OPERATOR(pg_catalog.||) pg_catalog.gen_random_uuid()::text, '-', '')
$$;
COMMENT ON FUNCTION fenta.new_secret(text) IS
'A new random secret: prefix followed by 64 hex digits (two random UUIDs, 244 random bits).';
REVOKE ALL ON FUNCTION fenta.new_secret(text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.new_secret(text) TO service_role;

-- The caller's role in a live org, or NULL (not signed in, suspended, not a
-- member, org unknown or soft-deleted).
CREATE FUNCTION fenta.caller_org_role(org uuid)
RETURNS public.member_role
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
	SELECT m.role
	FROM public.org_members m
		JOIN public.orgs o ON o.id OPERATOR(pg_catalog.=) m.org_id
		JOIN public.profiles p ON p.id OPERATOR(pg_catalog.=) m.user_id
	WHERE m.org_id OPERATOR(pg_catalog.=) caller_org_role.org
		AND m.user_id OPERATOR(pg_catalog.=) (SELECT auth.uid())
		AND o.deleted_at IS NULL
		AND p.status OPERATOR(pg_catalog.=) 'active'::public.user_status
$$;
COMMENT ON FUNCTION fenta.caller_org_role(uuid) IS
'The requesting user''s role in the live org org, or NULL when they are not signed in, suspended, not a member, or the org is unknown or soft-deleted.';
REVOKE ALL ON FUNCTION fenta.caller_org_role(uuid) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.caller_org_role(uuid) TO authenticated, service_role;

CREATE FUNCTION public.create_invitation(org_id uuid, role public.member_role DEFAULT 'viewer', email text DEFAULT NULL)
RETURNS TABLE (id uuid, token text)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	my_role public.member_role := fenta.caller_org_role(create_invitation.org_id);
	raw text := fenta.new_secret('fi_');
	pending integer;
	cap integer := fenta.tenant_limit('max_pending_invitations_per_org');
	new_id uuid;
BEGIN
	IF my_role IS NULL OR my_role OPERATOR(pg_catalog.<) 'admin'::public.member_role THEN
		RAISE EXCEPTION 'permission denied to invite members to this org'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Admins and owners of a live org invite members.';
	END IF;
	IF create_invitation.role IS NULL THEN
		RAISE EXCEPTION 'role must not be NULL' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF create_invitation.role OPERATOR(pg_catalog.=) 'owner'::public.member_role
		AND my_role OPERATOR(pg_catalog.<>) 'owner'::public.member_role THEN
		RAISE EXCEPTION 'permission denied to invite an owner'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Only an owner invites an owner.';
	END IF;
	-- serialise the invitations of the org, then count the pending ones
	UPDATE public.orgs o SET updated_at = o.updated_at
	WHERE o.id OPERATOR(pg_catalog.=) create_invitation.org_id;
	SELECT pg_catalog.count(*) INTO pending
	FROM public.org_invitations i
	WHERE i.org_id OPERATOR(pg_catalog.=) create_invitation.org_id
		AND i.accepted_at IS NULL AND i.declined_at IS NULL AND i.revoked_at IS NULL
		AND i.expires_at OPERATOR(pg_catalog.>) pg_catalog.now();
	IF pending OPERATOR(pg_catalog.>=) cap THEN
		RAISE EXCEPTION 'too many pending invitations: an org may have at most %', cap
			USING ERRCODE = 'program_limit_exceeded',
				HINT = 'Revoke unused invitations; the cap is fenta.tenant_limit(''max_pending_invitations_per_org'').';
	END IF;
	INSERT INTO public.org_invitations (org_id, role, invited_by, token_hash, email)
	VALUES (create_invitation.org_id, create_invitation.role, (SELECT auth.uid()),
			fenta.secret_hash(raw), pg_catalog.lower(pg_catalog.btrim(create_invitation.email)))
	RETURNING org_invitations.id INTO new_id;
	RETURN QUERY SELECT new_id, raw;
END
$$;
COMMENT ON FUNCTION public.create_invitation(uuid, public.member_role, text) IS
'RPC: an admin or owner of a live org (active profile) invites someone to join it with role (an owner role only from an owner); returns (id, token). The raw token is returned once (only its SHA-256 is stored); hand it to the invitee, who calls accept_invitation(token) or decline_invitation(token) within 7 days. With email, only the user with that e-mail may use it. No user is looked up. 42501 for a caller who is not admin+ of the live org (the same for an unknown org); 54000 beyond fenta.tenant_limit(''max_pending_invitations_per_org'') pending invitations.';
REVOKE ALL ON FUNCTION public.create_invitation(uuid, public.member_role, text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.create_invitation(uuid, public.member_role, text) TO authenticated, service_role;

-- The pending invitation of a token, locked, for the signed-in, active caller.
CREATE FUNCTION fenta.pending_invitation(token text)
RETURNS public.org_invitations
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	uid uuid := (SELECT auth.uid());
	inv public.org_invitations;
	my_email text;
BEGIN
	IF uid IS NULL OR NOT EXISTS (
		SELECT FROM public.profiles p
		WHERE p.id OPERATOR(pg_catalog.=) uid AND p.status OPERATOR(pg_catalog.=) 'active'::public.user_status) THEN
		RAISE EXCEPTION 'permission denied to answer an invitation'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Only signed-in users with an active profile answer invitations.';
	END IF;
	SELECT * INTO inv FROM public.org_invitations i
	WHERE i.token_hash OPERATOR(pg_catalog.=) fenta.secret_hash(pending_invitation.token)
	FOR UPDATE;
	IF NOT FOUND OR NOT EXISTS (
		SELECT FROM public.orgs o
		WHERE o.id OPERATOR(pg_catalog.=) inv.org_id AND o.deleted_at IS NULL) THEN
		RAISE EXCEPTION 'invitation not found'
			USING ERRCODE = 'invalid_parameter_value',
				DETAIL = 'The token matches no invitation to a live org.';
	END IF;
	IF inv.accepted_at IS NOT NULL THEN
		RAISE EXCEPTION 'this invitation has already been accepted' USING ERRCODE = 'invalid_parameter_value';
	ELSIF inv.declined_at IS NOT NULL THEN
		RAISE EXCEPTION 'this invitation has been declined' USING ERRCODE = 'invalid_parameter_value';
	ELSIF inv.revoked_at IS NOT NULL THEN
		RAISE EXCEPTION 'this invitation has been revoked' USING ERRCODE = 'invalid_parameter_value';
	ELSIF inv.expires_at OPERATOR(pg_catalog.<=) pg_catalog.now() THEN
		RAISE EXCEPTION 'this invitation has expired' USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Ask an admin of the org for a new invitation.';
	END IF;
	IF inv.email IS NOT NULL THEN
		SELECT u.email INTO my_email FROM auth.users u WHERE u.id OPERATOR(pg_catalog.=) uid;
		IF my_email IS NULL OR pg_catalog.lower(my_email) OPERATOR(pg_catalog.<>) inv.email THEN
			RAISE EXCEPTION 'this invitation is for another e-mail address'
				USING ERRCODE = 'insufficient_privilege';
		END IF;
	END IF;
	RETURN inv;
END
$$;
COMMENT ON FUNCTION fenta.pending_invitation(text) IS
'The pending invitation of a raw token, locked FOR UPDATE, for the requesting user: 42501 when they are not signed in, suspended, or not the invited e-mail; 22023 when the token is unknown, its org soft-deleted, or the invitation accepted, declined, revoked or expired. Used by accept_invitation and decline_invitation.';
REVOKE ALL ON FUNCTION fenta.pending_invitation(text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.pending_invitation(text) TO service_role;

CREATE FUNCTION public.accept_invitation(token text)
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	inv public.org_invitations := fenta.pending_invitation(accept_invitation.token);
	uid uuid := (SELECT auth.uid());
BEGIN
	-- already a member: the higher of the two roles stays
	INSERT INTO public.org_members AS m (org_id, user_id, role)
	VALUES (inv.org_id, uid, inv.role)
	ON CONFLICT (org_id, user_id) DO UPDATE SET role = GREATEST(m.role, EXCLUDED.role)
		WHERE m.role OPERATOR(pg_catalog.<) EXCLUDED.role;
	UPDATE public.org_invitations i SET accepted_at = pg_catalog.now(), accepted_by = uid
	WHERE i.id OPERATOR(pg_catalog.=) inv.id;
	RETURN inv.org_id;
END
$$;
COMMENT ON FUNCTION public.accept_invitation(text) IS
'RPC: the signed-in user (active profile) accepts the invitation of a raw token and becomes a member of its org with the invited role; a member already keeps the higher of their role and the invited one. Returns the org id. An invitation is used once: 22023 when the token is unknown or the invitation accepted, declined, revoked or expired, or its org soft-deleted; 42501 for a suspended user or another e-mail than the invited one.';
REVOKE ALL ON FUNCTION public.accept_invitation(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.accept_invitation(text) TO authenticated, service_role;

CREATE FUNCTION public.decline_invitation(token text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	inv public.org_invitations := fenta.pending_invitation(decline_invitation.token);
BEGIN
	UPDATE public.org_invitations i SET declined_at = pg_catalog.now()
	WHERE i.id OPERATOR(pg_catalog.=) inv.id;
END
$$;
COMMENT ON FUNCTION public.decline_invitation(text) IS
'RPC: the signed-in user (active profile) declines the invitation of a raw token; it can no longer be used. Same errors as accept_invitation.';
REVOKE ALL ON FUNCTION public.decline_invitation(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.decline_invitation(text) TO authenticated, service_role;

--
-- API keys.
--
-- Scopes: a key carries a JSON array of these strings; each needs a role.
--   read     viewer and above: read the org's data
--   write    editor and above: create and change content, queue jobs
--   admin    admin and above: members, webhooks, integrations
--   billing  owner: plans, invoices, credit packs
-- Anything else ("*" included) is rejected (22023); a scope above the
-- member's role is refused (42501).  fenta.verify_api_key() clips a key's
-- scopes to what its member's role allows now.
CREATE FUNCTION fenta.api_key_scope_role(scope text)
RETURNS public.member_role
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT CASE api_key_scope_role.scope
		WHEN 'read' THEN 'viewer'::public.member_role
		WHEN 'write' THEN 'editor'::public.member_role
		WHEN 'admin' THEN 'admin'::public.member_role
		WHEN 'billing' THEN 'owner'::public.member_role
	END
$$;
COMMENT ON FUNCTION fenta.api_key_scope_role(text) IS
'The least member role that may hold an API key scope: read viewer, write editor, admin admin, billing owner; NULL for an unknown scope ("*" included).';
REVOKE ALL ON FUNCTION fenta.api_key_scope_role(text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.api_key_scope_role(text) TO service_role;

CREATE OR REPLACE FUNCTION public.create_api_key(org_id uuid, name text, scopes jsonb DEFAULT '[]', expires_at timestamptz DEFAULT NULL)
RETURNS TABLE (id uuid, key text)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	my_role public.member_role := fenta.caller_org_role(create_api_key.org_id);
	uid uuid := (SELECT auth.uid());
	raw text := fenta.new_secret('fk_');
	s jsonb;
	clean jsonb;
	live integer;
	cap integer := fenta.tenant_limit('max_api_keys_per_member');
	new_id uuid;
BEGIN
	IF my_role IS NULL THEN
		RAISE EXCEPTION 'permission denied to create an API key in this org'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Members with an active profile create keys in a live org they belong to.';
	END IF;
	IF create_api_key.scopes IS NULL OR pg_catalog.jsonb_typeof(create_api_key.scopes) OPERATOR(pg_catalog.<>) 'array' THEN
		RAISE EXCEPTION 'scopes must be a JSON array of strings' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOR s IN SELECT e FROM pg_catalog.jsonb_array_elements(create_api_key.scopes) e LOOP
		IF pg_catalog.jsonb_typeof(s) OPERATOR(pg_catalog.<>) 'string'
			OR fenta.api_key_scope_role(s #>> '{}') IS NULL THEN
			RAISE EXCEPTION 'unknown API key scope: %', s
				USING ERRCODE = 'invalid_parameter_value',
					HINT = 'Scopes are read, write, admin and billing.';
		END IF;
		IF fenta.api_key_scope_role(s #>> '{}') OPERATOR(pg_catalog.>) my_role THEN
			RAISE EXCEPTION 'permission denied to grant scope % with role %', s, my_role
				USING ERRCODE = 'insufficient_privilege',
					DETAIL = 'read needs viewer, write editor, admin admin, billing owner.';
		END IF;
	END LOOP;
	SELECT coalesce(pg_catalog.jsonb_agg(DISTINCT e ORDER BY e), '[]') INTO clean
	FROM pg_catalog.jsonb_array_elements_text(create_api_key.scopes) e;
	IF create_api_key.expires_at OPERATOR(pg_catalog.<=) pg_catalog.now() THEN
		RAISE EXCEPTION 'expires_at must be in the future' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- serialise the member's key creations (write their membership row),
	-- then count their live keys
	UPDATE public.org_members m SET updated_at = m.updated_at
	WHERE m.org_id OPERATOR(pg_catalog.=) create_api_key.org_id AND m.user_id OPERATOR(pg_catalog.=) uid;
	SELECT pg_catalog.count(*) INTO live
	FROM public.api_keys k
	WHERE k.org_id OPERATOR(pg_catalog.=) create_api_key.org_id AND k.user_id OPERATOR(pg_catalog.=) uid
		AND k.revoked_at IS NULL
		AND (k.expires_at IS NULL OR k.expires_at OPERATOR(pg_catalog.>) pg_catalog.now());
	IF live OPERATOR(pg_catalog.>=) cap THEN
		RAISE EXCEPTION 'too many API keys: a member may hold at most % unrevoked keys in an org', cap
			USING ERRCODE = 'program_limit_exceeded',
				HINT = 'Revoke unused keys; the cap is fenta.tenant_limit(''max_api_keys_per_member'').';
	END IF;
	INSERT INTO public.api_keys (user_id, org_id, name, key_hash, key_prefix, scopes, expires_at)
	VALUES (uid, create_api_key.org_id, create_api_key.name, fenta.secret_hash(raw),
			pg_catalog.left(raw, 11), clean, create_api_key.expires_at)
	RETURNING api_keys.id INTO new_id;
	RETURN QUERY SELECT new_id, raw;
END
$$;
COMMENT ON FUNCTION public.create_api_key(uuid, text, jsonb, timestamptz) IS
'RPC: creates an API key for the calling user (active profile) in a live org they belong to and returns (id, key); the raw key is returned once, only its SHA-256 is stored. scopes: a JSON array of read (viewer+), write (editor+), admin (admin+), billing (owner); 22023 for anything else ("*" included) or a past expires_at, 42501 for a scope above the caller''s role or a caller who is not an active member of the live org; 54000 beyond fenta.tenant_limit(''max_api_keys_per_member'') unrevoked, unexpired keys of the member in the org. The only way to make a key.';
REVOKE ALL ON FUNCTION public.create_api_key(uuid, text, jsonb, timestamptz) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.create_api_key(uuid, text, jsonb, timestamptz) TO authenticated, service_role;

-- API roles make no key directly; a revocation is final for every role.
CREATE FUNCTION fenta.api_keys_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		IF NOT fenta.bypasses_rls() THEN
			RAISE EXCEPTION 'permission denied to insert into api_keys'
				USING ERRCODE = 'insufficient_privilege',
					HINT = 'Create keys with public.create_api_key().';
		END IF;
		RETURN NEW;
	END IF;
	IF OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at THEN
		RAISE EXCEPTION 'an API key''s revocation cannot be undone or changed'
			USING ERRCODE = 'insufficient_privilege',
				HINT = 'Create a new key instead.';
	END IF;
	IF OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL AND NOT fenta.bypasses_rls() THEN
		NEW.revoked_at := pg_catalog.now();
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.api_keys_guard() IS
'BEFORE INSERT OR UPDATE trigger of api_keys: API roles never insert keys (public.create_api_key does, as the extension owner); revoked_at, once set, never changes again, for every role (revocation is one-way); an API role''s revocation takes the current time.';
REVOKE ALL ON FUNCTION fenta.api_keys_guard() FROM PUBLIC, anon, authenticated, service_role;
DROP TRIGGER IF EXISTS api_keys_guard ON public.api_keys;
CREATE TRIGGER api_keys_guard BEFORE INSERT OR UPDATE ON public.api_keys
	FOR EACH ROW EXECUTE FUNCTION fenta.api_keys_guard();

CREATE OR REPLACE FUNCTION fenta.verify_api_key(key text)
RETURNS TABLE (key_id uuid, user_id uuid, org_id uuid, scopes jsonb)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
	SELECT k.id, k.user_id, k.org_id,
		(SELECT coalesce(pg_catalog.jsonb_agg(e ORDER BY e), '[]')
		 FROM pg_catalog.jsonb_array_elements_text(k.scopes) e
		 WHERE fenta.api_key_scope_role(e) OPERATOR(pg_catalog.<=) m.role)
	FROM public.api_keys k
		JOIN public.org_members m ON m.org_id OPERATOR(pg_catalog.=) k.org_id
			AND m.user_id OPERATOR(pg_catalog.=) k.user_id
		JOIN public.orgs o ON o.id OPERATOR(pg_catalog.=) k.org_id
		JOIN public.profiles p ON p.id OPERATOR(pg_catalog.=) k.user_id
	WHERE k.key_hash OPERATOR(pg_catalog.=) fenta.secret_hash(verify_api_key.key)
		AND k.revoked_at IS NULL
		AND (k.expires_at IS NULL OR k.expires_at OPERATOR(pg_catalog.>) pg_catalog.now())
		AND o.deleted_at IS NULL
		AND p.status OPERATOR(pg_catalog.=) 'active'::public.user_status
$$;
COMMENT ON FUNCTION fenta.verify_api_key(text) IS
'Backend (service_role): resolves a raw API key to (key_id, user_id, org_id, scopes) when it is valid: not revoked, not expired, its org live (not soft-deleted), its user active (not suspended) and still a member; scopes are those of the key that the member''s current role allows (read viewer, write editor, admin admin, billing owner; unknown scopes dropped). No row otherwise.';
REVOKE ALL ON FUNCTION fenta.verify_api_key(text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.verify_api_key(text) TO service_role;
-- ===========================================================================
-- What one member can do to everyone (0.5.0): size limits on every column a
-- member writes, cron and time zone validation that costs microseconds,
-- webhook URLs that cannot reach the platform's own network, per-org caps on
-- queued jobs and schedules, a queue no tenant can monopolise, and an anon
-- gallery that shows only what a gallery needs.  See doc/tenancy.md, "Limits".
--
-- Runs in the fresh install and in the update from 0.4.0 (on a database with
-- data): every statement is idempotent (DROP ... IF EXISTS, CREATE OR
-- REPLACE).  The CHECK constraints are added NOT VALID, then validated where
-- the existing rows allow it: an update never fails on old oversized data; a
-- WARNING names each constraint left NOT VALID (new and updated rows are
-- checked either way).
-- ===========================================================================

--
-- 1. Size limits.  Text: octet_length() (the raw size from the varlena
-- header, never detoasted).  JSONB: pg_column_size(), which for a value being
-- written (not yet compressed by the toaster) is its binary size; a value
-- copied unchanged from a stored row counts compressed, but was checked when
-- it was stored.
--
CREATE FUNCTION fenta.add_size_limit(tbl regclass, col name, max_bytes integer)
RETURNS void
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	rel text := (SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = add_size_limit.tbl);
	typ regtype := (SELECT a.atttypid::pg_catalog.regtype FROM pg_catalog.pg_attribute a
					WHERE a.attrelid = add_size_limit.tbl AND a.attname = add_size_limit.col);
	con text := rel || '_' || col || '_size';
	expr text;
BEGIN
	expr := CASE typ
		WHEN 'text'::pg_catalog.regtype THEN pg_catalog.format('pg_catalog.octet_length(%I) <= %s', col, max_bytes)
		WHEN 'jsonb'::pg_catalog.regtype THEN pg_catalog.format('pg_catalog.pg_column_size(%I) <= %s', col, max_bytes)
		WHEN 'text[]'::pg_catalog.regtype THEN pg_catalog.format('pg_catalog.pg_column_size(%I) <= %s', col, max_bytes)
	END;
	IF expr IS NULL THEN
		RAISE EXCEPTION 'fenta.add_size_limit: %.% is of type %', rel, col, typ;
	END IF;
	EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I', tbl, con);
	EXECUTE pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (%s) NOT VALID', tbl, con, expr);
	EXECUTE pg_catalog.format('COMMENT ON CONSTRAINT %I ON %s IS %L', con, tbl,
							  pg_catalog.format('%s is at most %s bytes (fenta 0.5.0 limits; doc/tenancy.md).', col, max_bytes));
END
$$;
REVOKE ALL ON FUNCTION fenta.add_size_limit(regclass, name, integer) FROM PUBLIC;

SELECT fenta.add_size_limit(l.tbl::regclass, l.col, l.max_bytes)
FROM (VALUES
	-- names and labels: 512 bytes (170 characters in any script)
	('public.profiles', 'name', 512),
	('public.orgs', 'name', 512),
	('public.projects', 'name', 512),
	('public.templates', 'name', 512),
	('public.workflows', 'name', 512),
	('public.assets', 'name', 512),
	('public.api_keys', 'name', 512),
	('public.webhooks', 'name', 512),
	-- short codes (most also have a format CHECK; the size check is first
	-- and cheap)
	('public.orgs', 'slug', 64),
	('public.orgs', 'billing_email', 320),
	('public.templates', 'aspect', 16),
	('public.templates', 'resolution', 16),
	('public.assets', 'mime_type', 255),
	('public.asset_versions', 'checksum_sha256', 64),
	('public.api_keys', 'key_hash', 64),
	('public.api_keys', 'key_prefix', 16),
	('public.schedules', 'cron', 256),
	('public.schedules', 'timezone', 64),
	('public.webhooks', 'secret', 256),
	-- descriptions and notes: 10 kB
	('public.projects', 'description', 10240),
	('public.templates', 'description', 10240),
	('public.workflows', 'description', 10240),
	('public.workflow_versions', 'note', 10240),
	-- URLs and storage paths: 2 kB
	('public.profiles', 'avatar_url', 2048),
	('public.templates', 'thumbnail_url', 2048),
	('public.assets', 'url', 2048),
	('public.assets', 'thumbnail_url', 2048),
	('public.assets', 'storage_path', 2048),
	('public.asset_versions', 'url', 2048),
	('public.asset_versions', 'storage_path', 2048),
	('public.webhooks', 'url', 2048),
	-- small arrays
	('public.api_keys', 'scopes', 4096),
	('public.webhooks', 'events', 1024),
	-- settings, metadata, configuration, variables, credentials: 64 kB
	('public.profiles', 'metadata', 65536),
	('public.orgs', 'settings', 65536),
	('public.projects', 'settings', 65536),
	('public.assets', 'metadata', 65536),
	('public.asset_versions', 'metadata', 65536),
	('public.workflows', 'variables', 65536),
	('public.workflow_versions', 'variables', 65536),
	('public.jobs', 'config', 65536),
	('public.integrations', 'config', 65536),
	('public.integrations', 'credentials', 65536),
	-- the documents themselves: 1 MB
	('public.workflows', 'graph', 1048576),
	('public.workflow_versions', 'graph', 1048576),
	('public.templates', 'spec', 1048576)
) l (tbl, col, max_bytes);
DROP FUNCTION fenta.add_size_limit(regclass, name, integer);

--
-- 2. schedules.cron and schedules.timezone.
--

-- One field of a cron expression.  Items separated by commas; each item is
-- *, a value, or a range a-b (a <= b), optionally followed by /step (1 <=
-- step <= hi; a/step means a-hi/step).  Values are numbers in [lo, hi] or,
-- when names is given, names (case-insensitive) mapped to lo, lo + 1, ...
CREATE FUNCTION fenta.cron_field_is_valid(field text, lo integer, hi integer, names text[] DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
	item text;
	m text[];
	a integer;
	b integer;
BEGIN
	IF field IS NULL OR field = '' THEN
		RETURN false;
	END IF;
	FOREACH item IN ARRAY pg_catalog.string_to_array(pg_catalog.lower(field), ',') LOOP
		m := pg_catalog.regexp_match(item, '^(?:(\*)|([0-9]{1,2}|[a-z]{3})(?:-([0-9]{1,2}|[a-z]{3}))?)(?:/([0-9]{1,2}))?$');
		IF m IS NULL THEN
			RETURN false;
		END IF;
		IF m[1] IS NULL THEN
			a := CASE WHEN m[2] ~ '^[0-9]' THEN m[2]::integer
					  ELSE lo - 1 + pg_catalog.array_position(names, m[2]) END;
			b := CASE WHEN m[3] IS NULL THEN a
					  WHEN m[3] ~ '^[0-9]' THEN m[3]::integer
					  ELSE lo - 1 + pg_catalog.array_position(names, m[3]) END;
			IF a IS NULL OR b IS NULL OR a < lo OR b > hi OR a > b THEN
				RETURN false;
			END IF;
		END IF;
		IF m[4] IS NOT NULL AND (m[4]::integer < 1 OR m[4]::integer > hi) THEN
			RETURN false;
		END IF;
	END LOOP;
	RETURN true;
END
$$;
COMMENT ON FUNCTION fenta.cron_field_is_valid(text, integer, integer, text[]) IS
'True when field is a valid field of a cron expression with values in [lo, hi]: a comma-separated list of *, n, a-b (a <= b), each optionally /step (1 <= step <= hi); names (case-insensitive) stand for lo, lo + 1, ... Used by fenta.cron_is_valid().';
REVOKE ALL ON FUNCTION fenta.cron_field_is_valid(text, integer, integer, text[]) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.cron_field_is_valid(text, integer, integer, text[]) TO authenticated, service_role;

CREATE FUNCTION fenta.cron_is_valid(expr text)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
	f text[];
BEGIN
	IF expr IS NULL THEN
		RETURN NULL;
	END IF;
	f := pg_catalog.regexp_split_to_array(pg_catalog.btrim(expr, E' \t'), E'[ \t]+');
	RETURN pg_catalog.cardinality(f) = 5
		AND fenta.cron_field_is_valid(f[1], 0, 59)
		AND fenta.cron_field_is_valid(f[2], 0, 23)
		AND fenta.cron_field_is_valid(f[3], 1, 31)
		AND fenta.cron_field_is_valid(f[4], 1, 12,
			'{jan,feb,mar,apr,may,jun,jul,aug,sep,oct,nov,dec}')
		AND fenta.cron_field_is_valid(f[5], 0, 7, '{sun,mon,tue,wed,thu,fri,sat}');
END
$$;
COMMENT ON FUNCTION fenta.cron_is_valid(text) IS
'True when expr is a standard five-field cron expression (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or jan-dec, day of week 0-7 or sun-sat, 0 and 7 both Sunday), fields separated by spaces or tabs; each field a comma-separated list of *, n, a-b (a <= b), each optionally /step (1 <= step <= the field''s maximum; a/step means a-max/step); names are case-insensitive. No @daily macros, no seconds, no L/W/#/?. NULL for NULL. The CHECK schedules_cron_format uses it.';
REVOKE ALL ON FUNCTION fenta.cron_is_valid(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.cron_is_valid(text) TO authenticated, service_role;

ALTER TABLE public.schedules DROP CONSTRAINT IF EXISTS schedules_cron_format;
ALTER TABLE public.schedules ADD CONSTRAINT schedules_cron_format CHECK (fenta.cron_is_valid(cron)) NOT VALID;
COMMENT ON COLUMN public.schedules.cron IS 'Standard five-field cron expression (minute hour day-of-month month day-of-week), e.g. ''0 9 * * mon-fri'', validated by fenta.cron_is_valid() (values in range, a <= b in ranges, steps >= 1; month and day-of-week names).';

-- Time zones.  The name is canonicalised by setting TimeZone inside a
-- function whose SET clause restores it on exit: pg_tzset() caches the zones
-- it loaded, so this costs microseconds where a scan of pg_timezone_names
-- reads the whole time zone directory (about 29 ms).  Names made of letters,
-- '_', '-' and '/' only cannot be POSIX TZ strings (those need an offset),
-- so the canonical name's equality settles them; anything else (digits, '+')
-- is looked up in pg_timezone_names, once, when the value is written.
CREATE OR REPLACE FUNCTION fenta.is_valid_timezone(tz text)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = ''
SET "TimeZone" = 'UTC'
AS $$
BEGIN
	IF tz = 'UTC' THEN
		RETURN true;
	END IF;
	IF tz ~ '^[A-Za-z_][A-Za-z_/-]*$' THEN
		PERFORM pg_catalog.set_config('TimeZone', tz, true);
		RETURN pg_catalog.current_setting('TimeZone') = tz;
	END IF;
	RETURN EXISTS (SELECT FROM pg_catalog.pg_timezone_names n WHERE n.name = tz);
EXCEPTION WHEN OTHERS THEN
	RETURN false;
END
$$;
COMMENT ON FUNCTION fenta.is_valid_timezone(text) IS
'True when tz is ''UTC'' or a time zone name of the server''s time zone database (as in pg_timezone_names, e.g. Europe/Paris; case-sensitive; abbreviations and POSIX strings are not names); false otherwise, never an error. Names of letters, _, - and / are checked by loading the zone (cached by the server: microseconds); others (Etc/GMT+5) against pg_timezone_names.';

CREATE FUNCTION fenta.schedules_timezone_check()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF (TG_OP = 'INSERT' OR NEW.timezone IS DISTINCT FROM OLD.timezone)
		AND NOT coalesce(fenta.is_valid_timezone(NEW.timezone), true) THEN
		RAISE EXCEPTION 'invalid time zone "%" in schedules.timezone', NEW.timezone
			USING ERRCODE = 'check_violation', SCHEMA = 'public', TABLE = 'schedules',
				COLUMN = 'timezone', CONSTRAINT = 'schedules_timezone_valid',
				HINT = 'Use a name of the time zone database, such as UTC or Europe/Paris (see pg_timezone_names).';
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.schedules_timezone_check() IS
'BEFORE INSERT OR UPDATE OF timezone trigger of schedules: when the time zone is new or changed, it must be a time zone name (fenta.is_valid_timezone), else 23514 naming schedules_timezone_valid. Replaces the CHECK of 0.1.0-0.4.0, which scanned pg_timezone_names for every row written.';
REVOKE ALL ON FUNCTION fenta.schedules_timezone_check() FROM PUBLIC, anon, authenticated, service_role;
ALTER TABLE public.schedules DROP CONSTRAINT IF EXISTS schedules_timezone_valid;
DROP TRIGGER IF EXISTS schedules_timezone_check ON public.schedules;
CREATE TRIGGER schedules_timezone_check BEFORE INSERT OR UPDATE OF timezone ON public.schedules
	FOR EACH ROW EXECUTE FUNCTION fenta.schedules_timezone_check();

--
-- 3. Webhook URLs: only public https endpoints.
--
CREATE FUNCTION fenta.webhook_url_is_safe(url text)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
	m text[];
	host text;
	port text;
	addr inet;
	last_label text;
BEGIN
	IF url IS NULL THEN
		RETURN NULL;
	END IF;
	-- https://authority[/path][?query][#fragment]; no whitespace, no
	-- backslash (browsers and some clients read it as '/')
	m := pg_catalog.regexp_match(url, '^https://([^/?#]*)([/?#][^\s\\]*)?$');
	IF m IS NULL OR m[1] ~ '[\s\\@%]' THEN
		-- '@': userinfo (credentials, or a host hidden behind one);
		-- '%': percent-encoded host
		RETURN false;
	END IF;
	IF pg_catalog.left(m[1], 1) = '[' THEN
		m := pg_catalog.regexp_match(m[1], '^\[([0-9A-Fa-f:.]+)\](?::([0-9]{1,5}))?$');
		IF m IS NULL THEN
			RETURN false;
		END IF;
		host := m[1];
		port := m[2];
	ELSE
		m := pg_catalog.regexp_match(pg_catalog.lower(m[1]), '^([a-z0-9.-]+)(?::([0-9]{1,5}))?$');
		IF m IS NULL THEN
			RETURN false;
		END IF;
		host := pg_catalog.rtrim(m[1], '.');
		port := m[2];
	END IF;
	-- the default port, or an unprivileged one (not ssh, smtp, http, ...)
	IF port IS NOT NULL AND port::integer <> 443 AND port::integer NOT BETWEEN 1024 AND 65535 THEN
		RETURN false;
	END IF;

	IF host ~ ':' THEN
		-- IPv6 literal: global unicast (2000::/3) only, minus ranges that
		-- embed or reach IPv4 or are reserved
		BEGIN
			addr := host::inet;
		EXCEPTION WHEN OTHERS THEN
			RETURN false;
		END;
		IF pg_catalog.family(addr) <> 6 OR NOT addr <<= '2000::/3'::inet THEN
			RETURN false;
		END IF;
		RETURN NOT (addr <<= '2001::/32'::inet		-- Teredo
					OR addr <<= '2001:db8::/32'::inet	-- documentation
					OR addr <<= '2001:10::/28'::inet	-- ORCHID
					OR addr <<= '2001:20::/28'::inet	-- ORCHIDv2
					OR addr <<= '2002::/16'::inet);		-- 6to4
	END IF;

	IF host = '' OR host ~ '\.\.' OR pg_catalog.left(host, 1) IN ('.', '-') THEN
		RETURN false;
	END IF;
	last_label := pg_catalog.regexp_replace(host, '^.*\.', '');
	IF last_label ~ '^[0-9]+$' OR last_label ~ '^0x' THEN
		-- an IPv4 address: only the canonical dotted quad (no 2130706433,
		-- 0x7f.1, 0177.0.0.1, 127.1), and only a public one
		IF host !~ '^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$' THEN
			RETURN false;
		END IF;
		addr := host::inet;
		RETURN NOT (addr <<= '0.0.0.0/8'::inet			-- "this network"
					OR addr <<= '10.0.0.0/8'::inet		-- private
					OR addr <<= '100.64.0.0/10'::inet	-- carrier-grade NAT (Alibaba metadata)
					OR addr <<= '127.0.0.0/8'::inet		-- loopback
					OR addr <<= '169.254.0.0/16'::inet	-- link-local, cloud metadata
					OR addr <<= '172.16.0.0/12'::inet	-- private
					OR addr <<= '192.0.0.0/24'::inet	-- IETF protocol assignments
					OR addr <<= '192.0.2.0/24'::inet	-- documentation
					OR addr <<= '192.88.99.0/24'::inet	-- 6to4 relay
					OR addr <<= '192.168.0.0/16'::inet	-- private
					OR addr <<= '198.18.0.0/15'::inet	-- benchmarking
					OR addr <<= '198.51.100.0/24'::inet	-- documentation
					OR addr <<= '203.0.113.0/24'::inet	-- documentation
					OR addr <<= '224.0.0.0/4'::inet		-- multicast
					OR addr <<= '240.0.0.0/4'::inet		-- reserved, broadcast
					OR addr = '168.63.129.16'::inet);	-- Azure host services
	END IF;

	-- a DNS name: at least two labels (a single label resolves through the
	-- search domains of the delivery host), none of the internal names
	RETURN host ~ '\.'
		AND host !~ '(^|\.)(localhost|local|localdomain|internal|intranet|lan|home|corp|private|home\.arpa|in-addr\.arpa|ip6\.arpa|onion|test|invalid|example)$'
		AND host NOT IN ('metadata.google.internal', 'metadata.goog', 'instance-data.ec2.internal',
						 'metadata.azure.com', 'metadata.oraclecloud.com', 'kubernetes.default.svc');
END
$$;
COMMENT ON FUNCTION fenta.webhook_url_is_safe(text) IS
'True when url is a webhook endpoint that does not point into the platform''s own network: https only; no userinfo (user:pass@), no percent-encoded or backslashed host; port 443 (default) or 1024-65535; no loopback, private, link-local, CGNAT, multicast, reserved or documentation IPv4; IPv4 only as a canonical dotted quad (decimal, octal and hex forms such as 2130706433 or 0x7f.1 are refused); IPv6 literals only in global unicast 2000::/3 (minus Teredo, 6to4, ORCHID, documentation); names need a dot and may not be localhost, *.local, *.internal, *.localdomain, *.home.arpa, ... or a cloud metadata host. A name that resolves to a private address (DNS rebinding) cannot be refused here: the delivery worker must check the address it connects to. NULL for NULL.';
REVOKE ALL ON FUNCTION fenta.webhook_url_is_safe(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.webhook_url_is_safe(text) TO authenticated, service_role;

ALTER TABLE public.webhooks DROP CONSTRAINT IF EXISTS webhooks_url_safe;
ALTER TABLE public.webhooks ADD CONSTRAINT webhooks_url_safe CHECK (fenta.webhook_url_is_safe(url)) NOT VALID;
COMMENT ON COLUMN public.webhooks.url IS 'Endpoint URL: https://host[:port][/path], a public host (fenta.webhook_url_is_safe: no loopback, private, link-local or metadata address, no credentials, port 443 or 1024-65535).';

--
-- 4. Per-org caps on queued jobs and schedules, under a per-org lock.
--

-- The workers' queue: each org's queued jobs in order (claim_jobs, the caps).
CREATE INDEX IF NOT EXISTS idx_jobs_queued_org ON public.jobs (org_id, queued_at, id)
	WHERE status = 'queued' AND deleted_at IS NULL;

CREATE FUNCTION fenta.org_cap_check()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	cap_name text := TG_ARGV[0];
	cap integer;
	n integer;
BEGIN
	IF TG_TABLE_NAME = 'jobs' THEN
		IF NEW.status <> 'queued' OR NEW.deleted_at IS NOT NULL
			OR (TG_OP = 'UPDATE' AND OLD.status = 'queued' AND OLD.deleted_at IS NULL
				AND OLD.org_id = NEW.org_id) THEN
			RETURN NEW;
		END IF;
	ELSIF TG_OP = 'UPDATE' AND OLD.org_id = NEW.org_id THEN
		RETURN NEW;
	END IF;
	-- operators (superusers) are not capped: restores, migrations, tests
	IF pg_catalog.current_setting('role') = 'none'
		AND (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = SESSION_USER) THEN
		RETURN NEW;
	END IF;
	cap := fenta.tenant_limit(cap_name);
	-- one writer per org and cap at a time: the count below sees the rows
	-- the previous holder committed (READ COMMITTED takes a new snapshot)
	PERFORM pg_catalog.pg_advisory_xact_lock(
		pg_catalog.hashtextextended('fenta.' || cap_name || ':' || NEW.org_id::text, 0));
	IF TG_TABLE_NAME = 'jobs' THEN
		SELECT count(*) INTO n FROM (
			SELECT FROM public.jobs j
			WHERE j.org_id = NEW.org_id AND j.status = 'queued' AND j.deleted_at IS NULL
			LIMIT cap) q;
	ELSE
		SELECT count(*) INTO n FROM (
			SELECT FROM public.schedules s WHERE s.org_id = NEW.org_id LIMIT cap) q;
	END IF;
	IF n >= cap THEN
		RAISE EXCEPTION 'org % has reached its cap of % %', NEW.org_id, cap,
				CASE TG_TABLE_NAME WHEN 'jobs' THEN 'queued jobs' ELSE 'schedules' END
			USING ERRCODE = 'program_limit_exceeded', SCHEMA = 'public', TABLE = TG_TABLE_NAME,
				DETAIL = pg_catalog.format('tenant limit %s = %s', cap_name, cap),
				HINT = CASE TG_TABLE_NAME
					WHEN 'jobs' THEN 'Wait for queued jobs to start, or cancel some; the operator may raise max_queued_jobs_per_org in fenta.tenant_limits.'
					ELSE 'Delete unused schedules; the operator may raise max_schedules_per_org in fenta.tenant_limits.' END;
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.org_cap_check() IS
'BEFORE INSERT/UPDATE trigger of jobs (argument max_queued_jobs_per_org: a job becoming queued) and schedules (max_schedules_per_org): under a per-org advisory transaction lock, refuses the row with 54000 when the org already holds fenta.tenant_limit(cap) such rows. Applies to every API role, service_role included; a superuser session that has not SET ROLE is not capped.';
REVOKE ALL ON FUNCTION fenta.org_cap_check() FROM PUBLIC, anon, authenticated, service_role;

DROP TRIGGER IF EXISTS jobs_queued_cap ON public.jobs;
CREATE TRIGGER jobs_queued_cap BEFORE INSERT OR UPDATE OF status, deleted_at, org_id ON public.jobs
	FOR EACH ROW EXECUTE FUNCTION fenta.org_cap_check('max_queued_jobs_per_org');
DROP TRIGGER IF EXISTS schedules_cap ON public.schedules;
CREATE TRIGGER schedules_cap BEFORE INSERT OR UPDATE OF org_id ON public.schedules
	FOR EACH ROW EXECUTE FUNCTION fenta.org_cap_check('max_schedules_per_org');

-- The workers take jobs round-robin across orgs: each org's oldest first,
-- orgs interleaved by their oldest job, so an org with 5,000 queued jobs
-- delays another org's job by at most one job per round.
CREATE FUNCTION fenta.claim_jobs(n integer, worker text DEFAULT NULL)
RETURNS SETOF public.jobs
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	c record;
	claimed public.jobs;
	got integer := 0;
BEGIN
	IF n IS NULL OR n < 1 THEN
		RETURN;
	END IF;
	FOR c IN
		-- the orgs with queued jobs: a skip scan of idx_jobs_queued_org (its
		-- order, org_id then queued_at, keeps the planner on it)
		WITH RECURSIVE orgs (org_id) AS (
			(SELECT j.org_id FROM public.jobs j
			 WHERE j.status = 'queued' AND j.deleted_at IS NULL
			 ORDER BY j.org_id, j.queued_at LIMIT 1)
			UNION ALL
			SELECT (SELECT j.org_id FROM public.jobs j
					WHERE j.status = 'queued' AND j.deleted_at IS NULL AND j.org_id > o.org_id
					ORDER BY j.org_id, j.queued_at LIMIT 1)
			FROM orgs o WHERE o.org_id IS NOT NULL
		),
		-- the orgs whose oldest queued job is oldest: the first n claims come
		-- from them; a margin for the jobs other workers hold locked
		heads AS (
			SELECT o.org_id, h.queued_at
			FROM orgs o
				CROSS JOIN LATERAL (
					SELECT j.queued_at FROM public.jobs j
					WHERE j.org_id = o.org_id AND j.status = 'queued' AND j.deleted_at IS NULL
					ORDER BY j.queued_at, j.id
					LIMIT 1) h
			WHERE o.org_id IS NOT NULL
			ORDER BY h.queued_at, o.org_id
			LIMIT claim_jobs.n + 16
		)
		SELECT q.id
		FROM heads o
			CROSS JOIN LATERAL (
				SELECT j.id, j.queued_at,
					pg_catalog.row_number() OVER (ORDER BY j.queued_at, j.id) AS rank
				FROM public.jobs j
				WHERE j.org_id = o.org_id AND j.status = 'queued' AND j.deleted_at IS NULL
				ORDER BY j.queued_at, j.id
				LIMIT claim_jobs.n + 16) q
		ORDER BY q.rank, q.queued_at, q.id
	LOOP
		UPDATE public.jobs j SET status = 'processing', started_at = pg_catalog.now()
		WHERE j.id = (SELECT k.id FROM public.jobs k
					  WHERE k.id = c.id AND k.status = 'queued' AND k.deleted_at IS NULL
					  FOR UPDATE SKIP LOCKED)
		RETURNING j.* INTO claimed;
		IF FOUND THEN
			RETURN NEXT claimed;
			got := got + 1;
			EXIT WHEN got >= claim_jobs.n;
		END IF;
	END LOOP;
	RETURN;
END
$$;
COMMENT ON FUNCTION fenta.claim_jobs(integer, text) IS
'Workers (service_role): claims up to n queued jobs, round-robin across orgs (the oldest queued job of every org, then the second of every org, ...; ties by queued_at), skipping jobs another worker has locked (FOR UPDATE SKIP LOCKED); sets status = processing and started_at = now() and returns the claimed jobs in claim order. Reads one index entry per org with queued jobs (a skip scan of idx_jobs_queued_org), then at most n + 16 jobs of each of the n + 16 orgs with the oldest queued jobs, however many an org has queued. worker is a label for the caller''s logs (not stored).';
REVOKE ALL ON FUNCTION fenta.claim_jobs(integer, text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.claim_jobs(integer, text) TO service_role;

--
-- 5. The anon gallery: public, live templates of live orgs, gallery columns
-- only (no org_id, project_id, spec, usage_count, updated_at).
-- 70_policies.sql revokes everything from anon; this file gives it these
-- columns and one policy (templates.org_deleted_at: 61_template_gallery.sql).
--
-- is_public, deleted_at and org_deleted_at are always true, NULL and NULL in
-- what anon sees; the gallery view (security_invoker) filters on them
GRANT SELECT (id, name, description, aspect, resolution, thumbnail_url, created_at, is_public, deleted_at,
			  org_deleted_at)
	ON public.templates TO anon;
DROP POLICY IF EXISTS templates_select_public_anon ON public.templates;
CREATE POLICY templates_select_public_anon ON public.templates FOR SELECT TO anon
	USING (is_public AND deleted_at IS NULL AND org_deleted_at IS NULL);

CREATE INDEX IF NOT EXISTS idx_templates_gallery ON public.templates (created_at DESC)
	WHERE is_public AND deleted_at IS NULL AND org_deleted_at IS NULL;

CREATE OR REPLACE VIEW public.template_gallery WITH (security_invoker = true) AS
	SELECT t.id, t.name, t.description, t.aspect, t.resolution, t.thumbnail_url, t.created_at
	FROM public.templates t
	WHERE t.is_public AND t.deleted_at IS NULL AND t.org_deleted_at IS NULL;
COMMENT ON VIEW public.template_gallery IS 'The public template gallery: public, not deleted templates of live orgs, gallery columns only (security_invoker: anon reads it through templates_select_public_anon and its column grants).';
COMMENT ON COLUMN public.template_gallery.id IS 'Template id (templates.id).';
COMMENT ON COLUMN public.template_gallery.name IS 'Template name.';
COMMENT ON COLUMN public.template_gallery.description IS 'Template description.';
COMMENT ON COLUMN public.template_gallery.aspect IS 'Aspect ratio: 9:16, 16:9 or 1:1.';
COMMENT ON COLUMN public.template_gallery.resolution IS 'Output resolution (WIDTHxHEIGHT), if set.';
COMMENT ON COLUMN public.template_gallery.thumbnail_url IS 'Preview image URL, if set.';
COMMENT ON COLUMN public.template_gallery.created_at IS 'When the template was created.';
REVOKE ALL ON public.template_gallery FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON public.template_gallery TO anon, authenticated, service_role;

--
-- Validate the constraints added NOT VALID above where the rows allow it.
--
DO $$
DECLARE
	c record;
BEGIN
	FOR c IN
		SELECT con.conrelid::pg_catalog.regclass AS tbl, con.conname
		FROM pg_catalog.pg_constraint con
		WHERE NOT con.convalidated AND con.contype = 'c'
			AND con.connamespace = 'public'::pg_catalog.regnamespace
			AND (con.conname ~ '_size$' OR con.conname IN ('schedules_cron_format', 'webhooks_url_safe'))
		ORDER BY 1, 2
	LOOP
		BEGIN
			EXECUTE pg_catalog.format('ALTER TABLE %s VALIDATE CONSTRAINT %I', c.tbl, c.conname);
		EXCEPTION WHEN check_violation THEN
			RAISE WARNING 'fenta: rows of % break the new constraint %; it stays NOT VALID (new and updated rows are checked)', c.tbl, c.conname
				USING HINT = pg_catalog.format('Fix the rows, then ALTER TABLE %s VALIDATE CONSTRAINT %I.', c.tbl, c.conname);
		END;
	END LOOP;
END
$$;

-- Signup never fails on the size limits: an identity provider's long name is
-- cut, an over-long avatar URL left out.
CREATE OR REPLACE FUNCTION fenta.handle_new_user()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	meta jsonb := coalesce(NEW.raw_user_meta_data, '{}');
BEGIN
	INSERT INTO public.profiles (id, name, avatar_url)
	VALUES (NEW.id,
			-- within profiles_name_size (512 bytes: 128 characters always fit)
			pg_catalog.left(coalesce(nullif(pg_catalog.btrim(meta ->> 'full_name'), ''),
									 nullif(pg_catalog.btrim(meta ->> 'name'), ''),
									 nullif(pg_catalog.split_part(NEW.email, '@', 1), '')), 128),
			-- an avatar URL over profiles_avatar_url_size is left out
			CASE WHEN meta ->> 'avatar_url' ~ '^https?://'
				AND pg_catalog.octet_length(meta ->> 'avatar_url') <= 2048 THEN meta ->> 'avatar_url' END)
	ON CONFLICT (id) DO NOTHING;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.handle_new_user() IS
'AFTER INSERT trigger on auth.users: creates the user''s profile, name and avatar taken from raw_user_meta_data (full_name or name, avatar_url), else the e-mail''s local part; the name is cut to 128 characters and an avatar URL over 2 kB left out (the profiles size limits).';
-- ===========================================================================
-- Public ids: the TypeID prefix of every table and the API's view of keys.
--
-- Keys are stored as uuid; the API shows them as TypeIDs such as
-- org_01h455vb4pex5vsknk084sn02q.  Each table's prefix is fixed here, in
-- fenta.typeid_prefix_of(), and in the table's public_id computed field.
--
-- The functions below have SQL-standard bodies (RETURN ...): they are parsed
-- once, at creation, so they neither depend on the caller's search_path nor
-- need USAGE on schema fenta to call fenta.typeid_encode/decode, and the
-- planner still inlines them into the calling query.
-- ===========================================================================

CREATE FUNCTION fenta.typeid_prefix_of(entity regclass)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE entity
    WHEN 'public.profiles'::regclass            THEN 'user'
    WHEN 'public.orgs'::regclass                THEN 'org'
    WHEN 'public.org_members'::regclass         THEN 'mem'
    WHEN 'public.api_keys'::regclass            THEN 'key'
    WHEN 'public.projects'::regclass            THEN 'proj'
    WHEN 'public.templates'::regclass           THEN 'tmpl'
    WHEN 'public.workflows'::regclass           THEN 'wf'
    WHEN 'public.workflow_versions'::regclass   THEN 'wfv'
    WHEN 'public.assets'::regclass              THEN 'asset'
    WHEN 'public.asset_versions'::regclass      THEN 'assetv'
    WHEN 'public.jobs'::regclass                THEN 'job'
    WHEN 'public.job_logs'::regclass            THEN 'log'
    WHEN 'public.renders'::regclass             THEN 'render'
    WHEN 'public.schedules'::regclass           THEN 'sched'
    WHEN 'public.webhooks'::regclass            THEN 'hook'
    WHEN 'public.webhook_deliveries'::regclass  THEN 'hookdel'
    WHEN 'public.usage_records'::regclass       THEN 'usage'
    WHEN 'public.quota_limits'::regclass        THEN 'quota'
    WHEN 'public.invoices'::regclass            THEN 'inv'
    WHEN 'public.credit_packs'::regclass        THEN 'pack'
    WHEN 'public.integrations'::regclass        THEN 'integ'
    WHEN 'public.kai_generations'::regclass     THEN 'kaigen'
END;

COMMENT ON FUNCTION fenta.typeid_prefix_of(regclass) IS
'TypeID prefix of a fenta table''s ids (without the "_"), e.g. ''org'' for public.orgs; NULL for any other table.';

CREATE FUNCTION public.uuid_from_public_id(public_id text, entity regclass)
RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_decode(public_id, fenta.typeid_prefix_of(entity));

COMMENT ON FUNCTION public.uuid_from_public_id(text, regclass) IS
'The uuid key of a public id of the given table, e.g. uuid_from_public_id(''org_01h455vb4pex5vsknk084sn02q'', ''orgs''). Raises 22P02 if the public id is malformed or has the prefix of another table (a job_ id where an org_ id is expected); NULL if the table has no prefix.';

CREATE FUNCTION public.public_id(t public.profiles)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('user', t.id);

COMMENT ON FUNCTION public.public_id(public.profiles) IS
'Public id of a row of profiles: its id as a TypeID with prefix user_ (user_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.orgs)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('org', t.id);

COMMENT ON FUNCTION public.public_id(public.orgs) IS
'Public id of a row of orgs: its id as a TypeID with prefix org_ (org_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.org_members)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('mem', t.id);

COMMENT ON FUNCTION public.public_id(public.org_members) IS
'Public id of a row of org_members: its id as a TypeID with prefix mem_ (mem_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.api_keys)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('key', t.id);

COMMENT ON FUNCTION public.public_id(public.api_keys) IS
'Public id of a row of api_keys: its id as a TypeID with prefix key_ (key_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.projects)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('proj', t.id);

COMMENT ON FUNCTION public.public_id(public.projects) IS
'Public id of a row of projects: its id as a TypeID with prefix proj_ (proj_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.templates)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('tmpl', t.id);

COMMENT ON FUNCTION public.public_id(public.templates) IS
'Public id of a row of templates: its id as a TypeID with prefix tmpl_ (tmpl_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.workflows)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('wf', t.id);

COMMENT ON FUNCTION public.public_id(public.workflows) IS
'Public id of a row of workflows: its id as a TypeID with prefix wf_ (wf_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.workflow_versions)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('wfv', t.id);

COMMENT ON FUNCTION public.public_id(public.workflow_versions) IS
'Public id of a row of workflow_versions: its id as a TypeID with prefix wfv_ (wfv_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.assets)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('asset', t.id);

COMMENT ON FUNCTION public.public_id(public.assets) IS
'Public id of a row of assets: its id as a TypeID with prefix asset_ (asset_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.asset_versions)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('assetv', t.id);

COMMENT ON FUNCTION public.public_id(public.asset_versions) IS
'Public id of a row of asset_versions: its id as a TypeID with prefix assetv_ (assetv_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.jobs)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('job', t.id);

COMMENT ON FUNCTION public.public_id(public.jobs) IS
'Public id of a row of jobs: its id as a TypeID with prefix job_ (job_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.job_logs)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('log', t.id);

COMMENT ON FUNCTION public.public_id(public.job_logs) IS
'Public id of a row of job_logs: its id as a TypeID with prefix log_ (log_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.renders)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('render', t.id);

COMMENT ON FUNCTION public.public_id(public.renders) IS
'Public id of a row of renders: its id as a TypeID with prefix render_ (render_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.schedules)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('sched', t.id);

COMMENT ON FUNCTION public.public_id(public.schedules) IS
'Public id of a row of schedules: its id as a TypeID with prefix sched_ (sched_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.webhooks)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('hook', t.id);

COMMENT ON FUNCTION public.public_id(public.webhooks) IS
'Public id of a row of webhooks: its id as a TypeID with prefix hook_ (hook_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.webhook_deliveries)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('hookdel', t.id);

COMMENT ON FUNCTION public.public_id(public.webhook_deliveries) IS
'Public id of a row of webhook_deliveries: its id as a TypeID with prefix hookdel_ (hookdel_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.usage_records)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('usage', t.id);

COMMENT ON FUNCTION public.public_id(public.usage_records) IS
'Public id of a row of usage_records: its id as a TypeID with prefix usage_ (usage_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.quota_limits)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('quota', t.id);

COMMENT ON FUNCTION public.public_id(public.quota_limits) IS
'Public id of a row of quota_limits: its id as a TypeID with prefix quota_ (quota_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.invoices)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('inv', t.id);

COMMENT ON FUNCTION public.public_id(public.invoices) IS
'Public id of a row of invoices: its id as a TypeID with prefix inv_ (inv_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.credit_packs)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('pack', t.id);

COMMENT ON FUNCTION public.public_id(public.credit_packs) IS
'Public id of a row of credit_packs: its id as a TypeID with prefix pack_ (pack_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.integrations)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('integ', t.id);

COMMENT ON FUNCTION public.public_id(public.integrations) IS
'Public id of a row of integrations: its id as a TypeID with prefix integ_ (integ_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.kai_generations)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('kaigen', t.id);

COMMENT ON FUNCTION public.public_id(public.kai_generations) IS
'Public id of a row of kai_generations: its id as a TypeID with prefix kaigen_ (kaigen_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

GRANT EXECUTE ON FUNCTION
    fenta.typeid_encode(text, uuid),
    fenta.typeid_decode(text, text),
    fenta.typeid_prefix(text),
    fenta.typeid_prefix_of(regclass),
    fenta.uuid_v7_timestamp(uuid),
    public.uuid_from_public_id(text, regclass),
    public.public_id(public.profiles),
    public.public_id(public.orgs),
    public.public_id(public.org_members),
    public.public_id(public.api_keys),
    public.public_id(public.projects),
    public.public_id(public.templates),
    public.public_id(public.workflows),
    public.public_id(public.workflow_versions),
    public.public_id(public.assets),
    public.public_id(public.asset_versions),
    public.public_id(public.jobs),
    public.public_id(public.job_logs),
    public.public_id(public.renders),
    public.public_id(public.schedules),
    public.public_id(public.webhooks),
    public.public_id(public.webhook_deliveries),
    public.public_id(public.usage_records),
    public.public_id(public.quota_limits),
    public.public_id(public.invoices),
    public.public_id(public.credit_packs),
    public.public_id(public.integrations),
    public.public_id(public.kai_generations)
TO anon, authenticated, service_role;

-- Column defaults call it when the API inserts rows.
GRANT EXECUTE ON FUNCTION fenta.uuid_generate_v7() TO authenticated, service_role;
-- ===========================================================================
-- 0.4.0: public.public_id(<table>) with SQL string bodies.
--
-- The 0.3.0 functions had SQL-standard bodies (RETURN ...).  Such a body is
-- stored parsed, with a whole-row reference to the table, and PostgreSQL
-- (15.x minor releases of 2025 on) then refuses any ALTER TABLE that must
-- rewrite or default existing rows of the table -- among them
-- ALTER TABLE ... ADD COLUMN ... DEFAULT -- with "cannot alter table
-- because function public_id(...) uses its row type".  fenta's own update
-- scripts (and a DBA) must be able to add such a column, so the bodies are
-- plain SQL strings again: parsed at call time, still inlined by the planner
-- (LANGUAGE sql, IMMUTABLE, no SET clause, one SELECT).  Every name in them
-- is schema-qualified, so they do not depend on the caller's search_path;
-- the callers (anon, authenticated, service_role) have USAGE on schema fenta
-- and EXECUTE on fenta.typeid_encode().
-- ===========================================================================

CREATE OR REPLACE FUNCTION public.public_id(t public.profiles)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('user', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.orgs)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('org', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.org_members)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('mem', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.api_keys)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('key', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.projects)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('proj', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.templates)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('tmpl', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.workflows)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('wf', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.workflow_versions)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('wfv', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.assets)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('asset', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.asset_versions)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('assetv', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.jobs)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('job', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.job_logs)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('log', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.renders)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('render', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.schedules)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('sched', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.webhooks)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('hook', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.webhook_deliveries)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('hookdel', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.usage_records)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('usage', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.quota_limits)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('quota', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.invoices)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('inv', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.credit_packs)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('pack', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.integrations)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('integ', $1.id) $$;

CREATE OR REPLACE FUNCTION public.public_id(t public.kai_generations)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('kaigen', $1.id) $$;
-- ===========================================================================
-- Public ids of org_invitations (0.5.0): prefix invite_.
-- ===========================================================================

CREATE OR REPLACE FUNCTION fenta.typeid_prefix_of(entity regclass)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE entity
    WHEN 'public.profiles'::regclass            THEN 'user'
    WHEN 'public.orgs'::regclass                THEN 'org'
    WHEN 'public.org_members'::regclass         THEN 'mem'
    WHEN 'public.api_keys'::regclass            THEN 'key'
    WHEN 'public.projects'::regclass            THEN 'proj'
    WHEN 'public.templates'::regclass           THEN 'tmpl'
    WHEN 'public.workflows'::regclass           THEN 'wf'
    WHEN 'public.workflow_versions'::regclass   THEN 'wfv'
    WHEN 'public.assets'::regclass              THEN 'asset'
    WHEN 'public.asset_versions'::regclass      THEN 'assetv'
    WHEN 'public.jobs'::regclass                THEN 'job'
    WHEN 'public.job_logs'::regclass            THEN 'log'
    WHEN 'public.renders'::regclass             THEN 'render'
    WHEN 'public.schedules'::regclass           THEN 'sched'
    WHEN 'public.webhooks'::regclass            THEN 'hook'
    WHEN 'public.webhook_deliveries'::regclass  THEN 'hookdel'
    WHEN 'public.usage_records'::regclass       THEN 'usage'
    WHEN 'public.quota_limits'::regclass        THEN 'quota'
    WHEN 'public.invoices'::regclass            THEN 'inv'
    WHEN 'public.credit_packs'::regclass        THEN 'pack'
    WHEN 'public.integrations'::regclass        THEN 'integ'
    WHEN 'public.kai_generations'::regclass     THEN 'kaigen'
    WHEN 'public.org_invitations'::regclass     THEN 'invite'
END;

CREATE FUNCTION public.public_id(t public.org_invitations)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('invite', $1.id) $$;

COMMENT ON FUNCTION public.public_id(public.org_invitations) IS
'Public id of a row of org_invitations: its id as a TypeID with prefix invite_ (invite_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';
REVOKE ALL ON FUNCTION public.public_id(public.org_invitations) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.public_id(public.org_invitations) TO authenticated, service_role;
COMMENT ON TABLE public.org_invitations IS 'Invitations to join an org with a role: created by an admin (public.create_invitation), accepted or declined by the invitee with the token (public.accept_invitation, public.decline_invitation), revoked by an admin, or expired. Only the SHA-256 of the token is stored. Text id prefix: invite_.';
-- ===========================================================================
-- Function privileges (0.5.0): PostgreSQL lets PUBLIC execute every new
-- function; fenta's are revoked from PUBLIC and anon here (after 75/76, which
-- create the public_id functions) and granted to the roles that need them.
-- test/sql/tenancy_membership.sql audits pg_proc for what anon may execute.
-- ===========================================================================

--
-- What anon may execute: only what the public template gallery needs
-- (public_id of a template and the TypeID helpers it and uuid_from_public_id
-- use).  Everything else of fenta's, which PostgreSQL grants to PUBLIC by
-- default, is revoked from PUBLIC and granted to the roles that need it
-- (column defaults, CHECKs, policies and triggers run as the requesting role).
-- Trigger functions need no EXECUTE to fire.
--
REVOKE ALL ON FUNCTION fenta.uuid_generate_v7() FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.uuid_generate_v7() TO authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.uuid_v7_timestamp(uuid) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.uuid_v7_timestamp(uuid) TO authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.typeid_prefix(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.typeid_prefix(text) TO authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.plan_defaults() FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.plan_defaults() TO service_role;
REVOKE ALL ON FUNCTION fenta.bypasses_rls() FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.bypasses_rls() TO authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.is_valid_timezone(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.is_valid_timezone(text) TO authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.org_ids(public.member_role) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.org_ids(public.member_role) TO authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.has_org_role(uuid, public.member_role) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.has_org_role(uuid, public.member_role) TO authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.update_updated_at() FROM PUBLIC, anon, authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.require_org_role() FROM PUBLIC, anon, authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.org_members_guard() FROM PUBLIC, anon, authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.handle_new_user() FROM PUBLIC, anon, authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.handle_new_org() FROM PUBLIC, anon, authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.jobs_update_guard() FROM PUBLIC, anon, authenticated, service_role;
REVOKE ALL ON FUNCTION fenta.orgs_lifecycle_guard() FROM PUBLIC, anon, authenticated, service_role;
DO $revoke$
DECLARE
	t text;
BEGIN
	-- the public_id computed field of every table but templates (the gallery's)
	FOREACH t IN ARRAY ARRAY['profiles', 'orgs', 'org_members', 'api_keys', 'projects',
		'workflows', 'workflow_versions', 'assets', 'asset_versions', 'jobs', 'job_logs',
		'renders', 'schedules', 'webhooks', 'webhook_deliveries', 'usage_records',
		'quota_limits', 'invoices', 'credit_packs', 'integrations', 'kai_generations'] LOOP
		EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION public.public_id(public.%I) FROM PUBLIC, anon', t);
		EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION public.public_id(public.%I) TO authenticated, service_role', t);
	END LOOP;
END
$revoke$;
-- ===========================================================================
-- The member RPCs as SECURITY INVOKER wrappers (0.6.0).
--
-- public.create_api_key, public.create_invitation, public.accept_invitation
-- and public.decline_invitation write rows that members cannot write
-- directly (api_keys, org_invitations, org_members), after checking the
-- caller's role: they need the owner's rights.  Until 0.5.0 they were
-- SECURITY DEFINER functions in public, which PostgREST exposes; Supabase's
-- linter (splinter, lint 0029 authenticated_security_definer_function_executable)
-- flags such a function executable by authenticated.  Its remedy, done here:
-- the SECURITY DEFINER body moves, verbatim (every check, lock, message and
-- SQLSTATE), to a function of the same name and arguments in fenta (not
-- exposed), and the public function becomes a SECURITY INVOKER wrapper that
-- calls it, with the same signature, result, defaults, comment and grants.
-- The wrapper runs as the caller (authenticated or service_role), which
-- needs USAGE on fenta (granted by 00_header.sql) and EXECUTE on the body;
-- auth.uid() reads the same JWT claims in the body as before.
-- ===========================================================================

CREATE FUNCTION fenta.create_api_key(org_id uuid, name text, scopes jsonb DEFAULT '[]', expires_at timestamptz DEFAULT NULL)
RETURNS TABLE (id uuid, key text)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	my_role public.member_role := fenta.caller_org_role(create_api_key.org_id);
	uid uuid := (SELECT auth.uid());
	raw text := fenta.new_secret('fk_');
	s jsonb;
	clean jsonb;
	live integer;
	cap integer := fenta.tenant_limit('max_api_keys_per_member');
	new_id uuid;
BEGIN
	IF my_role IS NULL THEN
		RAISE EXCEPTION 'permission denied to create an API key in this org'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Members with an active profile create keys in a live org they belong to.';
	END IF;
	IF create_api_key.scopes IS NULL OR pg_catalog.jsonb_typeof(create_api_key.scopes) OPERATOR(pg_catalog.<>) 'array' THEN
		RAISE EXCEPTION 'scopes must be a JSON array of strings' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOR s IN SELECT e FROM pg_catalog.jsonb_array_elements(create_api_key.scopes) e LOOP
		IF pg_catalog.jsonb_typeof(s) OPERATOR(pg_catalog.<>) 'string'
			OR fenta.api_key_scope_role(s #>> '{}') IS NULL THEN
			RAISE EXCEPTION 'unknown API key scope: %', s
				USING ERRCODE = 'invalid_parameter_value',
					HINT = 'Scopes are read, write, admin and billing.';
		END IF;
		IF fenta.api_key_scope_role(s #>> '{}') OPERATOR(pg_catalog.>) my_role THEN
			RAISE EXCEPTION 'permission denied to grant scope % with role %', s, my_role
				USING ERRCODE = 'insufficient_privilege',
					DETAIL = 'read needs viewer, write editor, admin admin, billing owner.';
		END IF;
	END LOOP;
	SELECT coalesce(pg_catalog.jsonb_agg(DISTINCT e ORDER BY e), '[]') INTO clean
	FROM pg_catalog.jsonb_array_elements_text(create_api_key.scopes) e;
	IF create_api_key.expires_at OPERATOR(pg_catalog.<=) pg_catalog.now() THEN
		RAISE EXCEPTION 'expires_at must be in the future' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- serialise the member's key creations (write their membership row),
	-- then count their live keys
	UPDATE public.org_members m SET updated_at = m.updated_at
	WHERE m.org_id OPERATOR(pg_catalog.=) create_api_key.org_id AND m.user_id OPERATOR(pg_catalog.=) uid;
	SELECT pg_catalog.count(*) INTO live
	FROM public.api_keys k
	WHERE k.org_id OPERATOR(pg_catalog.=) create_api_key.org_id AND k.user_id OPERATOR(pg_catalog.=) uid
		AND k.revoked_at IS NULL
		AND (k.expires_at IS NULL OR k.expires_at OPERATOR(pg_catalog.>) pg_catalog.now());
	IF live OPERATOR(pg_catalog.>=) cap THEN
		RAISE EXCEPTION 'too many API keys: a member may hold at most % unrevoked keys in an org', cap
			USING ERRCODE = 'program_limit_exceeded',
				HINT = 'Revoke unused keys; the cap is fenta.tenant_limit(''max_api_keys_per_member'').';
	END IF;
	INSERT INTO public.api_keys (user_id, org_id, name, key_hash, key_prefix, scopes, expires_at)
	VALUES (uid, create_api_key.org_id, create_api_key.name, fenta.secret_hash(raw),
			pg_catalog.left(raw, 11), clean, create_api_key.expires_at)
	RETURNING api_keys.id INTO new_id;
	RETURN QUERY SELECT new_id, raw;
END
$$;
COMMENT ON FUNCTION fenta.create_api_key(uuid, text, jsonb, timestamptz) IS
'The body of public.create_api_key(), run with the owner''s rights (SECURITY DEFINER); public.create_api_key is its SECURITY INVOKER wrapper, the RPC that PostgREST exposes. Not exposed itself; see the comment of public.create_api_key for what it does.';
REVOKE ALL ON FUNCTION fenta.create_api_key(uuid, text, jsonb, timestamptz) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.create_api_key(uuid, text, jsonb, timestamptz) TO authenticated, service_role;

CREATE FUNCTION fenta.create_invitation(org_id uuid, role public.member_role DEFAULT 'viewer', email text DEFAULT NULL)
RETURNS TABLE (id uuid, token text)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	my_role public.member_role := fenta.caller_org_role(create_invitation.org_id);
	raw text := fenta.new_secret('fi_');
	pending integer;
	cap integer := fenta.tenant_limit('max_pending_invitations_per_org');
	new_id uuid;
BEGIN
	IF my_role IS NULL OR my_role OPERATOR(pg_catalog.<) 'admin'::public.member_role THEN
		RAISE EXCEPTION 'permission denied to invite members to this org'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Admins and owners of a live org invite members.';
	END IF;
	IF create_invitation.role IS NULL THEN
		RAISE EXCEPTION 'role must not be NULL' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF create_invitation.role OPERATOR(pg_catalog.=) 'owner'::public.member_role
		AND my_role OPERATOR(pg_catalog.<>) 'owner'::public.member_role THEN
		RAISE EXCEPTION 'permission denied to invite an owner'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Only an owner invites an owner.';
	END IF;
	-- serialise the invitations of the org, then count the pending ones
	UPDATE public.orgs o SET updated_at = o.updated_at
	WHERE o.id OPERATOR(pg_catalog.=) create_invitation.org_id;
	SELECT pg_catalog.count(*) INTO pending
	FROM public.org_invitations i
	WHERE i.org_id OPERATOR(pg_catalog.=) create_invitation.org_id
		AND i.accepted_at IS NULL AND i.declined_at IS NULL AND i.revoked_at IS NULL
		AND i.expires_at OPERATOR(pg_catalog.>) pg_catalog.now();
	IF pending OPERATOR(pg_catalog.>=) cap THEN
		RAISE EXCEPTION 'too many pending invitations: an org may have at most %', cap
			USING ERRCODE = 'program_limit_exceeded',
				HINT = 'Revoke unused invitations; the cap is fenta.tenant_limit(''max_pending_invitations_per_org'').';
	END IF;
	INSERT INTO public.org_invitations (org_id, role, invited_by, token_hash, email)
	VALUES (create_invitation.org_id, create_invitation.role, (SELECT auth.uid()),
			fenta.secret_hash(raw), pg_catalog.lower(pg_catalog.btrim(create_invitation.email)))
	RETURNING org_invitations.id INTO new_id;
	RETURN QUERY SELECT new_id, raw;
END
$$;
COMMENT ON FUNCTION fenta.create_invitation(uuid, public.member_role, text) IS
'The body of public.create_invitation(), run with the owner''s rights (SECURITY DEFINER); public.create_invitation is its SECURITY INVOKER wrapper, the RPC that PostgREST exposes. Not exposed itself; see the comment of public.create_invitation for what it does.';
REVOKE ALL ON FUNCTION fenta.create_invitation(uuid, public.member_role, text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.create_invitation(uuid, public.member_role, text) TO authenticated, service_role;

CREATE FUNCTION fenta.accept_invitation(token text)
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	inv public.org_invitations := fenta.pending_invitation(accept_invitation.token);
	uid uuid := (SELECT auth.uid());
BEGIN
	-- already a member: the higher of the two roles stays
	INSERT INTO public.org_members AS m (org_id, user_id, role)
	VALUES (inv.org_id, uid, inv.role)
	ON CONFLICT (org_id, user_id) DO UPDATE SET role = GREATEST(m.role, EXCLUDED.role)
		WHERE m.role OPERATOR(pg_catalog.<) EXCLUDED.role;
	UPDATE public.org_invitations i SET accepted_at = pg_catalog.now(), accepted_by = uid
	WHERE i.id OPERATOR(pg_catalog.=) inv.id;
	RETURN inv.org_id;
END
$$;
COMMENT ON FUNCTION fenta.accept_invitation(text) IS
'The body of public.accept_invitation(), run with the owner''s rights (SECURITY DEFINER); public.accept_invitation is its SECURITY INVOKER wrapper, the RPC that PostgREST exposes. Not exposed itself; see the comment of public.accept_invitation for what it does.';
REVOKE ALL ON FUNCTION fenta.accept_invitation(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.accept_invitation(text) TO authenticated, service_role;

CREATE FUNCTION fenta.decline_invitation(token text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	inv public.org_invitations := fenta.pending_invitation(decline_invitation.token);
BEGIN
	UPDATE public.org_invitations i SET declined_at = pg_catalog.now()
	WHERE i.id OPERATOR(pg_catalog.=) inv.id;
END
$$;
COMMENT ON FUNCTION fenta.decline_invitation(text) IS
'The body of public.decline_invitation(), run with the owner''s rights (SECURITY DEFINER); public.decline_invitation is its SECURITY INVOKER wrapper, the RPC that PostgREST exposes. Not exposed itself; see the comment of public.decline_invitation for what it does.';
REVOKE ALL ON FUNCTION fenta.decline_invitation(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.decline_invitation(text) TO authenticated, service_role;
--
-- The public RPCs: SECURITY INVOKER wrappers of the bodies above.  An error
-- of a body reaches the caller with its SQLSTATE, message, detail and hint
-- unchanged; its CONTEXT gains the wrapper's line (a wrapper that pins its
-- search_path is never inlined).  CREATE OR REPLACE keeps their comments,
-- grants and dependants; the grants are restated all the same.
--
CREATE OR REPLACE FUNCTION public.create_api_key(org_id uuid, name text, scopes jsonb DEFAULT '[]', expires_at timestamptz DEFAULT NULL)
RETURNS TABLE (id uuid, key text)
LANGUAGE sql SECURITY INVOKER
SET search_path = ''
AS $$
	SELECT b.id, b.key FROM fenta.create_api_key($1, $2, $3, $4) AS b
$$;
REVOKE ALL ON FUNCTION public.create_api_key(uuid, text, jsonb, timestamptz) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.create_api_key(uuid, text, jsonb, timestamptz) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION public.create_invitation(org_id uuid, role public.member_role DEFAULT 'viewer', email text DEFAULT NULL)
RETURNS TABLE (id uuid, token text)
LANGUAGE sql SECURITY INVOKER
SET search_path = ''
AS $$
	SELECT b.id, b.token FROM fenta.create_invitation($1, $2, $3) AS b
$$;
REVOKE ALL ON FUNCTION public.create_invitation(uuid, public.member_role, text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.create_invitation(uuid, public.member_role, text) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION public.accept_invitation(token text)
RETURNS uuid
LANGUAGE sql SECURITY INVOKER
SET search_path = ''
AS $$
	SELECT fenta.accept_invitation($1)
$$;
REVOKE ALL ON FUNCTION public.accept_invitation(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.accept_invitation(text) TO authenticated, service_role;

-- in PL/pgSQL: it returns void as before, not NULL (a void SQL function
-- returns NULL)
CREATE OR REPLACE FUNCTION public.decline_invitation(token text)
RETURNS void
LANGUAGE plpgsql SECURITY INVOKER
SET search_path = ''
AS $$
BEGIN
	PERFORM fenta.decline_invitation(decline_invitation.token);
END
$$;
REVOKE ALL ON FUNCTION public.decline_invitation(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.decline_invitation(text) TO authenticated, service_role;

-- the api_keys guard's comment names the function that makes keys
COMMENT ON FUNCTION fenta.api_keys_guard() IS
'BEFORE INSERT OR UPDATE trigger of api_keys: API roles never insert keys (public.create_api_key does, through its body fenta.create_api_key, as the extension owner); revoked_at, once set, never changes again, for every role (revocation is one-way); an API role''s revocation takes the current time.';
-- pg_dump dumps the rows of an extension's tables only when they are marked
-- here.  Every table fenta creates is marked.  The partitioned parent
-- usage_records holds no rows itself (marking it dumps nothing): its default
-- partition is marked, and the monthly partitions, created later by
-- fenta.maintain_partitions(), are ordinary tables that pg_dump dumps as usual.
SELECT pg_catalog.pg_extension_config_dump('public.profiles', '');
SELECT pg_catalog.pg_extension_config_dump('public.orgs', '');
SELECT pg_catalog.pg_extension_config_dump('public.org_members', '');
SELECT pg_catalog.pg_extension_config_dump('public.api_keys', '');
SELECT pg_catalog.pg_extension_config_dump('public.projects', '');
SELECT pg_catalog.pg_extension_config_dump('public.templates', '');
SELECT pg_catalog.pg_extension_config_dump('public.workflows', '');
SELECT pg_catalog.pg_extension_config_dump('public.workflow_versions', '');
SELECT pg_catalog.pg_extension_config_dump('public.assets', '');
SELECT pg_catalog.pg_extension_config_dump('public.asset_versions', '');
SELECT pg_catalog.pg_extension_config_dump('public.jobs', '');
SELECT pg_catalog.pg_extension_config_dump('public.job_logs', '');
SELECT pg_catalog.pg_extension_config_dump('public.renders', '');
SELECT pg_catalog.pg_extension_config_dump('public.schedules', '');
SELECT pg_catalog.pg_extension_config_dump('public.webhooks', '');
SELECT pg_catalog.pg_extension_config_dump('public.webhook_deliveries', '');
SELECT pg_catalog.pg_extension_config_dump('public.usage_records_default', '');
SELECT pg_catalog.pg_extension_config_dump('public.quota_limits', '');
SELECT pg_catalog.pg_extension_config_dump('public.invoices', '');
SELECT pg_catalog.pg_extension_config_dump('public.credit_packs', '');
SELECT pg_catalog.pg_extension_config_dump('public.integrations', '');
SELECT pg_catalog.pg_extension_config_dump('public.kai_generations', '');
-- ===========================================================================
-- The drop guard: nothing fenta owns disappears, directly or by cascade,
-- unless the session has said so first:
--
--     SET fenta.allow_drop = on;
--     DROP EXTENSION fenta CASCADE;
--
-- Guarded: the extension and its members; the policies, triggers,
-- constraints, defaults, indexes and columns fenta made on its tables (and
-- its signup trigger on auth.users), listed in fenta.guarded_objects; the
-- monthly partitions public.usage_records_YYYY_MM and the archived months
-- in fenta_archive.  Unrelated drops always work.  See src/guard.c.
-- ===========================================================================

CREATE FUNCTION fenta.drop_allowed()
RETURNS boolean
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'fenta_drop_allowed';
COMMENT ON FUNCTION fenta.drop_allowed() IS
'True when this session may drop objects fenta owns: fenta.allow_drop is on, or fenta''s own install or update script is running.';
REVOKE ALL ON FUNCTION fenta.drop_allowed() FROM PUBLIC, anon, authenticated, service_role;

-- What fenta made on its tables and elsewhere, by object address, as
-- pg_event_trigger_dropped_objects() reports a dropped object.
CREATE TABLE fenta.guarded_objects (
	classid oid NOT NULL,
	objid oid NOT NULL,
	objsubid integer NOT NULL,
	object_type text NOT NULL,
	object_identity text NOT NULL,
	CONSTRAINT guarded_objects_pkey PRIMARY KEY (classid, objid, objsubid)
);
COMMENT ON TABLE fenta.guarded_objects IS 'The drop guard''s registry: fenta''s members and the policies, triggers, constraints, defaults, indexes and columns fenta made, by object address. Filled by fenta.guard_register() at the end of every install and update script; a restore rebuilds it (its rows are not dumped).';
COMMENT ON COLUMN fenta.guarded_objects.classid IS 'Catalog of the object (pg_class, pg_policy, pg_trigger, ...).';
COMMENT ON COLUMN fenta.guarded_objects.objid IS 'OID of the object (for a column: of its table).';
COMMENT ON COLUMN fenta.guarded_objects.objsubid IS 'Column number for a column, else 0.';
COMMENT ON COLUMN fenta.guarded_objects.object_type IS 'Object type, as pg_identify_object() names it.';
COMMENT ON COLUMN fenta.guarded_objects.object_identity IS 'Object identity, as pg_identify_object() gives it.';
ALTER TABLE fenta.guarded_objects ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON fenta.guarded_objects FROM PUBLIC, anon, authenticated, service_role;
SELECT pg_catalog.pg_extension_config_dump('fenta.guarded_objects', 'WHERE false');

-- Fills the registry from the catalog: the members, and what depends on
-- them that is not a member (policies, triggers, constraints, defaults,
-- indexes, rewrite rules, owned sequences), and the columns of the member
-- tables.  Run at the end of the install script (nothing of a customer's
-- exists yet) and of every update script.
CREATE FUNCTION fenta.guard_register(known text[] DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	n integer;
BEGIN
	DELETE FROM fenta.guarded_objects;
	WITH RECURSIVE ext AS (
		SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'fenta'
	), members AS (
		SELECT d.classid, d.objid, 0 AS objsubid
		FROM pg_catalog.pg_depend d, ext
		WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
			AND d.refobjid OPERATOR(pg_catalog.=) ext.oid AND d.deptype OPERATOR(pg_catalog.=) 'e'
	), made (classid, objid) AS (
		SELECT d.classid, d.objid
		FROM pg_catalog.pg_depend d JOIN members m
			ON d.refclassid OPERATOR(pg_catalog.=) m.classid AND d.refobjid OPERATOR(pg_catalog.=) m.objid
		WHERE d.deptype OPERATOR(pg_catalog.<>) 'e'
			AND (d.deptype OPERATOR(pg_catalog.=) ANY ('{a,i}'::"char"[])
				OR d.classid OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.pg_trigger'::pg_catalog.regclass,
					'pg_catalog.pg_policy'::pg_catalog.regclass, 'pg_catalog.pg_attrdef'::pg_catalog.regclass]::pg_catalog.oid[]))
			AND d.classid OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.pg_trigger'::pg_catalog.regclass,
				'pg_catalog.pg_policy'::pg_catalog.regclass, 'pg_catalog.pg_attrdef'::pg_catalog.regclass,
				'pg_catalog.pg_constraint'::pg_catalog.regclass, 'pg_catalog.pg_rewrite'::pg_catalog.regclass,
				'pg_catalog.pg_class'::pg_catalog.regclass]::pg_catalog.oid[])
		UNION
		SELECT d.classid, d.objid
		FROM pg_catalog.pg_depend d JOIN made m
			ON d.refclassid OPERATOR(pg_catalog.=) m.classid AND d.refobjid OPERATOR(pg_catalog.=) m.objid
		WHERE d.deptype OPERATOR(pg_catalog.=) ANY ('{a,i}'::"char"[])
	), objects AS (
		SELECT classid, objid, objsubid, true AS member FROM members
		UNION
		SELECT classid, objid, 0, false FROM made
		UNION
		SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, a.attrelid, a.attnum::integer, false
		FROM pg_catalog.pg_attribute a JOIN members m
			ON m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
			AND a.attrelid OPERATOR(pg_catalog.=) m.objid
		WHERE a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
	)
	INSERT INTO fenta.guarded_objects (classid, objid, objsubid, object_type, object_identity)
	SELECT DISTINCT ON (o.classid, o.objid, o.objsubid) o.classid, o.objid, o.objsubid, i.type, i.identity
	FROM objects o, pg_catalog.pg_identify_object(o.classid, o.objid, o.objsubid) i
	-- an update passes what a fresh install has: objects of a customer's own
	-- on fenta's tables are then not taken for fenta's
	-- TOAST tables and the foreign keys' internal triggers are named by OID
	-- and go with their table or constraint
	WHERE i.schema IS DISTINCT FROM 'pg_toast'
		AND NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t
			WHERE o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass
				AND t.oid OPERATOR(pg_catalog.=) o.objid AND t.tgisinternal)
		AND (o.member OR guard_register.known IS NULL
		OR (i.type OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) i.identity) OPERATOR(pg_catalog.=) ANY (guard_register.known))
	ORDER BY o.classid, o.objid, o.objsubid, o.member DESC;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION fenta.guard_register(text[]) IS
'Refills fenta.guarded_objects from the catalog (members of fenta, what depends on them that fenta made, the columns of its tables); returns the number of objects. known: when given (by an update script), only sub-objects whose type and identity a fresh install has are registered, so that objects of your own on fenta''s tables are not taken for fenta''s.';
REVOKE ALL ON FUNCTION fenta.guard_register(text[]) FROM PUBLIC, anon, authenticated, service_role;

-- sql_drop: what a statement really dropped, while fenta itself survives.
CREATE FUNCTION fenta.guard_sql_drop()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	hit text;
BEGIN
	IF fenta.drop_allowed() THEN
		RETURN;
	END IF;
	SELECT d.object_type OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) d.object_identity INTO hit
	FROM pg_catalog.pg_event_trigger_dropped_objects() d
	WHERE EXISTS (SELECT FROM fenta.guarded_objects g
			WHERE g.classid OPERATOR(pg_catalog.=) d.classid AND g.objid OPERATOR(pg_catalog.=) d.objid
				AND g.objsubid OPERATOR(pg_catalog.=) d.objsubid)
		OR (d.object_type OPERATOR(pg_catalog.=) 'table'
			AND ((d.schema_name OPERATOR(pg_catalog.=) 'public'
					AND d.object_name OPERATOR(pg_catalog.~) '^usage_records_[0-9]{4}_[0-9]{2}$')
				OR d.schema_name OPERATOR(pg_catalog.=) 'fenta_archive'))
	LIMIT 1;
	IF hit IS NOT NULL THEN
		RAISE EXCEPTION 'this statement would drop %, which belongs to fenta', hit
			USING ERRCODE = 'dependent_objects_still_exist',
				DETAIL = pg_catalog.format('The command %s was rolled back by the event trigger fenta_guard_sql_drop.', TG_TAG),
				HINT = 'To drop it on purpose, run SET fenta.allow_drop = on; in the same session first.';
	END IF;
END
$$;
COMMENT ON FUNCTION fenta.guard_sql_drop() IS
'Event trigger function (sql_drop): rolls back a statement that dropped an object fenta owns (fenta.guarded_objects, a monthly partition of usage_records, an archived month) unless fenta.allow_drop is on.';
REVOKE ALL ON FUNCTION fenta.guard_sql_drop() FROM PUBLIC, anon, authenticated, service_role;

CREATE FUNCTION fenta.guard_ddl_start()
RETURNS event_trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'fenta_guard_ddl_start';
COMMENT ON FUNCTION fenta.guard_ddl_start() IS
'Event trigger function (ddl_command_start): refuses a DROP or DROP OWNED statement that would drop the fenta extension, directly or by cascade (it follows pg_depend from what the statement names), unless fenta.allow_drop is on.';
REVOKE ALL ON FUNCTION fenta.guard_ddl_start() FROM PUBLIC, anon, authenticated, service_role;

CREATE EVENT TRIGGER fenta_guard_ddl_start ON ddl_command_start
	WHEN TAG IN ('DROP EXTENSION', 'DROP SCHEMA', 'DROP OWNED', 'DROP TABLE', 'DROP VIEW',
		'DROP MATERIALIZED VIEW', 'DROP FUNCTION', 'DROP PROCEDURE', 'DROP ROUTINE',
		'DROP AGGREGATE', 'DROP TYPE', 'DROP DOMAIN', 'DROP SEQUENCE', 'DROP INDEX',
		'DROP FOREIGN TABLE', 'DROP OPERATOR', 'DROP COLLATION', 'DROP CAST',
		'DROP TEXT SEARCH CONFIGURATION', 'DROP TEXT SEARCH DICTIONARY', 'DROP CONVERSION',
		'DROP OPERATOR CLASS', 'DROP OPERATOR FAMILY', 'DROP SERVER', 'DROP FOREIGN DATA WRAPPER')
	EXECUTE FUNCTION fenta.guard_ddl_start();
CREATE EVENT TRIGGER fenta_guard_sql_drop ON sql_drop
	EXECUTE FUNCTION fenta.guard_sql_drop();
-- ===========================================================================
-- Objects of your own on fenta's tables (a column, a CHECK or foreign key,
-- an index, a trigger, a policy, a rule) survive pg_dump and restore.
--
-- pg_dump dumps the rows of an extension's tables but not their
-- definitions, so anything added to them is not in a dump: a RESTRICTIVE
-- policy was lost silently, and an added column made the data restore fail.
-- fenta keeps their definitions in fenta.customer_objects, refreshed at the
-- end of every DDL command; the table's rows are dumped, and when a restore
-- inserts them (before the rows of public.*: pg_dump loads schema fenta
-- first) a trigger, enabled ALWAYS so that it fires under
-- session_replication_role = replica, re-creates each object.
-- ===========================================================================

CREATE TABLE fenta.customer_objects (
	position integer NOT NULL,
	object_type text NOT NULL,
	object_identity text NOT NULL,
	definition text NOT NULL,
	CONSTRAINT customer_objects_pkey PRIMARY KEY (position)
);
COMMENT ON TABLE fenta.customer_objects IS 'Definitions of the objects you added to fenta''s tables (columns, constraints, indexes, triggers, policies, rules), in the order a restore re-creates them; refreshed at the end of every DDL command, dumped, and replayed when a restore loads its rows.';
COMMENT ON COLUMN fenta.customer_objects.position IS 'Replay order: columns first, then constraints, indexes, triggers, policies and rules.';
COMMENT ON COLUMN fenta.customer_objects.object_type IS 'Object type, as pg_identify_object() names it.';
COMMENT ON COLUMN fenta.customer_objects.object_identity IS 'Object identity, as pg_identify_object() gives it.';
COMMENT ON COLUMN fenta.customer_objects.definition IS 'The statement that re-creates the object.';
ALTER TABLE fenta.customer_objects ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON fenta.customer_objects FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON fenta.customer_objects TO service_role;
SELECT pg_catalog.pg_extension_config_dump('fenta.customer_objects', '');

-- The definitions, from the catalog: every sub-object of fenta's tables that
-- fenta did not make (fenta.guarded_objects lists what it made).
CREATE FUNCTION fenta.customer_object_definitions()
RETURNS TABLE (object_type text, object_identity text, definition text, kind integer)
LANGUAGE sql STABLE
SET search_path = ''
AS $$
	WITH tables AS (
		SELECT d.objid AS relid
		FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) d.refobjid
		WHERE e.extname OPERATOR(pg_catalog.=) 'fenta'
			AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
			AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
			AND d.deptype OPERATOR(pg_catalog.=) 'e'
			AND EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) d.objid
				AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::"char"[]))
	), made AS (
		SELECT g.classid, g.objid, g.objsubid FROM fenta.guarded_objects g
	), objects AS (
		-- columns
		SELECT 1 AS kind, 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid AS classid,
			a.attrelid AS objid, a.attnum::integer AS objsubid,
			pg_catalog.format('ALTER TABLE %s ADD COLUMN %I %s%s%s%s', a.attrelid::pg_catalog.regclass, a.attname,
				pg_catalog.format_type(a.atttypid, a.atttypmod),
				CASE WHEN a.attcollation OPERATOR(pg_catalog.<>) 0
					AND a.attcollation OPERATOR(pg_catalog.<>) (SELECT t.typcollation FROM pg_catalog.pg_type t WHERE t.oid OPERATOR(pg_catalog.=) a.atttypid)
					THEN ' COLLATE ' OPERATOR(pg_catalog.||) a.attcollation::pg_catalog.regcollation::pg_catalog.text ELSE '' END,
				CASE WHEN ad.oid IS NULL THEN ''
					WHEN a.attgenerated OPERATOR(pg_catalog.=) 's' THEN ' GENERATED ALWAYS AS (' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) OPERATOR(pg_catalog.||) ') STORED'
					ELSE ' DEFAULT ' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END,
				CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END) AS definition
		FROM pg_catalog.pg_attribute a JOIN tables t ON t.relid OPERATOR(pg_catalog.=) a.attrelid
			LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid OPERATOR(pg_catalog.=) a.attrelid AND ad.adnum OPERATOR(pg_catalog.=) a.attnum
		WHERE a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
		UNION ALL
		-- constraints (a unique or exclusion constraint brings its index)
		SELECT 2, 'pg_catalog.pg_constraint'::pg_catalog.regclass::pg_catalog.oid, c.oid, 0,
			pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::pg_catalog.regclass, c.conname,
				pg_catalog.pg_get_constraintdef(c.oid))
		FROM pg_catalog.pg_constraint c JOIN tables t ON t.relid OPERATOR(pg_catalog.=) c.conrelid
		WHERE c.conparentid OPERATOR(pg_catalog.=) 0
		UNION ALL
		-- indexes not made by a constraint
		SELECT 3, 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, i.indexrelid, 0,
			pg_catalog.pg_get_indexdef(i.indexrelid)
		FROM pg_catalog.pg_index i JOIN tables t ON t.relid OPERATOR(pg_catalog.=) i.indrelid
		WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_constraint c WHERE c.conindid OPERATOR(pg_catalog.=) i.indexrelid
			AND c.conrelid OPERATOR(pg_catalog.=) i.indrelid)
		UNION ALL
		-- triggers
		SELECT 4, 'pg_catalog.pg_trigger'::pg_catalog.regclass::pg_catalog.oid, tg.oid, 0,
			pg_catalog.pg_get_triggerdef(tg.oid)
		FROM pg_catalog.pg_trigger tg JOIN tables t ON t.relid OPERATOR(pg_catalog.=) tg.tgrelid
		WHERE NOT tg.tgisinternal AND tg.tgparentid OPERATOR(pg_catalog.=) 0
		UNION ALL
		-- policies
		SELECT 5, 'pg_catalog.pg_policy'::pg_catalog.regclass::pg_catalog.oid, p.oid, 0,
			pg_catalog.format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s', p.polname, p.polrelid::pg_catalog.regclass,
				CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
				CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
					WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
				(SELECT pg_catalog.string_agg(CASE WHEN r OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
					ELSE pg_catalog.quote_ident(r::pg_catalog.regrole::pg_catalog.text) END, ', ')
				 FROM pg_catalog.unnest(p.polroles) r),
				CASE WHEN p.polqual IS NULL THEN ''
					ELSE ' USING (' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(p.polqual, p.polrelid) OPERATOR(pg_catalog.||) ')' END,
				CASE WHEN p.polwithcheck IS NULL THEN ''
					ELSE ' WITH CHECK (' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) OPERATOR(pg_catalog.||) ')' END)
		FROM pg_catalog.pg_policy p JOIN tables t ON t.relid OPERATOR(pg_catalog.=) p.polrelid
		UNION ALL
		-- rules
		SELECT 6, 'pg_catalog.pg_rewrite'::pg_catalog.regclass::pg_catalog.oid, rw.oid, 0,
			pg_catalog.pg_get_ruledef(rw.oid)
		FROM pg_catalog.pg_rewrite rw JOIN tables t ON t.relid OPERATOR(pg_catalog.=) rw.ev_class
		WHERE rw.rulename OPERATOR(pg_catalog.<>) '_RETURN'
	)
	SELECT i.type, i.identity, o.definition, o.kind
	FROM objects o, pg_catalog.pg_identify_object(o.classid, o.objid, o.objsubid) i
	WHERE NOT EXISTS (SELECT FROM made m WHERE m.classid OPERATOR(pg_catalog.=) o.classid
		AND m.objid OPERATOR(pg_catalog.=) o.objid AND m.objsubid OPERATOR(pg_catalog.=) o.objsubid)
$$;
COMMENT ON FUNCTION fenta.customer_object_definitions() IS
'The objects on fenta''s tables that fenta did not make (not in fenta.guarded_objects), each with the statement that re-creates it.';
REVOKE ALL ON FUNCTION fenta.customer_object_definitions() FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.customer_object_definitions() TO service_role;

CREATE FUNCTION fenta.customer_objects_refresh()
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	defs text[];
	n integer;
BEGIN
	SELECT coalesce(pg_catalog.array_agg(pg_catalog.concat_ws(E'\n', d.object_type, d.object_identity, d.definition)
			ORDER BY d.kind, d.object_identity), '{}')
	INTO defs FROM fenta.customer_object_definitions() d;
	-- most DDL changes nothing here: then write nothing and wait for nobody
	IF defs OPERATOR(pg_catalog.=) (SELECT coalesce(pg_catalog.array_agg(pg_catalog.concat_ws(E'\n', c.object_type, c.object_identity, c.definition)
			ORDER BY c.position), '{}') FROM fenta.customer_objects c) THEN
		RETURN pg_catalog.cardinality(defs);
	END IF;
	-- one refresh at a time ('fent', 2); the catalog is read again under it
	PERFORM pg_catalog.pg_advisory_xact_lock(1717923444, 2);
	-- rows written here are not to be replayed
	PERFORM pg_catalog.set_config('fenta_internal.customer_objects_refresh', 'on', true);
	DELETE FROM fenta.customer_objects;
	INSERT INTO fenta.customer_objects (position, object_type, object_identity, definition)
	SELECT pg_catalog.row_number() OVER (ORDER BY d.kind, d.object_identity), d.object_type, d.object_identity, d.definition
	FROM fenta.customer_object_definitions() d;
	GET DIAGNOSTICS n = ROW_COUNT;
	PERFORM pg_catalog.set_config('fenta_internal.customer_objects_refresh', 'off', true);
	RETURN n;
END
$$;
COMMENT ON FUNCTION fenta.customer_objects_refresh() IS
'Refills fenta.customer_objects from the catalog when it differs (under an advisory transaction lock, so that concurrent refreshes queue instead of colliding); returns the number of objects. Run at the end of every DDL command (event trigger fenta_customer_objects) and of every install and update script.';
REVOKE ALL ON FUNCTION fenta.customer_objects_refresh() FROM PUBLIC, anon, authenticated, service_role;

CREATE FUNCTION fenta.customer_objects_ddl_end()
RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	IF EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands()) THEN
		-- only a command outside an extension script (fenta's own scripts
		-- refresh at their end) on one of fenta's tables or on an object of
		-- one: a monthly partition, a table of the customer's, ... change
		-- nothing here
		IF NOT EXISTS (
			SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() c
			WHERE NOT c.in_extension
				AND EXISTS (SELECT FROM pg_catalog.pg_depend d
					WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
						AND d.deptype OPERATOR(pg_catalog.=) 'e'
						AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
						AND d.refobjid OPERATOR(pg_catalog.=) (SELECT e.oid FROM pg_catalog.pg_extension e
							WHERE e.extname OPERATOR(pg_catalog.=) 'fenta')
						AND d.objid OPERATOR(pg_catalog.=) CASE c.classid
							WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN coalesce(
								(SELECT i.indrelid FROM pg_catalog.pg_index i WHERE i.indexrelid OPERATOR(pg_catalog.=) c.objid), c.objid)
							WHEN 'pg_catalog.pg_policy'::pg_catalog.regclass THEN
								(SELECT p.polrelid FROM pg_catalog.pg_policy p WHERE p.oid OPERATOR(pg_catalog.=) c.objid)
							WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN
								(SELECT t.tgrelid FROM pg_catalog.pg_trigger t WHERE t.oid OPERATOR(pg_catalog.=) c.objid)
							WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN
								(SELECT k.conrelid FROM pg_catalog.pg_constraint k WHERE k.oid OPERATOR(pg_catalog.=) c.objid)
							WHEN 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN
								(SELECT r.ev_class FROM pg_catalog.pg_rewrite r WHERE r.oid OPERATOR(pg_catalog.=) c.objid)
							END)) THEN
			RETURN;
		END IF;
	ELSIF pg_catalog.current_setting('fenta_internal.customer_objects_dropped', true) IS DISTINCT FROM 'on' THEN
		-- a DROP reports its objects at sql_drop (fenta.customer_objects_sql_drop)
		RETURN;
	END IF;
	PERFORM pg_catalog.set_config('fenta_internal.customer_objects_dropped', '', true);
	IF pg_catalog.to_regclass('fenta.customer_objects') IS NOT NULL THEN
		PERFORM fenta.customer_objects_refresh();
	END IF;
END
$$;
COMMENT ON FUNCTION fenta.customer_objects_ddl_end() IS
'Event trigger function (ddl_command_end): refreshes fenta.customer_objects (as the owner: whoever runs the DDL) after a command, not part of an extension script, on one of fenta''s tables or on an index, policy, trigger, constraint or rule of one, or after a DROP that may have dropped such an object.';
REVOKE ALL ON FUNCTION fenta.customer_objects_ddl_end() FROM PUBLIC, anon, authenticated, service_role;
CREATE EVENT TRIGGER fenta_customer_objects ON ddl_command_end
	EXECUTE FUNCTION fenta.customer_objects_ddl_end();

-- A DROP reports no command at ddl_command_end: note here, for the end of
-- the command, that it dropped a sub-object of a table in fenta's schemas.
CREATE FUNCTION fenta.customer_objects_sql_drop()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF EXISTS (SELECT FROM pg_catalog.pg_event_trigger_dropped_objects() d
			   WHERE d.object_type OPERATOR(pg_catalog.=) ANY ('{index,policy,trigger,table constraint,rule,default value,table column}'::text[])
				   AND d.schema_name OPERATOR(pg_catalog.=) ANY ('{public,fenta}'::text[])) THEN
		PERFORM pg_catalog.set_config('fenta_internal.customer_objects_dropped', 'on', true);
	END IF;
END
$$;
COMMENT ON FUNCTION fenta.customer_objects_sql_drop() IS
'Event trigger function (sql_drop): notes, for fenta.customer_objects_ddl_end() at the end of the command, that a DROP dropped an index, policy, trigger, constraint, rule, default or column in schema public or fenta.';
REVOKE ALL ON FUNCTION fenta.customer_objects_sql_drop() FROM PUBLIC, anon, authenticated, service_role;
CREATE EVENT TRIGGER fenta_customer_objects_dropped ON sql_drop
	EXECUTE FUNCTION fenta.customer_objects_sql_drop();

-- A restore inserts the dumped rows: re-create each object (once; one that
-- exists already is left alone).
CREATE FUNCTION fenta.customer_objects_replay()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF pg_catalog.current_setting('fenta_internal.customer_objects_refresh', true) IS NOT DISTINCT FROM 'on' THEN
		RETURN NULL;
	END IF;
	BEGIN
		EXECUTE NEW.definition;
	EXCEPTION WHEN duplicate_object OR duplicate_column OR duplicate_table THEN
		NULL;
	END;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION fenta.customer_objects_replay() IS
'AFTER INSERT row trigger on fenta.customer_objects (enabled ALWAYS): re-creates the object a restored row describes, unless it exists; rows written by fenta.customer_objects_refresh() are not replayed.';
REVOKE ALL ON FUNCTION fenta.customer_objects_replay() FROM PUBLIC, anon, authenticated, service_role;
CREATE TRIGGER customer_objects_replay AFTER INSERT ON fenta.customer_objects
	FOR EACH ROW EXECUTE FUNCTION fenta.customer_objects_replay();
ALTER TABLE fenta.customer_objects ENABLE ALWAYS TRIGGER customer_objects_replay;
-- Last step of every install and update script: the drop guard's registry
-- lists what fenta has made (95_drop_guard.sql).
SELECT fenta.guard_register() > 0 AS guard_registered;
-- and what is not fenta's on its tables is kept for dumps (96_customer_objects.sql)
SELECT fenta.customer_objects_refresh() >= 0 AS customer_objects_listed;
