\echo Use "ALTER EXTENSION fenta UPDATE TO '0.5.0'" to load this file. \quit
-- fenta 0.4.0 -> 0.5.0
-- 0.5.0 rewrites who may do what (70_policies.sql): the policies of 0.4.0
-- go first, and with them the owner's hard delete of an org.
DROP POLICY api_keys_insert_own ON public.api_keys;
DROP POLICY api_keys_select_own_or_admin ON public.api_keys;
DROP POLICY api_keys_update_own_or_admin ON public.api_keys;
DROP POLICY asset_versions_delete_admin ON public.asset_versions;
DROP POLICY asset_versions_insert_editor ON public.asset_versions;
DROP POLICY asset_versions_select_member ON public.asset_versions;
DROP POLICY asset_versions_update_editor ON public.asset_versions;
DROP POLICY assets_delete_admin ON public.assets;
DROP POLICY assets_insert_editor ON public.assets;
DROP POLICY assets_select_deleted_admin ON public.assets;
DROP POLICY assets_select_member ON public.assets;
DROP POLICY assets_update_editor ON public.assets;
DROP POLICY credit_packs_select_admin ON public.credit_packs;
DROP POLICY integrations_delete_admin ON public.integrations;
DROP POLICY integrations_insert_admin ON public.integrations;
DROP POLICY integrations_select_admin ON public.integrations;
DROP POLICY integrations_update_admin ON public.integrations;
DROP POLICY invoices_select_admin ON public.invoices;
DROP POLICY job_logs_select_member ON public.job_logs;
DROP POLICY jobs_delete_admin ON public.jobs;
DROP POLICY jobs_insert_editor ON public.jobs;
DROP POLICY jobs_select_deleted_admin ON public.jobs;
DROP POLICY jobs_select_member ON public.jobs;
DROP POLICY jobs_update_editor ON public.jobs;
DROP POLICY kai_generations_select_member ON public.kai_generations;
DROP POLICY org_members_delete_admin_or_self ON public.org_members;
DROP POLICY org_members_insert_admin ON public.org_members;
DROP POLICY org_members_select_member ON public.org_members;
DROP POLICY org_members_update_admin ON public.org_members;
DROP POLICY orgs_delete_owner ON public.orgs;
DROP POLICY orgs_insert_as_owner ON public.orgs;
DROP POLICY orgs_select_member ON public.orgs;
DROP POLICY orgs_update_admin ON public.orgs;
DROP POLICY profiles_select_own ON public.profiles;
DROP POLICY profiles_update_own ON public.profiles;
DROP POLICY projects_delete_admin ON public.projects;
DROP POLICY projects_insert_editor ON public.projects;
DROP POLICY projects_select_deleted_admin ON public.projects;
DROP POLICY projects_select_member ON public.projects;
DROP POLICY projects_update_editor ON public.projects;
DROP POLICY quota_limits_select_member ON public.quota_limits;
DROP POLICY renders_select_member ON public.renders;
DROP POLICY schedules_delete_admin ON public.schedules;
DROP POLICY schedules_insert_editor ON public.schedules;
DROP POLICY schedules_select_member ON public.schedules;
DROP POLICY schedules_update_editor ON public.schedules;
DROP POLICY templates_delete_admin ON public.templates;
DROP POLICY templates_insert_editor ON public.templates;
DROP POLICY templates_select_deleted_admin ON public.templates;
DROP POLICY templates_select_member ON public.templates;
DROP POLICY templates_select_public ON public.templates;
DROP POLICY templates_update_editor ON public.templates;
DROP POLICY usage_records_select_member ON public.usage_records;
DROP POLICY webhook_deliveries_select_admin ON public.webhook_deliveries;
DROP POLICY webhooks_delete_admin ON public.webhooks;
DROP POLICY webhooks_insert_admin ON public.webhooks;
DROP POLICY webhooks_select_admin ON public.webhooks;
DROP POLICY webhooks_update_admin ON public.webhooks;
DROP POLICY workflow_versions_delete_admin ON public.workflow_versions;
DROP POLICY workflow_versions_insert_editor ON public.workflow_versions;
DROP POLICY workflow_versions_select_member ON public.workflow_versions;
DROP POLICY workflow_versions_update_editor ON public.workflow_versions;
DROP POLICY workflows_delete_admin ON public.workflows;
DROP POLICY workflows_insert_editor ON public.workflows;
DROP POLICY workflows_select_deleted_admin ON public.workflows;
DROP POLICY workflows_select_member ON public.workflows;
DROP POLICY workflows_update_editor ON public.workflows;
DROP TRIGGER orgs_delete_guard ON public.orgs;
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
-- ===========================================================================

CREATE FUNCTION fenta.member_org_ids(min_role public.member_role DEFAULT 'viewer')
RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT coalesce(pg_catalog.array_agg(m.org_id ORDER BY m.org_id), '{}')
	FROM public.org_members m
		JOIN public.orgs o ON o.id = m.org_id
		JOIN public.profiles p ON p.id = m.user_id
	WHERE m.user_id = (SELECT auth.uid())
		AND m.role >= member_org_ids.min_role
		AND o.deleted_at IS NULL
		AND p.status = 'active'
$$;
COMMENT ON FUNCTION fenta.member_org_ids(public.member_role) IS
'Ids of the live (not soft-deleted) orgs in which the requesting user (auth.uid()) has at least min_role, as an array; empty when the user is suspended or not signed in. Policies use its rows (fenta.org_ids()) as org_id = ANY (ARRAY(SELECT fenta.org_ids(''editor''))), computed once per statement.';
REVOKE ALL ON FUNCTION fenta.member_org_ids(public.member_role) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.member_org_ids(public.member_role) TO authenticated, service_role;

CREATE FUNCTION fenta.owned_deleted_org_ids()
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE ROWS 1
SET search_path = ''
AS $$
	SELECT m.org_id
	FROM public.org_members m
		JOIN public.orgs o ON o.id = m.org_id
		JOIN public.profiles p ON p.id = m.user_id
	WHERE m.user_id = (SELECT auth.uid())
		AND m.role = 'owner'
		AND o.deleted_at IS NOT NULL
		AND p.status = 'active'
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
	is_owner := EXISTS (SELECT FROM public.org_members m
						WHERE m.org_id = OLD.id AND m.user_id = (SELECT auth.uid()) AND m.role = 'owner')
		AND fenta.is_active_user();
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

CREATE FUNCTION fenta.org_is_live(org_id uuid)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT EXISTS (SELECT FROM public.orgs o WHERE o.id = org_is_live.org_id AND o.deleted_at IS NULL)
$$;
COMMENT ON FUNCTION fenta.org_is_live(uuid) IS
'True when the org exists and is not soft-deleted (public templates of a deleted org are hidden with it).';
REVOKE ALL ON FUNCTION fenta.org_is_live(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION fenta.org_is_live(uuid) TO anon, authenticated, service_role;
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
-- public templates of live orgs; anon's gallery (its columns and policy) is
-- 72_limits.sql's.
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
		   OR (is_public AND deleted_at IS NULL AND fenta.org_is_live(org_id)));
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

-- Indexes with org_id leading for the orders the app lists by (a member's
-- list is an index scan of their orgs' rows, newest first).
CREATE INDEX idx_jobs_org_id_created_at ON public.jobs (org_id, created_at);
CREATE INDEX idx_jobs_org_id_status_created_at ON public.jobs (org_id, status, created_at);
CREATE INDEX idx_workflows_org_id_updated_at ON public.workflows (org_id, updated_at);
CREATE INDEX idx_templates_org_id_created_at ON public.templates (org_id, created_at);
CREATE INDEX idx_assets_org_id_created_at ON public.assets (org_id, created_at);
CREATE INDEX idx_projects_org_id_created_at ON public.projects (org_id, created_at);
-- ===========================================================================
-- Reads that scale (issue 11, section 5): what a member's read costs.
--
-- Every policy asks fenta.org_ids() once per statement (an InitPlan); what
-- that costs is paid by every API request, and what the planner can do with
-- the policy's test decides whether a read touches the member's rows only.
-- - The membership lookups are plpgsql (plans cached per connection) and
--   check each membership's org by its primary key: a SQL function is planned
--   again in every statement, and with the generic estimate of a user's
--   memberships the planner joined them to a sequential scan of orgs (cost
--   growing with the number of orgs: 31 blocks at 2,000 orgs).
-- - Enum equality (enum_eq) is not leakproof, so under RLS a status test is
--   never an index condition (the planner evaluates it after the policy's):
--   idx_jobs_org_id_status_created_at cannot serve a member's "failed jobs";
--   a partial index per status that lists filter on can (predicate proof
--   needs no leakproof operator).
-- - A member's count(*) is an index-only scan when the index has org_id and
--   deleted_at (the policy's two columns).
-- ===========================================================================

CREATE OR REPLACE FUNCTION fenta.member_org_ids(min_role public.member_role DEFAULT 'viewer')
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

CREATE OR REPLACE FUNCTION fenta.owned_deleted_org_ids()
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

-- a member's count(*) and soft-delete test: index-only
CREATE INDEX idx_jobs_org_id_deleted_at ON public.jobs (org_id, deleted_at);
-- the statuses a member lists by (queued and running work, failures)
CREATE INDEX idx_jobs_org_id_created_at_failed ON public.jobs (org_id, created_at) WHERE status = 'failed';
CREATE INDEX idx_jobs_org_id_created_at_queued ON public.jobs (org_id, created_at) WHERE status = 'queued';
CREATE INDEX idx_jobs_org_id_created_at_processing ON public.jobs (org_id, created_at) WHERE status = 'processing';
