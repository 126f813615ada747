--
-- The tenancy model beyond the matrix (rls_matrix): which columns each API
-- role may write, what an UPDATE without WHERE reaches, and the lifecycle of
-- rows and orgs (soft delete, restore, children, removed and suspended
-- users, a deleted org).  Each case below was an attack that worked on 0.4.0.
--
\set VERBOSITY terse
-- a database of its own, with the fixture (rls_matrix loads it too)
\set own_db fenta_tenancy_lifecycle
\i test/own_database.sql
-- the editor of org A is also an editor of org B, the outsider's own org D
INSERT INTO public.org_members (org_id, user_id, role) VALUES
	('10000000-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-0000000000a3', 'editor');

-- 1. What an API role may write, column by column.  org_id, ids, counters,
-- statuses and timestamps the backend keeps are in none of these lists.
SELECT c.relname AS tbl, pr.priv,
	string_agg(a.attname, ' ' ORDER BY a.attnum) FILTER (WHERE has_column_privilege('authenticated', c.oid, a.attnum, pr.priv)) AS authenticated,
	string_agg(a.attname, ' ' ORDER BY a.attnum) FILTER (WHERE has_column_privilege('anon', c.oid, a.attnum, pr.priv)) AS anon
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped,
	(VALUES ('INSERT'), ('UPDATE')) pr (priv)
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
GROUP BY c.relname, pr.priv
HAVING bool_or(has_column_privilege('authenticated', c.oid, a.attnum, pr.priv) OR has_column_privilege('anon', c.oid, a.attnum, pr.priv))
ORDER BY 1, 2;
-- never written by an API role, on any table: ids, tenancy, bookkeeping
SELECT c.relname AS tbl, a.attname, pr.priv
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped,
	(VALUES ('INSERT'), ('UPDATE')) pr (priv), (VALUES ('anon'), ('authenticated')) r (role)
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
	AND has_column_privilege(r.role, c.oid, a.attnum, pr.priv)
	AND (a.attname IN ('id', 'created_at', 'updated_at', 'created_by', 'owner_id', 'user_id', 'run_count',
					   'last_run_at', 'next_run_at', 'usage_count', 'file_size_bytes', 'key_hash', 'plan',
					   'stripe_customer_id', 'secret')
		 OR (a.attname = 'org_id' AND pr.priv = 'UPDATE')
		 OR (a.attname = 'deleted_at' AND pr.priv = 'INSERT')
		 OR (a.attname = 'status' AND c.relname IN ('assets', 'profiles', 'integrations')));

SET ROLE authenticated;
SET request.jwt.claims = '{"sub": "00000000-0000-4000-8000-0000000000a3", "role": "authenticated"}';
-- the editor of A and B cannot move A's rows to B
UPDATE public.templates SET org_id = '10000000-0000-4000-8000-00000000000b' WHERE id = 'a0000000-0000-4000-8000-000000000006';
UPDATE public.projects SET org_id = '10000000-0000-4000-8000-00000000000b';
UPDATE public.schedules SET next_run_at = now(), run_count = 0;
UPDATE public.workflows SET run_count = 1;
UPDATE public.templates SET usage_count = 1000;
UPDATE public.assets SET status = 'ready', file_size_bytes = 1;
-- nor choose ids, or who created a version
INSERT INTO public.projects (id, org_id, name) VALUES ('a0000000-0000-4000-8000-0000000000ff', '10000000-0000-4000-8000-00000000000a', 'mine');
INSERT INTO public.workflow_versions (org_id, workflow_id, version, created_by)
VALUES ('10000000-0000-4000-8000-00000000000a', 'a0000000-0000-4000-8000-000000000007', 5, '00000000-0000-4000-8000-0000000000a1');
INSERT INTO public.workflow_versions (org_id, workflow_id, version)
VALUES ('10000000-0000-4000-8000-00000000000a', 'a0000000-0000-4000-8000-000000000007', 5)
RETURNING created_by;
RESET ROLE;

-- 2. Soft delete: what an admin deleted stays deleted for the others, even
-- through an UPDATE that reads no column.
SET ROLE authenticated;
SET request.jwt.claims = '{"sub": "00000000-0000-4000-8000-0000000000a2", "role": "authenticated"}';
UPDATE public.projects SET deleted_at = now() WHERE id = 'a0000000-0000-4000-8000-000000000005' RETURNING name;
UPDATE public.templates SET deleted_at = now() WHERE id = 'a0000000-0000-4000-8000-000000000006' RETURNING name;
UPDATE public.jobs SET deleted_at = now() WHERE id = 'a0000000-0000-4000-8000-000000000011' RETURNING id;
UPDATE public.workflows SET deleted_at = now() WHERE id = 'a0000000-0000-4000-8000-000000000007' RETURNING name;
-- an admin soft-deletes an integration and still sees it, to restore it
UPDATE public.integrations SET deleted_at = now() WHERE id = 'a0000000-0000-4000-8000-000000000021' RETURNING provider;
SELECT provider, deleted_at IS NOT NULL AS deleted FROM public.integrations;
SET request.jwt.claims = '{"sub": "00000000-0000-4000-8000-0000000000a3", "role": "authenticated"}';
-- the editor's bare UPDATEs reach nothing deleted
UPDATE public.projects SET deleted_at = NULL;
UPDATE public.templates SET deleted_at = NULL, is_public = true;
UPDATE public.jobs SET deleted_at = NULL;
-- and the editor cannot soft-delete either
UPDATE public.assets SET deleted_at = now() WHERE id = 'a0000000-0000-4000-8000-000000000009';
-- children of the deleted workflow and job are hidden with them
SELECT (SELECT count(*) FROM public.workflow_versions WHERE org_id = '10000000-0000-4000-8000-00000000000a') AS versions,
	(SELECT count(*) FROM public.schedules WHERE org_id = '10000000-0000-4000-8000-00000000000a') AS schedules,
	(SELECT count(*) FROM public.job_logs WHERE org_id = '10000000-0000-4000-8000-00000000000a') AS logs,
	(SELECT count(*) FROM public.renders WHERE org_id = '10000000-0000-4000-8000-00000000000a') AS renders,
	(SELECT count(*) FROM public.kai_generations WHERE org_id = '10000000-0000-4000-8000-00000000000a') AS kai;
-- nor can versions be added to the deleted workflow
INSERT INTO public.workflow_versions (org_id, workflow_id, version)
VALUES ('10000000-0000-4000-8000-00000000000a', 'a0000000-0000-4000-8000-000000000007', 9);
SET request.jwt.claims = '{"sub": "00000000-0000-4000-8000-0000000000a2", "role": "authenticated"}';
-- the admin sees them, and restores
SELECT (SELECT count(*) FROM public.workflow_versions WHERE org_id = '10000000-0000-4000-8000-00000000000a') AS versions,
	(SELECT count(*) FROM public.job_logs WHERE org_id = '10000000-0000-4000-8000-00000000000a') AS logs;
UPDATE public.integrations SET deleted_at = NULL WHERE id = 'a0000000-0000-4000-8000-000000000021' RETURNING provider;
UPDATE public.workflows SET deleted_at = NULL WHERE id = 'a0000000-0000-4000-8000-000000000007' RETURNING name;
RESET ROLE;
SELECT name, deleted_at IS NOT NULL AS deleted FROM public.projects WHERE id = 'a0000000-0000-4000-8000-000000000005'
UNION ALL SELECT name || ' (public: ' || is_public || ')', deleted_at IS NOT NULL FROM public.templates WHERE id = 'a0000000-0000-4000-8000-000000000006';

-- 3. The org's lifecycle.  An admin edits the org, cannot delete it, nor
-- hard-delete it; a second owner (not the creator) soft-deletes it.
INSERT INTO auth.users (id, email) VALUES ('00000000-0000-4000-8000-0000000000e1', 'owner2@a.test');
INSERT INTO public.org_members (org_id, user_id, role) VALUES
	('10000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-0000000000e1', 'owner');
SET ROLE authenticated;
SET request.jwt.claims = '{"sub": "00000000-0000-4000-8000-0000000000a2", "role": "authenticated"}';
UPDATE public.orgs SET name = 'Org A renamed' RETURNING name;
UPDATE public.orgs SET deleted_at = now();
DELETE FROM public.orgs WHERE id = '10000000-0000-4000-8000-00000000000a';
SET request.jwt.claims = '{"sub": "00000000-0000-4000-8000-0000000000a1", "role": "authenticated"}';
DELETE FROM public.orgs WHERE id = '10000000-0000-4000-8000-00000000000a';
SET request.jwt.claims = '{"sub": "00000000-0000-4000-8000-0000000000e1", "role": "authenticated"}';
UPDATE public.orgs SET deleted_at = now() WHERE id = '10000000-0000-4000-8000-00000000000a' RETURNING name;
-- a soft-deleted org is frozen and hidden: its members read nothing, write nothing
SET request.jwt.claims = '{"sub": "00000000-0000-4000-8000-0000000000a4", "role": "authenticated"}';
SELECT (SELECT count(*) FROM public.orgs) AS orgs, (SELECT count(*) FROM public.projects) AS projects,
	(SELECT count(*) FROM public.jobs) AS jobs, (SELECT count(*) FROM public.usage_records) AS usage,
	(SELECT count(*) FROM public.quota_limits) AS quota, (SELECT count(*) FROM public.org_members) AS members;
SET request.jwt.claims = '{"sub": "00000000-0000-4000-8000-0000000000a3", "role": "authenticated"}';
INSERT INTO public.projects (org_id, name) VALUES ('10000000-0000-4000-8000-00000000000a', 'after delete');
INSERT INTO public.jobs (org_id) VALUES ('10000000-0000-4000-8000-00000000000a');
SET request.jwt.claims = '{"sub": "00000000-0000-4000-8000-0000000000a2", "role": "authenticated"}';
INSERT INTO public.webhooks (org_id, url, events) VALUES ('10000000-0000-4000-8000-00000000000a', 'https://h.example.com/', '{job.failed}');
-- the admin's bare UPDATE cannot undo the owner's delete
UPDATE public.orgs SET deleted_at = NULL;
-- the owner sees it, cannot edit it, and restores it
SET request.jwt.claims = '{"sub": "00000000-0000-4000-8000-0000000000a1", "role": "authenticated"}';
SELECT name, deleted_at IS NOT NULL AS deleted FROM public.orgs WHERE id = '10000000-0000-4000-8000-00000000000a';
SELECT count(*) AS projects_of_deleted_org FROM public.projects;
UPDATE public.orgs SET name = 'frozen?' WHERE id = '10000000-0000-4000-8000-00000000000a';
UPDATE public.orgs SET deleted_at = NULL WHERE id = '10000000-0000-4000-8000-00000000000a' RETURNING name, deleted_at;
SET request.jwt.claims = '{"sub": "00000000-0000-4000-8000-0000000000a4", "role": "authenticated"}';
SELECT count(*) AS orgs_after_restore FROM public.orgs;
RESET ROLE;
-- a public template of a deleted org leaves the gallery with it
SET ROLE authenticated;
SET request.jwt.claims = '{"sub": "00000000-0000-4000-8000-0000000000c1", "role": "authenticated"}';
SELECT count(*) AS public_templates_of_live_org FROM public.templates;
RESET ROLE;
UPDATE public.orgs SET deleted_at = now() WHERE id = '10000000-0000-4000-8000-00000000000b';
SET ROLE authenticated;
SELECT count(*) AS public_templates_of_deleted_org FROM public.templates;
RESET ROLE;
SET ROLE anon;
SELECT count(*) AS gallery_of_anon FROM public.template_gallery;
RESET ROLE;
-- the copy of the org's deleted_at that the gallery tests cannot be written
UPDATE public.templates SET org_deleted_at = NULL WHERE org_id = '10000000-0000-4000-8000-00000000000b'
RETURNING org_deleted_at IS NOT NULL AS still_deleted;
UPDATE public.orgs SET deleted_at = NULL WHERE id = '10000000-0000-4000-8000-00000000000b';

-- 4. Access follows membership: the creator of an org, once removed, reads
-- nothing of it (owner_id records who created it, nothing more); a
-- suspended user reads nothing and creates nothing.
DELETE FROM public.org_members
WHERE org_id = '10000000-0000-4000-8000-00000000000a' AND user_id = '00000000-0000-4000-8000-0000000000a1';
UPDATE public.profiles SET status = 'suspended' WHERE id = '00000000-0000-4000-8000-0000000000a2';
SET ROLE authenticated;
SET request.jwt.claims = '{"sub": "00000000-0000-4000-8000-0000000000a1", "role": "authenticated"}';
SELECT (SELECT count(*) FROM public.orgs WHERE id = '10000000-0000-4000-8000-00000000000a') AS orgs,
	(SELECT count(*) FROM public.projects) AS projects;
SET request.jwt.claims = '{"sub": "00000000-0000-4000-8000-0000000000a2", "role": "authenticated"}';
SELECT (SELECT count(*) FROM public.orgs) AS orgs, (SELECT count(*) FROM public.integrations) AS integrations,
	(SELECT count(*) FROM public.api_keys) AS keys;
INSERT INTO public.orgs (name, slug) VALUES ('Suspended Inc', 'suspended-inc');
UPDATE public.projects SET name = 'x';
RESET ROLE;

-- 5. A DELETE without WHERE reaches the author's orgs only, and only what
-- the author's role may delete: an admin of B (only) empties B's jobs, not
-- A's; an editor of A and B deletes nothing (42501).
INSERT INTO public.org_members (org_id, user_id, role) VALUES
	('10000000-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-0000000000d1', 'admin');
SET ROLE authenticated;
SET request.jwt.claims = '{"sub": "00000000-0000-4000-8000-0000000000a3", "role": "authenticated"}';
DELETE FROM public.projects;
SET request.jwt.claims = '{"sub": "00000000-0000-4000-8000-0000000000d1", "role": "authenticated"}';
DELETE FROM public.jobs;
DELETE FROM public.webhooks;
RESET ROLE;
SELECT org_id, count(*) AS jobs_left FROM public.jobs GROUP BY 1 ORDER BY 1;
SELECT org_id, count(*) AS webhooks_left FROM public.webhooks GROUP BY 1 ORDER BY 1;
\c :regress_db
DROP DATABASE :own_db;
