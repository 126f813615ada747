-- ===========================================================================
-- The drop guard: nothing fenta owns disappears, directly or by cascade,
-- unless the session has said so first:
--
--     SET fenta.allow_drop = on;
--     DROP EXTENSION fenta CASCADE;
--
-- Guarded: the extension and its members; the policies, triggers,
-- constraints, defaults, indexes and columns fenta made on its tables (and
-- its signup trigger on auth.users), listed in fenta.guarded_objects; the
-- monthly partitions public.usage_records_YYYY_MM and the archived months
-- in fenta_archive.  Unrelated drops always work.  See src/guard.c.
-- ===========================================================================

CREATE FUNCTION fenta.drop_allowed()
RETURNS boolean
LANGUAGE c STABLE
AS 'MODULE_PATHNAME', 'fenta_drop_allowed';
COMMENT ON FUNCTION fenta.drop_allowed() IS
'True when this session may drop objects fenta owns: fenta.allow_drop is on, or fenta''s own install or update script is running.';
REVOKE ALL ON FUNCTION fenta.drop_allowed() FROM PUBLIC, anon, authenticated, service_role;

-- What fenta made on its tables and elsewhere, by object address, as
-- pg_event_trigger_dropped_objects() reports a dropped object.
CREATE TABLE fenta.guarded_objects (
	classid oid NOT NULL,
	objid oid NOT NULL,
	objsubid integer NOT NULL,
	object_type text NOT NULL,
	object_identity text NOT NULL,
	CONSTRAINT guarded_objects_pkey PRIMARY KEY (classid, objid, objsubid)
);
COMMENT ON TABLE fenta.guarded_objects IS 'The drop guard''s registry: fenta''s members and the policies, triggers, constraints, defaults, indexes and columns fenta made, by object address. Filled by fenta.guard_register() at the end of every install and update script; a restore rebuilds it (its rows are not dumped).';
COMMENT ON COLUMN fenta.guarded_objects.classid IS 'Catalog of the object (pg_class, pg_policy, pg_trigger, ...).';
COMMENT ON COLUMN fenta.guarded_objects.objid IS 'OID of the object (for a column: of its table).';
COMMENT ON COLUMN fenta.guarded_objects.objsubid IS 'Column number for a column, else 0.';
COMMENT ON COLUMN fenta.guarded_objects.object_type IS 'Object type, as pg_identify_object() names it.';
COMMENT ON COLUMN fenta.guarded_objects.object_identity IS 'Object identity, as pg_identify_object() gives it.';
ALTER TABLE fenta.guarded_objects ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON fenta.guarded_objects FROM PUBLIC, anon, authenticated, service_role;
SELECT pg_catalog.pg_extension_config_dump('fenta.guarded_objects', 'WHERE false');

-- Fills the registry from the catalog: the members, and what depends on
-- them that is not a member (policies, triggers, constraints, defaults,
-- indexes, rewrite rules, owned sequences), and the columns of the member
-- tables.  Run at the end of the install script (nothing of a customer's
-- exists yet) and of every update script.
CREATE FUNCTION fenta.guard_register(known text[] DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	n integer;
BEGIN
	DELETE FROM fenta.guarded_objects;
	WITH RECURSIVE ext AS (
		SELECT e.oid FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'fenta'
	), members AS (
		SELECT d.classid, d.objid, 0 AS objsubid
		FROM pg_catalog.pg_depend d, ext
		WHERE d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
			AND d.refobjid OPERATOR(pg_catalog.=) ext.oid AND d.deptype OPERATOR(pg_catalog.=) 'e'
	), made (classid, objid) AS (
		SELECT d.classid, d.objid
		FROM pg_catalog.pg_depend d JOIN members m
			ON d.refclassid OPERATOR(pg_catalog.=) m.classid AND d.refobjid OPERATOR(pg_catalog.=) m.objid
		WHERE d.deptype OPERATOR(pg_catalog.<>) 'e'
			AND (d.deptype OPERATOR(pg_catalog.=) ANY ('{a,i}'::"char"[])
				OR d.classid OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.pg_trigger'::pg_catalog.regclass,
					'pg_catalog.pg_policy'::pg_catalog.regclass, 'pg_catalog.pg_attrdef'::pg_catalog.regclass]::pg_catalog.oid[]))
			AND d.classid OPERATOR(pg_catalog.=) ANY (ARRAY['pg_catalog.pg_trigger'::pg_catalog.regclass,
				'pg_catalog.pg_policy'::pg_catalog.regclass, 'pg_catalog.pg_attrdef'::pg_catalog.regclass,
				'pg_catalog.pg_constraint'::pg_catalog.regclass, 'pg_catalog.pg_rewrite'::pg_catalog.regclass,
				'pg_catalog.pg_class'::pg_catalog.regclass]::pg_catalog.oid[])
		UNION
		SELECT d.classid, d.objid
		FROM pg_catalog.pg_depend d JOIN made m
			ON d.refclassid OPERATOR(pg_catalog.=) m.classid AND d.refobjid OPERATOR(pg_catalog.=) m.objid
		WHERE d.deptype OPERATOR(pg_catalog.=) ANY ('{a,i}'::"char"[])
	), objects AS (
		SELECT classid, objid, objsubid, true AS member FROM members
		UNION
		SELECT classid, objid, 0, false FROM made
		UNION
		SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, a.attrelid, a.attnum::integer, false
		FROM pg_catalog.pg_attribute a JOIN members m
			ON m.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
			AND a.attrelid OPERATOR(pg_catalog.=) m.objid
		WHERE a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
	)
	INSERT INTO fenta.guarded_objects (classid, objid, objsubid, object_type, object_identity)
	SELECT DISTINCT ON (o.classid, o.objid, o.objsubid) o.classid, o.objid, o.objsubid, i.type, i.identity
	FROM objects o, pg_catalog.pg_identify_object(o.classid, o.objid, o.objsubid) i
	-- an update passes what a fresh install has: objects of a customer's own
	-- on fenta's tables are then not taken for fenta's
	-- TOAST tables and the foreign keys' internal triggers are named by OID
	-- and go with their table or constraint
	WHERE i.schema IS DISTINCT FROM 'pg_toast'
		AND NOT EXISTS (SELECT FROM pg_catalog.pg_trigger t
			WHERE o.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass
				AND t.oid OPERATOR(pg_catalog.=) o.objid AND t.tgisinternal)
		AND (o.member OR guard_register.known IS NULL
		OR (i.type OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) i.identity) OPERATOR(pg_catalog.=) ANY (guard_register.known))
	ORDER BY o.classid, o.objid, o.objsubid, o.member DESC;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION fenta.guard_register(text[]) IS
'Refills fenta.guarded_objects from the catalog (members of fenta, what depends on them that fenta made, the columns of its tables); returns the number of objects. known: when given (by an update script), only sub-objects whose type and identity a fresh install has are registered, so that objects of your own on fenta''s tables are not taken for fenta''s.';
REVOKE ALL ON FUNCTION fenta.guard_register(text[]) FROM PUBLIC, anon, authenticated, service_role;

-- sql_drop: what a statement really dropped, while fenta itself survives.
CREATE FUNCTION fenta.guard_sql_drop()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	hit text;
BEGIN
	IF fenta.drop_allowed() THEN
		RETURN;
	END IF;
	SELECT d.object_type OPERATOR(pg_catalog.||) ' ' OPERATOR(pg_catalog.||) d.object_identity INTO hit
	FROM pg_catalog.pg_event_trigger_dropped_objects() d
	WHERE EXISTS (SELECT FROM fenta.guarded_objects g
			WHERE g.classid OPERATOR(pg_catalog.=) d.classid AND g.objid OPERATOR(pg_catalog.=) d.objid
				AND g.objsubid OPERATOR(pg_catalog.=) d.objsubid)
		OR (d.object_type OPERATOR(pg_catalog.=) 'table'
			AND ((d.schema_name OPERATOR(pg_catalog.=) 'public'
					AND d.object_name OPERATOR(pg_catalog.~) '^usage_records_[0-9]{4}_[0-9]{2}$')
				OR d.schema_name OPERATOR(pg_catalog.=) 'fenta_archive'))
	LIMIT 1;
	IF hit IS NOT NULL THEN
		RAISE EXCEPTION 'this statement would drop %, which belongs to fenta', hit
			USING ERRCODE = 'dependent_objects_still_exist',
				DETAIL = pg_catalog.format('The command %s was rolled back by the event trigger fenta_guard_sql_drop.', TG_TAG),
				HINT = 'To drop it on purpose, run SET fenta.allow_drop = on; in the same session first.';
	END IF;
END
$$;
COMMENT ON FUNCTION fenta.guard_sql_drop() IS
'Event trigger function (sql_drop): rolls back a statement that dropped an object fenta owns (fenta.guarded_objects, a monthly partition of usage_records, an archived month) unless fenta.allow_drop is on.';
REVOKE ALL ON FUNCTION fenta.guard_sql_drop() FROM PUBLIC, anon, authenticated, service_role;

CREATE FUNCTION fenta.guard_ddl_start()
RETURNS event_trigger
LANGUAGE c
AS 'MODULE_PATHNAME', 'fenta_guard_ddl_start';
COMMENT ON FUNCTION fenta.guard_ddl_start() IS
'Event trigger function (ddl_command_start): refuses a DROP or DROP OWNED statement that would drop the fenta extension, directly or by cascade (it follows pg_depend from what the statement names), unless fenta.allow_drop is on.';
REVOKE ALL ON FUNCTION fenta.guard_ddl_start() FROM PUBLIC, anon, authenticated, service_role;

CREATE EVENT TRIGGER fenta_guard_ddl_start ON ddl_command_start
	WHEN TAG IN ('DROP EXTENSION', 'DROP SCHEMA', 'DROP OWNED', 'DROP TABLE', 'DROP VIEW',
		'DROP MATERIALIZED VIEW', 'DROP FUNCTION', 'DROP PROCEDURE', 'DROP ROUTINE',
		'DROP AGGREGATE', 'DROP TYPE', 'DROP DOMAIN', 'DROP SEQUENCE', 'DROP INDEX',
		'DROP FOREIGN TABLE', 'DROP OPERATOR', 'DROP COLLATION', 'DROP CAST',
		'DROP TEXT SEARCH CONFIGURATION', 'DROP TEXT SEARCH DICTIONARY', 'DROP CONVERSION',
		'DROP OPERATOR CLASS', 'DROP OPERATOR FAMILY', 'DROP SERVER', 'DROP FOREIGN DATA WRAPPER')
	EXECUTE FUNCTION fenta.guard_ddl_start();
CREATE EVENT TRIGGER fenta_guard_sql_drop ON sql_drop
	EXECUTE FUNCTION fenta.guard_sql_drop();
