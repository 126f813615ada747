--
-- 0.4.0: the monthly partitions hold exactly their documented privileges,
-- however they were created.
--
-- fenta.maintain_partitions() gives each partition RLS, no privileges for
-- PUBLIC, anon and authenticated, and SELECT only for service_role.  A
-- restore creates the partitions with pg_dump's CREATE TABLE, which applies
-- the target's default privileges (on Supabase: ALL in public to anon,
-- authenticated and service_role), and pg_dump's GRANTs only add what the
-- source had: anon could INSERT, DELETE and TRUNCATE usage_records_YYYY_MM.
-- This event trigger runs at the end of every CREATE TABLE, ALTER TABLE
-- (ATTACH PARTITION, DETACH PARTITION, ...) and GRANT that involves
-- usage_records or a month of it, and resets every month (the partitions of
-- public.usage_records and the tables usage_records_YYYY_MM of
-- fenta_archive) whose RLS or privileges for those four roles differ.
-- Privileges granted to other roles are left alone.  It is enabled ALWAYS,
-- so that it also fires during a restore under session_replication_role =
-- replica.
--
CREATE FUNCTION fenta.usage_months_misprivileged()
RETURNS SETOF regclass
LANGUAGE sql STABLE
SET search_path = ''
AS $$
	SELECT c.oid::pg_catalog.regclass
	FROM pg_catalog.pg_class c
	WHERE c.relkind OPERATOR(pg_catalog.=) 'r'
		AND (c.oid IN (SELECT i.inhrelid FROM pg_catalog.pg_inherits i
					   WHERE i.inhparent OPERATOR(pg_catalog.=) 'public.usage_records'::pg_catalog.regclass)
			 OR (c.relnamespace OPERATOR(pg_catalog.=) 'fenta_archive'::pg_catalog.regnamespace
				 AND c.relname OPERATOR(pg_catalog.~) '^usage_records_[0-9]{4}_[0-9]{2}$'))
		AND c.oid OPERATOR(pg_catalog.<>) 'public.usage_records_default'::pg_catalog.regclass
		AND (NOT c.relrowsecurity
			 OR EXISTS (SELECT FROM pg_catalog.aclexplode(c.relacl) a
						WHERE (a.grantee OPERATOR(pg_catalog.=) 0
							   OR a.grantee IN (SELECT r.oid FROM pg_catalog.pg_roles r
												WHERE r.rolname IN ('anon', 'authenticated', 'service_role')))
							AND NOT (a.grantee OPERATOR(pg_catalog.=) (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) 'service_role')
									 AND a.privilege_type OPERATOR(pg_catalog.=) 'SELECT' AND NOT a.is_grantable))
			 OR NOT EXISTS (SELECT FROM pg_catalog.aclexplode(c.relacl) a
							WHERE a.grantee OPERATOR(pg_catalog.=) (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) 'service_role')
								AND a.privilege_type OPERATOR(pg_catalog.=) 'SELECT'))
	ORDER BY 1
$$;
COMMENT ON FUNCTION fenta.usage_months_misprivileged() IS
'The months of usage_records (partitions of public.usage_records, tables usage_records_YYYY_MM of fenta_archive; not the default partition) whose RLS is off or whose privileges for PUBLIC, anon, authenticated and service_role are not exactly: none, none, none, SELECT. Empty when all are as documented.';
REVOKE ALL ON FUNCTION fenta.usage_months_misprivileged() FROM PUBLIC, anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION fenta.usage_months_misprivileged() TO service_role;

CREATE FUNCTION fenta.secure_usage_months()
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	t pg_catalog.regclass;
	n integer := 0;
BEGIN
	-- the statements below fire the event trigger again: it returns at once
	-- while this runs (a transaction-local setting, outside the reserved
	-- fenta. prefix)
	PERFORM pg_catalog.set_config('fenta_internal.securing_usage_months', 'on', true);
	FOR t IN SELECT m FROM fenta.usage_months_misprivileged() m LOOP
		IF NOT (SELECT c.relrowsecurity FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) t) THEN
			EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
		END IF;
		EXECUTE pg_catalog.format('REVOKE ALL ON %s FROM PUBLIC, anon, authenticated, service_role', t);
		EXECUTE pg_catalog.format('GRANT SELECT ON %s TO service_role', t);
		n := n OPERATOR(pg_catalog.+) 1;
	END LOOP;
	PERFORM pg_catalog.set_config('fenta_internal.securing_usage_months', '', true);
	RETURN n;
END
$$;
COMMENT ON FUNCTION fenta.secure_usage_months() IS
'Gives every month of usage_records listed by fenta.usage_months_misprivileged() its documented RLS and privileges (RLS on; nothing for PUBLIC, anon, authenticated; SELECT for service_role; other roles untouched). Returns the number of tables fixed. Run by the event trigger fenta_secure_usage_months; callable by hand.';
REVOKE ALL ON FUNCTION fenta.secure_usage_months() FROM PUBLIC, anon, authenticated, service_role;

CREATE FUNCTION fenta.secure_usage_months_trigger()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF pg_catalog.current_setting('fenta_internal.securing_usage_months', true) OPERATOR(pg_catalog.=) 'on' THEN
		RETURN;
	END IF;
	-- GRANT and REVOKE do not name their objects here: always look
	IF (TG_TAG IN ('GRANT', 'REVOKE')
		OR EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() d
				   WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
					   AND d.schema_name IN ('public', 'fenta_archive')
					   AND d.object_identity LIKE '%usage\_records%'))
	   AND EXISTS (SELECT FROM fenta.usage_months_misprivileged()) THEN
		PERFORM fenta.secure_usage_months();
	END IF;
END
$$;
COMMENT ON FUNCTION fenta.secure_usage_months_trigger() IS
'ddl_command_end event trigger function: after a CREATE TABLE, ALTER TABLE or GRANT/REVOKE on usage_records or one of its months, gives every month its documented privileges (fenta.secure_usage_months()).';
REVOKE ALL ON FUNCTION fenta.secure_usage_months_trigger() FROM PUBLIC, anon, authenticated, service_role;
CREATE EVENT TRIGGER fenta_secure_usage_months ON ddl_command_end
	WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE', 'GRANT', 'REVOKE')
	EXECUTE FUNCTION fenta.secure_usage_months_trigger();
ALTER EVENT TRIGGER fenta_secure_usage_months ENABLE ALWAYS;
COMMENT ON EVENT TRIGGER fenta_secure_usage_months IS
'Keeps the months of usage_records at their documented privileges and RLS, also when a restore (pg_dump) creates them with the database''s default privileges.';
