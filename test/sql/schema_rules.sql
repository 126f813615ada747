--
-- The schema's own rules, over every table, policy and function of fenta (in
-- public and fenta; the monthly partitions of usage_records included).  Each
-- query lists the objects that break a rule: every list is empty.
--
SET client_min_messages = warning;

-- fenta's relations and functions: the extension's members, and the
-- partitions made later of its partitioned tables.  In the migrations
-- flavour (supabase/migrations: no extension) what the migrations made:
-- the objects of public and fenta owned by public.orgs' owner (postgres)
CREATE TEMP VIEW fenta_flavour AS
SELECT (SELECT oid FROM pg_extension WHERE extname = 'fenta') AS ext,
	(SELECT relowner FROM pg_class WHERE oid = 'public.orgs'::regclass) AS owner;
CREATE TEMP VIEW fenta_rel AS
SELECT c.oid, c.oid::regclass AS rel, c.relkind, c.relrowsecurity
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, fenta_flavour f
WHERE n.nspname IN ('public', 'fenta') AND c.relkind IN ('r', 'p')
	AND (EXISTS (SELECT FROM pg_depend d
				 WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
					 AND d.refobjid = f.ext)
		 OR (f.ext IS NULL AND c.relowner = f.owner)
		 OR c.relispartition);
CREATE TEMP VIEW fenta_proc AS
SELECT p.oid, p.oid::regprocedure AS proc, p.prokind, p.prosecdef, p.proconfig, f.ext IS NULL AS migrations
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace, fenta_flavour f
WHERE n.nspname IN ('public', 'fenta')
	AND (EXISTS (SELECT FROM pg_depend d
				 WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
					 AND d.refobjid = f.ext)
		 OR (f.ext IS NULL AND p.proowner = f.owner));
-- every policy, once per role and command it applies to: a policy TO PUBLIC
-- applies to every role, FOR ALL to SELECT, INSERT, UPDATE and DELETE
CREATE TEMP VIEW policy_cell AS
SELECT p.polrelid::regclass AS rel, p.polname, p.polpermissive, r.rolname AS role, cmd
FROM pg_policy p
	JOIN pg_roles r ON r.oid = ANY (p.polroles) OR 0 = ANY (p.polroles)
	CROSS JOIN LATERAL unnest(CASE p.polcmd WHEN '*' THEN ARRAY['r', 'a', 'w', 'd']
								ELSE ARRAY[p.polcmd::text] END) cmd
WHERE p.polrelid IN (SELECT oid FROM fenta_rel) AND r.rolname !~ '^pg_';

-- the tables exist and have policies (the rules below are not vacuous)
SELECT count(*) > 20 AS tables, (SELECT count(*) > 20 FROM pg_policy WHERE polrelid IN (SELECT oid FROM fenta_rel)) AS policies
FROM fenta_rel;

-- 1. at most one permissive policy per table, role and command (the planner
-- ORs them: Supabase's multiple_permissive_policies)
CREATE TEMP VIEW rule_1 AS
SELECT rel, role, cmd, string_agg(polname, ', ' ORDER BY polname) AS policies
FROM policy_cell WHERE polpermissive
GROUP BY rel, role, cmd HAVING count(*) > 1;
-- 2. every policy names its roles (TO ...), never PUBLIC
CREATE TEMP VIEW rule_2 AS
SELECT p.polrelid::regclass AS rel, p.polname FROM pg_policy p
WHERE p.polrelid IN (SELECT oid FROM fenta_rel) AND 0 = ANY (p.polroles);
-- 3. auth.uid() and the other auth functions only inside a SELECT (an
-- InitPlan, once per statement; Supabase's auth_rls_initplan)
CREATE TEMP VIEW rule_3 AS
SELECT p.polrelid::regclass AS rel, p.polname
FROM pg_policy p,
	LATERAL (SELECT coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' ' ||
				 coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') AS expr) e
WHERE p.polrelid IN (SELECT oid FROM fenta_rel)
	AND (SELECT count(*) FROM regexp_matches(e.expr, 'auth\.\w+\(', 'g'))
		<> (SELECT count(*) FROM regexp_matches(e.expr, '\( SELECT auth\.\w+\(\) AS \w+\)', 'g'));
-- 4. row level security is on for every table
CREATE TEMP VIEW rule_4 AS
SELECT rel FROM fenta_rel WHERE NOT relrowsecurity;
-- 5. every SECURITY DEFINER function pins its search_path; in the
-- migrations flavour every function pins it to '' (Supabase's
-- function_search_path_mutable sees every function that is no extension's
-- member), except a procedure: one that commits (fenta.run_maintenance)
-- cannot have a SET clause
CREATE TEMP VIEW rule_5 AS
SELECT proc FROM fenta_proc
WHERE (prosecdef AND NOT coalesce(proconfig::text ~ 'search_path=', false))
	OR (migrations AND prokind <> 'p' AND NOT coalesce(proconfig, '{}') && ARRAY['search_path=""']);
-- 6. every foreign key has an index with its columns leading (on every
-- partition of a partitioned table)
CREATE TEMP VIEW rule_6 AS
SELECT c.conrelid::regclass AS rel, c.conname, t.rel AS missing_on
FROM pg_constraint c
	JOIN LATERAL (SELECT r.oid, r.rel FROM fenta_rel r
				  WHERE r.oid = c.conrelid AND r.relkind = 'r'
				  UNION ALL
				  SELECT l.relid, l.relid::regclass FROM pg_partition_tree(c.conrelid) l
				  WHERE l.isleaf AND l.relid <> c.conrelid) t ON true
WHERE c.contype = 'f' AND c.conrelid IN (SELECT oid FROM fenta_rel) AND NOT c.conparentid <> 0
	AND NOT EXISTS (
		SELECT FROM pg_index i
		WHERE i.indrelid = t.oid
			AND (SELECT array_agg(a.attname ORDER BY a.attname) FROM pg_attribute a
				 WHERE a.attrelid = i.indrelid
					 AND a.attnum = ANY ((i.indkey::int2[])[0:cardinality(c.conkey) - 1]))
				= (SELECT array_agg(a.attname ORDER BY a.attname) FROM pg_attribute a
				   WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)));
-- 7. no SECURITY DEFINER function is executable by anon (Supabase's
-- anon_security_definer_function_executable; authenticated executes the
-- tenancy model's, by design: tenancy_membership lists them)
CREATE TEMP VIEW rule_7 AS
SELECT proc FROM fenta_proc WHERE prosecdef AND has_function_privilege('anon', oid, 'EXECUTE');
-- 8. no materialized view, and no view without security_invoker, that anon
-- or authenticated can read (materialized_view_in_api, security_definer_view)
CREATE TEMP VIEW rule_8 AS
SELECT c.oid::regclass AS rel FROM pg_class c
WHERE c.relnamespace IN ('public'::regnamespace, 'fenta'::regnamespace)
	AND (c.relkind = 'm' OR (c.relkind = 'v' AND NOT coalesce(c.reloptions::text[] && ARRAY['security_invoker=true', 'security_invoker=on'], false)))
	AND (has_table_privilege('anon', c.oid, 'SELECT') OR has_table_privilege('authenticated', c.oid, 'SELECT'));
-- 9. no SECURITY DEFINER function in schema public (exposed by PostgREST)
-- is executable by anon or authenticated (Supabase's
-- authenticated_security_definer_function_executable): a public RPC that
-- needs the owner's rights is a SECURITY INVOKER wrapper of its body in
-- fenta, which PostgREST does not expose
CREATE TEMP VIEW rule_9 AS
SELECT p.proc FROM fenta_proc p JOIN pg_proc f ON f.oid = p.oid
WHERE p.prosecdef AND f.pronamespace = 'public'::regnamespace
	AND (has_function_privilege('anon', p.oid, 'EXECUTE') OR has_function_privilege('authenticated', p.oid, 'EXECUTE'));
-- every rule holds: the lists of offenders are empty
SELECT * FROM rule_1 ORDER BY rel::text, role, cmd;
SELECT * FROM rule_2 ORDER BY rel::text, polname;
SELECT * FROM rule_3 ORDER BY rel::text, polname;
SELECT * FROM rule_4 ORDER BY rel::text;
SELECT * FROM rule_5 ORDER BY proc::text;
SELECT * FROM rule_6 ORDER BY rel::text, conname, missing_on::text;
SELECT * FROM rule_7 ORDER BY proc::text;
SELECT * FROM rule_8 ORDER BY rel::text;
SELECT * FROM rule_9 ORDER BY proc::text;

-- and each rule catches what it is about: one offence of each, rolled back
BEGIN;
CREATE POLICY jobs_select_twice ON public.jobs FOR ALL USING (created_by = auth.uid());
ALTER TABLE public.renders DISABLE ROW LEVEL SECURITY;
ALTER FUNCTION fenta.member_org_ids(public.member_role) RESET search_path;
SET LOCAL fenta.allow_drop = on;
DROP INDEX public.idx_jobs_created_by;
GRANT EXECUTE ON FUNCTION fenta.has_org_role(uuid, public.member_role) TO anon;
CREATE MATERIALIZED VIEW public.exposed_matview AS SELECT 1 AS one;
GRANT SELECT ON public.exposed_matview TO authenticated;
ALTER VIEW public.template_gallery RESET (security_invoker);
ALTER FUNCTION public.decline_invitation(text) SECURITY DEFINER;
SELECT (SELECT string_agg(DISTINCT rel::text || ' ' || policies, '; ') FROM rule_1) AS rule_1,
	(SELECT string_agg(polname, ', ') FROM rule_2) AS rule_2,
	(SELECT string_agg(polname, ', ') FROM rule_3) AS rule_3,
	(SELECT string_agg(rel::text, ', ') FROM rule_4) AS rule_4,
	(SELECT string_agg(proc::text, ', ') FROM rule_5) AS rule_5,
	(SELECT string_agg(conname, ', ') FROM rule_6) AS rule_6;
SELECT (SELECT string_agg(proc::text, ', ') FROM rule_7) AS rule_7,
	(SELECT string_agg(rel::text, ', ' ORDER BY rel::text) FROM rule_8) AS rule_8,
	(SELECT string_agg(proc::text, ', ' ORDER BY proc::text) FROM rule_9) AS rule_9;
ROLLBACK;
