-- A populated fenta database: org A (owner, admin, editor, viewer, a second
-- viewer), org B (owner), org C (no quota row), an outsider, a spare user, an
-- auth user without profile, and one row in every table for A and for B.
-- Ids: users 00000000-0000-4000-8000-0000000000xx, orgs 10000000-...-00000000000a/b/c,
-- rows a0000000-...-0000000000NN (org A) and b0000000-... (org B), NN the
-- table's number.  Used by the RLS matrix, the update and dump tests.
-- users: org A (owner, admin, editor, viewer, a second viewer), org B (owner),
-- an outsider, a spare user, and an auth user without profile
INSERT INTO auth.users (id, email, raw_user_meta_data) VALUES
	('00000000-0000-4000-8000-0000000000a1', 'owner@a.test', '{"full_name": "Owner A"}'),
	('00000000-0000-4000-8000-0000000000a2', 'admin@a.test', '{}'),
	('00000000-0000-4000-8000-0000000000a3', 'editor@a.test', '{}'),
	('00000000-0000-4000-8000-0000000000a4', 'viewer@a.test', '{}'),
	('00000000-0000-4000-8000-0000000000a5', 'viewer2@a.test', '{}'),
	('00000000-0000-4000-8000-0000000000b1', 'owner@b.test', '{}'),
	('00000000-0000-4000-8000-0000000000c1', 'outsider@c.test', '{}'),
	('00000000-0000-4000-8000-0000000000d1', 'spare@d.test', '{}'),
	('00000000-0000-4000-8000-0000000000d2', 'noprofile@d.test', '{}');
DELETE FROM public.profiles WHERE id = '00000000-0000-4000-8000-0000000000d2';

INSERT INTO public.orgs (id, name, slug, owner_id) VALUES
	('10000000-0000-4000-8000-00000000000a', 'Org A', 'org-a', '00000000-0000-4000-8000-0000000000a1'),
	('10000000-0000-4000-8000-00000000000b', 'Org B', 'org-b', '00000000-0000-4000-8000-0000000000b1'),
	('10000000-0000-4000-8000-00000000000c', 'Org C', 'org-c', '00000000-0000-4000-8000-0000000000b1');
DELETE FROM public.quota_limits WHERE org_id = '10000000-0000-4000-8000-00000000000c';
INSERT INTO public.org_members (org_id, user_id, role) VALUES
	('10000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-0000000000a2', 'admin'),
	('10000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-0000000000a3', 'editor'),
	('10000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-0000000000a4', 'viewer'),
	('10000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-0000000000a5', 'viewer');

-- one row per table in each org: ids a0.../b0... with the table's number
CREATE FUNCTION pg_temp.fill(o uuid, x text, u uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	id text := x || '0000000-0000-4000-8000-0000000000';
BEGIN
	INSERT INTO public.api_keys (id, user_id, org_id, name, key_hash, key_prefix)
		VALUES ((id || '04')::uuid, u, o, 'key', pg_catalog.repeat(x || 'c', 32), 'fk_' || x || 'key');
	INSERT INTO public.projects (id, org_id, name) VALUES ((id || '05')::uuid, o, 'Project');
	INSERT INTO public.templates (id, org_id, project_id, name, is_public) VALUES ((id || '06')::uuid, o, (id || '05')::uuid, 'Template', x = 'b');
	INSERT INTO public.workflows (id, org_id, project_id, name) VALUES ((id || '07')::uuid, o, (id || '05')::uuid, 'Workflow');
	INSERT INTO public.workflow_versions (id, org_id, workflow_id, version) VALUES ((id || '08')::uuid, o, (id || '07')::uuid, 1);
	INSERT INTO public.assets (id, org_id, project_id, type) VALUES ((id || '09')::uuid, o, (id || '05')::uuid, 'image');
	INSERT INTO public.asset_versions (id, org_id, asset_id, version, storage_path) VALUES ((id || '10')::uuid, o, (id || '09')::uuid, 1, 'assets/v1.png');
	INSERT INTO public.jobs (id, org_id, project_id, workflow_id) VALUES ((id || '11')::uuid, o, (id || '05')::uuid, (id || '07')::uuid);
	INSERT INTO public.job_logs (id, org_id, job_id, message) VALUES ((id || '12')::uuid, o, (id || '11')::uuid, 'started');
	INSERT INTO public.renders (id, org_id, job_id) VALUES ((id || '13')::uuid, o, (id || '11')::uuid);
	INSERT INTO public.schedules (id, org_id, workflow_id, cron) VALUES ((id || '14')::uuid, o, (id || '07')::uuid, '0 9 * * 1');
	INSERT INTO public.webhooks (id, org_id, url, events) VALUES ((id || '15')::uuid, o, 'https://hooks.example.com/x', '{job.completed}');
	INSERT INTO public.webhook_deliveries (id, org_id, webhook_id, event) VALUES ((id || '16')::uuid, o, (id || '15')::uuid, 'job.completed');
	INSERT INTO public.usage_records (id, org_id, resource_type, llm_tokens_prompt) VALUES ((id || '17')::uuid, o, 'llm_tokens', 10);
	INSERT INTO public.invoices (id, org_id) VALUES ((id || '19')::uuid, o);
	INSERT INTO public.credit_packs (id, org_id, pack_type, credits_purchased, credits_remaining) VALUES ((id || '20')::uuid, o, 'small', 100, 100);
	INSERT INTO public.integrations (id, org_id, provider) VALUES ((id || '21')::uuid, o, 'kai');
	INSERT INTO public.kai_generations (id, org_id, job_id, type, model) VALUES ((id || '22')::uuid, o, (id || '11')::uuid, 'image', 'flux');
	-- 0.5.0 on: a pending invitation
	IF pg_catalog.to_regclass('public.org_invitations') IS NOT NULL THEN
		INSERT INTO public.org_invitations (id, org_id, role, invited_by, token_hash)
			VALUES ((id || '23')::uuid, o, 'viewer', u, pg_catalog.repeat(x || 'd', 32));
	END IF;
END
$$;
SELECT pg_temp.fill('10000000-0000-4000-8000-00000000000a', 'a', '00000000-0000-4000-8000-0000000000a3');
SELECT pg_temp.fill('10000000-0000-4000-8000-00000000000b', 'b', '00000000-0000-4000-8000-0000000000b1');

-- daily usage up to date with the usage rows above (public.usage_daily)
DO $$ BEGIN PERFORM fenta.refresh_daily_usage(); END $$;
