--
-- The installed schema: every table, column, type, constraint, index,
-- trigger and policy of the design, and the rules every object follows.
--

-- the 22 tables of the original design (and the default partition)
SELECT c.relname, c.relkind, c.relrowsecurity AS rls,
	(SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
	AND c.relname NOT LIKE 'usage\_records\_2%'
ORDER BY 1;

-- enumerations, created before the tables
SELECT t.typname, string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder) AS labels
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
WHERE t.typnamespace = 'public'::regnamespace
GROUP BY t.typname ORDER BY 1;

-- every column, with type, nullability and default
SELECT c.relname || '.' || a.attname AS "column", format_type(a.atttypid, a.atttypmod) AS type,
	a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS "default"
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY c.relname, a.attnum;

-- constraints
SELECT conrelid::regclass AS "table", conname, contype
FROM pg_constraint
WHERE connamespace = 'public'::regnamespace AND conrelid <> 0
	AND conrelid::regclass::text NOT LIKE 'usage\_records\_%'
ORDER BY 1, 2;

-- indexes
SELECT tablename, indexname FROM pg_indexes
WHERE schemaname IN ('public', 'fenta') AND tablename NOT LIKE 'usage\_records\_%'
ORDER BY 1, 2;

-- triggers
SELECT tgrelid::regclass AS "table", tgname, tgfoid::regproc AS function
FROM pg_trigger
WHERE NOT tgisinternal AND tgfoid IN (SELECT oid FROM pg_proc WHERE pronamespace = 'fenta'::regnamespace)
ORDER BY 1, 2;

-- policies
SELECT tablename, policyname, cmd, roles FROM pg_policies
WHERE schemaname = 'public' ORDER BY 1, 2;

--
-- Rules.  Each query lists the offenders: none expected.
--

-- the indexes the original design names (idx_usage_records_org_date is, on
-- each partition, usage_records_<partition>_org_id_created_at_idx: see
-- sql/src/40_billing.sql for why the partitioned parent has no index)
SELECT i AS missing_index FROM unnest(ARRAY[
	'idx_workflows_active', 'idx_templates_public', 'idx_api_keys_valid', 'idx_schedules_enabled',
	'idx_webhook_deliveries_pending', 'idx_credit_packs_available', 'idx_templates_spec',
	'idx_workflows_graph', 'idx_assets_metadata', 'idx_jobs_config', 'idx_jobs_org_status',
	'usage_records_default_org_id_created_at_idx']) i
WHERE to_regclass('public.' || i) IS NULL;

-- a foreign key without an index whose leading columns cover it (on a
-- partitioned table, the partitions hold the indexes)
SELECT co.conrelid::regclass AS "table", co.conname AS unindexed_foreign_key
FROM pg_constraint co
WHERE co.contype = 'f' AND co.connamespace = 'public'::regnamespace
	AND NOT EXISTS (
		SELECT FROM pg_index i
		WHERE i.indrelid = co.conrelid
			AND (i.indkey::int2[])[0:cardinality(co.conkey) - 1] @> co.conkey
			AND (i.indkey::int2[])[0:cardinality(co.conkey) - 1] <@ co.conkey)
	AND (SELECT relkind FROM pg_class WHERE oid = co.conrelid) <> 'p'
	AND NOT co.conrelid::regclass::text LIKE 'usage\_records\_2%'
ORDER BY 1, 2;

-- a status column without an index
SELECT c.relname AS "table", a.attname AS unindexed_status_column
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
	AND a.attname = 'status'
	AND NOT EXISTS (SELECT FROM pg_index i WHERE i.indrelid = c.oid AND a.attnum = ANY (i.indkey::int2[]))
ORDER BY 1;

-- a spec, graph, metadata or config column without a GIN index (the
-- partitions of usage_records hold its indexes: the default one is checked)
SELECT c.relname AS "table", a.attname AS jsonb_without_gin
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
WHERE c.relnamespace = 'public'::regnamespace
	AND (c.relkind = 'r' AND NOT c.relispartition OR c.relname = 'usage_records_default')
	AND a.attname IN ('spec', 'graph', 'metadata', 'config') AND a.atttypid = 'jsonb'::regtype
	AND NOT EXISTS (SELECT FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam
					WHERE i.indrelid = c.oid AND am.amname = 'gin' AND i.indkey[0] = a.attnum)
ORDER BY 1, 2;

-- a table without created_at/updated_at, a tenant table without org_id, a
-- critical table without deleted_at
SELECT c.relname AS "table", x.col AS missing_column
FROM pg_class c, LATERAL (VALUES ('created_at'), ('updated_at'), ('org_id'), ('deleted_at')) x(col)
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
	AND (x.col IN ('created_at', 'updated_at')
		 OR (x.col = 'org_id' AND c.relname NOT IN ('profiles', 'orgs'))
		 OR (x.col = 'deleted_at' AND c.relname IN ('orgs', 'projects', 'templates', 'workflows', 'assets',
												   'jobs', 'webhooks', 'integrations')))
	AND NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = x.col AND NOT a.attisdropped)
ORDER BY 1, 2;

-- a primary key without a time-ordered default (profiles takes the auth id)
SELECT c.relname AS pk_without_uuidv7_default
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'id'
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
	AND c.relname <> 'profiles'
	AND coalesce(pg_get_expr(d.adbin, d.adrelid), '') <> 'fenta.uuid_generate_v7()'
ORDER BY 1;

-- a table or partition without row level security
SELECT c.oid::regclass AS table_without_rls FROM pg_class c
WHERE c.relnamespace IN ('public'::regnamespace, 'fenta'::regnamespace) AND c.relkind IN ('r', 'p')
	AND NOT c.relrowsecurity
ORDER BY 1;

-- a policy for PUBLIC, or calling auth.uid() per row instead of (select auth.uid())
SELECT tablename, policyname AS bad_policy FROM pg_policies
WHERE schemaname = 'public'
	AND ('public' = ANY (roles)
		 OR regexp_replace(coalesce(qual, '') || coalesce(with_check, ''), '\(\s*SELECT auth\.uid\(\) AS uid\)', '', 'g') ~ 'auth\.uid\(\)')
ORDER BY 1, 2;

-- a table, column or function of fenta without a comment
SELECT 'table' AS kind, c.oid::regclass::text AS undocumented FROM pg_class c
WHERE c.relnamespace IN ('public'::regnamespace, 'fenta'::regnamespace) AND c.relkind IN ('r', 'p', 'v', 'm')
	AND obj_description(c.oid, 'pg_class') IS NULL
UNION ALL
SELECT 'column', c.oid::regclass::text || '.' || a.attname FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relnamespace IN ('public'::regnamespace, 'fenta'::regnamespace) AND c.relkind IN ('r', 'p', 'v', 'm')
	AND NOT c.relispartition AND col_description(c.oid, a.attnum) IS NULL
UNION ALL
SELECT 'function', p.oid::regprocedure::text FROM pg_proc p
WHERE p.pronamespace IN ('public'::regnamespace, 'fenta'::regnamespace)
	AND EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
				AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'fenta'))
	AND obj_description(p.oid, 'pg_proc') IS NULL
ORDER BY 1, 2;

-- a SECURITY DEFINER function without a pinned search_path
SELECT p.oid::regprocedure AS definer_without_search_path FROM pg_proc p
WHERE p.prosecdef AND p.pronamespace IN ('public'::regnamespace, 'fenta'::regnamespace)
	AND NOT coalesce(p.proconfig, '{}') @> ARRAY['search_path=""']
ORDER BY 1;

-- a table of the extension whose rows pg_dump would not dump
SELECT c.oid::regclass AS table_not_dumped FROM pg_class c
JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
	AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'fenta')
WHERE c.relkind = 'r'
	AND c.oid <> ALL ((SELECT extconfig FROM pg_extension WHERE extname = 'fenta')::oid[])
ORDER BY 1;

-- anon and authenticated get nothing by Supabase's default grants: what they
-- hold is exactly what fenta granted
SELECT table_name, grantee, string_agg(privilege_type, ', ' ORDER BY privilege_type) AS privileges
FROM information_schema.role_table_grants
WHERE table_schema = 'public' AND grantee IN ('anon', 'authenticated')
	AND table_name NOT LIKE 'usage\_records\_%'
GROUP BY 1, 2 ORDER BY 1, 2;
