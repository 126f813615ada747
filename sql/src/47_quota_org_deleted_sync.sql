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
