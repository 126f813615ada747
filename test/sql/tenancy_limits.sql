--
-- What one member can do to everyone (issue 11, section 4; sql/src/72_limits.sql):
-- size limits, cron and time zone validation, safe webhook URLs, per-org
-- caps on queued jobs and schedules, a fair queue, the anon gallery.  Each
-- block is an attack that succeeded on 0.4.0.  One transaction, rolled back.
--
\set VERBOSITY default
BEGIN;

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
    message := left(message, 100);
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO PUBLIC;

-- an owner, an editor and a soft-deleted org's owner; orgs A, B, D (deleted)
INSERT INTO auth.users (id, email, raw_user_meta_data) VALUES
    ('00000000-0000-4000-8000-0000000072a1', 'owner@limits.test', '{}'),
    ('00000000-0000-4000-8000-0000000072a3', 'editor@limits.test', '{}');
INSERT INTO public.orgs (id, name, slug, owner_id) VALUES
    ('72000000-0000-4000-8000-00000000000a', 'Limits A', 'limits-a', '00000000-0000-4000-8000-0000000072a1'),
    ('72000000-0000-4000-8000-00000000000b', 'Limits B', 'limits-b', '00000000-0000-4000-8000-0000000072a1'),
    ('72000000-0000-4000-8000-00000000000d', 'Limits D', 'limits-d', '00000000-0000-4000-8000-0000000072a1');
INSERT INTO public.org_members (org_id, user_id, role) VALUES
    ('72000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-0000000072a3', 'editor');
INSERT INTO public.workflows (id, org_id, name) VALUES
    ('72000000-0000-4000-8000-0000000000f1', '72000000-0000-4000-8000-00000000000a', 'Flow');

--
-- 1. Size limits: every text, jsonb and text[] column authenticated may
-- insert or update has a CHECK named <table>_<column>_size.
--
SELECT c.relname AS "table", a.attname AS "column (no size limit)"
FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
    AND a.attnum > 0 AND NOT a.attisdropped
    AND a.atttypid IN ('text'::regtype, 'jsonb'::regtype, 'text[]'::regtype, 'varchar'::regtype)
    AND (has_column_privilege('authenticated', c.oid, a.attnum, 'INSERT')
         OR has_column_privilege('authenticated', c.oid, a.attnum, 'UPDATE'))
    AND NOT EXISTS (SELECT FROM pg_constraint k
                    WHERE k.conrelid = c.oid AND k.contype = 'c'
                        AND k.conname = c.relname || '_' || a.attname || '_size')
ORDER BY 1, 2;
-- all of them validated on a fresh install
SELECT count(*) AS size_constraints, count(*) FILTER (WHERE NOT convalidated) AS not_valid
FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conname ~ '_size$';

SET ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-0000000072a3"}', true);
-- a 28 MB workflow graph, a 96 MB project description
SELECT 'graph 28 MB' AS attack, * FROM pg_temp.try($$INSERT INTO public.workflows (org_id, name, graph)
    VALUES ('72000000-0000-4000-8000-00000000000a', 'Big',
            jsonb_build_object('nodes', '[]'::jsonb, 'edges', '[]'::jsonb, 'pad', repeat('x', 28 * 1024 * 1024)))$$)
UNION ALL
SELECT 'description 96 MB', * FROM pg_temp.try($$INSERT INTO public.projects (org_id, name, description)
    VALUES ('72000000-0000-4000-8000-00000000000a', 'Big', repeat('x', 96 * 1024 * 1024))$$)
UNION ALL
SELECT 'graph update 2 MB', * FROM pg_temp.try($$UPDATE public.workflows
    SET graph = graph || jsonb_build_object('pad', repeat('x', 2 * 1024 * 1024))
    WHERE id = '72000000-0000-4000-8000-0000000000f1'$$)
UNION ALL
SELECT 'name 1 kB', * FROM pg_temp.try($$UPDATE public.workflows SET name = repeat('n', 1024)
    WHERE id = '72000000-0000-4000-8000-0000000000f1'$$)
UNION ALL
SELECT 'job config 100 kB', * FROM pg_temp.try($$INSERT INTO public.jobs (org_id, config)
    VALUES ('72000000-0000-4000-8000-00000000000a', jsonb_build_object('pad', repeat('x', 100000)))$$)
UNION ALL
SELECT 'graph 900 kB (fits)', * FROM pg_temp.try($$UPDATE public.workflows
    SET graph = graph || jsonb_build_object('pad', repeat('x', 900 * 1024))
    WHERE id = '72000000-0000-4000-8000-0000000000f1'$$);
RESET ROLE;

--
-- 2. schedules.cron: five fields, values in range, a <= b, steps >= 1, names.
--
SELECT c.cron, fenta.cron_is_valid(c.cron) AS valid
FROM unnest(ARRAY[
    '* * * * *', '0 9 * * mon-fri', '*/15 * * * *', '0 0 1 JAN,JUL *', ' 30 6 1-15/2 * 0,6 ',
    '0-59/5 0-23 1-31 1-12 0-7', '5/15 * * * *', '0 0 * * Sun', '0 12 * jan-dec sun-sat', E'0\t0 * * *',
    '59 23 31 12 7', '0 0,12 1,15 */3 1-5',
    '99 99 99 99 99', '*/0 * * * *', '5-1 * * * *', '* * * * * *', '* * * *', '60 * * * *',
    '* 24 * * *', '* * 0 * *', '* * 32 * *', '* * * 0 *', '* * * 13 *', '* * * * 8',
    '* * * foo *', '* * * * mon-sun', 'jan * * * *', '* * * * */8', '*/60 * * * *', '1,,2 * * * *',
    '1- * * * *', '-1 * * * *', '*/ * * * *', '** * * * *', '001 * * * *', '@daily', '',
    '0 0 * * mon;rm', '0 0 * * 1-5/0']) c (cron);
SELECT fenta.cron_is_valid(NULL) AS valid_null;
SET ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-0000000072a3"}', true);
SELECT c.cron, e.*
FROM unnest(ARRAY['99 99 99 99 99', '*/0 * * * *', '5-1 * * * *', '* * * * * *', '0 9 * * mon-fri']) c (cron),
     pg_temp.try(format($$INSERT INTO public.schedules (org_id, workflow_id, cron)
         VALUES ('72000000-0000-4000-8000-00000000000a', '72000000-0000-4000-8000-0000000000f1', %L)$$, c.cron)) e;

--
-- schedules.timezone: checked by a trigger when it is written, not by a
-- CHECK that scans pg_timezone_names for every row and every update.
--
SELECT t.tz, e.*
FROM unnest(ARRAY['Europe/Atlantis', 'europe/paris', 'CEST', 'UTC+5', 'Europe/Paris']) t (tz),
     pg_temp.try(format($$INSERT INTO public.schedules (org_id, workflow_id, cron, timezone)
         VALUES ('72000000-0000-4000-8000-00000000000a', '72000000-0000-4000-8000-0000000000f1', '0 9 * * *', %L)$$, t.tz)) e;
SELECT 'update to bad' AS "case", * FROM pg_temp.try($$UPDATE public.schedules SET timezone = 'Mars/Olympus_Mons'
    WHERE org_id = '72000000-0000-4000-8000-00000000000a'$$);
RESET ROLE;
SELECT t.tz, fenta.is_valid_timezone(t.tz) AS valid
FROM unnest(ARRAY['UTC', 'Europe/Paris', 'America/Argentina/Buenos_Aires', 'America/Port-au-Prince',
                  'Etc/GMT+5', 'EST5EDT', 'GMT', 'Zulu', 'europe/paris', 'Mars/Olympus_Mons', '+03:00',
                  'UTC+5', '<+03>-3', 'CEST', 'posixrules', 'Factory', '', 'Europe/../Paris']) t (tz);
SELECT current_setting('TimeZone') = (SELECT setting FROM pg_settings WHERE name = 'TimeZone') AS timezone_unchanged;
SELECT count(*) AS timezone_check_constraints FROM pg_constraint WHERE conname = 'schedules_timezone_valid';
SELECT tgname, pg_get_triggerdef(oid) ~ 'UPDATE OF timezone' AS only_on_timezone
FROM pg_trigger WHERE tgrelid = 'public.schedules'::regclass AND tgname = 'schedules_timezone_check';

--
-- 3. webhooks.url: public https hosts only.
--
SELECT u.url, fenta.webhook_url_is_safe(u.url) AS safe
FROM unnest(ARRAY[
    'https://hooks.example.com/fenta', 'https://api.partner.io:8443/in?x=1#f', 'https://8.8.8.8/hook',
    'https://[2606:4700::1111]/hook', 'https://hooks.example.com./x', 'https://a.b.c.d.example.org/p@q',
    'https://localhost:5432/', 'https://LOCALHOST/', 'https://api.localhost/', 'https://127.0.0.1/',
    'https://127.1.2.3/', 'https://0.0.0.0/', 'https://10.0.0.1/admin', 'https://172.16.0.1/',
    'https://172.31.255.255/', 'https://192.168.1.1/', 'https://169.254.169.254/latest/meta-data/',
    'https://100.100.100.200/', 'https://metadata.google.internal/computeMetadata/v1/',
    'https://metadata.azure.com/', 'https://printer.local/', 'https://intranet/',
    'https://user:pass@hooks.example.com/', 'https://hooks.example.com@10.0.0.1/', 'http://hooks.example.com/',
    'https://hooks.example.com:22/', 'https://hooks.example.com:80/', 'https://hooks.example.com:0/',
    'https://hooks.example.com:99999/', 'https://2130706433/', 'https://0x7f000001/', 'https://0x7f.0.0.1/',
    'https://0177.0.0.1/', 'https://127.1/', 'https://017700000001/', 'https://[::1]/', 'https://[::]/',
    'https://[::ffff:127.0.0.1]/', 'https://[fc00::1]/', 'https://[fd00:ec2::254]/', 'https://[fe80::1]/',
    'https://[2001:db8::1]/', 'https://[2002:7f00:1::]/', 'https://[fe80::1%25eth0]/', 'https://%31%32%37.0.0.1/',
    'https://hooks.example.com\@10.0.0.1/', 'https://hooks..example.com/', 'https:///x', 'https://172.32.0.1/']) u (url);
SET ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-0000000072a1"}', true);
SELECT u.url, e.*
FROM unnest(ARRAY['https://localhost:5432/', 'https://10.0.0.1/admin', 'https://169.254.169.254/latest',
                  'https://admin:secret@hooks.example.com/', 'https://hooks.example.com/fenta']) u (url),
     pg_temp.try(format($$INSERT INTO public.webhooks (org_id, url, events)
         VALUES ('72000000-0000-4000-8000-00000000000a', %L, '{job.completed}')$$, u.url)) e;
RESET ROLE;

--
-- 4. Per-org caps: queued jobs and schedules (caps lowered to 3 here).
--
INSERT INTO fenta.tenant_limits (name, value) VALUES
    ('max_queued_jobs_per_org', 3), ('max_schedules_per_org', 3)
ON CONFLICT (name) DO UPDATE SET value = excluded.value;
SET ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-0000000072a3"}', true);
-- three jobs fill the cap; the fourth is refused (54000, with a hint)
SELECT count(*) AS queued_before FROM public.jobs WHERE org_id = '72000000-0000-4000-8000-00000000000a' AND status = 'queued';
SELECT 'queue 2' AS step, * FROM pg_temp.try($$INSERT INTO public.jobs (org_id) SELECT '72000000-0000-4000-8000-00000000000a' FROM generate_series(1, 2)$$)
UNION ALL
SELECT 'queue 1 more', * FROM pg_temp.try($$INSERT INTO public.jobs (org_id) VALUES ('72000000-0000-4000-8000-00000000000a')$$);
SAVEPOINT cap;
INSERT INTO public.jobs (org_id) VALUES ('72000000-0000-4000-8000-00000000000a');
ROLLBACK TO SAVEPOINT cap;
-- one statement of many rows cannot pass it either
SELECT 'queue 5 at once' AS step, * FROM pg_temp.try($$INSERT INTO public.jobs (org_id) SELECT '72000000-0000-4000-8000-00000000000a' FROM generate_series(1, 5)$$);
-- cancelling one frees a slot
UPDATE public.jobs SET status = 'cancelled'
WHERE id = (SELECT id FROM public.jobs WHERE org_id = '72000000-0000-4000-8000-00000000000a' AND status = 'queued' ORDER BY queued_at, id LIMIT 1);
SELECT 'after a cancel' AS step, * FROM pg_temp.try($$INSERT INTO public.jobs (org_id) VALUES ('72000000-0000-4000-8000-00000000000a')$$);
-- schedules: two exist (the cron and time zone tests above), the third fits, the fourth not
SELECT 'schedule 3' AS step, * FROM pg_temp.try($$INSERT INTO public.schedules (org_id, workflow_id, cron) VALUES ('72000000-0000-4000-8000-00000000000a', '72000000-0000-4000-8000-0000000000f1', '0 1 * * *')$$)
UNION ALL
SELECT 'schedule 4', * FROM pg_temp.try($$INSERT INTO public.schedules (org_id, workflow_id, cron) VALUES ('72000000-0000-4000-8000-00000000000a', '72000000-0000-4000-8000-0000000000f1', '0 2 * * *')$$);
-- service_role (the backend) is capped too: its jobs are queued work as well
SET ROLE service_role;
SELECT 'service_role job' AS step, * FROM pg_temp.try($$INSERT INTO public.jobs (org_id) VALUES ('72000000-0000-4000-8000-00000000000a')$$)
UNION ALL
-- and a job cannot go back to queued past the cap
SELECT 'requeue past cap', * FROM pg_temp.try($$UPDATE public.jobs SET status = 'queued'
    WHERE org_id = '72000000-0000-4000-8000-00000000000a' AND status = 'cancelled'$$);
RESET ROLE;

--
-- The queue: org A has 5,000 queued jobs, org B 3, queued after all of A's.
-- claim_jobs(4) takes them round-robin: B's oldest is the second claimed.
--
DELETE FROM fenta.tenant_limits WHERE name = 'max_queued_jobs_per_org';
DELETE FROM public.jobs WHERE org_id = '72000000-0000-4000-8000-00000000000a';
INSERT INTO public.jobs (org_id, queued_at, config)
SELECT '72000000-0000-4000-8000-00000000000a', timestamptz '2000-01-01' + i * interval '1 second', jsonb_build_object('n', i)
FROM generate_series(1, 5000) i;
INSERT INTO public.jobs (org_id, queued_at, config)
SELECT '72000000-0000-4000-8000-00000000000b', timestamptz '2000-01-02' + i * interval '1 second', jsonb_build_object('n', i)
FROM generate_series(1, 3) i;
-- (queued jobs other tests left in other orgs wait until the rollback)
UPDATE public.jobs SET status = 'cancelled'
WHERE status = 'queued' AND org_id NOT IN ('72000000-0000-4000-8000-00000000000a', '72000000-0000-4000-8000-00000000000b');
SET ROLE service_role;
SELECT o.name AS org, c.config ->> 'n' AS n, c.status, c.started_at IS NOT NULL AS started
FROM fenta.claim_jobs(4, 'worker-1') WITH ORDINALITY c
    JOIN public.orgs o ON o.id = c.org_id
ORDER BY c.ordinality;
RESET ROLE;
SELECT org_id = '72000000-0000-4000-8000-00000000000b' AS org_b, count(*) FILTER (WHERE status = 'queued') AS queued,
       count(*) FILTER (WHERE status = 'processing') AS processing
FROM public.jobs WHERE org_id IN ('72000000-0000-4000-8000-00000000000a', '72000000-0000-4000-8000-00000000000b')
GROUP BY 1 ORDER BY 1;
-- members cannot claim
SET ROLE authenticated;
SELECT 'claim as member' AS step, * FROM pg_temp.try($$SELECT fenta.claim_jobs(1)$$);
RESET ROLE;

--
-- 5. The anon gallery: public, not deleted templates of live orgs, and only
-- the gallery's columns.
--
INSERT INTO public.templates (id, org_id, name, is_public, deleted_at) VALUES
    ('72000000-0000-4000-8000-0000000000e1', '72000000-0000-4000-8000-00000000000a', 'Gallery: public', true, NULL),
    ('72000000-0000-4000-8000-0000000000e2', '72000000-0000-4000-8000-00000000000a', 'Gallery: private', false, NULL),
    ('72000000-0000-4000-8000-0000000000e3', '72000000-0000-4000-8000-00000000000a', 'Gallery: deleted', true, now()),
    ('72000000-0000-4000-8000-0000000000e4', '72000000-0000-4000-8000-00000000000d', 'Gallery: deleted org', true, NULL);
UPDATE public.orgs SET deleted_at = now() WHERE id = '72000000-0000-4000-8000-00000000000d';
SET ROLE anon;
SELECT name FROM public.template_gallery WHERE name LIKE 'Gallery:%' ORDER BY name;
SELECT id, name, aspect FROM public.templates WHERE name LIKE 'Gallery:%' ORDER BY name;
SELECT 'org_id' AS "column", * FROM pg_temp.try($$SELECT org_id FROM public.templates$$)
UNION ALL
SELECT 'project_id', * FROM pg_temp.try($$SELECT project_id FROM public.templates$$)
UNION ALL
SELECT 'spec', * FROM pg_temp.try($$SELECT spec FROM public.templates$$)
UNION ALL
SELECT 'updated_at', * FROM pg_temp.try($$SELECT updated_at FROM public.templates$$)
UNION ALL
SELECT '*', * FROM pg_temp.try($$SELECT * FROM public.templates$$)
UNION ALL
SELECT 'orgs', * FROM pg_temp.try($$SELECT count(*) FROM public.orgs$$);
RESET ROLE;
SELECT array_agg(privilege_type || ':' || column_name ORDER BY column_name) AS anon_template_columns
FROM information_schema.column_privileges
WHERE grantee = 'anon' AND table_schema = 'public' AND table_name = 'templates';
SELECT policyname, roles FROM pg_policies
WHERE schemaname = 'public' AND tablename = 'templates' AND 'anon' = ANY (roles);

ROLLBACK;
