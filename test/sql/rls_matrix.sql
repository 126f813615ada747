--
-- The RLS matrix of DESIGN.md: for every table and every operation, what each
-- persona gets.  Cells: r = sees the row, w = write succeeded,
-- - = the row is not there for this persona (0 rows), E = 42501, N = 23502
-- (service_role creating an org must name its owner: owner_id has no
-- default without a signed-in user).
-- The expected matrix below is written from DESIGN.md; the test prints every
-- cell that differs, then the whole observed matrix.
--
\set VERBOSITY terse
SET client_min_messages = warning;

-- the tenants: org A (owner, admin, editor, viewer, second viewer), org B,
-- an outsider, a spare user; one row per table in A and in B
\set ECHO none
\i test/fixture.sql
\set ECHO all

-- the cases: table, operation, statement (%1$s org A, %2$s the persona's user
-- or owner A for anon and service, %3$s the target row of org A), expected
-- cells for anon, outsider, viewer, editor, admin, owner (the creator), owner2
-- (an owner who did not create the org), suspended (an admin of org A whose
-- profile is suspended), removed (an owner of org A who was removed from it:
-- an outsider now), service
CREATE TEMP TABLE rls_case (tbl text, op text, stmt text, expected text, ord serial);
INSERT INTO rls_case (tbl, op, stmt, expected) VALUES
('profiles', 'select', 'SELECT 1 FROM public.profiles WHERE id = ''00000000-0000-4000-8000-0000000000a1''', 'E----r---r'),
('profiles', 'insert', 'INSERT INTO public.profiles (id) VALUES (''00000000-0000-4000-8000-0000000000d2'')', 'EEEEEEEEEw'),
('profiles', 'update', 'UPDATE public.profiles SET name = ''New'' WHERE id = ''00000000-0000-4000-8000-0000000000a1''', 'E----w---w'),
('profiles', 'delete', 'DELETE FROM public.profiles WHERE id = ''00000000-0000-4000-8000-0000000000d1''', 'EEEEEEEEEw'),
('orgs', 'select', 'SELECT 1 FROM public.orgs WHERE id = %1$s', 'E-rrrrr--r'),
('orgs', 'insert', 'INSERT INTO public.orgs (name, slug) VALUES (''New'', ''new-org'')', 'EwwwwwwEwN'),
('orgs', 'update', 'UPDATE public.orgs SET name = ''New'' WHERE id = %1$s', 'E-EEwww--w'),
('orgs', 'delete', 'DELETE FROM public.orgs WHERE id = %1$s', 'EEEEEEEEEw'),
('org_members', 'select', 'SELECT 1 FROM public.org_members WHERE org_id = %1$s AND user_id = ''00000000-0000-4000-8000-0000000000a5''', 'E-rrrrr--r'),
('org_members', 'insert', 'INSERT INTO public.org_members (org_id, user_id) VALUES (%1$s, ''00000000-0000-4000-8000-0000000000d1'')', 'EEEEEEEEEw'),
('org_members', 'update', 'UPDATE public.org_members SET role = ''editor'' WHERE org_id = %1$s AND user_id = ''00000000-0000-4000-8000-0000000000a5''', 'E-EEwww--w'),
('org_members', 'delete', 'DELETE FROM public.org_members WHERE org_id = %1$s AND user_id = ''00000000-0000-4000-8000-0000000000a5''', 'E-EEwww--w'),
('api_keys', 'select', 'SELECT 1 FROM public.api_keys WHERE id = %3$s', 'E--rrrr--r'),
('api_keys', 'insert', 'INSERT INTO public.api_keys (user_id, org_id, name, key_hash, key_prefix) VALUES (%2$s, %1$s, ''k'', pg_catalog.repeat(''ef'', 32), ''fk_new'')', 'EEEEEEEEEw'),
('api_keys', 'update', 'UPDATE public.api_keys SET revoked_at = pg_catalog.now() WHERE id = %3$s', 'E--wwww--w'),
('api_keys', 'delete', 'DELETE FROM public.api_keys WHERE id = %3$s', 'EEEEEEEEEw'),
('projects', 'select', 'SELECT 1 FROM public.projects WHERE id = %3$s', 'E-rrrrr--r'),
('projects', 'insert', 'INSERT INTO public.projects (org_id, name) VALUES (%1$s, ''P'')', 'EEEwwwwEEw'),
('projects', 'update', 'UPDATE public.projects SET name = ''New'' WHERE id = %3$s', 'E-Ewwww--w'),
('projects', 'delete', 'DELETE FROM public.projects WHERE id = %3$s', 'E-EEwww--w'),
('templates', 'select', 'SELECT 1 FROM public.templates WHERE id = %3$s', '--rrrrr--r'),
('templates', 'insert', 'INSERT INTO public.templates (org_id, name) VALUES (%1$s, ''T'')', 'EEEwwwwEEw'),
('templates', 'update', 'UPDATE public.templates SET name = ''New'' WHERE id = %3$s', 'E-Ewwww--w'),
('templates', 'delete', 'DELETE FROM public.templates WHERE id = %3$s', 'E-EEwww--w'),
('workflows', 'select', 'SELECT 1 FROM public.workflows WHERE id = %3$s', 'E-rrrrr--r'),
('workflows', 'insert', 'INSERT INTO public.workflows (org_id, name) VALUES (%1$s, ''W'')', 'EEEwwwwEEw'),
('workflows', 'update', 'UPDATE public.workflows SET name = ''New'' WHERE id = %3$s', 'E-Ewwww--w'),
('workflows', 'delete', 'DELETE FROM public.workflows WHERE id = %3$s', 'E-EEwww--w'),
('workflow_versions', 'select', 'SELECT 1 FROM public.workflow_versions WHERE id = %3$s', 'E-rrrrr--r'),
('workflow_versions', 'insert', 'INSERT INTO public.workflow_versions (org_id, workflow_id, version) VALUES (%1$s, ''a0000000-0000-4000-8000-000000000007'', 2)', 'EEEwwwwEEw'),
('workflow_versions', 'update', 'UPDATE public.workflow_versions SET note = ''n'' WHERE id = %3$s', 'E-Ewwww--w'),
('workflow_versions', 'delete', 'DELETE FROM public.workflow_versions WHERE id = %3$s', 'E-EEwww--w'),
('assets', 'select', 'SELECT 1 FROM public.assets WHERE id = %3$s', 'E-rrrrr--r'),
('assets', 'insert', 'INSERT INTO public.assets (org_id, type) VALUES (%1$s, ''video'')', 'EEEwwwwEEw'),
('assets', 'update', 'UPDATE public.assets SET metadata = ''{"k": 1}'' WHERE id = %3$s', 'E-Ewwww--w'),
('assets', 'delete', 'DELETE FROM public.assets WHERE id = %3$s', 'E-EEwww--w'),
('asset_versions', 'select', 'SELECT 1 FROM public.asset_versions WHERE id = %3$s', 'E-rrrrr--r'),
('asset_versions', 'insert', 'INSERT INTO public.asset_versions (org_id, asset_id, version, url) VALUES (%1$s, ''a0000000-0000-4000-8000-000000000009'', 2, ''https://cdn.example.com/v2.png'')', 'EEEwwwwEEw'),
('asset_versions', 'update', 'UPDATE public.asset_versions SET metadata = ''{"k": 1}'' WHERE id = %3$s', 'E-Ewwww--w'),
('asset_versions', 'delete', 'DELETE FROM public.asset_versions WHERE id = %3$s', 'E-EEwww--w'),
('jobs', 'select', 'SELECT 1 FROM public.jobs WHERE id = %3$s', 'E-rrrrr--r'),
('jobs', 'insert', 'INSERT INTO public.jobs (org_id) VALUES (%1$s)', 'EEEwwwwEEw'),
('jobs', 'update', 'UPDATE public.jobs SET status = ''cancelled'' WHERE id = %3$s', 'E-Ewwww--w'),
('jobs', 'delete', 'DELETE FROM public.jobs WHERE id = %3$s', 'E-EEwww--w'),
('job_logs', 'select', 'SELECT 1 FROM public.job_logs WHERE id = %3$s', 'E-rrrrr--r'),
('job_logs', 'insert', 'INSERT INTO public.job_logs (org_id, job_id, message) VALUES (%1$s, ''a0000000-0000-4000-8000-000000000011'', ''m'')', 'EEEEEEEEEw'),
('job_logs', 'update', 'UPDATE public.job_logs SET message = ''m'' WHERE id = %3$s', 'EEEEEEEEEw'),
('job_logs', 'delete', 'DELETE FROM public.job_logs WHERE id = %3$s', 'EEEEEEEEEw'),
('renders', 'select', 'SELECT 1 FROM public.renders WHERE id = %3$s', 'E-rrrrr--r'),
('renders', 'insert', 'INSERT INTO public.renders (org_id, job_id) VALUES (%1$s, ''a0000000-0000-4000-8000-000000000011'')', 'EEEEEEEEEw'),
('renders', 'update', 'UPDATE public.renders SET codec = ''h264'' WHERE id = %3$s', 'EEEEEEEEEw'),
('renders', 'delete', 'DELETE FROM public.renders WHERE id = %3$s', 'EEEEEEEEEw'),
('schedules', 'select', 'SELECT 1 FROM public.schedules WHERE id = %3$s', 'E-rrrrr--r'),
('schedules', 'insert', 'INSERT INTO public.schedules (org_id, workflow_id, cron) VALUES (%1$s, ''a0000000-0000-4000-8000-000000000007'', ''*/5 * * * *'')', 'EEEwwwwEEw'),
('schedules', 'update', 'UPDATE public.schedules SET enabled = false WHERE id = %3$s', 'E-Ewwww--w'),
('schedules', 'delete', 'DELETE FROM public.schedules WHERE id = %3$s', 'E-EEwww--w'),
('webhooks', 'select', 'SELECT 1 FROM public.webhooks WHERE id = %3$s', 'E---rrr--r'),
('webhooks', 'insert', 'INSERT INTO public.webhooks (org_id, url, events) VALUES (%1$s, ''https://h.example.com/'', ''{job.failed}'')', 'EEEEwwwEEw'),
('webhooks', 'update', 'UPDATE public.webhooks SET enabled = false WHERE id = %3$s', 'E---www--w'),
('webhooks', 'delete', 'DELETE FROM public.webhooks WHERE id = %3$s', 'E---www--w'),
('webhook_deliveries', 'select', 'SELECT 1 FROM public.webhook_deliveries WHERE id = %3$s', 'E---rrr--r'),
('webhook_deliveries', 'insert', 'INSERT INTO public.webhook_deliveries (org_id, webhook_id, event) VALUES (%1$s, ''a0000000-0000-4000-8000-000000000015'', ''job.failed'')', 'EEEEEEEEEw'),
('webhook_deliveries', 'update', 'UPDATE public.webhook_deliveries SET attempts = 1 WHERE id = %3$s', 'EEEEEEEEEw'),
('webhook_deliveries', 'delete', 'DELETE FROM public.webhook_deliveries WHERE id = %3$s', 'EEEEEEEEEw'),
('usage_records', 'select', 'SELECT 1 FROM public.usage_records WHERE id = %3$s', 'E-rrrrr--r'),
('usage_records', 'insert', 'INSERT INTO public.usage_records (org_id, resource_type, render_seconds) VALUES (%1$s, ''render_seconds'', 5)', 'EEEEEEEEEw'),
('usage_records', 'update', 'UPDATE public.usage_records SET llm_model = ''m'' WHERE id = %3$s', 'EEEEEEEEEE'),
('usage_records', 'delete', 'DELETE FROM public.usage_records WHERE id = %3$s', 'EEEEEEEEEE'),
('usage_daily', 'select', 'SELECT 1 FROM public.usage_daily WHERE org_id = %1$s', 'E-rrrrr--r'),
('usage_daily', 'insert', 'INSERT INTO public.usage_daily (org_id, day, resource_type) VALUES (%1$s, ''2020-01-01'', ''storage'')', 'EEEEEEEEEE'),
('usage_daily', 'update', 'UPDATE public.usage_daily SET events = 0 WHERE org_id = %1$s', 'EEEEEEEEEE'),
('usage_daily', 'delete', 'DELETE FROM public.usage_daily WHERE org_id = %1$s', 'EEEEEEEEEE'),
('quota_limits', 'select', 'SELECT 1 FROM public.quota_limits WHERE org_id = %1$s', 'E-rrrrr--r'),
('quota_limits', 'insert', 'INSERT INTO public.quota_limits (org_id) VALUES (''10000000-0000-4000-8000-00000000000c'')', 'EEEEEEEEEw'),
('quota_limits', 'update', 'UPDATE public.quota_limits SET allow_overage = true WHERE org_id = %1$s', 'EEEEEEEEEw'),
('quota_limits', 'delete', 'DELETE FROM public.quota_limits WHERE org_id = %1$s', 'EEEEEEEEEw'),
('invoices', 'select', 'SELECT 1 FROM public.invoices WHERE id = %3$s', 'E---rrr--r'),
('invoices', 'insert', 'INSERT INTO public.invoices (org_id) VALUES (%1$s)', 'EEEEEEEEEw'),
('invoices', 'update', 'UPDATE public.invoices SET status = ''open'' WHERE id = %3$s', 'EEEEEEEEEw'),
('invoices', 'delete', 'DELETE FROM public.invoices WHERE id = %3$s', 'EEEEEEEEEw'),
('credit_packs', 'select', 'SELECT 1 FROM public.credit_packs WHERE id = %3$s', 'E---rrr--r'),
('credit_packs', 'insert', 'INSERT INTO public.credit_packs (org_id, pack_type, credits_purchased, credits_remaining) VALUES (%1$s, ''big'', 10, 10)', 'EEEEEEEEEw'),
('credit_packs', 'update', 'UPDATE public.credit_packs SET credits_remaining = 5 WHERE id = %3$s', 'EEEEEEEEEw'),
('credit_packs', 'delete', 'DELETE FROM public.credit_packs WHERE id = %3$s', 'EEEEEEEEEw'),
('integrations', 'select', 'SELECT 1 FROM public.integrations WHERE id = %3$s', 'E---rrr--r'),
('integrations', 'insert', 'INSERT INTO public.integrations (org_id, provider) VALUES (%1$s, ''pexels'')', 'EEEEwwwEEw'),
('integrations', 'update', 'UPDATE public.integrations SET config = ''{"k": 1}'' WHERE id = %3$s', 'E---www--w'),
('integrations', 'delete', 'DELETE FROM public.integrations WHERE id = %3$s', 'E---www--w'),
('kai_generations', 'select', 'SELECT 1 FROM public.kai_generations WHERE id = %3$s', 'E-rrrrr--r'),
('kai_generations', 'insert', 'INSERT INTO public.kai_generations (org_id, type, model) VALUES (%1$s, ''voice'', ''m'')', 'EEEEEEEEEw'),
('kai_generations', 'update', 'UPDATE public.kai_generations SET prompt = ''p'' WHERE id = %3$s', 'EEEEEEEEEw'),
('kai_generations', 'delete', 'DELETE FROM public.kai_generations WHERE id = %3$s', 'EEEEEEEEEw'),
('org_invitations', 'select', 'SELECT 1 FROM public.org_invitations WHERE id = %3$s', 'E---rrr--r'),
('org_invitations', 'insert', 'INSERT INTO public.org_invitations (org_id, token_hash) VALUES (%1$s, pg_catalog.repeat(''0f'', 32))', 'EEEEEEEEEw'),
('org_invitations', 'update', 'UPDATE public.org_invitations SET revoked_at = pg_catalog.now() WHERE id = %3$s', 'E---www--w'),
('org_invitations', 'delete', 'DELETE FROM public.org_invitations WHERE id = %3$s', 'EEEEEEEEEw');

-- three more members of org A: a second owner, an admin whose profile the
-- platform has suspended, and an owner the others removed
INSERT INTO auth.users (id, email) VALUES
	('00000000-0000-4000-8000-0000000000e1', 'owner2@a.example.com'),
	('00000000-0000-4000-8000-0000000000e2', 'suspended@a.example.com'),
	('00000000-0000-4000-8000-0000000000e3', 'removed@a.example.com');
INSERT INTO public.org_members (org_id, user_id, role) VALUES
	('10000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-0000000000e1', 'owner'),
	('10000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-0000000000e2', 'admin'),
	('10000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-0000000000e3', 'owner');
UPDATE public.profiles SET status = 'suspended' WHERE id = '00000000-0000-4000-8000-0000000000e2';
DELETE FROM public.org_members WHERE user_id = '00000000-0000-4000-8000-0000000000e3';

-- the target row of each table in org A
CREATE TEMP TABLE rls_target (tbl text PRIMARY KEY, id uuid);
INSERT INTO rls_target
SELECT t, ('a0000000-0000-4000-8000-0000000000' || n)::uuid
FROM (VALUES ('api_keys', '04'), ('projects', '05'), ('templates', '06'), ('workflows', '07'),
			 ('workflow_versions', '08'), ('assets', '09'), ('asset_versions', '10'), ('jobs', '11'),
			 ('job_logs', '12'), ('renders', '13'), ('schedules', '14'), ('webhooks', '15'),
			 ('webhook_deliveries', '16'), ('usage_records', '17'), ('invoices', '19'),
			 ('credit_packs', '20'), ('integrations', '21'), ('kai_generations', '22'),
			 ('org_invitations', '23')) v(t, n);

CREATE TEMP TABLE rls_result (state text, ord int, persona int, cell text);

-- Runs every case as every persona, each in a subtransaction that is rolled
-- back, and records the cell under the org's lifecycle state.
CREATE FUNCTION pg_temp.run_matrix(state text) RETURNS void LANGUAGE plpgsql AS $run$
DECLARE
	personas text[] := ARRAY['anon', 'outsider', 'viewer', 'editor', 'admin', 'owner', 'owner2', 'suspended', 'removed', 'service'];
	uids uuid[] := ARRAY[NULL, '00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-0000000000a4',
						 '00000000-0000-4000-8000-0000000000a3', '00000000-0000-4000-8000-0000000000a2',
						 '00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000e1',
						 '00000000-0000-4000-8000-0000000000e2', '00000000-0000-4000-8000-0000000000e3', NULL]::uuid[];
	cases record;
	stmts text[] := '{}';
	ords int[] := '{}';
	cells text[] := '{}';
	cell text;
	n bigint;
	p int;
	i int;
BEGIN
	FOR cases IN
		SELECT c.ord, c.stmt, t.id FROM rls_case c LEFT JOIN rls_target t USING (tbl) ORDER BY c.ord
	LOOP
		ords := ords || cases.ord;
		stmts := stmts || (cases.stmt || E'\x01' || coalesce(cases.id::text, ''));
	END LOOP;
	FOR p IN 1 .. 10 LOOP
		FOR i IN 1 .. pg_catalog.array_length(stmts, 1) LOOP
			BEGIN
				PERFORM pg_catalog.set_config('request.jwt.claims',
					CASE WHEN uids[p] IS NULL THEN pg_catalog.format('{"role": "%s"}', CASE WHEN p = 1 THEN 'anon' ELSE 'service_role' END)
					ELSE pg_catalog.format('{"sub": "%s", "role": "authenticated"}', uids[p]) END, true);
				EXECUTE 'SET LOCAL ROLE ' || CASE p WHEN 1 THEN 'anon' WHEN 10 THEN 'service_role' ELSE 'authenticated' END;
				EXECUTE pg_catalog.format(pg_catalog.split_part(stmts[i], E'\x01', 1),
					'''10000000-0000-4000-8000-00000000000a''',
					pg_catalog.quote_literal(coalesce(uids[p], '00000000-0000-4000-8000-0000000000a1')),
					pg_catalog.quote_nullable(nullif(pg_catalog.split_part(stmts[i], E'\x01', 2), '')));
				GET DIAGNOSTICS n = ROW_COUNT;
				cell := CASE WHEN n = 0 THEN '-' WHEN stmts[i] LIKE 'SELECT%' THEN 'r' ELSE 'w' END;
				RAISE EXCEPTION USING ERRCODE = 'P0999';
			EXCEPTION
				WHEN SQLSTATE 'P0999' THEN NULL;
				WHEN insufficient_privilege THEN cell := 'E';
				WHEN not_null_violation THEN cell := 'N';
				WHEN OTHERS THEN cell := SQLSTATE;
			END;
			cells := cells || cell;
			EXECUTE 'RESET ROLE';
		END LOOP;
	END LOOP;
	RESET ROLE;
	FOR p IN 1 .. 10 LOOP
		FOR i IN 1 .. pg_catalog.array_length(ords, 1) LOOP
			INSERT INTO rls_result VALUES (state, ords[i], p, cells[(p - 1) * pg_catalog.array_length(ords, 1) + i]);
		END LOOP;
	END LOOP;
END
$run$;
-- org A live, then soft-deleted by its owner (then restored for what follows)
SELECT pg_temp.run_matrix('live');
UPDATE public.orgs SET deleted_at = now() WHERE id = '10000000-0000-4000-8000-00000000000a';
SELECT pg_temp.run_matrix('org deleted');
UPDATE public.orgs SET deleted_at = NULL WHERE id = '10000000-0000-4000-8000-00000000000a';

-- What a soft-deleted org leaves, derived from the live cell: it is frozen
-- and hidden.  Its rows are gone for every signed-in persona (reads find
-- nothing, also where the role checks of a live org refused them), what
-- the role lacks the privilege for stays refused, a user's own profile is
-- untouched, and its owners still see the org row, which refuses any change
-- but the restore (42501).  anon and service_role see no difference.
CREATE FUNCTION pg_temp.expected_deleted(tbl text, op text, persona int, live text) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT CASE
		WHEN persona IN (1, 10) OR tbl = 'profiles' OR live IN ('-', 'N') THEN live
		WHEN tbl = 'orgs' AND persona IN (6, 7) AND op = 'update' THEN 'E'
		WHEN live = 'E' AND op = 'update' AND has_any_column_privilege('authenticated', ('public.' || tbl)::regclass, 'UPDATE') THEN '-'
		WHEN live = 'E' AND op = 'delete' AND has_table_privilege('authenticated', ('public.' || tbl)::regclass, 'DELETE') THEN '-'
		WHEN live = 'E' THEN live
		WHEN tbl = 'orgs' AND persona IN (6, 7) AND op = 'select' THEN 'r'
		WHEN tbl = 'orgs' AND persona IN (6, 7) AND op = 'update' THEN 'E'
		WHEN op = 'insert' AND tbl <> 'orgs' THEN 'E'
		WHEN tbl = 'orgs' AND op = 'insert' THEN live
		ELSE '-' END
$$;

-- cells that differ from DESIGN.md (none expected)
SELECT r.state, c.tbl, c.op, r.persona, substr(c.expected, r.persona, 1) AS expected, r.cell AS observed
FROM rls_case c JOIN rls_result r USING (ord)
WHERE r.state = 'live' AND substr(c.expected, r.persona, 1) IS DISTINCT FROM r.cell
	OR r.state = 'org deleted'
		AND pg_temp.expected_deleted(c.tbl, c.op, r.persona, substr(c.expected, r.persona, 1)) IS DISTINCT FROM r.cell
ORDER BY c.ord, r.persona, r.state;

-- the observed matrix: anon, outsider, viewer, editor, admin, owner, owner2, suspended, removed, service
SELECT c.tbl, c.op, string_agg(r.cell, '' ORDER BY r.persona) FILTER (WHERE r.state = 'live') AS live,
	string_agg(r.cell, '' ORDER BY r.persona) FILTER (WHERE r.state = 'org deleted') AS org_deleted
FROM rls_case c JOIN rls_result r USING (ord)
GROUP BY c.ord, c.tbl, c.op ORDER BY c.ord;

-- tables covered: every table of public has its four cases
SELECT relname AS table_without_cases FROM pg_class
WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition
	AND relname NOT IN (SELECT tbl FROM rls_case)
ORDER BY 1;

-- no persona but service_role sees a row of org B, in any table
CREATE FUNCTION pg_temp.rows_of_b() RETURNS TABLE (tbl text, n bigint) LANGUAGE plpgsql AS $$
DECLARE
	t text;
BEGIN
	FOR t IN SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
			 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
				 AND a.attname = 'org_id' ORDER BY 1 LOOP
		tbl := t;
		EXECUTE pg_catalog.format('SELECT count(*) FROM public.%I WHERE org_id = %L', t, '10000000-0000-4000-8000-00000000000b') INTO n;
		RETURN NEXT;
	END LOOP;
	tbl := 'orgs';
	SELECT count(*) INTO n FROM public.orgs WHERE id = '10000000-0000-4000-8000-00000000000b';
	RETURN NEXT;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.rows_of_b() TO authenticated;
SET ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-0000000000a1"}', false);
-- owner of A: sees B's public template only
SELECT tbl, n FROM pg_temp.rows_of_b() WHERE n > 0;
SELECT set_config('request.jwt.claims', '{"sub": "00000000-0000-4000-8000-0000000000c1"}', false);
-- outsider: same, and guessing B's ids changes nothing
SELECT tbl, n FROM pg_temp.rows_of_b() WHERE n > 0;
UPDATE public.projects SET name = 'mine' WHERE id = 'b0000000-0000-4000-8000-000000000005';
DELETE FROM public.jobs WHERE id = 'b0000000-0000-4000-8000-000000000011';
INSERT INTO public.projects (org_id, name) VALUES ('10000000-0000-4000-8000-00000000000b', 'sneaky');
RESET ROLE;
SET ROLE anon;
SELECT set_config('request.jwt.claims', '', false);
-- anon sees public templates, nothing else
SELECT id, name, is_public FROM public.templates ORDER BY id;
RESET ROLE;
SELECT name FROM public.projects WHERE id = 'b0000000-0000-4000-8000-000000000005';
SELECT count(*) FROM public.jobs WHERE id = 'b0000000-0000-4000-8000-000000000011';
