-- Content: templates, workflows, workflow_versions, assets, asset_versions.

--
-- templates: video montage templates.
--
CREATE TABLE public.templates (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	project_id uuid,
	name text NOT NULL CONSTRAINT templates_name_not_empty CHECK (pg_catalog.btrim(name) <> ''),
	description text,
	aspect text NOT NULL DEFAULT '9:16' CONSTRAINT templates_aspect_valid CHECK (aspect IN ('9:16', '16:9', '1:1')),
	resolution text CONSTRAINT templates_resolution_format CHECK (resolution ~ '^[0-9]{2,5}x[0-9]{2,5}$'),
	spec jsonb NOT NULL DEFAULT '{}' CONSTRAINT templates_spec_is_object CHECK (pg_catalog.jsonb_typeof(spec) = 'object'),
	is_public boolean NOT NULL DEFAULT false,
	thumbnail_url text CONSTRAINT templates_thumbnail_url_format CHECK (thumbnail_url ~ '^https?://'),
	usage_count bigint NOT NULL DEFAULT 0 CONSTRAINT templates_usage_count_not_negative CHECK (usage_count >= 0),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	deleted_at timestamptz,
	-- target of the children's (org_id, template_id) foreign keys
	CONSTRAINT templates_org_id_id_key UNIQUE (org_id, id),
	CONSTRAINT templates_project_id_fkey FOREIGN KEY (org_id, project_id)
		REFERENCES public.projects (org_id, id) ON DELETE SET NULL (project_id)
);
COMMENT ON TABLE public.templates IS 'Video montage templates: aspect, resolution and a spec of tracks, overlays, placeholders and rules. A public template (is_public) is readable by anyone, anon included; it is used by other orgs by copying it into their org. Text id prefix: tmpl_.';
COMMENT ON COLUMN public.templates.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.templates.org_id IS 'Owning org.';
COMMENT ON COLUMN public.templates.project_id IS 'Project the template belongs to, in the same org; NULL when none (set to NULL when the project is deleted).';
COMMENT ON COLUMN public.templates.name IS 'Display name (not empty).';
COMMENT ON COLUMN public.templates.description IS 'Free text.';
COMMENT ON COLUMN public.templates.aspect IS 'Aspect ratio of the video: 9:16 (default), 16:9 or 1:1.';
COMMENT ON COLUMN public.templates.resolution IS 'Output size as WIDTHxHEIGHT in pixels, e.g. 1080x1920; NULL = the render profile''s default.';
COMMENT ON COLUMN public.templates.spec IS 'Template definition (JSON object): tracks, overlays, placeholders, rules.';
COMMENT ON COLUMN public.templates.is_public IS 'When true (and not deleted), anyone can read the template, anon included.';
COMMENT ON COLUMN public.templates.thumbnail_url IS 'Preview image URL (http or https).';
COMMENT ON COLUMN public.templates.usage_count IS 'How many jobs used the template (>= 0; maintained by the backend).';
COMMENT ON COLUMN public.templates.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.templates.updated_at IS 'When the row was last updated (set by trigger).';
COMMENT ON COLUMN public.templates.deleted_at IS 'Soft delete: when set, hidden from ordinary reads (admins still see it) and no longer public.';
CREATE INDEX idx_templates_org_id_project_id ON public.templates (org_id, project_id);
CREATE INDEX idx_templates_active ON public.templates (org_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_templates_public ON public.templates (is_public) WHERE is_public = true;
CREATE INDEX idx_templates_spec ON public.templates USING gin (spec);
CREATE TRIGGER templates_updated_at BEFORE UPDATE ON public.templates
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

CREATE TRIGGER templates_delete_guard BEFORE DELETE ON public.templates
	FOR EACH ROW EXECUTE FUNCTION fenta.require_org_role('admin');

--
-- workflows: visual workflow graphs.
--
CREATE TABLE public.workflows (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	project_id uuid,
	template_id uuid,
	name text NOT NULL CONSTRAINT workflows_name_not_empty CHECK (pg_catalog.btrim(name) <> ''),
	description text,
	status public.workflow_status NOT NULL DEFAULT 'draft',
	-- coalesce: a missing key must fail the check, not pass it as NULL
	graph jsonb NOT NULL DEFAULT '{"nodes": [], "edges": []}'
		CONSTRAINT workflows_graph_shape CHECK (pg_catalog.jsonb_typeof(graph) = 'object'
												AND coalesce(pg_catalog.jsonb_typeof(graph -> 'nodes') = 'array', false)
												AND coalesce(pg_catalog.jsonb_typeof(graph -> 'edges') = 'array', false)),
	variables jsonb NOT NULL DEFAULT '{}' CONSTRAINT workflows_variables_is_object CHECK (pg_catalog.jsonb_typeof(variables) = 'object'),
	run_count bigint NOT NULL DEFAULT 0 CONSTRAINT workflows_run_count_not_negative CHECK (run_count >= 0),
	last_run_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	deleted_at timestamptz,
	-- target of the children's (org_id, workflow_id) foreign keys
	CONSTRAINT workflows_org_id_id_key UNIQUE (org_id, id),
	CONSTRAINT workflows_project_id_fkey FOREIGN KEY (org_id, project_id)
		REFERENCES public.projects (org_id, id) ON DELETE SET NULL (project_id),
	CONSTRAINT workflows_template_id_fkey FOREIGN KEY (org_id, template_id)
		REFERENCES public.templates (org_id, id) ON DELETE SET NULL (template_id)
);
COMMENT ON TABLE public.workflows IS 'Visual workflow graphs (nodes and edges) that produce videos; run by jobs, on demand or by schedules. Text id prefix: wf_.';
COMMENT ON COLUMN public.workflows.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.workflows.org_id IS 'Owning org.';
COMMENT ON COLUMN public.workflows.project_id IS 'Project the workflow belongs to, in the same org; NULL when none (set to NULL when the project is deleted).';
COMMENT ON COLUMN public.workflows.template_id IS 'Template the workflow renders with, in the same org; NULL when none (set to NULL when the template is deleted).';
COMMENT ON COLUMN public.workflows.name IS 'Display name (not empty).';
COMMENT ON COLUMN public.workflows.description IS 'Free text.';
COMMENT ON COLUMN public.workflows.status IS 'Life cycle: draft (default), confirmed, production, archived.';
COMMENT ON COLUMN public.workflows.graph IS 'The graph: a JSON object with a "nodes" array and an "edges" array.';
COMMENT ON COLUMN public.workflows.variables IS 'Workflow variables and their default values (JSON object).';
COMMENT ON COLUMN public.workflows.run_count IS 'How many times the workflow ran (>= 0; maintained by the backend).';
COMMENT ON COLUMN public.workflows.last_run_at IS 'When the workflow last ran.';
COMMENT ON COLUMN public.workflows.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.workflows.updated_at IS 'When the row was last updated (set by trigger).';
COMMENT ON COLUMN public.workflows.deleted_at IS 'Soft delete: when set, hidden from ordinary reads (admins still see it).';
CREATE INDEX idx_workflows_org_id_project_id ON public.workflows (org_id, project_id);
CREATE INDEX idx_workflows_org_id_template_id ON public.workflows (org_id, template_id);
CREATE INDEX idx_workflows_status ON public.workflows (status);
CREATE INDEX idx_workflows_active ON public.workflows (org_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_workflows_graph ON public.workflows USING gin (graph);
CREATE TRIGGER workflows_updated_at BEFORE UPDATE ON public.workflows
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

CREATE TRIGGER workflows_delete_guard BEFORE DELETE ON public.workflows
	FOR EACH ROW EXECUTE FUNCTION fenta.require_org_role('admin');

--
-- workflow_versions: history of a workflow's graph.
--
CREATE TABLE public.workflow_versions (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	workflow_id uuid NOT NULL,
	version integer NOT NULL CONSTRAINT workflow_versions_version_positive CHECK (version >= 1),
	graph jsonb NOT NULL DEFAULT '{"nodes": [], "edges": []}'
		CONSTRAINT workflow_versions_graph_shape CHECK (pg_catalog.jsonb_typeof(graph) = 'object'
														AND coalesce(pg_catalog.jsonb_typeof(graph -> 'nodes') = 'array', false)
														AND coalesce(pg_catalog.jsonb_typeof(graph -> 'edges') = 'array', false)),
	variables jsonb NOT NULL DEFAULT '{}' CONSTRAINT workflow_versions_variables_is_object CHECK (pg_catalog.jsonb_typeof(variables) = 'object'),
	note text,
	created_by uuid DEFAULT auth.uid() REFERENCES public.profiles (id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT workflow_versions_workflow_id_version_key UNIQUE (workflow_id, version),
	CONSTRAINT workflow_versions_workflow_id_fkey FOREIGN KEY (org_id, workflow_id)
		REFERENCES public.workflows (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE public.workflow_versions IS 'Version history of workflows: a snapshot of the graph and variables per version number. Text id prefix: wfv_.';
COMMENT ON COLUMN public.workflow_versions.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.workflow_versions.org_id IS 'Owning org (the workflow''s).';
COMMENT ON COLUMN public.workflow_versions.workflow_id IS 'The workflow, in the same org; its versions go with it.';
COMMENT ON COLUMN public.workflow_versions.version IS 'Version number (>= 1), unique per workflow.';
COMMENT ON COLUMN public.workflow_versions.graph IS 'The graph of this version: a JSON object with a "nodes" array and an "edges" array.';
COMMENT ON COLUMN public.workflow_versions.variables IS 'The variables of this version (JSON object).';
COMMENT ON COLUMN public.workflow_versions.note IS 'What changed in this version (free text).';
COMMENT ON COLUMN public.workflow_versions.created_by IS 'Profile that saved the version; defaults to the requesting user; NULL once the profile is deleted.';
COMMENT ON COLUMN public.workflow_versions.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.workflow_versions.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_workflow_versions_org_id_workflow_id ON public.workflow_versions (org_id, workflow_id);
CREATE INDEX idx_workflow_versions_created_by ON public.workflow_versions (created_by);
CREATE INDEX idx_workflow_versions_graph ON public.workflow_versions USING gin (graph);
CREATE TRIGGER workflow_versions_updated_at BEFORE UPDATE ON public.workflow_versions
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

CREATE TRIGGER workflow_versions_delete_guard BEFORE DELETE ON public.workflow_versions
	FOR EACH ROW EXECUTE FUNCTION fenta.require_org_role('admin');

--
-- assets: media files.
--
CREATE TABLE public.assets (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	project_id uuid,
	type public.asset_type NOT NULL,
	source public.asset_source NOT NULL DEFAULT 'upload',
	name text CONSTRAINT assets_name_not_empty CHECK (pg_catalog.btrim(name) <> ''),
	storage_path text CONSTRAINT assets_storage_path_not_empty CHECK (pg_catalog.btrim(storage_path) <> ''),
	url text CONSTRAINT assets_url_format CHECK (url ~ '^https?://'),
	thumbnail_url text CONSTRAINT assets_thumbnail_url_format CHECK (thumbnail_url ~ '^https?://'),
	mime_type text CONSTRAINT assets_mime_type_format
		CHECK (mime_type ~* '^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*(\s*;.*)?$'),
	file_size_bytes bigint CONSTRAINT assets_file_size_bytes_not_negative CHECK (file_size_bytes >= 0),
	duration_seconds numeric(12,3) CONSTRAINT assets_duration_seconds_not_negative CHECK (duration_seconds >= 0),
	width integer CONSTRAINT assets_width_positive CHECK (width > 0),
	height integer CONSTRAINT assets_height_positive CHECK (height > 0),
	fps numeric(6,3) CONSTRAINT assets_fps_positive CHECK (fps > 0),
	metadata jsonb NOT NULL DEFAULT '{}' CONSTRAINT assets_metadata_is_object CHECK (pg_catalog.jsonb_typeof(metadata) = 'object'),
	status public.asset_status NOT NULL DEFAULT 'processing',
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	deleted_at timestamptz,
	-- target of the children's (org_id, asset_id) foreign keys
	CONSTRAINT assets_org_id_id_key UNIQUE (org_id, id),
	CONSTRAINT assets_project_id_fkey FOREIGN KEY (org_id, project_id)
		REFERENCES public.projects (org_id, id) ON DELETE SET NULL (project_id)
);
COMMENT ON TABLE public.assets IS 'Media files (images, videos, audio) uploaded, taken from stock libraries or generated by KIE.ai. Text id prefix: asset_.';
COMMENT ON COLUMN public.assets.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.assets.org_id IS 'Owning org.';
COMMENT ON COLUMN public.assets.project_id IS 'Project the asset belongs to, in the same org; NULL when none (set to NULL when the project is deleted).';
COMMENT ON COLUMN public.assets.type IS 'Media kind: image, video or audio.';
COMMENT ON COLUMN public.assets.source IS 'Where the asset came from: upload (default), stock or kai.';
COMMENT ON COLUMN public.assets.name IS 'Display name, e.g. the uploaded file''s name (not empty when set).';
COMMENT ON COLUMN public.assets.storage_path IS 'Path of the current file in Supabase Storage (bucket/key).';
COMMENT ON COLUMN public.assets.url IS 'URL of the current file (http or https).';
COMMENT ON COLUMN public.assets.thumbnail_url IS 'Preview image URL (http or https).';
COMMENT ON COLUMN public.assets.mime_type IS 'Media type of the file, e.g. video/mp4 (type/subtype, optional parameters).';
COMMENT ON COLUMN public.assets.file_size_bytes IS 'Size of the current file in bytes (>= 0).';
COMMENT ON COLUMN public.assets.duration_seconds IS 'Duration of audio or video in seconds (>= 0, millisecond precision).';
COMMENT ON COLUMN public.assets.width IS 'Width in pixels of an image or video (> 0).';
COMMENT ON COLUMN public.assets.height IS 'Height in pixels of an image or video (> 0).';
COMMENT ON COLUMN public.assets.fps IS 'Frame rate of a video (> 0).';
COMMENT ON COLUMN public.assets.metadata IS 'Further media properties and tags (JSON object).';
COMMENT ON COLUMN public.assets.status IS 'Processing state: processing (default), ready, failed.';
COMMENT ON COLUMN public.assets.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.assets.updated_at IS 'When the row was last updated (set by trigger).';
COMMENT ON COLUMN public.assets.deleted_at IS 'Soft delete: when set, hidden from ordinary reads (admins still see it).';
CREATE INDEX idx_assets_org_id_project_id ON public.assets (org_id, project_id);
CREATE INDEX idx_assets_status ON public.assets (status);
CREATE INDEX idx_assets_active ON public.assets (org_id, type) WHERE deleted_at IS NULL;
CREATE INDEX idx_assets_metadata ON public.assets USING gin (metadata);
CREATE TRIGGER assets_updated_at BEFORE UPDATE ON public.assets
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

CREATE TRIGGER assets_delete_guard BEFORE DELETE ON public.assets
	FOR EACH ROW EXECUTE FUNCTION fenta.require_org_role('admin');

--
-- asset_versions: history of an asset's file.
--
CREATE TABLE public.asset_versions (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	asset_id uuid NOT NULL,
	version integer NOT NULL CONSTRAINT asset_versions_version_positive CHECK (version >= 1),
	storage_path text CONSTRAINT asset_versions_storage_path_not_empty CHECK (pg_catalog.btrim(storage_path) <> ''),
	url text CONSTRAINT asset_versions_url_format CHECK (url ~ '^https?://'),
	file_size_bytes bigint CONSTRAINT asset_versions_file_size_bytes_not_negative CHECK (file_size_bytes >= 0),
	checksum_sha256 text CONSTRAINT asset_versions_checksum_sha256_format CHECK (checksum_sha256 ~ '^[0-9a-f]{64}$'),
	metadata jsonb NOT NULL DEFAULT '{}' CONSTRAINT asset_versions_metadata_is_object CHECK (pg_catalog.jsonb_typeof(metadata) = 'object'),
	created_by uuid DEFAULT auth.uid() REFERENCES public.profiles (id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	-- a version without a file is no version
	CONSTRAINT asset_versions_file_present CHECK (storage_path IS NOT NULL OR url IS NOT NULL),
	CONSTRAINT asset_versions_asset_id_version_key UNIQUE (asset_id, version),
	CONSTRAINT asset_versions_asset_id_fkey FOREIGN KEY (org_id, asset_id)
		REFERENCES public.assets (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE public.asset_versions IS 'Version history of assets: each replaced file of an asset, by version number (as workflow_versions is for graphs). Text id prefix: assetv_.';
COMMENT ON COLUMN public.asset_versions.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.asset_versions.org_id IS 'Owning org (the asset''s).';
COMMENT ON COLUMN public.asset_versions.asset_id IS 'The asset, in the same org; its versions go with it.';
COMMENT ON COLUMN public.asset_versions.version IS 'Version number (>= 1), unique per asset.';
COMMENT ON COLUMN public.asset_versions.storage_path IS 'Path of this version''s file in Supabase Storage (bucket/key); storage_path or url must be set.';
COMMENT ON COLUMN public.asset_versions.url IS 'URL of this version''s file (http or https); storage_path or url must be set.';
COMMENT ON COLUMN public.asset_versions.file_size_bytes IS 'Size of the file in bytes (>= 0).';
COMMENT ON COLUMN public.asset_versions.checksum_sha256 IS 'SHA-256 of the file as 64 lower-case hex digits.';
COMMENT ON COLUMN public.asset_versions.metadata IS 'Media properties of this version (JSON object).';
COMMENT ON COLUMN public.asset_versions.created_by IS 'Profile that added the version; defaults to the requesting user; NULL once the profile is deleted.';
COMMENT ON COLUMN public.asset_versions.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.asset_versions.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_asset_versions_org_id_asset_id ON public.asset_versions (org_id, asset_id);
CREATE INDEX idx_asset_versions_created_by ON public.asset_versions (created_by);
CREATE INDEX idx_asset_versions_metadata ON public.asset_versions USING gin (metadata);
CREATE TRIGGER asset_versions_updated_at BEFORE UPDATE ON public.asset_versions
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

CREATE TRIGGER asset_versions_delete_guard BEFORE DELETE ON public.asset_versions
	FOR EACH ROW EXECUTE FUNCTION fenta.require_org_role('admin');
