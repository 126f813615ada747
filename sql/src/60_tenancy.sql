-- ===========================================================================
-- The tenancy model (0.5.0): who is a member of what, right now.
--
-- Access follows membership only, and only while both ends are live: the
-- user's profile is active (not suspended) and the org is not soft-deleted.
-- Every policy asks these helpers, once per statement, through an InitPlan:
--
--     org_id OPERATOR(pg_catalog.=) ANY ((SELECT fenta.member_org_ids('editor')))
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
'Ids of the live (not soft-deleted) orgs in which the requesting user (auth.uid()) has at least min_role, as an array; empty when the user is suspended or not signed in. Policies use it as org_id = ANY ((SELECT fenta.member_org_ids(''editor''))), computed once per statement.';
REVOKE ALL ON FUNCTION fenta.member_org_ids(public.member_role) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.member_org_ids(public.member_role) TO authenticated, service_role;

CREATE FUNCTION fenta.owned_deleted_org_ids()
RETURNS uuid[]
LANGUAGE sql STABLE SECURITY DEFINER PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT coalesce(pg_catalog.array_agg(m.org_id ORDER BY m.org_id), '{}')
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
