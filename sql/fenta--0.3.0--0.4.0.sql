\echo Use "ALTER EXTENSION fenta UPDATE TO '0.4.0'" to load this file. \quit
-- fenta 0.3.0 -> 0.4.0
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
