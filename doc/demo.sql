-- fenta demo: two orgs, members of every role, a project, a workflow, jobs
-- and usage; then what a viewer of one org can see through the Data API.
\pset footer off
\echo '== loading the demo (as the backend, service_role) =='
INSERT INTO auth.users (id, email, raw_user_meta_data) VALUES
	('00000000-0000-4000-8000-000000000a01', 'olga@acme.test', '{"full_name": "Olga Owner"}'),
	('00000000-0000-4000-8000-000000000a02', 'adam@acme.test', '{"full_name": "Adam Admin"}'),
	('00000000-0000-4000-8000-000000000a03', 'eve@acme.test', '{"full_name": "Eve Editor"}'),
	('00000000-0000-4000-8000-000000000a04', 'vic@acme.test', '{"full_name": "Vic Viewer"}'),
	('00000000-0000-4000-8000-000000000b01', 'bob@globex.test', '{"full_name": "Bob Owner"}'),
	('00000000-0000-4000-8000-000000000b02', 'bea@globex.test', '{"full_name": "Bea Editor"}');

-- Olga creates Acme through the API; Bob creates Globex
SET ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-000000000a01", "role": "authenticated"}', false) \gset
INSERT INTO public.orgs (name, slug) VALUES ('Acme Shorts', 'acme') RETURNING public.public_id(orgs) AS org, name, plan;
-- she invites her team; each accepts with the one-time token she hands over
SELECT token AS adam_token FROM public.create_invitation((SELECT id FROM public.orgs WHERE slug = 'acme'), 'admin') \gset
SELECT token AS eve_token FROM public.create_invitation((SELECT id FROM public.orgs WHERE slug = 'acme'), 'editor') \gset
SELECT token AS vic_token FROM public.create_invitation((SELECT id FROM public.orgs WHERE slug = 'acme'), 'viewer') \gset
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-000000000a02", "role": "authenticated"}', false) \gset
SELECT public.accept_invitation(:'adam_token') IS NOT NULL AS adam_joined \gset
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-000000000a03", "role": "authenticated"}', false) \gset
SELECT public.accept_invitation(:'eve_token') IS NOT NULL AS eve_joined \gset
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-000000000a04", "role": "authenticated"}', false) \gset
SELECT public.accept_invitation(:'vic_token') IS NOT NULL AS vic_joined \gset
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-000000000a01", "role": "authenticated"}', false) \gset
INSERT INTO public.projects (org_id, name) SELECT id, 'Product launches' FROM public.orgs WHERE slug = 'acme';
INSERT INTO public.workflows (org_id, project_id, name, status, graph)
SELECT p.org_id, p.id, 'Launch teaser', 'production',
	'{"nodes": [{"id": "script", "type": "llm"}, {"id": "voice", "type": "kai.voice"}, {"id": "render", "type": "render"}],
	  "edges": [{"from": "script", "to": "voice"}, {"from": "voice", "to": "render"}]}'
FROM public.projects p WHERE p.name = 'Product launches';
INSERT INTO public.jobs (org_id, project_id, workflow_id)
SELECT w.org_id, w.project_id, w.id FROM public.workflows w, generate_series(1, 3) WHERE w.name = 'Launch teaser';
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-000000000b01", "role": "authenticated"}', false) \gset
INSERT INTO public.orgs (name, slug) VALUES ('Globex Reels', 'globex') RETURNING public.public_id(orgs) AS org, name, plan;
SELECT token AS bea_token FROM public.create_invitation((SELECT id FROM public.orgs WHERE slug = 'globex'), 'editor') \gset
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-000000000b02", "role": "authenticated"}', false) \gset
SELECT public.accept_invitation(:'bea_token') IS NOT NULL AS bea_joined \gset
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-000000000b01", "role": "authenticated"}', false) \gset
INSERT INTO public.projects (org_id, name) SELECT id, 'Secret plans' FROM public.orgs WHERE slug = 'globex';
INSERT INTO public.jobs (org_id, project_id) SELECT org_id, id FROM public.projects WHERE name = 'Secret plans';
RESET ROLE;

-- monthly partitions for usage (pg_cron or the background worker keep them)
SELECT months_created FROM fenta.maintain_partitions(refresh_usage => false);
-- the render workers record usage as service_role
SET ROLE service_role;
UPDATE public.jobs SET status = 'completed', progress = 100, cost_tokens = 1800, cost_render_seconds = 42
WHERE org_id = (SELECT id FROM public.orgs WHERE slug = 'acme');
INSERT INTO public.usage_records (org_id, job_id, resource_type, llm_tokens_prompt, llm_tokens_output, llm_model, cost_usd)
SELECT org_id, id, 'llm_tokens', 1200, 600, 'gpt-4o-mini', 0.0009 FROM public.jobs;
INSERT INTO public.usage_records (org_id, job_id, resource_type, render_seconds, render_profile, cost_usd)
SELECT org_id, id, 'render_seconds', 42, '1080x1920', 0.042 FROM public.jobs;
RESET ROLE;

SELECT id AS globex_id FROM public.orgs WHERE slug = 'globex' \gset
\echo
\echo '== what Vic (viewer at Acme) sees through the Data API =='
SET ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-000000000a04", "role": "authenticated"}', false) \gset
\echo 'orgs:'
SELECT public.public_id(o) AS id, o.name, o.slug, o.plan FROM public.orgs o;
\echo 'members:'
SELECT p.role AS member_role, p.user_id FROM public.org_members p ORDER BY p.role DESC;
\echo 'projects and workflows:'
SELECT pr.name AS project, w.name AS workflow, w.status, jsonb_array_length(w.graph -> 'nodes') AS nodes
FROM public.projects pr JOIN public.workflows w ON w.project_id = pr.id;
\echo 'jobs:'
SELECT public.public_id(j) AS job, j.status, j.progress FROM public.jobs j ORDER BY j.id;
\echo 'usage this month:'
SELECT resource_type, count(*) AS events, sum(llm_tokens_prompt + llm_tokens_output) AS tokens,
	sum(render_seconds) AS render_seconds, sum(cost_usd) AS cost_usd
FROM public.usage_records GROUP BY resource_type ORDER BY 1;
\echo 'Globex rows Vic can see (projects, jobs):'
SELECT (SELECT count(*) FROM public.projects WHERE name = 'Secret plans') AS projects,
	(SELECT count(*) FROM public.jobs j JOIN public.orgs o ON o.id = j.org_id WHERE o.slug = 'globex') AS jobs;
\echo 'quota of Acme (free plan), and may it spend 50,000 more tokens?'
SELECT resource, quota_limit, used, remaining, allowed
FROM public.quota_status((SELECT id FROM public.orgs WHERE slug = 'acme'), tokens => 50000);
\echo 'check_quota for Acme, then for Globex, whose id Vic guessed (not a member):'
SELECT public.check_quota((SELECT id FROM public.orgs WHERE slug = 'acme'), tokens => 1000) AS acme_ok;
\set ON_ERROR_STOP 0
SELECT public.check_quota(:'globex_id', tokens => 1000) AS globex_ok;
\set ON_ERROR_STOP 1
\echo 'Vic tries to rename the project (viewers may not):'
\set ON_ERROR_STOP 0
UPDATE public.projects SET name = 'Renamed' WHERE name = 'Product launches';
\set ON_ERROR_STOP 1
RESET ROLE;
