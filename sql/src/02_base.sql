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
