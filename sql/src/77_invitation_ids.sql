-- ===========================================================================
-- Public ids of org_invitations (0.5.0): prefix invite_.
-- ===========================================================================

CREATE OR REPLACE FUNCTION fenta.typeid_prefix_of(entity regclass)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE entity
    WHEN 'public.profiles'::regclass            THEN 'user'
    WHEN 'public.orgs'::regclass                THEN 'org'
    WHEN 'public.org_members'::regclass         THEN 'mem'
    WHEN 'public.api_keys'::regclass            THEN 'key'
    WHEN 'public.projects'::regclass            THEN 'proj'
    WHEN 'public.templates'::regclass           THEN 'tmpl'
    WHEN 'public.workflows'::regclass           THEN 'wf'
    WHEN 'public.workflow_versions'::regclass   THEN 'wfv'
    WHEN 'public.assets'::regclass              THEN 'asset'
    WHEN 'public.asset_versions'::regclass      THEN 'assetv'
    WHEN 'public.jobs'::regclass                THEN 'job'
    WHEN 'public.job_logs'::regclass            THEN 'log'
    WHEN 'public.renders'::regclass             THEN 'render'
    WHEN 'public.schedules'::regclass           THEN 'sched'
    WHEN 'public.webhooks'::regclass            THEN 'hook'
    WHEN 'public.webhook_deliveries'::regclass  THEN 'hookdel'
    WHEN 'public.usage_records'::regclass       THEN 'usage'
    WHEN 'public.quota_limits'::regclass        THEN 'quota'
    WHEN 'public.invoices'::regclass            THEN 'inv'
    WHEN 'public.credit_packs'::regclass        THEN 'pack'
    WHEN 'public.integrations'::regclass        THEN 'integ'
    WHEN 'public.kai_generations'::regclass     THEN 'kaigen'
    WHEN 'public.org_invitations'::regclass     THEN 'invite'
END;

CREATE FUNCTION public.public_id(t public.org_invitations)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT fenta.typeid_encode('invite', $1.id) $$;

COMMENT ON FUNCTION public.public_id(public.org_invitations) IS
'Public id of a row of org_invitations: its id as a TypeID with prefix invite_ (invite_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';
REVOKE ALL ON FUNCTION public.public_id(public.org_invitations) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.public_id(public.org_invitations) TO authenticated, service_role;
COMMENT ON TABLE public.org_invitations IS 'Invitations to join an org with a role: created by an admin (public.create_invitation), accepted or declined by the invitee with the token (public.accept_invitation, public.decline_invitation), revoked by an admin, or expired. Only the SHA-256 of the token is stored. Text id prefix: invite_.';
