-- ===========================================================================
-- Public ids: the TypeID prefix of every table and the API's view of keys.
--
-- Keys are stored as uuid; the API shows them as TypeIDs such as
-- org_01h455vb4pex5vsknk084sn02q.  Each table's prefix is fixed here, in
-- fenta.typeid_prefix_of(), and in the table's public_id computed field.
--
-- The functions below have SQL-standard bodies (RETURN ...): they are parsed
-- once, at creation, so they neither depend on the caller's search_path nor
-- need USAGE on schema fenta to call fenta.typeid_encode/decode, and the
-- planner still inlines them into the calling query.
-- ===========================================================================

CREATE FUNCTION fenta.typeid_prefix_of(entity regclass)
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
END;

COMMENT ON FUNCTION fenta.typeid_prefix_of(regclass) IS
'TypeID prefix of a fenta table''s ids (without the "_"), e.g. ''org'' for public.orgs; NULL for any other table.';

CREATE FUNCTION public.uuid_from_public_id(public_id text, entity regclass)
RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_decode(public_id, fenta.typeid_prefix_of(entity));

COMMENT ON FUNCTION public.uuid_from_public_id(text, regclass) IS
'The uuid key of a public id of the given table, e.g. uuid_from_public_id(''org_01h455vb4pex5vsknk084sn02q'', ''orgs''). Raises 22P02 if the public id is malformed or has the prefix of another table (a job_ id where an org_ id is expected); NULL if the table has no prefix.';

CREATE FUNCTION public.public_id(t public.profiles)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('user', t.id);

COMMENT ON FUNCTION public.public_id(public.profiles) IS
'Public id of a row of profiles: its id as a TypeID with prefix user_ (user_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.orgs)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('org', t.id);

COMMENT ON FUNCTION public.public_id(public.orgs) IS
'Public id of a row of orgs: its id as a TypeID with prefix org_ (org_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.org_members)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('mem', t.id);

COMMENT ON FUNCTION public.public_id(public.org_members) IS
'Public id of a row of org_members: its id as a TypeID with prefix mem_ (mem_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.api_keys)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('key', t.id);

COMMENT ON FUNCTION public.public_id(public.api_keys) IS
'Public id of a row of api_keys: its id as a TypeID with prefix key_ (key_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.projects)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('proj', t.id);

COMMENT ON FUNCTION public.public_id(public.projects) IS
'Public id of a row of projects: its id as a TypeID with prefix proj_ (proj_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.templates)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('tmpl', t.id);

COMMENT ON FUNCTION public.public_id(public.templates) IS
'Public id of a row of templates: its id as a TypeID with prefix tmpl_ (tmpl_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.workflows)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('wf', t.id);

COMMENT ON FUNCTION public.public_id(public.workflows) IS
'Public id of a row of workflows: its id as a TypeID with prefix wf_ (wf_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.workflow_versions)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('wfv', t.id);

COMMENT ON FUNCTION public.public_id(public.workflow_versions) IS
'Public id of a row of workflow_versions: its id as a TypeID with prefix wfv_ (wfv_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.assets)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('asset', t.id);

COMMENT ON FUNCTION public.public_id(public.assets) IS
'Public id of a row of assets: its id as a TypeID with prefix asset_ (asset_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.asset_versions)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('assetv', t.id);

COMMENT ON FUNCTION public.public_id(public.asset_versions) IS
'Public id of a row of asset_versions: its id as a TypeID with prefix assetv_ (assetv_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.jobs)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('job', t.id);

COMMENT ON FUNCTION public.public_id(public.jobs) IS
'Public id of a row of jobs: its id as a TypeID with prefix job_ (job_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.job_logs)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('log', t.id);

COMMENT ON FUNCTION public.public_id(public.job_logs) IS
'Public id of a row of job_logs: its id as a TypeID with prefix log_ (log_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.renders)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('render', t.id);

COMMENT ON FUNCTION public.public_id(public.renders) IS
'Public id of a row of renders: its id as a TypeID with prefix render_ (render_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.schedules)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('sched', t.id);

COMMENT ON FUNCTION public.public_id(public.schedules) IS
'Public id of a row of schedules: its id as a TypeID with prefix sched_ (sched_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.webhooks)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('hook', t.id);

COMMENT ON FUNCTION public.public_id(public.webhooks) IS
'Public id of a row of webhooks: its id as a TypeID with prefix hook_ (hook_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.webhook_deliveries)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('hookdel', t.id);

COMMENT ON FUNCTION public.public_id(public.webhook_deliveries) IS
'Public id of a row of webhook_deliveries: its id as a TypeID with prefix hookdel_ (hookdel_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.usage_records)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('usage', t.id);

COMMENT ON FUNCTION public.public_id(public.usage_records) IS
'Public id of a row of usage_records: its id as a TypeID with prefix usage_ (usage_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.quota_limits)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('quota', t.id);

COMMENT ON FUNCTION public.public_id(public.quota_limits) IS
'Public id of a row of quota_limits: its id as a TypeID with prefix quota_ (quota_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.invoices)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('inv', t.id);

COMMENT ON FUNCTION public.public_id(public.invoices) IS
'Public id of a row of invoices: its id as a TypeID with prefix inv_ (inv_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.credit_packs)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('pack', t.id);

COMMENT ON FUNCTION public.public_id(public.credit_packs) IS
'Public id of a row of credit_packs: its id as a TypeID with prefix pack_ (pack_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.integrations)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('integ', t.id);

COMMENT ON FUNCTION public.public_id(public.integrations) IS
'Public id of a row of integrations: its id as a TypeID with prefix integ_ (integ_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

CREATE FUNCTION public.public_id(t public.kai_generations)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN fenta.typeid_encode('kaigen', t.id);

COMMENT ON FUNCTION public.public_id(public.kai_generations) IS
'Public id of a row of kai_generations: its id as a TypeID with prefix kaigen_ (kaigen_01h455vb4pex5vsknk084sn02q). A computed field: select=public_id,... in the Data API.';

GRANT EXECUTE ON FUNCTION
    fenta.typeid_encode(text, uuid),
    fenta.typeid_decode(text, text),
    fenta.typeid_prefix(text),
    fenta.typeid_prefix_of(regclass),
    fenta.uuid_v7_timestamp(uuid),
    public.uuid_from_public_id(text, regclass),
    public.public_id(public.profiles),
    public.public_id(public.orgs),
    public.public_id(public.org_members),
    public.public_id(public.api_keys),
    public.public_id(public.projects),
    public.public_id(public.templates),
    public.public_id(public.workflows),
    public.public_id(public.workflow_versions),
    public.public_id(public.assets),
    public.public_id(public.asset_versions),
    public.public_id(public.jobs),
    public.public_id(public.job_logs),
    public.public_id(public.renders),
    public.public_id(public.schedules),
    public.public_id(public.webhooks),
    public.public_id(public.webhook_deliveries),
    public.public_id(public.usage_records),
    public.public_id(public.quota_limits),
    public.public_id(public.invoices),
    public.public_id(public.credit_packs),
    public.public_id(public.integrations),
    public.public_id(public.kai_generations)
TO anon, authenticated, service_role;

-- Column defaults call it when the API inserts rows.
GRANT EXECUTE ON FUNCTION fenta.uuid_generate_v7() TO authenticated, service_role;
