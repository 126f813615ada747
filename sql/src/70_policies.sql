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
