-- Jobs: jobs, job_logs, renders, schedules, webhooks, webhook_deliveries.

--
-- jobs: render tasks.
--
CREATE TABLE public.jobs (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	project_id uuid,
	workflow_id uuid,
	template_id uuid,
	created_by uuid DEFAULT auth.uid() REFERENCES public.profiles (id) ON DELETE SET NULL,
	status public.job_status NOT NULL DEFAULT 'queued',
	progress smallint NOT NULL DEFAULT 0 CONSTRAINT jobs_progress_range CHECK (progress BETWEEN 0 AND 100),
	config jsonb NOT NULL DEFAULT '{}' CONSTRAINT jobs_config_is_object CHECK (pg_catalog.jsonb_typeof(config) = 'object'),
	result jsonb,
	error jsonb,
	cost_tokens bigint NOT NULL DEFAULT 0 CONSTRAINT jobs_cost_tokens_not_negative CHECK (cost_tokens >= 0),
	cost_render_seconds numeric(12,3) NOT NULL DEFAULT 0 CONSTRAINT jobs_cost_render_seconds_not_negative CHECK (cost_render_seconds >= 0),
	cost_kai_credits bigint NOT NULL DEFAULT 0 CONSTRAINT jobs_cost_kai_credits_not_negative CHECK (cost_kai_credits >= 0),
	cost_total_usd numeric(12,4) NOT NULL DEFAULT 0 CONSTRAINT jobs_cost_total_usd_not_negative CHECK (cost_total_usd >= 0),
	queued_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	started_at timestamptz,
	completed_at timestamptz,
	retry_count integer NOT NULL DEFAULT 0 CONSTRAINT jobs_retry_count_not_negative CHECK (retry_count >= 0),
	parent_job_id uuid,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	deleted_at timestamptz,
	CONSTRAINT jobs_completed_at_order CHECK (completed_at >= started_at),
	CONSTRAINT jobs_parent_job_id_not_self CHECK (parent_job_id <> id),
	-- target of the children's (org_id, job_id) foreign keys
	CONSTRAINT jobs_org_id_id_key UNIQUE (org_id, id),
	CONSTRAINT jobs_project_id_fkey FOREIGN KEY (org_id, project_id)
		REFERENCES public.projects (org_id, id) ON DELETE SET NULL (project_id),
	CONSTRAINT jobs_workflow_id_fkey FOREIGN KEY (org_id, workflow_id)
		REFERENCES public.workflows (org_id, id) ON DELETE SET NULL (workflow_id),
	CONSTRAINT jobs_template_id_fkey FOREIGN KEY (org_id, template_id)
		REFERENCES public.templates (org_id, id) ON DELETE SET NULL (template_id),
	CONSTRAINT jobs_parent_job_id_fkey FOREIGN KEY (org_id, parent_job_id)
		REFERENCES public.jobs (org_id, id) ON DELETE SET NULL (parent_job_id)
);
COMMENT ON TABLE public.jobs IS 'Render tasks: a workflow or template run with a config, queued by members and executed by the render workers (service_role), which set status, progress, result, error and costs. Members with role editor or above may cancel a queued or processing job: the only status an API user may write is ''cancelled'' (see fenta.jobs_update_guard()). Text id prefix: job_.';
COMMENT ON COLUMN public.jobs.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.jobs.org_id IS 'Owning org.';
COMMENT ON COLUMN public.jobs.project_id IS 'Project of the job, in the same org; NULL when none (set to NULL when the project is deleted).';
COMMENT ON COLUMN public.jobs.workflow_id IS 'Workflow the job runs, in the same org; NULL when none (set to NULL when the workflow is deleted).';
COMMENT ON COLUMN public.jobs.template_id IS 'Template the job renders with, in the same org; NULL when none (set to NULL when the template is deleted).';
COMMENT ON COLUMN public.jobs.created_by IS 'Profile that queued the job; defaults to the requesting user; NULL for system jobs or once the profile is deleted.';
COMMENT ON COLUMN public.jobs.status IS 'Life cycle: queued (default), processing, completed, failed, cancelled. Set by the workers; members (editor+) may only set cancelled, and only on a queued or processing job.';
COMMENT ON COLUMN public.jobs.progress IS 'Progress in percent, 0 to 100.';
COMMENT ON COLUMN public.jobs.config IS 'Job input: variables, render profile, overrides (JSON object).';
COMMENT ON COLUMN public.jobs.result IS 'Job output as reported by the worker (JSON).';
COMMENT ON COLUMN public.jobs.error IS 'Error reported by the worker when the job failed (JSON).';
COMMENT ON COLUMN public.jobs.cost_tokens IS 'LLM tokens spent (>= 0).';
COMMENT ON COLUMN public.jobs.cost_render_seconds IS 'Render time spent in seconds (>= 0).';
COMMENT ON COLUMN public.jobs.cost_kai_credits IS 'KIE.ai credits spent (>= 0).';
COMMENT ON COLUMN public.jobs.cost_total_usd IS 'Total cost in US dollars (>= 0).';
COMMENT ON COLUMN public.jobs.queued_at IS 'When the job was (last) queued.';
COMMENT ON COLUMN public.jobs.started_at IS 'When a worker started the job.';
COMMENT ON COLUMN public.jobs.completed_at IS 'When the job ended: completed, failed or cancelled (not before started_at).';
COMMENT ON COLUMN public.jobs.retry_count IS 'How many times the job was retried (>= 0).';
COMMENT ON COLUMN public.jobs.parent_job_id IS 'Job this one was spawned or retried from, in the same org (not itself); set to NULL when the parent is deleted.';
COMMENT ON COLUMN public.jobs.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.jobs.updated_at IS 'When the row was last updated (set by trigger).';
COMMENT ON COLUMN public.jobs.deleted_at IS 'Soft delete (admin+): when set, hidden from ordinary reads (admins still see it).';
CREATE INDEX idx_jobs_org_status ON public.jobs (org_id, status);
CREATE INDEX idx_jobs_status ON public.jobs (status);
CREATE INDEX idx_jobs_org_id_project_id ON public.jobs (org_id, project_id);
CREATE INDEX idx_jobs_org_id_workflow_id ON public.jobs (org_id, workflow_id);
CREATE INDEX idx_jobs_org_id_template_id ON public.jobs (org_id, template_id);
CREATE INDEX idx_jobs_org_id_parent_job_id ON public.jobs (org_id, parent_job_id);
CREATE INDEX idx_jobs_created_by ON public.jobs (created_by);
CREATE INDEX idx_jobs_active ON public.jobs (org_id) WHERE deleted_at IS NULL;
-- the workers' queue, oldest first
CREATE INDEX idx_jobs_queued ON public.jobs (queued_at) WHERE status = 'queued';
CREATE INDEX idx_jobs_config ON public.jobs USING gin (config);
CREATE TRIGGER jobs_updated_at BEFORE UPDATE ON public.jobs
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

-- The workers own a job's life cycle; members may only cancel it.  The
-- column grants let authenticated change status and deleted_at only; this
-- trigger limits what status may become.
CREATE FUNCTION fenta.jobs_update_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF fenta.bypasses_rls() OR NEW.status IS NOT DISTINCT FROM OLD.status THEN
		RETURN NEW;
	END IF;
	IF NEW.status <> 'cancelled' THEN
		RAISE EXCEPTION 'permission denied to set the status of job % to %', OLD.id, NEW.status
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Members may only cancel a job (status = ''cancelled''); the workers set every other status.';
	END IF;
	IF OLD.status NOT IN ('queued', 'processing') THEN
		RAISE EXCEPTION 'job % cannot be cancelled: it is already %', OLD.id, OLD.status
			USING ERRCODE = 'object_not_in_prerequisite_state',
				DETAIL = 'Only a queued or processing job can be cancelled.';
	END IF;
	NEW.completed_at := pg_catalog.now();
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.jobs_update_guard() IS
'BEFORE UPDATE trigger of jobs: an API user (not bypassing RLS) may change a job''s status only to cancelled (else 42501), and only from queued or processing (else 55000); cancelling sets completed_at. Roles that bypass RLS (service_role, the workers) pass.';
CREATE TRIGGER jobs_update_guard BEFORE UPDATE ON public.jobs
	FOR EACH ROW EXECUTE FUNCTION fenta.jobs_update_guard();

CREATE TRIGGER jobs_delete_guard BEFORE DELETE ON public.jobs
	FOR EACH ROW EXECUTE FUNCTION fenta.require_org_role('admin');

--
-- job_logs: execution logs, written by the workers.
--
CREATE TABLE public.job_logs (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	job_id uuid NOT NULL,
	level public.log_level NOT NULL DEFAULT 'info',
	stage text,
	message text NOT NULL,
	data jsonb,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT job_logs_job_id_fkey FOREIGN KEY (org_id, job_id)
		REFERENCES public.jobs (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE public.job_logs IS 'Execution log lines of jobs, written by the workers (service_role); members read them. Text id prefix: log_.';
COMMENT ON COLUMN public.job_logs.id IS 'Primary key (UUIDv7, so ordering by id is ordering by time).';
COMMENT ON COLUMN public.job_logs.org_id IS 'Owning org (the job''s).';
COMMENT ON COLUMN public.job_logs.job_id IS 'The job, in the same org; its logs go with it.';
COMMENT ON COLUMN public.job_logs.level IS 'Severity: debug, info (default), warn, error.';
COMMENT ON COLUMN public.job_logs.stage IS 'Pipeline stage that logged the line (e.g. a workflow node, render, upload).';
COMMENT ON COLUMN public.job_logs.message IS 'The log message.';
COMMENT ON COLUMN public.job_logs.data IS 'Structured details (JSON).';
COMMENT ON COLUMN public.job_logs.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.job_logs.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_job_logs_org_id_job_id ON public.job_logs (org_id, job_id, created_at);
CREATE TRIGGER job_logs_updated_at BEFORE UPDATE ON public.job_logs
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

--
-- renders: output artifacts of jobs, written by the workers.
--
CREATE TABLE public.renders (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	job_id uuid NOT NULL,
	video_url text CONSTRAINT renders_video_url_format CHECK (video_url ~ '^https?://'),
	video_storage_path text CONSTRAINT renders_video_storage_path_not_empty CHECK (pg_catalog.btrim(video_storage_path) <> ''),
	thumbnail_url text CONSTRAINT renders_thumbnail_url_format CHECK (thumbnail_url ~ '^https?://'),
	srt_url text CONSTRAINT renders_srt_url_format CHECK (srt_url ~ '^https?://'),
	duration_seconds numeric(12,3) CONSTRAINT renders_duration_seconds_not_negative CHECK (duration_seconds >= 0),
	resolution text CONSTRAINT renders_resolution_format CHECK (resolution ~ '^[0-9]{2,5}x[0-9]{2,5}$'),
	file_size_bytes bigint CONSTRAINT renders_file_size_bytes_not_negative CHECK (file_size_bytes >= 0),
	codec text,
	bitrate_kbps integer CONSTRAINT renders_bitrate_kbps_not_negative CHECK (bitrate_kbps >= 0),
	fps numeric(6,3) CONSTRAINT renders_fps_positive CHECK (fps > 0),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT renders_job_id_fkey FOREIGN KEY (org_id, job_id)
		REFERENCES public.jobs (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE public.renders IS 'Output artifacts of jobs (video, thumbnail, subtitles), written by the workers (service_role); members read them. Text id prefix: render_.';
COMMENT ON COLUMN public.renders.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.renders.org_id IS 'Owning org (the job''s).';
COMMENT ON COLUMN public.renders.job_id IS 'The job that produced the render, in the same org; its renders go with it.';
COMMENT ON COLUMN public.renders.video_url IS 'URL of the video (http or https).';
COMMENT ON COLUMN public.renders.video_storage_path IS 'Path of the video in Supabase Storage (bucket/key).';
COMMENT ON COLUMN public.renders.thumbnail_url IS 'Preview image URL (http or https).';
COMMENT ON COLUMN public.renders.srt_url IS 'URL of the subtitles in SRT format (http or https).';
COMMENT ON COLUMN public.renders.duration_seconds IS 'Duration of the video in seconds (>= 0, millisecond precision).';
COMMENT ON COLUMN public.renders.resolution IS 'Video size as WIDTHxHEIGHT in pixels, e.g. 1080x1920.';
COMMENT ON COLUMN public.renders.file_size_bytes IS 'Size of the video file in bytes (>= 0).';
COMMENT ON COLUMN public.renders.codec IS 'Video codec, e.g. h264.';
COMMENT ON COLUMN public.renders.bitrate_kbps IS 'Video bit rate in kbit/s (>= 0).';
COMMENT ON COLUMN public.renders.fps IS 'Frame rate (> 0).';
COMMENT ON COLUMN public.renders.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.renders.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_renders_org_id_job_id ON public.renders (org_id, job_id);
CREATE TRIGGER renders_updated_at BEFORE UPDATE ON public.renders
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

--
-- schedules: cron schedules of workflows.
--

-- Time zone names are checked against the server's time zone database.
CREATE FUNCTION fenta.is_valid_timezone(tz text)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT
SET search_path = ''
AS $$
BEGIN
	RETURN tz = 'UTC'
		OR EXISTS (SELECT FROM pg_catalog.pg_timezone_names n WHERE n.name = tz);
EXCEPTION WHEN OTHERS THEN
	RETURN false;
END
$$;
COMMENT ON FUNCTION fenta.is_valid_timezone(text) IS
'True when tz is ''UTC'' or a time zone name of the server''s time zone database (pg_timezone_names, e.g. Europe/Paris; case-sensitive; abbreviations and POSIX strings are not names); false otherwise, never an error. Declared IMMUTABLE for use in CHECK constraints: the list only changes with the server''s tz data.';

CREATE TABLE public.schedules (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	workflow_id uuid NOT NULL,
	-- five fields: minute hour day-of-month month day-of-week; digits, * , / -
	-- and, in the last two, month and day names
	cron text NOT NULL CONSTRAINT schedules_cron_format
		CHECK (cron ~* '^\s*[0-9*,/-]+\s+[0-9*,/-]+\s+[0-9*,/-]+\s+(?:[0-9*,/-]|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)+\s+(?:[0-9*,/-]|sun|mon|tue|wed|thu|fri|sat)+\s*$'),
	timezone text NOT NULL DEFAULT 'UTC' CONSTRAINT schedules_timezone_valid CHECK (fenta.is_valid_timezone(timezone)),
	enabled boolean NOT NULL DEFAULT true,
	last_run_at timestamptz,
	next_run_at timestamptz,
	run_count bigint NOT NULL DEFAULT 0 CONSTRAINT schedules_run_count_not_negative CHECK (run_count >= 0),
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT schedules_workflow_id_fkey FOREIGN KEY (org_id, workflow_id)
		REFERENCES public.workflows (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE public.schedules IS 'Cron schedules that run workflows; the backend computes next_run_at and queues the jobs. Text id prefix: sched_.';
COMMENT ON COLUMN public.schedules.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.schedules.org_id IS 'Owning org (the workflow''s).';
COMMENT ON COLUMN public.schedules.workflow_id IS 'The workflow to run, in the same org; its schedules go with it.';
COMMENT ON COLUMN public.schedules.cron IS 'Standard five-field cron expression (minute hour day-of-month month day-of-week), e.g. ''0 9 * * mon-fri''. Fields use digits, *, ",", "/" and "-"; month and day-of-week also accept three-letter English names. The syntax is checked here, value ranges by the scheduler.';
COMMENT ON COLUMN public.schedules.timezone IS 'Time zone the cron expression is read in: a name of the time zone database such as Europe/Paris; default UTC.';
COMMENT ON COLUMN public.schedules.enabled IS 'Whether the schedule fires.';
COMMENT ON COLUMN public.schedules.last_run_at IS 'When the schedule last fired.';
COMMENT ON COLUMN public.schedules.next_run_at IS 'When the schedule fires next (computed by the backend).';
COMMENT ON COLUMN public.schedules.run_count IS 'How many times the schedule fired (>= 0).';
COMMENT ON COLUMN public.schedules.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.schedules.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_schedules_org_id_workflow_id ON public.schedules (org_id, workflow_id);
CREATE INDEX idx_schedules_enabled ON public.schedules (next_run_at) WHERE enabled = true;
CREATE TRIGGER schedules_updated_at BEFORE UPDATE ON public.schedules
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

CREATE TRIGGER schedules_delete_guard BEFORE DELETE ON public.schedules
	FOR EACH ROW EXECUTE FUNCTION fenta.require_org_role('admin');

--
-- webhooks: where to notify an org of events.
--
CREATE TABLE public.webhooks (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	name text CONSTRAINT webhooks_name_not_empty CHECK (pg_catalog.btrim(name) <> ''),
	url text NOT NULL CONSTRAINT webhooks_url_https CHECK (url ~ '^https://[^\s/?#]+([/?#]\S*)?$'),
	events text[] NOT NULL
		CONSTRAINT webhooks_events_not_empty CHECK (pg_catalog.cardinality(events) > 0)
		CONSTRAINT webhooks_events_known CHECK (events <@ ARRAY['job.queued', 'job.started', 'job.completed',
																'job.failed', 'job.cancelled', 'render.completed',
																'asset.ready', 'asset.failed', 'usage.quota_exceeded']::text[]),
	secret text NOT NULL DEFAULT pg_catalog.replace(pg_catalog.gen_random_uuid()::text || pg_catalog.gen_random_uuid()::text, '-', '')
		CONSTRAINT webhooks_secret_length CHECK (pg_catalog.length(secret) >= 16),
	enabled boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	deleted_at timestamptz,
	-- target of the children's (org_id, webhook_id) foreign keys
	CONSTRAINT webhooks_org_id_id_key UNIQUE (org_id, id)
);
COMMENT ON TABLE public.webhooks IS 'Webhook endpoints notified of an org''s events; payloads are signed with the secret. Admins and owners only (the secret is never readable by viewers or editors). Text id prefix: hook_.';
COMMENT ON COLUMN public.webhooks.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.webhooks.org_id IS 'Owning org.';
COMMENT ON COLUMN public.webhooks.name IS 'Label (not empty when set).';
COMMENT ON COLUMN public.webhooks.url IS 'Endpoint URL; must be https://host[/path].';
COMMENT ON COLUMN public.webhooks.events IS 'Events delivered (non-empty array), among: job.queued, job.started, job.completed, job.failed, job.cancelled, render.completed, asset.ready, asset.failed, usage.quota_exceeded.';
COMMENT ON COLUMN public.webhooks.secret IS 'Signing secret (at least 16 characters; default 64 random hex digits). Readable by admins and owners only.';
COMMENT ON COLUMN public.webhooks.enabled IS 'Whether events are delivered.';
COMMENT ON COLUMN public.webhooks.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.webhooks.updated_at IS 'When the row was last updated (set by trigger).';
COMMENT ON COLUMN public.webhooks.deleted_at IS 'Soft delete: when set, nothing is delivered any more; admins still see the row.';
CREATE INDEX idx_webhooks_active ON public.webhooks (org_id) WHERE deleted_at IS NULL;
CREATE INDEX idx_webhooks_events ON public.webhooks USING gin (events);
CREATE TRIGGER webhooks_updated_at BEFORE UPDATE ON public.webhooks
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

--
-- webhook_deliveries: one row per event sent to a webhook.
--
CREATE TABLE public.webhook_deliveries (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	webhook_id uuid NOT NULL,
	event text NOT NULL CONSTRAINT webhook_deliveries_event_format CHECK (event ~ '^[a-z][a-z_]*(\.[a-z][a-z_]*)+$'),
	payload jsonb NOT NULL DEFAULT '{}' CONSTRAINT webhook_deliveries_payload_is_object CHECK (pg_catalog.jsonb_typeof(payload) = 'object'),
	status public.delivery_status NOT NULL DEFAULT 'pending',
	http_status integer CONSTRAINT webhook_deliveries_http_status_range CHECK (http_status BETWEEN 100 AND 599),
	response_body text,
	attempts integer NOT NULL DEFAULT 0 CONSTRAINT webhook_deliveries_attempts_not_negative CHECK (attempts >= 0),
	next_retry_at timestamptz,
	delivered_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT webhook_deliveries_webhook_id_fkey FOREIGN KEY (org_id, webhook_id)
		REFERENCES public.webhooks (org_id, id) ON DELETE CASCADE
);
COMMENT ON TABLE public.webhook_deliveries IS 'Deliveries of events to webhooks, with their outcome and retries; written by the backend (service_role), readable by admins and owners. Text id prefix: hookdel_.';
COMMENT ON COLUMN public.webhook_deliveries.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.webhook_deliveries.org_id IS 'Owning org (the webhook''s).';
COMMENT ON COLUMN public.webhook_deliveries.webhook_id IS 'The webhook, in the same org; its deliveries go with it.';
COMMENT ON COLUMN public.webhook_deliveries.event IS 'Event name, dot-separated lower-case words, e.g. job.completed.';
COMMENT ON COLUMN public.webhook_deliveries.payload IS 'The JSON object sent.';
COMMENT ON COLUMN public.webhook_deliveries.status IS 'pending (default, waiting for a first try or a retry), success, failed (given up).';
COMMENT ON COLUMN public.webhook_deliveries.http_status IS 'HTTP status code of the last attempt (100 to 599); NULL if no response.';
COMMENT ON COLUMN public.webhook_deliveries.response_body IS 'Response body of the last attempt (possibly truncated).';
COMMENT ON COLUMN public.webhook_deliveries.attempts IS 'Attempts made so far (>= 0).';
COMMENT ON COLUMN public.webhook_deliveries.next_retry_at IS 'When a pending delivery is tried next.';
COMMENT ON COLUMN public.webhook_deliveries.delivered_at IS 'When the delivery succeeded.';
COMMENT ON COLUMN public.webhook_deliveries.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.webhook_deliveries.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_webhook_deliveries_org_id_webhook_id ON public.webhook_deliveries (org_id, webhook_id, created_at);
CREATE INDEX idx_webhook_deliveries_status ON public.webhook_deliveries (status);
CREATE INDEX idx_webhook_deliveries_pending ON public.webhook_deliveries (next_retry_at) WHERE status = 'pending';
CREATE TRIGGER webhook_deliveries_updated_at BEFORE UPDATE ON public.webhook_deliveries
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

