--
-- Reads that scale: a member's API reads (supabase-js style, no org filter,
-- RLS adds it) cost what their orgs' rows cost, whatever the table's size.
--
-- In a database of its own: 200 orgs (20,000 jobs), then 2,000 orgs
-- (200,000 jobs); a member of 3 of them (admin, editor, viewer).  Every read
-- runs twice on this connection (warm caches, plans cached); the second
-- EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) gives the shared buffers (hit +
-- read) of the top plan node, InitPlans and policy functions included:
-- - as the member (authenticated, request.jwt.claims),
-- - as service_role with the member's orgs written out (org_id IN (...)).
-- Asserts, for every read and both sizes:
--   member <= 3 x service + 40 (the 40: the membership lookups, two at most)
--   member at 2,000 orgs <= 1.5 x member at 200 orgs + 5
--   the member's plans of jobs use an index on org_id, never a Seq Scan.
-- Prints the numbers of every read that fails (none expected).
--
\set VERBOSITY terse
SET client_min_messages = warning;
DROP DATABASE IF EXISTS fenta_rls_cost;
CREATE DATABASE fenta_rls_cost;
\c fenta_rls_cost
SET client_min_messages = warning;
\set ECHO none
\i sql/supabase_auth.sql
\set ECHO all
CREATE EXTENSION fenta CASCADE;

-- users: 50 fillers (owners and members of the other orgs), the member
INSERT INTO auth.users (id, email)
SELECT ('f0000000-0000-4000-8000-' || lpad(to_hex(u), 12, '0'))::uuid, 'filler' || u || '@cost.test'
FROM generate_series(1, 50) u;
INSERT INTO auth.users (id, email) VALUES ('e0000000-0000-4000-8000-000000000001', 'member@cost.test');

CREATE FUNCTION pg_temp.org(i int) RETURNS uuid LANGUAGE sql IMMUTABLE AS
$$ SELECT ('c0000000-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid $$;
CREATE FUNCTION pg_temp.filler(i int) RETURNS uuid LANGUAGE sql IMMUTABLE AS
$$ SELECT ('f0000000-0000-4000-8000-' || lpad(to_hex(i % 50 + 1), 12, '0'))::uuid $$;

-- orgs lo..hi, each with 3 members, 5 projects, 10 workflows, 2 templates
-- (public in the first 10 orgs), 100 jobs (10 failed, 2 soft-deleted, 10
-- logged), 5 usage records this month, 1 api key; triggers on
CREATE FUNCTION pg_temp.grow(lo int, hi int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.orgs (id, name, slug, owner_id)
	SELECT pg_temp.org(i), 'Org ' || i, 'cost-org-' || i, pg_temp.filler(i)
	FROM generate_series(lo, hi) i;
	INSERT INTO public.org_members (org_id, user_id, role)
	SELECT pg_temp.org(i), pg_temp.filler(i + k), 'editor'
	FROM generate_series(lo, hi) i, generate_series(1, 2) k;
	INSERT INTO public.projects (org_id, name, created_at)
	SELECT pg_temp.org(i), 'P' || k, now() - make_interval(mins => k * 60 + i)
	FROM generate_series(lo, hi) i, generate_series(1, 5) k;
	INSERT INTO public.workflows (org_id, name, updated_at, created_at)
	SELECT pg_temp.org(i), 'W' || k, now() - make_interval(mins => k * 60 + i), now() - make_interval(mins => k * 60 + i)
	FROM generate_series(lo, hi) i, generate_series(1, 10) k;
	INSERT INTO public.templates (org_id, name, is_public, created_at)
	SELECT pg_temp.org(i), 'T' || k, i <= 10 AND k = 1, now() - make_interval(mins => k * 60 + i)
	FROM generate_series(lo, hi) i, generate_series(1, 2) k;
	INSERT INTO public.jobs (org_id, status, created_at, deleted_at)
	SELECT pg_temp.org(i), CASE WHEN j % 10 = 0 THEN 'failed' ELSE 'completed' END::public.job_status,
		now() - make_interval(mins => j * 7 + i % 7), CASE WHEN j % 50 = 7 THEN now() END
	FROM generate_series(lo, hi) i, generate_series(1, 100) j;
	INSERT INTO public.job_logs (org_id, job_id, message)
	SELECT j.org_id, j.id, 'done' FROM public.jobs j
	WHERE j.org_id IN (SELECT pg_temp.org(i) FROM generate_series(lo, hi) i) AND j.status = 'failed';
	INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, created_at)
	SELECT pg_temp.org(i), 'llm_tokens', 10, date_trunc('month', now()) + make_interval(secs => i + k)
	FROM generate_series(lo, hi) i, generate_series(1, 5) k;
	INSERT INTO public.api_keys (user_id, org_id, name, key_hash, key_prefix)
	SELECT pg_temp.filler(i), pg_temp.org(i), 'key', encode(sha256(('k' || i)::bytea), 'hex'), 'fk_cost'
	FROM generate_series(lo, hi) i;
END
$$;

-- the API reads: as the member (RLS adds the orgs), and as service_role
-- with the member's orgs written out (%1$s: the orgs, %2$s: a job of org 2)
CREATE TEMP TABLE reads (ord serial, name text, member text, service text);
INSERT INTO reads (name, member, service) VALUES
('jobs newest 20', 'SELECT * FROM public.jobs ORDER BY created_at DESC LIMIT 20',
 'SELECT * FROM public.jobs WHERE org_id IN (%1$s) AND deleted_at IS NULL ORDER BY created_at DESC LIMIT 20'),
('job by id', 'SELECT * FROM public.jobs WHERE id = %2$s',
 'SELECT * FROM public.jobs WHERE id = %2$s AND org_id IN (%1$s)'),
('failed jobs newest 20', 'SELECT * FROM public.jobs WHERE status = ''failed'' ORDER BY created_at DESC LIMIT 20',
 'SELECT * FROM public.jobs WHERE org_id IN (%1$s) AND deleted_at IS NULL AND status = ''failed'' ORDER BY created_at DESC LIMIT 20'),
('count jobs', 'SELECT count(*) FROM public.jobs',
 'SELECT count(*) FROM public.jobs WHERE org_id IN (%1$s) AND deleted_at IS NULL'),
('logs of a job', 'SELECT * FROM public.job_logs WHERE job_id = %2$s ORDER BY created_at',
 'SELECT * FROM public.job_logs WHERE org_id IN (%1$s) AND job_id = %2$s ORDER BY created_at'),
('workflows newest 20', 'SELECT * FROM public.workflows ORDER BY updated_at DESC LIMIT 20',
 'SELECT * FROM public.workflows WHERE org_id IN (%1$s) AND deleted_at IS NULL ORDER BY updated_at DESC LIMIT 20'),
('projects', 'SELECT * FROM public.projects ORDER BY created_at DESC',
 'SELECT * FROM public.projects WHERE org_id IN (%1$s) AND deleted_at IS NULL ORDER BY created_at DESC'),
('templates', 'SELECT * FROM public.templates ORDER BY created_at DESC',
 'SELECT * FROM public.templates WHERE (org_id IN (%1$s) OR is_public) AND deleted_at IS NULL ORDER BY created_at DESC'),
('usage this month', 'SELECT * FROM public.usage_records WHERE created_at >= date_trunc(''month'', now())',
 'SELECT * FROM public.usage_records WHERE org_id IN (%1$s) AND created_at >= date_trunc(''month'', now())'),
('quota_limits', 'SELECT * FROM public.quota_limits',
 'SELECT * FROM public.quota_limits WHERE org_id IN (%1$s)'),
('org_members', 'SELECT * FROM public.org_members',
 'SELECT * FROM public.org_members WHERE org_id IN (%1$s)'),
('api_keys', 'SELECT id, user_id, org_id, name, key_prefix, scopes, expires_at, revoked_at, created_at FROM public.api_keys',
 'SELECT id, user_id, org_id, name, key_prefix, scopes, expires_at, revoked_at, created_at FROM public.api_keys WHERE org_id IN (%1$s)'),
('orgs', 'SELECT * FROM public.orgs',
 'SELECT * FROM public.orgs WHERE id IN (%1$s)');

CREATE TEMP TABLE cost (size text, name text, who text, bufs bigint, plan jsonb);

-- measure every read as the member then as service_role (second run of two)
CREATE FUNCTION pg_temp.measure(size text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	r record;
	orgs text := (SELECT string_agg(quote_literal(pg_temp.org(i)), ', ') FROM generate_series(1, 3) i);
	job text := (SELECT quote_literal(id) FROM public.jobs WHERE org_id = pg_temp.org(2) AND status = 'failed'
				 ORDER BY created_at LIMIT 1);
	who text;
	q text;
	p json;
BEGIN
	FOR r IN SELECT * FROM reads ORDER BY ord LOOP
		FOREACH who IN ARRAY ARRAY['member', 'service'] LOOP
			IF who = 'member' THEN
				PERFORM set_config('request.jwt.claims',
					'{"sub": "e0000000-0000-4000-8000-000000000001", "role": "authenticated"}', false);
				SET ROLE authenticated;
				q := format(r.member, orgs, job);
			ELSE
				PERFORM set_config('request.jwt.claims', '', false);
				SET ROLE service_role;
				q := format(r.service, orgs, job);
			END IF;
			FOR k IN 1..2 LOOP
				EXECUTE 'EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, FORMAT JSON) ' || q INTO p;
			END LOOP;
			RESET ROLE;
			INSERT INTO cost VALUES (size, r.name, who,
				(p -> 0 -> 'Plan' ->> 'Shared Hit Blocks')::bigint + (p -> 0 -> 'Plan' ->> 'Shared Read Blocks')::bigint,
				p::jsonb);
		END LOOP;
	END LOOP;
	PERFORM set_config('request.jwt.claims', '', false);
END
$$;

SELECT pg_temp.grow(1, 200);
INSERT INTO public.org_members (org_id, user_id, role) VALUES
	(pg_temp.org(1), 'e0000000-0000-4000-8000-000000000001', 'admin'),
	(pg_temp.org(2), 'e0000000-0000-4000-8000-000000000001', 'editor'),
	(pg_temp.org(3), 'e0000000-0000-4000-8000-000000000001', 'viewer');
INSERT INTO public.api_keys (user_id, org_id, name, key_hash, key_prefix)
SELECT 'e0000000-0000-4000-8000-000000000001', pg_temp.org(i), 'mine', encode(sha256(('m' || i)::bytea), 'hex'), 'fk_mine'
FROM generate_series(1, 3) i;
VACUUM ANALYZE;
SELECT pg_temp.measure('small');
SELECT pg_temp.grow(201, 2000);
VACUUM ANALYZE;
SELECT pg_temp.measure('big');
SELECT count(*) AS jobs, count(DISTINCT org_id) AS orgs FROM public.jobs;

-- every read checked at both sizes, for both personas
SELECT count(DISTINCT name) AS reads, count(*) AS measures FROM cost;
-- the member's reads return their orgs' rows (and public templates) only
SELECT name, member_rows_bounded FROM (
	SELECT c.name, bool_and((c.plan -> 0 -> 'Plan' ->> 'Actual Rows')::bigint <= 300) AS member_rows_bounded
	FROM cost c WHERE c.who = 'member' GROUP BY c.name) s
WHERE NOT member_rows_bounded;
-- member vs service_role: failures with their numbers (none expected)
SELECT m.size, m.name, m.bufs AS member, s.bufs AS service
FROM cost m JOIN cost s ON s.size = m.size AND s.name = m.name AND s.who = 'service'
WHERE m.who = 'member' AND m.bufs > 3 * s.bufs + 40
ORDER BY 1, 2;
-- the member's cost does not grow with the table (failures, none expected)
SELECT b.name, sm.bufs AS member_small, b.bufs AS member_big
FROM cost b JOIN cost sm ON sm.name = b.name AND sm.who = 'member' AND sm.size = 'small'
WHERE b.who = 'member' AND b.size = 'big' AND b.bufs > 1.5 * sm.bufs + 5
ORDER BY 1;
-- the member's plans of jobs read through an index on org_id (the lookup by
-- id through the primary key), never a Seq Scan
SELECT c.size, c.name,
	jsonb_path_exists(c.plan, CASE WHEN c.name = 'job by id'
		THEN '$.** ? (@."Index Name" == "jobs_pkey")'
		ELSE '$.** ? (@."Index Cond" like_regex "org_id = ANY")' END::jsonpath) AS org_id_index,
	NOT jsonb_path_exists(c.plan, '$.** ? (@."Node Type" == "Seq Scan")') AS no_seq_scan
FROM cost c
WHERE c.who = 'member' AND c.name ~ 'job'
ORDER BY c.size DESC, c.name;
-- every read, both checks at both sizes
SELECT m.name, bool_and(m.bufs <= 3 * s.bufs + 40) AS near_service,
	bool_and(m.size = 'small' OR m.bufs <= 1.5 * sm.bufs + 5) AS flat_with_size
FROM cost m
	JOIN cost s ON s.size = m.size AND s.name = m.name AND s.who = 'service'
	JOIN cost sm ON sm.name = m.name AND sm.who = 'member' AND sm.size = 'small'
WHERE m.who = 'member'
GROUP BY m.name ORDER BY min(m.name);

\c contrib_regression
SET client_min_messages = warning;
DROP DATABASE fenta_rls_cost;
