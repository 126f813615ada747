-- pg_temp.fenta_catalog(): every object of the fenta extension with its full
-- definition, one row per fact, independent of OIDs and of column order.
-- Used by the schema test and by test/t/update.sh, which compares the catalog
-- of an updated extension with that of a fresh install.
CREATE FUNCTION pg_temp.fenta_acl(acl aclitem[]) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(string_agg(a::text, ' ' ORDER BY a::text), '') FROM unnest(acl) a
$$;
CREATE FUNCTION pg_temp.fenta_catalog()
RETURNS TABLE (kind text, object text, detail text)
LANGUAGE sql
AS $$
WITH ext AS (
	SELECT oid FROM pg_extension WHERE extname = 'fenta'
), member AS (
	SELECT d.classid, d.objid FROM pg_depend d, ext
	WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
), rel AS (
	SELECT c.* FROM pg_class c JOIN member m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
	UNION
	-- partitions created later belong to the data, not the extension: only
	-- the members count here
	SELECT c.* FROM pg_class c WHERE false
)
SELECT 'relation', r.oid::regclass::text,
	concat_ws(' | ', r.relkind::text, r.relpersistence::text,
			  CASE WHEN r.relrowsecurity THEN 'rls' END, CASE WHEN r.relforcerowsecurity THEN 'force rls' END,
			  CASE WHEN r.relispartition THEN 'partition of ' || (SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = r.oid)
				   || ' ' || pg_get_expr(r.relpartbound, r.oid) END,
			  CASE WHEN r.relkind = 'p' THEN pg_get_partkeydef(r.oid) END,
			  'acl: ' || pg_temp.fenta_acl(r.relacl),
			  'comment: ' || obj_description(r.oid, 'pg_class'))
FROM rel r
UNION ALL
SELECT 'column', r.oid::regclass::text || '.' || a.attname,
	concat_ws(' | ', format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN 'not null' END,
			  'default ' || pg_get_expr(ad.adbin, ad.adrelid), CASE WHEN a.attgenerated <> '' THEN 'generated' END,
			  CASE WHEN a.attidentity <> '' THEN 'identity ' || a.attidentity::text END,
			  'acl: ' || pg_temp.fenta_acl(a.attacl),
			  'comment: ' || col_description(r.oid, a.attnum))
FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef ad ON ad.adrelid = r.oid AND ad.adnum = a.attnum
WHERE r.relkind IN ('r', 'p', 'v', 'm', 'f')
UNION ALL
SELECT 'constraint', r.oid::regclass::text || ' ' || co.conname, pg_get_constraintdef(co.oid)
FROM rel r JOIN pg_constraint co ON co.conrelid = r.oid
UNION ALL
SELECT 'index', r.oid::regclass::text || ' ' || i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM rel r JOIN pg_index i ON i.indrelid = r.oid
UNION ALL
SELECT 'trigger', t.tgrelid::regclass::text || ' ' || t.tgname,
	pg_get_triggerdef(t.oid) || CASE t.tgenabled WHEN 'O' THEN '' ELSE ' enabled=' || t.tgenabled::text END
FROM pg_trigger t
WHERE NOT t.tgisinternal
	AND (t.tgrelid IN (SELECT oid FROM rel) OR t.tgfoid IN (SELECT objid FROM member WHERE classid = 'pg_proc'::regclass))
UNION ALL
SELECT 'policy', p.polrelid::regclass::text || ' ' || p.polname,
	concat_ws(' | ', p.polcmd::text, CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END,
			  'to ' || (SELECT string_agg(CASE WHEN x = 0 THEN 'public' ELSE x::regrole::text END, ',' ORDER BY 1)
						FROM unnest(p.polroles) x),
			  'using ' || pg_get_expr(p.polqual, p.polrelid), 'check ' || pg_get_expr(p.polwithcheck, p.polrelid))
FROM pg_policy p
WHERE p.polrelid IN (SELECT oid FROM rel)
UNION ALL
SELECT 'function', p.oid::regprocedure::text,
	pg_get_functiondef(p.oid) || E'\nacl: ' || pg_temp.fenta_acl(p.proacl)
		|| E'\ncomment: ' || coalesce(obj_description(p.oid, 'pg_proc'), '')
FROM pg_proc p JOIN member m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
UNION ALL
SELECT 'type', t.oid::regtype::text,
	concat_ws(' | ', t.typtype::text,
			  (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid),
			  'acl: ' || pg_temp.fenta_acl(t.typacl),
			  'comment: ' || obj_description(t.oid, 'pg_type'))
FROM pg_type t JOIN member m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
UNION ALL
SELECT 'schema', n.nspname,
	concat_ws(' | ', 'acl: ' || pg_temp.fenta_acl(n.nspacl), 'comment: ' || obj_description(n.oid, 'pg_namespace'))
FROM pg_namespace n JOIN member m ON m.classid = 'pg_namespace'::regclass AND m.objid = n.oid
UNION ALL
SELECT 'event trigger', e.evtname, concat_ws(' | ', e.evtevent, e.evtfoid::regproc::text, e.evttags::text, e.evtenabled::text)
FROM pg_event_trigger e JOIN member m ON m.classid = 'pg_event_trigger'::regclass AND m.objid = e.oid
UNION ALL
SELECT 'view', r.oid::regclass::text, pg_get_viewdef(r.oid)
FROM rel r WHERE r.relkind IN ('v', 'm')
UNION ALL
SELECT 'config dump', c.oid::regclass::text, coalesce(x.cond, '')
FROM pg_extension e, ext,
	unnest(e.extconfig, e.extcondition) AS x(cfg, cond) JOIN pg_class c ON c.oid = x.cfg
WHERE e.oid = ext.oid
UNION ALL
SELECT 'other member', pg_describe_object(m.classid, m.objid, 0), ''
FROM member m
WHERE m.classid NOT IN ('pg_class'::regclass, 'pg_proc'::regclass, 'pg_type'::regclass,
						'pg_namespace'::regclass, 'pg_event_trigger'::regclass)
ORDER BY 1, 2, 3
$$;
