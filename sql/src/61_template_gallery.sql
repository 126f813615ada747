-- ===========================================================================
-- templates.org_deleted_at: a copy of orgs.deleted_at on each template, so
-- that the public gallery (anon and signed-in users alike) hides the public
-- templates of a soft-deleted org with a test on the row itself: no lookup
-- of the org per row, and an index that holds exactly the gallery.  It is
-- kept the way quota_limits.org_deleted_at is (46/47_quota_org_deleted*):
-- derived from orgs, reading the org row FOR SHARE, whenever a template is
-- inserted or the column written, and rewritten when an org's deleted_at
-- changes (what an org's delete or restore costs is its templates).
-- (Added with ALTER TABLE in the fresh install too, so that installed and
-- updated databases have the column at the same position.)
-- ===========================================================================
ALTER TABLE public.templates ADD COLUMN org_deleted_at timestamptz;
COMMENT ON COLUMN public.templates.org_deleted_at IS 'Copy of the org''s deleted_at (kept by triggers; what is written to it is replaced): a public template of a soft-deleted org leaves the gallery.';

-- existing rows (an update from 0.4.0): copy, without touching updated_at
ALTER TABLE public.templates DISABLE TRIGGER templates_updated_at;
UPDATE public.templates t
SET org_deleted_at = o.deleted_at
FROM public.orgs o
WHERE o.id = t.org_id AND o.deleted_at IS NOT NULL;
ALTER TABLE public.templates ENABLE TRIGGER templates_updated_at;

CREATE FUNCTION fenta.templates_org_deleted_at()
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
COMMENT ON FUNCTION fenta.templates_org_deleted_at() IS
'BEFORE INSERT OR UPDATE OF org_id, org_deleted_at trigger on templates: sets org_deleted_at to the org''s deleted_at, whatever was written, reading the org row FOR SHARE (waits for a running soft delete or restore of the org).';
REVOKE ALL ON FUNCTION fenta.templates_org_deleted_at() FROM PUBLIC, anon, authenticated, service_role;
CREATE TRIGGER templates_org_deleted_at BEFORE INSERT OR UPDATE OF org_id, org_deleted_at ON public.templates
	FOR EACH ROW EXECUTE FUNCTION fenta.templates_org_deleted_at();

CREATE OR REPLACE FUNCTION fenta.copy_org_deleted_at()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	UPDATE public.quota_limits q SET org_deleted_at = NEW.deleted_at
	WHERE q.org_id OPERATOR(pg_catalog.=) NEW.id;
	UPDATE public.templates t SET org_deleted_at = NEW.deleted_at
	WHERE t.org_id OPERATOR(pg_catalog.=) NEW.id AND t.org_deleted_at IS DISTINCT FROM NEW.deleted_at;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION fenta.copy_org_deleted_at() IS
'AFTER UPDATE trigger on orgs, for rows whose deleted_at changed: copies the org''s deleted_at to its quota_limits row (soft delete and restore take effect in check_quota at once) and to its templates (the gallery).';
