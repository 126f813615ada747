--
-- Constraints of the content and job tables (sql/src/20_content.sql and
-- 30_jobs.sql): every CHECK rejects a bad row with 23514 and names itself,
-- and accepts the good row next to it; the composite foreign keys keep a
-- child in its parent's org; the jobs update guard lets members only cancel.
-- Everything runs in one transaction that is rolled back at the end.
--
\set VERBOSITY default
BEGIN;

-- Runs a statement and shows how it ended: SQLSTATE ('00000' if it raised
-- nothing), the constraint named by the error, and the message.
CREATE FUNCTION pg_temp.try(query text,
    OUT state text, OUT constraint_name text, OUT message text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE query;
    state := '00000';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE,
                            constraint_name = CONSTRAINT_NAME,
                            message = MESSAGE_TEXT;
END
$$;

-- A user (its profile comes from the signup trigger), two orgs and a
-- project, a template, a workflow, an asset, a job and a webhook in each.
INSERT INTO auth.users (id, email, raw_user_meta_data)
VALUES ('00000000-0000-0000-0000-0000000000c1', 'c1@example.com', '{}');
INSERT INTO public.orgs (id, name, slug, owner_id) VALUES
    ('00000000-0000-0000-0000-00000000ca01', 'CJ org A', 'cj-org-a', '00000000-0000-0000-0000-0000000000c1'),
    ('00000000-0000-0000-0000-00000000cb01', 'CJ org B', 'cj-org-b', '00000000-0000-0000-0000-0000000000c1');
INSERT INTO public.projects (id, org_id, name) VALUES
    ('00000000-0000-0000-0000-00000000ca02', '00000000-0000-0000-0000-00000000ca01', 'Project A'),
    ('00000000-0000-0000-0000-00000000cb02', '00000000-0000-0000-0000-00000000cb01', 'Project B');
INSERT INTO public.templates (id, org_id, project_id, name) VALUES
    ('00000000-0000-0000-0000-00000000ca03', '00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca02', 'Template A'),
    ('00000000-0000-0000-0000-00000000cb03', '00000000-0000-0000-0000-00000000cb01', NULL, 'Template B');
INSERT INTO public.workflows (id, org_id, project_id, template_id, name) VALUES
    ('00000000-0000-0000-0000-00000000ca04', '00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca02', '00000000-0000-0000-0000-00000000ca03', 'Workflow A'),
    ('00000000-0000-0000-0000-00000000cb04', '00000000-0000-0000-0000-00000000cb01', NULL, NULL, 'Workflow B');
INSERT INTO public.assets (id, org_id, project_id, type) VALUES
    ('00000000-0000-0000-0000-00000000ca05', '00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca02', 'video'),
    ('00000000-0000-0000-0000-00000000cb05', '00000000-0000-0000-0000-00000000cb01', NULL, 'image');
INSERT INTO public.jobs (id, org_id, project_id, workflow_id, template_id) VALUES
    ('00000000-0000-0000-0000-00000000ca06', '00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca02', '00000000-0000-0000-0000-00000000ca04', '00000000-0000-0000-0000-00000000ca03'),
    ('00000000-0000-0000-0000-00000000cb06', '00000000-0000-0000-0000-00000000cb01', NULL, NULL, NULL);
INSERT INTO public.webhooks (id, org_id, url, events) VALUES
    ('00000000-0000-0000-0000-00000000ca07', '00000000-0000-0000-0000-00000000ca01', 'https://hooks.example.com/a', '{job.completed}'),
    ('00000000-0000-0000-0000-00000000cb07', '00000000-0000-0000-0000-00000000cb01', 'https://hooks.example.com/b', '{job.failed}');

-- Defaults of the new rows.
SELECT aspect, spec, is_public, usage_count FROM public.templates
WHERE id = '00000000-0000-0000-0000-00000000ca03';
SELECT status, graph, variables, run_count FROM public.workflows
WHERE id = '00000000-0000-0000-0000-00000000ca04';
SELECT source, status, metadata FROM public.assets
WHERE id = '00000000-0000-0000-0000-00000000ca05';
SELECT status, progress, config, cost_tokens, cost_render_seconds, cost_kai_credits,
       cost_total_usd, retry_count, queued_at IS NOT NULL AS queued
FROM public.jobs WHERE id = '00000000-0000-0000-0000-00000000ca06';
SELECT enabled, secret ~ '^[0-9a-f]{64}$' AS secret_is_64_hex FROM public.webhooks
WHERE id = '00000000-0000-0000-0000-00000000ca07';

--
-- templates
--
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.templates (org_id, name) VALUES ('00000000-0000-0000-0000-00000000ca01', '  ')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.templates (org_id, name) VALUES ('00000000-0000-0000-0000-00000000ca01', 'Promo')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.templates (org_id, name, aspect) VALUES ('00000000-0000-0000-0000-00000000ca01', 'T', '4:3')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.templates (org_id, name, aspect) VALUES ('00000000-0000-0000-0000-00000000ca01', 'T', '16:9')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.templates (org_id, name, resolution) VALUES ('00000000-0000-0000-0000-00000000ca01', 'T', '1080*1920')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.templates (org_id, name, resolution) VALUES ('00000000-0000-0000-0000-00000000ca01', 'T', '1080x1920')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.templates (org_id, name, spec) VALUES ('00000000-0000-0000-0000-00000000ca01', 'T', '[]')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.templates (org_id, name, spec) VALUES ('00000000-0000-0000-0000-00000000ca01', 'T', '{"tracks": []}')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.templates (org_id, name, thumbnail_url) VALUES ('00000000-0000-0000-0000-00000000ca01', 'T', 'ftp://example.com/t.png')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.templates (org_id, name, thumbnail_url) VALUES ('00000000-0000-0000-0000-00000000ca01', 'T', 'https://example.com/t.png')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.templates (org_id, name, usage_count) VALUES ('00000000-0000-0000-0000-00000000ca01', 'T', -1)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.templates (org_id, name, usage_count) VALUES ('00000000-0000-0000-0000-00000000ca01', 'T', 0)$$);
-- the project must be in the template's org
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.templates (org_id, project_id, name) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000cb02', 'T')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.templates (org_id, project_id, name) VALUES ('00000000-0000-0000-0000-00000000cb01', '00000000-0000-0000-0000-00000000cb02', 'T')$$);

--
-- workflows
--
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.workflows (org_id, name) VALUES ('00000000-0000-0000-0000-00000000ca01', '')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.workflows (org_id, name) VALUES ('00000000-0000-0000-0000-00000000ca01', 'Daily')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.workflows (org_id, name, graph) VALUES ('00000000-0000-0000-0000-00000000ca01', 'W', '{"nodes": []}')$$)
UNION ALL
SELECT 'bad', * FROM pg_temp.try($$INSERT INTO public.workflows (org_id, name, graph) VALUES ('00000000-0000-0000-0000-00000000ca01', 'W', '{"nodes": {}, "edges": []}')$$)
UNION ALL
SELECT 'bad', * FROM pg_temp.try($$INSERT INTO public.workflows (org_id, name, graph) VALUES ('00000000-0000-0000-0000-00000000ca01', 'W', '[]')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.workflows (org_id, name, graph) VALUES ('00000000-0000-0000-0000-00000000ca01', 'W', '{"nodes": [{"id": "n1"}], "edges": [], "viewport": {}}')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.workflows (org_id, name, variables) VALUES ('00000000-0000-0000-0000-00000000ca01', 'W', '"x"')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.workflows (org_id, name, variables) VALUES ('00000000-0000-0000-0000-00000000ca01', 'W', '{"topic": "cats"}')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.workflows (org_id, name, run_count) VALUES ('00000000-0000-0000-0000-00000000ca01', 'W', -5)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.workflows (org_id, name, run_count) VALUES ('00000000-0000-0000-0000-00000000ca01', 'W', 5)$$);
-- project and template must be in the workflow's org
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.workflows (org_id, project_id, name) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000cb02', 'W')$$)
UNION ALL
SELECT 'bad', * FROM pg_temp.try($$INSERT INTO public.workflows (org_id, template_id, name) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000cb03', 'W')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.workflows (org_id, project_id, template_id, name) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca02', '00000000-0000-0000-0000-00000000ca03', 'W')$$);

--
-- workflow_versions
--
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.workflow_versions (org_id, workflow_id, version) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca04', 0)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.workflow_versions (org_id, workflow_id, version) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca04', 1)$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.workflow_versions (org_id, workflow_id, version, graph) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca04', 2, '{"edges": []}')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.workflow_versions (org_id, workflow_id, version, graph) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca04', 2, '{"nodes": [], "edges": []}')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.workflow_versions (org_id, workflow_id, version, variables) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca04', 3, 'null')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.workflow_versions (org_id, workflow_id, version, variables) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca04', 3, '{}')$$);
-- one row per (workflow, version)
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.workflow_versions (org_id, workflow_id, version) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca04', 1)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.workflow_versions (org_id, workflow_id, version) VALUES ('00000000-0000-0000-0000-00000000cb01', '00000000-0000-0000-0000-00000000cb04', 1)$$);
-- the workflow must be in the version's org
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.workflow_versions (org_id, workflow_id, version) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000cb04', 9)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.workflow_versions (org_id, workflow_id, version) VALUES ('00000000-0000-0000-0000-00000000cb01', '00000000-0000-0000-0000-00000000cb04', 9)$$);

--
-- assets
--
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, name) VALUES ('00000000-0000-0000-0000-00000000ca01', 'image', ' ')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, name) VALUES ('00000000-0000-0000-0000-00000000ca01', 'image', 'cat.png')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, storage_path) VALUES ('00000000-0000-0000-0000-00000000ca01', 'image', '')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, storage_path) VALUES ('00000000-0000-0000-0000-00000000ca01', 'image', 'assets/org/cat.png')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, url) VALUES ('00000000-0000-0000-0000-00000000ca01', 'image', 'javascript:alert(1)')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, url) VALUES ('00000000-0000-0000-0000-00000000ca01', 'image', 'https://cdn.example.com/cat.png')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, thumbnail_url) VALUES ('00000000-0000-0000-0000-00000000ca01', 'image', 'cat.png')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, thumbnail_url) VALUES ('00000000-0000-0000-0000-00000000ca01', 'image', 'http://cdn.example.com/cat_t.png')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, mime_type) VALUES ('00000000-0000-0000-0000-00000000ca01', 'audio', 'mp3')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, mime_type) VALUES ('00000000-0000-0000-0000-00000000ca01', 'audio', 'audio/webm; codecs=opus')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, file_size_bytes) VALUES ('00000000-0000-0000-0000-00000000ca01', 'video', -1)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, file_size_bytes) VALUES ('00000000-0000-0000-0000-00000000ca01', 'video', 0)$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, duration_seconds) VALUES ('00000000-0000-0000-0000-00000000ca01', 'video', -0.001)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, duration_seconds) VALUES ('00000000-0000-0000-0000-00000000ca01', 'video', 12.5)$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, width) VALUES ('00000000-0000-0000-0000-00000000ca01', 'video', 0)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, width) VALUES ('00000000-0000-0000-0000-00000000ca01', 'video', 1080)$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, height) VALUES ('00000000-0000-0000-0000-00000000ca01', 'video', -1920)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, height) VALUES ('00000000-0000-0000-0000-00000000ca01', 'video', 1920)$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, fps) VALUES ('00000000-0000-0000-0000-00000000ca01', 'video', 0)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, fps) VALUES ('00000000-0000-0000-0000-00000000ca01', 'video', 29.97)$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, metadata) VALUES ('00000000-0000-0000-0000-00000000ca01', 'video', '[1, 2]')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.assets (org_id, type, metadata) VALUES ('00000000-0000-0000-0000-00000000ca01', 'video', '{"tags": ["cat"]}')$$);
-- the project must be in the asset's org
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.assets (org_id, project_id, type) VALUES ('00000000-0000-0000-0000-00000000cb01', '00000000-0000-0000-0000-00000000ca02', 'image')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.assets (org_id, project_id, type) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca02', 'image')$$);

--
-- asset_versions
--
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.asset_versions (org_id, asset_id, version, url) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca05', -1, 'https://cdn.example.com/v.mp4')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.asset_versions (org_id, asset_id, version, url) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca05', 1, 'https://cdn.example.com/v.mp4')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.asset_versions (org_id, asset_id, version, storage_path) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca05', 2, ' ')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.asset_versions (org_id, asset_id, version, storage_path) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca05', 2, 'assets/v2.mp4')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.asset_versions (org_id, asset_id, version, url) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca05', 3, '//cdn.example.com/v3.mp4')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.asset_versions (org_id, asset_id, version, url) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca05', 3, 'https://cdn.example.com/v3.mp4')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.asset_versions (org_id, asset_id, version, url, file_size_bytes) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca05', 4, 'https://cdn.example.com/v4.mp4', -10)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.asset_versions (org_id, asset_id, version, url, file_size_bytes) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca05', 4, 'https://cdn.example.com/v4.mp4', 10)$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.asset_versions (org_id, asset_id, version, url, checksum_sha256) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca05', 5, 'https://cdn.example.com/v5.mp4', upper(encode(sha256('x'), 'hex')))$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.asset_versions (org_id, asset_id, version, url, checksum_sha256) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca05', 5, 'https://cdn.example.com/v5.mp4', encode(sha256('x'), 'hex'))$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.asset_versions (org_id, asset_id, version, url, metadata) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca05', 6, 'https://cdn.example.com/v6.mp4', '1')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.asset_versions (org_id, asset_id, version, url, metadata) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca05', 6, 'https://cdn.example.com/v6.mp4', '{"codec": "h264"}')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.asset_versions (org_id, asset_id, version) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca05', 7)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.asset_versions (org_id, asset_id, version, storage_path) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca05', 7, 'assets/v7.mp4')$$);
-- one row per (asset, version); the asset must be in the version's org
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.asset_versions (org_id, asset_id, version, url) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca05', 1, 'https://cdn.example.com/again.mp4')$$)
UNION ALL
SELECT 'bad', * FROM pg_temp.try($$INSERT INTO public.asset_versions (org_id, asset_id, version, url) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000cb05', 1, 'https://cdn.example.com/b.png')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.asset_versions (org_id, asset_id, version, url) VALUES ('00000000-0000-0000-0000-00000000cb01', '00000000-0000-0000-0000-00000000cb05', 1, 'https://cdn.example.com/b.png')$$);

--
-- jobs
--
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, progress) VALUES ('00000000-0000-0000-0000-00000000ca01', 101)$$)
UNION ALL
SELECT 'bad', * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, progress) VALUES ('00000000-0000-0000-0000-00000000ca01', -1)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, progress) VALUES ('00000000-0000-0000-0000-00000000ca01', 100)$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, config) VALUES ('00000000-0000-0000-0000-00000000ca01', '[]')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, config) VALUES ('00000000-0000-0000-0000-00000000ca01', '{"profile": "hd"}')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, cost_tokens) VALUES ('00000000-0000-0000-0000-00000000ca01', -1)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, cost_tokens) VALUES ('00000000-0000-0000-0000-00000000ca01', 1500)$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, cost_render_seconds) VALUES ('00000000-0000-0000-0000-00000000ca01', -0.5)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, cost_render_seconds) VALUES ('00000000-0000-0000-0000-00000000ca01', 42.125)$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, cost_kai_credits) VALUES ('00000000-0000-0000-0000-00000000ca01', -3)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, cost_kai_credits) VALUES ('00000000-0000-0000-0000-00000000ca01', 3)$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, cost_total_usd) VALUES ('00000000-0000-0000-0000-00000000ca01', -0.0001)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, cost_total_usd) VALUES ('00000000-0000-0000-0000-00000000ca01', 0.0001)$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, retry_count) VALUES ('00000000-0000-0000-0000-00000000ca01', -1)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, retry_count) VALUES ('00000000-0000-0000-0000-00000000ca01', 2)$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, started_at, completed_at) VALUES ('00000000-0000-0000-0000-00000000ca01', '2025-01-01 10:00Z', '2025-01-01 09:59Z')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, started_at, completed_at) VALUES ('00000000-0000-0000-0000-00000000ca01', '2025-01-01 10:00Z', '2025-01-01 10:01Z')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.jobs (id, org_id, parent_job_id) VALUES ('00000000-0000-0000-0000-00000000ca08', '00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca08')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.jobs (id, org_id, parent_job_id) VALUES ('00000000-0000-0000-0000-00000000ca08', '00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca06')$$);
-- project, workflow, template and parent job must be in the job's org
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, project_id) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000cb02')$$)
UNION ALL
SELECT 'bad', * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, workflow_id) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000cb04')$$)
UNION ALL
SELECT 'bad', * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, template_id) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000cb03')$$)
UNION ALL
SELECT 'bad', * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, parent_job_id) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000cb06')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, project_id, workflow_id, template_id, parent_job_id) VALUES ('00000000-0000-0000-0000-00000000cb01', '00000000-0000-0000-0000-00000000cb02', '00000000-0000-0000-0000-00000000cb04', '00000000-0000-0000-0000-00000000cb03', '00000000-0000-0000-0000-00000000cb06')$$);

--
-- job_logs
--
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.job_logs (org_id, job_id, message) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000cb06', 'started')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.job_logs (org_id, job_id, message) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca06', 'started')$$);
SELECT level, stage, message, data FROM public.job_logs
WHERE job_id = '00000000-0000-0000-0000-00000000ca06';

--
-- renders
--
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.renders (org_id, job_id, video_url) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca06', 'file:///tmp/out.mp4')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.renders (org_id, job_id, video_url) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca06', 'https://cdn.example.com/out.mp4')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.renders (org_id, job_id, video_storage_path) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca06', '')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.renders (org_id, job_id, video_storage_path) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca06', 'renders/out.mp4')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.renders (org_id, job_id, thumbnail_url) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca06', 'out.jpg')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.renders (org_id, job_id, thumbnail_url) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca06', 'https://cdn.example.com/out.jpg')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.renders (org_id, job_id, srt_url) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca06', 's3://bucket/out.srt')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.renders (org_id, job_id, srt_url) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca06', 'https://cdn.example.com/out.srt')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.renders (org_id, job_id, duration_seconds) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca06', -1)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.renders (org_id, job_id, duration_seconds) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca06', 59.96)$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.renders (org_id, job_id, resolution) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca06', '1080p')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.renders (org_id, job_id, resolution) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca06', '1920x1080')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.renders (org_id, job_id, file_size_bytes) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca06', -1)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.renders (org_id, job_id, file_size_bytes) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca06', 7340032)$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.renders (org_id, job_id, bitrate_kbps) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca06', -128)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.renders (org_id, job_id, bitrate_kbps) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca06', 4500)$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.renders (org_id, job_id, fps) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca06', -30)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.renders (org_id, job_id, fps) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca06', 30)$$);
-- the job must be in the render's org
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.renders (org_id, job_id) VALUES ('00000000-0000-0000-0000-00000000cb01', '00000000-0000-0000-0000-00000000ca06')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.renders (org_id, job_id) VALUES ('00000000-0000-0000-0000-00000000cb01', '00000000-0000-0000-0000-00000000cb06')$$);

--
-- schedules
--
SELECT c.cron, e.state, e.constraint_name
FROM unnest(ARRAY['0 9 * * mon-fri', '*/15 * * * *', '0 0 1 JAN,JUL *', ' 30 6 1-15/2 * 0,6 ',
                  '0 0 * *', '0 0 * * * *', '@daily', '0 0 * foo *', 'x 0 * * *', '0 0 * * mon;rm']) c (cron),
     pg_temp.try(format($$INSERT INTO public.schedules (org_id, workflow_id, cron) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca04', %L)$$, c.cron)) e;
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.schedules (org_id, workflow_id, cron) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca04', 'every day')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.schedules (org_id, workflow_id, cron) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca04', '0 9 * * *')$$);
SELECT t.tz, fenta.is_valid_timezone(t.tz) AS valid
FROM unnest(ARRAY['UTC', 'Europe/Paris', 'America/Los_Angeles', 'europe/paris', 'Mars/Olympus_Mons', '+03:00', '']) t (tz);
SELECT fenta.is_valid_timezone(NULL) AS valid_null;
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.schedules (org_id, workflow_id, cron, timezone) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca04', '0 9 * * *', 'Europe/Atlantis')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.schedules (org_id, workflow_id, cron, timezone) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca04', '0 9 * * *', 'Europe/Berlin')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.schedules (org_id, workflow_id, cron, run_count) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca04', '0 9 * * *', -1)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.schedules (org_id, workflow_id, cron, run_count) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca04', '0 9 * * *', 1)$$);
-- the workflow must be in the schedule's org
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.schedules (org_id, workflow_id, cron) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000cb04', '0 9 * * *')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.schedules (org_id, workflow_id, cron) VALUES ('00000000-0000-0000-0000-00000000cb01', '00000000-0000-0000-0000-00000000cb04', '0 9 * * *')$$);

--
-- webhooks
--
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.webhooks (org_id, name, url, events) VALUES ('00000000-0000-0000-0000-00000000ca01', '', 'https://hooks.example.com', '{job.completed}')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.webhooks (org_id, name, url, events) VALUES ('00000000-0000-0000-0000-00000000ca01', 'Slack', 'https://hooks.example.com', '{job.completed}')$$);
SELECT u.url, e.state, e.constraint_name
FROM unnest(ARRAY['https://hooks.example.com/fenta?x=1', 'https://hooks.example.com:8443', 'http://hooks.example.com/fenta',
                  'https://', 'https:///path', 'https://hooks.example.com/a b', 'ftp://hooks.example.com', 'hooks.example.com']) u (url),
     pg_temp.try(format($$INSERT INTO public.webhooks (org_id, url, events) VALUES ('00000000-0000-0000-0000-00000000ca01', %L, '{job.completed}')$$, u.url)) e;
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.webhooks (org_id, url, events) VALUES ('00000000-0000-0000-0000-00000000ca01', 'https://hooks.example.com', '{}')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.webhooks (org_id, url, events) VALUES ('00000000-0000-0000-0000-00000000ca01', 'https://hooks.example.com', '{job.queued,job.started,job.completed,job.failed,job.cancelled,render.completed,asset.ready,asset.failed,usage.quota_exceeded}')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.webhooks (org_id, url, events) VALUES ('00000000-0000-0000-0000-00000000ca01', 'https://hooks.example.com', '{job.completed,job.exploded}')$$)
UNION ALL
SELECT 'bad', * FROM pg_temp.try($$INSERT INTO public.webhooks (org_id, url, events) VALUES ('00000000-0000-0000-0000-00000000ca01', 'https://hooks.example.com', ARRAY['job.completed', NULL])$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.webhooks (org_id, url, events) VALUES ('00000000-0000-0000-0000-00000000ca01', 'https://hooks.example.com', '{render.completed,job.failed}')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.webhooks (org_id, url, events, secret) VALUES ('00000000-0000-0000-0000-00000000ca01', 'https://hooks.example.com', '{asset.ready}', 'short')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.webhooks (org_id, url, events, secret) VALUES ('00000000-0000-0000-0000-00000000ca01', 'https://hooks.example.com', '{asset.ready}', 'whsec_0123456789abcdef')$$);

--
-- webhook_deliveries
--
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.webhook_deliveries (org_id, webhook_id, event) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca07', 'Job Completed')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.webhook_deliveries (org_id, webhook_id, event) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca07', 'job.completed')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.webhook_deliveries (org_id, webhook_id, event, payload) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca07', 'job.completed', '"done"')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.webhook_deliveries (org_id, webhook_id, event, payload) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca07', 'job.completed', '{"job_id": "job_01h455vb4pex5vsknk084sn02q"}')$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.webhook_deliveries (org_id, webhook_id, event, http_status) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca07', 'job.completed', 600)$$)
UNION ALL
SELECT 'bad', * FROM pg_temp.try($$INSERT INTO public.webhook_deliveries (org_id, webhook_id, event, http_status) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca07', 'job.completed', 99)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.webhook_deliveries (org_id, webhook_id, event, http_status) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca07', 'job.completed', 503)$$);
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.webhook_deliveries (org_id, webhook_id, event, attempts) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca07', 'job.completed', -1)$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.webhook_deliveries (org_id, webhook_id, event, attempts) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000ca07', 'job.completed', 3)$$);
-- the webhook must be in the delivery's org
SELECT 'bad' AS "row", * FROM pg_temp.try($$INSERT INTO public.webhook_deliveries (org_id, webhook_id, event) VALUES ('00000000-0000-0000-0000-00000000ca01', '00000000-0000-0000-0000-00000000cb07', 'job.failed')$$)
UNION ALL
SELECT 'good', * FROM pg_temp.try($$INSERT INTO public.webhook_deliveries (org_id, webhook_id, event) VALUES ('00000000-0000-0000-0000-00000000cb01', '00000000-0000-0000-0000-00000000cb07', 'job.failed')$$);
SELECT status, attempts, payload FROM public.webhook_deliveries
WHERE webhook_id = '00000000-0000-0000-0000-00000000cb07';

--
-- A child's org cannot be changed away from its parent's.
--
SELECT * FROM pg_temp.try($$UPDATE public.job_logs SET org_id = '00000000-0000-0000-0000-00000000cb01' WHERE job_id = '00000000-0000-0000-0000-00000000ca06'$$);
SELECT * FROM pg_temp.try($$UPDATE public.jobs SET org_id = '00000000-0000-0000-0000-00000000cb01' WHERE id = '00000000-0000-0000-0000-00000000ca06'$$);

--
-- Deleting an optional parent clears the link and keeps org_id; deleting an
-- owning parent removes its children.
--
DELETE FROM public.projects WHERE id = '00000000-0000-0000-0000-00000000ca02';
SELECT 'templates' AS tbl, org_id, project_id FROM public.templates WHERE id = '00000000-0000-0000-0000-00000000ca03'
UNION ALL
SELECT 'workflows', org_id, project_id FROM public.workflows WHERE id = '00000000-0000-0000-0000-00000000ca04'
UNION ALL
SELECT 'assets', org_id, project_id FROM public.assets WHERE id = '00000000-0000-0000-0000-00000000ca05'
UNION ALL
SELECT 'jobs', org_id, project_id FROM public.jobs WHERE id = '00000000-0000-0000-0000-00000000ca06';
DELETE FROM public.templates WHERE id = '00000000-0000-0000-0000-00000000ca03';
SELECT 'workflows' AS tbl, org_id, template_id FROM public.workflows WHERE id = '00000000-0000-0000-0000-00000000ca04'
UNION ALL
SELECT 'jobs', org_id, template_id FROM public.jobs WHERE id = '00000000-0000-0000-0000-00000000ca06';
DELETE FROM public.jobs WHERE id = '00000000-0000-0000-0000-00000000ca06';
SELECT org_id, parent_job_id FROM public.jobs WHERE id = '00000000-0000-0000-0000-00000000ca08';
SELECT (SELECT count(*) FROM public.job_logs WHERE job_id = '00000000-0000-0000-0000-00000000ca06') AS job_logs,
       (SELECT count(*) FROM public.renders WHERE job_id = '00000000-0000-0000-0000-00000000ca06') AS renders;
DELETE FROM public.workflows WHERE id = '00000000-0000-0000-0000-00000000ca04';
SELECT (SELECT count(*) FROM public.workflow_versions WHERE workflow_id = '00000000-0000-0000-0000-00000000ca04') AS workflow_versions,
       (SELECT count(*) FROM public.schedules WHERE workflow_id = '00000000-0000-0000-0000-00000000ca04') AS schedules;
DELETE FROM public.assets WHERE id = '00000000-0000-0000-0000-00000000ca05';
SELECT count(*) AS asset_versions FROM public.asset_versions WHERE asset_id = '00000000-0000-0000-0000-00000000ca05';
DELETE FROM public.webhooks WHERE id = '00000000-0000-0000-0000-00000000ca07';
SELECT count(*) AS webhook_deliveries FROM public.webhook_deliveries WHERE webhook_id = '00000000-0000-0000-0000-00000000ca07';

--
-- Jobs: through the API a member may only cancel a queued or processing
-- job, and only the status and deleted_at columns are writable.
--
INSERT INTO public.jobs (id, org_id, status) VALUES
    ('00000000-0000-0000-0000-00000000cb09', '00000000-0000-0000-0000-00000000cb01', 'queued'),
    ('00000000-0000-0000-0000-00000000cb0a', '00000000-0000-0000-0000-00000000cb01', 'completed');
SET LOCAL ROLE authenticated;
SELECT set_config('request.jwt.claim.sub', '00000000-0000-0000-0000-0000000000c1', true) IS NOT NULL AS signed_in;
SELECT * FROM pg_temp.try($$UPDATE public.jobs SET status = 'completed' WHERE id = '00000000-0000-0000-0000-00000000cb09'$$);
SELECT * FROM pg_temp.try($$UPDATE public.jobs SET progress = 100 WHERE id = '00000000-0000-0000-0000-00000000cb09'$$);
SELECT * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, status) VALUES ('00000000-0000-0000-0000-00000000cb01', 'completed')$$);
SELECT * FROM pg_temp.try($$UPDATE public.jobs SET status = 'cancelled' WHERE id = '00000000-0000-0000-0000-00000000cb0a'$$);
SELECT * FROM pg_temp.try($$UPDATE public.jobs SET status = 'cancelled' WHERE id = '00000000-0000-0000-0000-00000000cb09'$$);
SELECT * FROM pg_temp.try($$UPDATE public.jobs SET status = 'cancelled' WHERE id = '00000000-0000-0000-0000-00000000cb09'$$);
SELECT status, completed_at IS NOT NULL AS completed FROM public.jobs
WHERE id IN ('00000000-0000-0000-0000-00000000cb09', '00000000-0000-0000-0000-00000000cb0a') ORDER BY id;
RESET ROLE;

ROLLBACK;
