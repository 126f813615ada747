CREATE FUNCTION fenta.usage_idempotency_guard()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
-- src/idempotency.c: the first row with a key (per org) records it in
-- fenta.usage_idempotency; a later one is skipped, unless the key names this
-- very id and that id is not in usage_records yet (a row restored from a
-- dump after the keys).  Runs as the owner of the quota tables.
DECLARE
	known uuid;
BEGIN
	IF TG_WHEN OPERATOR(pg_catalog.<>) 'BEFORE' OR TG_LEVEL OPERATOR(pg_catalog.<>) 'ROW'
		OR TG_OP OPERATOR(pg_catalog.<>) 'INSERT' THEN
		RAISE EXCEPTION 'fenta.usage_idempotency_guard() must be a BEFORE INSERT ... FOR EACH ROW trigger'
			USING ERRCODE = 'trigger_protocol_violated';
	END IF;
	IF TG_RELID OPERATOR(pg_catalog.<>) 'public.usage_records'::pg_catalog.regclass
		AND NOT EXISTS (SELECT FROM pg_catalog.pg_inherits i
						WHERE i.inhrelid OPERATOR(pg_catalog.=) TG_RELID
							AND i.inhparent OPERATOR(pg_catalog.=) 'public.usage_records'::pg_catalog.regclass) THEN
		RAISE EXCEPTION 'fenta.usage_idempotency_guard() must be a trigger on public.usage_records'
			USING ERRCODE = 'trigger_protocol_violated';
	END IF;
	IF NEW.idempotency_key IS NULL OR NEW.org_id IS NULL OR NEW.id IS NULL THEN
		RETURN NEW;
	END IF;
	INSERT INTO fenta.usage_idempotency (org_id, idempotency_key, usage_id)
	VALUES (NEW.org_id, NEW.idempotency_key, NEW.id)
	ON CONFLICT (org_id, idempotency_key) DO NOTHING;
	IF FOUND THEN
		RETURN NEW;
	END IF;
	SELECT u.usage_id INTO known FROM fenta.usage_idempotency u
	WHERE u.org_id OPERATOR(pg_catalog.=) NEW.org_id
		AND u.idempotency_key OPERATOR(pg_catalog.=) NEW.idempotency_key;
	IF known OPERATOR(pg_catalog.=) NEW.id
		AND NOT EXISTS (SELECT FROM public.usage_records r WHERE r.id OPERATOR(pg_catalog.=) NEW.id) THEN
		RETURN NEW;
	END IF;
	RETURN NULL;
END
$$;
