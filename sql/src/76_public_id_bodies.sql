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
