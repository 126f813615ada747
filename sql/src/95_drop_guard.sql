-- DROP EXTENSION fenta would drop every customer table with it.  Refuse it
-- unless the session has said so first:
--
--     SET fenta.allow_drop = on;
--     DROP EXTENSION fenta CASCADE;
--
-- An event trigger sees the command before it runs; it cannot see the
-- command's targets, so it reads the statement text: a DROP EXTENSION or a
-- DROP SCHEMA ... CASCADE that names fenta (or fenta's schemas) is refused.
CREATE FUNCTION fenta.guard_drop()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	query text := pg_catalog.lower(coalesce(pg_catalog.current_query(), ''));
BEGIN
	IF coalesce(pg_catalog.current_setting('fenta.allow_drop', true), '') IN ('on', 'true', '1', 'yes') THEN
		RETURN;
	END IF;
	IF (TG_TAG = 'DROP EXTENSION' AND query ~ '\mfenta\M')
		OR (TG_TAG = 'DROP SCHEMA' AND query ~ '\mcascade\M' AND query ~ '\m(fenta|public)\M') THEN
		RAISE EXCEPTION 'dropping fenta would drop every customer table and row'
			USING ERRCODE = 'dependent_objects_still_exist',
				DETAIL = pg_catalog.format('The command %s was refused by the event trigger fenta_guard_drop.', TG_TAG),
				HINT = 'To drop fenta and all its data on purpose, run SET fenta.allow_drop = on; in the same session first.';
	END IF;
END
$$;
COMMENT ON FUNCTION fenta.guard_drop() IS
'Event trigger function: refuses DROP EXTENSION fenta (and DROP SCHEMA public/fenta CASCADE) unless the session has run SET fenta.allow_drop = on.';
CREATE EVENT TRIGGER fenta_guard_drop ON ddl_command_start
	WHEN TAG IN ('DROP EXTENSION', 'DROP SCHEMA')
	EXECUTE FUNCTION fenta.guard_drop();
