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
