--
-- Triggers: signup creates the profile, org creation makes the owner and the
-- quota row, profiles protect role and status, updated_at moves, and the
-- membership and delete guards.
--
\set VERBOSITY terse
SET client_min_messages = warning;

-- the auth server inserts users with its own role
SET ROLE supabase_auth_admin;
INSERT INTO auth.users (id, email, raw_user_meta_data) VALUES
	('00000000-0000-4000-8000-0000000001e1', 'ada@example.com', '{"full_name": "Ada Lovelace", "avatar_url": "https://img.example.com/ada.png"}'),
	('00000000-0000-4000-8000-0000000001e2', 'grace@example.com', '{"name": "Grace"}'),
	('00000000-0000-4000-8000-0000000001e3', 'linus@example.com', NULL),
	('00000000-0000-4000-8000-0000000001e4', 'ken@example.com', '{"avatar_url": "javascript:alert(1)"}');
RESET ROLE;
SELECT id, name, avatar_url, role, status, metadata FROM public.profiles
WHERE id::text LIKE '00000000-0000-4000-8000-0000000001e%' ORDER BY id;
-- an identity provider's over-long name and avatar do not fail the signup
SET ROLE supabase_auth_admin;
INSERT INTO auth.users (id, email, raw_user_meta_data) VALUES
	('00000000-0000-4000-8000-0000000001f1', 'long@example.com',
	 jsonb_build_object('full_name', repeat('é', 1000), 'avatar_url', 'https://img.example.com/' || repeat('a', 3000)));
RESET ROLE;
SELECT length(name) AS name_chars, avatar_url FROM public.profiles WHERE id = '00000000-0000-4000-8000-0000000001f1';

-- an authenticated user creates an org the way supabase-js does
SET ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-0000000001e1", "role": "authenticated"}', false);
INSERT INTO public.orgs (name, slug) VALUES ('Analytical Engines', 'analytical-engines')
RETURNING name, slug, owner_id, plan, deleted_at;
SELECT o.slug, m.user_id, m.role FROM public.orgs o JOIN public.org_members m ON m.org_id = o.id
WHERE o.slug = 'analytical-engines';
SELECT count(*) AS quota_rows FROM public.quota_limits q JOIN public.orgs o ON o.id = q.org_id
WHERE o.slug = 'analytical-engines';
-- creating an org for somebody else is refused
INSERT INTO public.orgs (name, slug, owner_id) VALUES ('Not mine', 'not-mine', '00000000-0000-4000-8000-0000000001e2');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- a user edits their name, never their platform role or status
UPDATE public.profiles SET name = 'Ada King' WHERE id = '00000000-0000-4000-8000-0000000001e1' RETURNING name;
UPDATE public.profiles SET role = 'admin' WHERE id = '00000000-0000-4000-8000-0000000001e1';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE public.profiles SET status = 'active' WHERE id = '00000000-0000-4000-8000-0000000001e1';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- someone else's profile is not there
UPDATE public.profiles SET name = 'x' WHERE id = '00000000-0000-4000-8000-0000000001e2';
-- members join by invitation (tenancy_membership); here the backend adds them
RESET ROLE;
INSERT INTO public.org_members (org_id, user_id, role)
SELECT id, '00000000-0000-4000-8000-0000000001e2', 'admin' FROM public.orgs WHERE slug = 'analytical-engines';
INSERT INTO public.org_members (org_id, user_id, role)
SELECT id, '00000000-0000-4000-8000-0000000001e3', 'viewer' FROM public.orgs WHERE slug = 'analytical-engines';
SET ROLE authenticated;
INSERT INTO public.projects (org_id, name)
SELECT id, 'Difference Engine' FROM public.orgs WHERE slug = 'analytical-engines';

-- the admin may not create (no member is made by INSERT), promote to,
-- change or remove an owner
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-0000000001e2"}', false);
INSERT INTO public.org_members (org_id, user_id, role)
SELECT id, '00000000-0000-4000-8000-0000000001e4', 'owner' FROM public.orgs WHERE slug = 'analytical-engines';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE public.org_members SET role = 'owner' WHERE user_id = '00000000-0000-4000-8000-0000000001e3';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
UPDATE public.org_members SET role = 'viewer' WHERE user_id = '00000000-0000-4000-8000-0000000001e1';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
DELETE FROM public.org_members WHERE user_id = '00000000-0000-4000-8000-0000000001e1';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- but manages the others
UPDATE public.org_members SET role = 'editor' WHERE user_id = '00000000-0000-4000-8000-0000000001e3' RETURNING role;
-- soft delete is an admin's: the project disappears for the others
UPDATE public.projects SET deleted_at = now() WHERE name = 'Difference Engine' RETURNING name, deleted_at IS NOT NULL AS deleted;
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-0000000001e3"}', false);
SELECT count(*) AS projects_seen_by_editor FROM public.projects WHERE name = 'Difference Engine';
-- an editor may not soft-delete
INSERT INTO public.projects (org_id, name)
SELECT id, 'Jacquard Loom' FROM public.orgs WHERE slug = 'analytical-engines';
UPDATE public.projects SET deleted_at = now() WHERE name = 'Jacquard Loom';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- nor hard-delete
DELETE FROM public.projects WHERE name = 'Jacquard Loom';
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- a member leaves
DELETE FROM public.org_members WHERE user_id = '00000000-0000-4000-8000-0000000001e3' RETURNING role;
SELECT count(*) AS orgs_seen_after_leaving FROM public.orgs WHERE slug = 'analytical-engines';
-- the last owner cannot leave
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-0000000001e1"}', false);
DELETE FROM public.org_members WHERE user_id = '00000000-0000-4000-8000-0000000001e1' RETURNING role;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
RESET ROLE;

-- updated_at moves on update, created_at does not
SET session_replication_role = replica;
UPDATE public.projects SET updated_at = '2000-01-01', created_at = '2000-01-01' WHERE name = 'Jacquard Loom';
RESET session_replication_role;
UPDATE public.projects SET description = 'punch cards' WHERE name = 'Jacquard Loom';
SELECT updated_at > '2000-01-01' AS moved, created_at = '2000-01-01' AS created_kept
FROM public.projects WHERE name = 'Jacquard Loom';
-- every table has the updated_at trigger
SELECT c.relname AS table_without_updated_at_trigger
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
	AND NOT EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgfoid = 'fenta.update_updated_at'::regproc)
ORDER BY 1;
