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
