\echo Use "ALTER EXTENSION fenta UPDATE TO '0.3.0'" to load this file. \quit
-- fenta 0.2.0 -> 0.3.0
--
-- quota_limits.org_deleted_at: a copy of orgs.deleted_at on the org's quota
-- row, so that check_quota() answers from the quota row and the counter
-- slots alone (one unique-index lookup fewer per call).  The copy cannot
-- drift: it is derived from orgs whenever a quota row is inserted or the
-- column is written, and rewritten when an org's deleted_at changes.
--
-- (Added with ALTER TABLE in the fresh install too, so that installed and
-- updated databases have the column at the same position.)
--
ALTER TABLE public.quota_limits ADD COLUMN org_deleted_at timestamptz;
COMMENT ON COLUMN public.quota_limits.org_deleted_at IS 'Copy of orgs.deleted_at, kept by triggers (any value written is replaced by the org''s): check_quota() answers false when it is set.';

-- existing rows (an update from 0.2.0): copy, without touching updated_at
ALTER TABLE public.quota_limits DISABLE TRIGGER quota_limits_updated_at;
UPDATE public.quota_limits q
SET org_deleted_at = o.deleted_at
FROM public.orgs o
WHERE o.id = q.org_id AND o.deleted_at IS NOT NULL;
ALTER TABLE public.quota_limits ENABLE TRIGGER quota_limits_updated_at;

CREATE FUNCTION fenta.quota_limits_org_deleted_at()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	NEW.org_deleted_at := (SELECT o.deleted_at FROM public.orgs o WHERE o.id = NEW.org_id);
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.quota_limits_org_deleted_at() IS
'BEFORE INSERT OR UPDATE OF org_deleted_at trigger on quota_limits: sets org_deleted_at to the org''s deleted_at, whatever was written.';
REVOKE ALL ON FUNCTION fenta.quota_limits_org_deleted_at() FROM PUBLIC, anon, authenticated, service_role;
CREATE TRIGGER quota_limits_org_deleted_at BEFORE INSERT OR UPDATE OF org_deleted_at ON public.quota_limits
	FOR EACH ROW EXECUTE FUNCTION fenta.quota_limits_org_deleted_at();

CREATE FUNCTION fenta.copy_org_deleted_at()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	UPDATE public.quota_limits q SET org_deleted_at = NEW.deleted_at WHERE q.org_id = NEW.id;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION fenta.copy_org_deleted_at() IS
'AFTER UPDATE OF deleted_at trigger on orgs: copies the org''s deleted_at to its quota_limits row (soft delete and restore take effect in check_quota at once).';
REVOKE ALL ON FUNCTION fenta.copy_org_deleted_at() FROM PUBLIC, anon, authenticated, service_role;
CREATE TRIGGER orgs_copy_deleted_at AFTER UPDATE OF deleted_at ON public.orgs
	FOR EACH ROW WHEN (OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
	EXECUTE FUNCTION fenta.copy_org_deleted_at();
