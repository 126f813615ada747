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
