-- ===========================================================================
-- Objects of your own on fenta's tables (a column, a CHECK or foreign key,
-- an index, a trigger, a policy, a rule) survive pg_dump and restore.
--
-- pg_dump dumps the rows of an extension's tables but not their
-- definitions, so anything added to them is not in a dump: a RESTRICTIVE
-- policy was lost silently, and an added column made the data restore fail.
-- fenta keeps their definitions in fenta.customer_objects, refreshed at the
-- end of every DDL command; the table's rows are dumped, and when a restore
-- inserts them (before the rows of public.*: pg_dump loads schema fenta
-- first) a trigger, enabled ALWAYS so that it fires under
-- session_replication_role = replica, re-creates each object.
-- ===========================================================================

CREATE TABLE fenta.customer_objects (
	position integer NOT NULL,
	object_type text NOT NULL,
	object_identity text NOT NULL,
	definition text NOT NULL,
	CONSTRAINT customer_objects_pkey PRIMARY KEY (position)
);
COMMENT ON TABLE fenta.customer_objects IS 'Definitions of the objects you added to fenta''s tables (columns, constraints, indexes, triggers, policies, rules), in the order a restore re-creates them; refreshed at the end of every DDL command, dumped, and replayed when a restore loads its rows.';
COMMENT ON COLUMN fenta.customer_objects.position IS 'Replay order: columns first, then constraints, indexes, triggers, policies and rules.';
COMMENT ON COLUMN fenta.customer_objects.object_type IS 'Object type, as pg_identify_object() names it.';
COMMENT ON COLUMN fenta.customer_objects.object_identity IS 'Object identity, as pg_identify_object() gives it.';
COMMENT ON COLUMN fenta.customer_objects.definition IS 'The statement that re-creates the object.';
ALTER TABLE fenta.customer_objects ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON fenta.customer_objects FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON fenta.customer_objects TO service_role;
SELECT pg_catalog.pg_extension_config_dump('fenta.customer_objects', '');

-- The definitions, from the catalog: every sub-object of fenta's tables that
-- fenta did not make (fenta.guarded_objects lists what it made).
CREATE FUNCTION fenta.customer_object_definitions()
RETURNS TABLE (object_type text, object_identity text, definition text, kind integer)
LANGUAGE sql STABLE
SET search_path = ''
AS $$
	WITH tables AS (
		SELECT d.objid AS relid
		FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) d.refobjid
		WHERE e.extname OPERATOR(pg_catalog.=) 'fenta'
			AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
			AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
			AND d.deptype OPERATOR(pg_catalog.=) 'e'
			AND EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) d.objid
				AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::"char"[]))
	), made AS (
		SELECT g.classid, g.objid, g.objsubid FROM fenta.guarded_objects g
	), objects AS (
		-- columns
		SELECT 1 AS kind, 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid AS classid,
			a.attrelid AS objid, a.attnum::integer AS objsubid,
			pg_catalog.format('ALTER TABLE %s ADD COLUMN %I %s%s%s%s', a.attrelid::pg_catalog.regclass, a.attname,
				pg_catalog.format_type(a.atttypid, a.atttypmod),
				CASE WHEN a.attcollation OPERATOR(pg_catalog.<>) 0
					AND a.attcollation OPERATOR(pg_catalog.<>) (SELECT t.typcollation FROM pg_catalog.pg_type t WHERE t.oid OPERATOR(pg_catalog.=) a.atttypid)
					THEN ' COLLATE ' OPERATOR(pg_catalog.||) a.attcollation::pg_catalog.regcollation::pg_catalog.text ELSE '' END,
				CASE WHEN ad.oid IS NULL THEN ''
					WHEN a.attgenerated OPERATOR(pg_catalog.=) 's' THEN ' GENERATED ALWAYS AS (' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) OPERATOR(pg_catalog.||) ') STORED'
					ELSE ' DEFAULT ' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END,
				CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END) AS definition
		FROM pg_catalog.pg_attribute a JOIN tables t ON t.relid OPERATOR(pg_catalog.=) a.attrelid
			LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid OPERATOR(pg_catalog.=) a.attrelid AND ad.adnum OPERATOR(pg_catalog.=) a.attnum
		WHERE a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
		UNION ALL
		-- constraints (a unique or exclusion constraint brings its index)
		SELECT 2, 'pg_catalog.pg_constraint'::pg_catalog.regclass::pg_catalog.oid, c.oid, 0,
			pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::pg_catalog.regclass, c.conname,
				pg_catalog.pg_get_constraintdef(c.oid))
		FROM pg_catalog.pg_constraint c JOIN tables t ON t.relid OPERATOR(pg_catalog.=) c.conrelid
		WHERE c.conparentid OPERATOR(pg_catalog.=) 0
		UNION ALL
		-- indexes not made by a constraint
		SELECT 3, 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, i.indexrelid, 0,
			pg_catalog.pg_get_indexdef(i.indexrelid)
		FROM pg_catalog.pg_index i JOIN tables t ON t.relid OPERATOR(pg_catalog.=) i.indrelid
		WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_constraint c WHERE c.conindid OPERATOR(pg_catalog.=) i.indexrelid
			AND c.conrelid OPERATOR(pg_catalog.=) i.indrelid)
		UNION ALL
		-- triggers
		SELECT 4, 'pg_catalog.pg_trigger'::pg_catalog.regclass::pg_catalog.oid, tg.oid, 0,
			pg_catalog.pg_get_triggerdef(tg.oid)
		FROM pg_catalog.pg_trigger tg JOIN tables t ON t.relid OPERATOR(pg_catalog.=) tg.tgrelid
		WHERE NOT tg.tgisinternal AND tg.tgparentid OPERATOR(pg_catalog.=) 0
		UNION ALL
		-- policies
		SELECT 5, 'pg_catalog.pg_policy'::pg_catalog.regclass::pg_catalog.oid, p.oid, 0,
			pg_catalog.format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s', p.polname, p.polrelid::pg_catalog.regclass,
				CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
				CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
					WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
				(SELECT pg_catalog.string_agg(CASE WHEN r OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
					ELSE pg_catalog.quote_ident(r::pg_catalog.regrole::pg_catalog.text) END, ', ')
				 FROM pg_catalog.unnest(p.polroles) r),
				CASE WHEN p.polqual IS NULL THEN ''
					ELSE ' USING (' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(p.polqual, p.polrelid) OPERATOR(pg_catalog.||) ')' END,
				CASE WHEN p.polwithcheck IS NULL THEN ''
					ELSE ' WITH CHECK (' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) OPERATOR(pg_catalog.||) ')' END)
		FROM pg_catalog.pg_policy p JOIN tables t ON t.relid OPERATOR(pg_catalog.=) p.polrelid
		UNION ALL
		-- rules
		SELECT 6, 'pg_catalog.pg_rewrite'::pg_catalog.regclass::pg_catalog.oid, rw.oid, 0,
			pg_catalog.pg_get_ruledef(rw.oid)
		FROM pg_catalog.pg_rewrite rw JOIN tables t ON t.relid OPERATOR(pg_catalog.=) rw.ev_class
		WHERE rw.rulename OPERATOR(pg_catalog.<>) '_RETURN'
	)
	SELECT i.type, i.identity, o.definition, o.kind
	FROM objects o, pg_catalog.pg_identify_object(o.classid, o.objid, o.objsubid) i
	WHERE NOT EXISTS (SELECT FROM made m WHERE m.classid OPERATOR(pg_catalog.=) o.classid
		AND m.objid OPERATOR(pg_catalog.=) o.objid AND m.objsubid OPERATOR(pg_catalog.=) o.objsubid)
$$;
COMMENT ON FUNCTION fenta.customer_object_definitions() IS
'The objects on fenta''s tables that fenta did not make (not in fenta.guarded_objects), each with the statement that re-creates it.';
REVOKE ALL ON FUNCTION fenta.customer_object_definitions() FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.customer_object_definitions() TO service_role;

CREATE FUNCTION fenta.customer_objects_refresh()
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	defs text[];
	n integer;
BEGIN
	SELECT coalesce(pg_catalog.array_agg(pg_catalog.concat_ws(E'\n', d.object_type, d.object_identity, d.definition)
			ORDER BY d.kind, d.object_identity), '{}')
	INTO defs FROM fenta.customer_object_definitions() d;
	-- most DDL changes nothing here: then write nothing and wait for nobody
	IF defs OPERATOR(pg_catalog.=) (SELECT coalesce(pg_catalog.array_agg(pg_catalog.concat_ws(E'\n', c.object_type, c.object_identity, c.definition)
			ORDER BY c.position), '{}') FROM fenta.customer_objects c) THEN
		RETURN pg_catalog.cardinality(defs);
	END IF;
	-- one refresh at a time ('fent', 2); the catalog is read again under it
	PERFORM pg_catalog.pg_advisory_xact_lock(1717923444, 2);
	-- rows written here are not to be replayed
	PERFORM pg_catalog.set_config('fenta_internal.customer_objects_refresh', 'on', true);
	DELETE FROM fenta.customer_objects;
	INSERT INTO fenta.customer_objects (position, object_type, object_identity, definition)
	SELECT pg_catalog.row_number() OVER (ORDER BY d.kind, d.object_identity), d.object_type, d.object_identity, d.definition
	FROM fenta.customer_object_definitions() d;
	GET DIAGNOSTICS n = ROW_COUNT;
	PERFORM pg_catalog.set_config('fenta_internal.customer_objects_refresh', 'off', true);
	RETURN n;
END
$$;
COMMENT ON FUNCTION fenta.customer_objects_refresh() IS
'Refills fenta.customer_objects from the catalog when it differs (under an advisory transaction lock, so that concurrent refreshes queue instead of colliding); returns the number of objects. Run at the end of every DDL command (event trigger fenta_customer_objects) and of every install and update script.';
REVOKE ALL ON FUNCTION fenta.customer_objects_refresh() FROM PUBLIC, anon, authenticated, service_role;

CREATE FUNCTION fenta.customer_objects_ddl_end()
RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	IF EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands()) THEN
		-- only a command outside an extension script (fenta's own scripts
		-- refresh at their end) on one of fenta's tables or on an object of
		-- one: a monthly partition, a table of the customer's, ... change
		-- nothing here
		IF NOT EXISTS (
			SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() c
			WHERE NOT c.in_extension
				AND EXISTS (SELECT FROM pg_catalog.pg_depend d
					WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
						AND d.deptype OPERATOR(pg_catalog.=) 'e'
						AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
						AND d.refobjid OPERATOR(pg_catalog.=) (SELECT e.oid FROM pg_catalog.pg_extension e
							WHERE e.extname OPERATOR(pg_catalog.=) 'fenta')
						AND d.objid OPERATOR(pg_catalog.=) CASE c.classid
							WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN coalesce(
								(SELECT i.indrelid FROM pg_catalog.pg_index i WHERE i.indexrelid OPERATOR(pg_catalog.=) c.objid), c.objid)
							WHEN 'pg_catalog.pg_policy'::pg_catalog.regclass THEN
								(SELECT p.polrelid FROM pg_catalog.pg_policy p WHERE p.oid OPERATOR(pg_catalog.=) c.objid)
							WHEN 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN
								(SELECT t.tgrelid FROM pg_catalog.pg_trigger t WHERE t.oid OPERATOR(pg_catalog.=) c.objid)
							WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN
								(SELECT k.conrelid FROM pg_catalog.pg_constraint k WHERE k.oid OPERATOR(pg_catalog.=) c.objid)
							WHEN 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN
								(SELECT r.ev_class FROM pg_catalog.pg_rewrite r WHERE r.oid OPERATOR(pg_catalog.=) c.objid)
							END)) THEN
			RETURN;
		END IF;
	ELSIF pg_catalog.current_setting('fenta_internal.customer_objects_dropped', true) IS DISTINCT FROM 'on' THEN
		-- a DROP reports its objects at sql_drop (fenta.customer_objects_sql_drop)
		RETURN;
	END IF;
	PERFORM pg_catalog.set_config('fenta_internal.customer_objects_dropped', '', true);
	IF pg_catalog.to_regclass('fenta.customer_objects') IS NOT NULL THEN
		PERFORM fenta.customer_objects_refresh();
	END IF;
END
$$;
COMMENT ON FUNCTION fenta.customer_objects_ddl_end() IS
'Event trigger function (ddl_command_end): refreshes fenta.customer_objects (as the owner: whoever runs the DDL) after a command, not part of an extension script, on one of fenta''s tables or on an index, policy, trigger, constraint or rule of one, or after a DROP that may have dropped such an object.';
REVOKE ALL ON FUNCTION fenta.customer_objects_ddl_end() FROM PUBLIC, anon, authenticated, service_role;
CREATE EVENT TRIGGER fenta_customer_objects ON ddl_command_end
	EXECUTE FUNCTION fenta.customer_objects_ddl_end();

-- A DROP reports no command at ddl_command_end: note here, for the end of
-- the command, that it dropped a sub-object of a table in fenta's schemas.
CREATE FUNCTION fenta.customer_objects_sql_drop()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF EXISTS (SELECT FROM pg_catalog.pg_event_trigger_dropped_objects() d
			   WHERE d.object_type OPERATOR(pg_catalog.=) ANY ('{index,policy,trigger,table constraint,rule,default value,table column}'::text[])
				   AND d.schema_name OPERATOR(pg_catalog.=) ANY ('{public,fenta}'::text[])) THEN
		PERFORM pg_catalog.set_config('fenta_internal.customer_objects_dropped', 'on', true);
	END IF;
END
$$;
COMMENT ON FUNCTION fenta.customer_objects_sql_drop() IS
'Event trigger function (sql_drop): notes, for fenta.customer_objects_ddl_end() at the end of the command, that a DROP dropped an index, policy, trigger, constraint, rule, default or column in schema public or fenta.';
REVOKE ALL ON FUNCTION fenta.customer_objects_sql_drop() FROM PUBLIC, anon, authenticated, service_role;
CREATE EVENT TRIGGER fenta_customer_objects_dropped ON sql_drop
	EXECUTE FUNCTION fenta.customer_objects_sql_drop();

-- A restore inserts the dumped rows: re-create each object (once; one that
-- exists already is left alone).
CREATE FUNCTION fenta.customer_objects_replay()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF pg_catalog.current_setting('fenta_internal.customer_objects_refresh', true) IS NOT DISTINCT FROM 'on' THEN
		RETURN NULL;
	END IF;
	BEGIN
		EXECUTE NEW.definition;
	EXCEPTION WHEN duplicate_object OR duplicate_column OR duplicate_table THEN
		NULL;
	END;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION fenta.customer_objects_replay() IS
'AFTER INSERT row trigger on fenta.customer_objects (enabled ALWAYS): re-creates the object a restored row describes, unless it exists; rows written by fenta.customer_objects_refresh() are not replayed.';
REVOKE ALL ON FUNCTION fenta.customer_objects_replay() FROM PUBLIC, anon, authenticated, service_role;
CREATE TRIGGER customer_objects_replay AFTER INSERT ON fenta.customer_objects
	FOR EACH ROW EXECUTE FUNCTION fenta.customer_objects_replay();
ALTER TABLE fenta.customer_objects ENABLE ALWAYS TRIGGER customer_objects_replay;
