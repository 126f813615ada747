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
