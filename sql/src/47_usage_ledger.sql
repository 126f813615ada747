-- ===========================================================================
-- usage_records is an append-only ledger: the quota counters follow every
-- insert exactly (update_quota_usage), so an UPDATE, DELETE or TRUNCATE
-- through the table would make them drift.  Corrections are new rows.  Rows
-- go with their org (the foreign key's cascade, a nested statement); a
-- superuser may still repair by hand (and recount the counters after).
-- ===========================================================================
CREATE FUNCTION fenta.usage_records_append_only()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF pg_catalog.pg_trigger_depth() OPERATOR(pg_catalog.>) 1
		OR (SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER) THEN
		RETURN NULL;
	END IF;
	RAISE EXCEPTION '% on public.usage_records is not allowed: usage is an append-only ledger', TG_OP
		USING ERRCODE = 'insufficient_privilege',
			DETAIL = 'The quota counters follow the inserted rows; changing or removing rows would make them drift.',
			HINT = 'Record a correction as a new usage row (storage_bytes may be negative).';
END
$$;
COMMENT ON FUNCTION fenta.usage_records_append_only() IS
'BEFORE UPDATE OR DELETE OR TRUNCATE statement trigger on usage_records: refuses the statement (42501) unless it is nested in another (the foreign key''s cascade when an org is deleted) or run by a superuser. Usage is an append-only ledger.';
REVOKE ALL ON FUNCTION fenta.usage_records_append_only() FROM PUBLIC, anon, authenticated, service_role;
CREATE TRIGGER usage_records_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON public.usage_records
	FOR EACH STATEMENT EXECUTE FUNCTION fenta.usage_records_append_only();
