CREATE FUNCTION fenta.uuid_generate_v7()
RETURNS uuid
LANGUAGE plpgsql VOLATILE PARALLEL RESTRICTED
SET search_path = ''
AS $$
-- src/uuidv7.c: 48-bit Unix time in milliseconds, a 12-bit counter (seeded
-- with 11 random bits in each new millisecond, counted on within the same
-- millisecond or when the clock steps back), 62 random bits; strictly
-- increasing within a session.  The session's last millisecond and counter
-- are kept in the setting fenta_internal.uuid_v7_state (a rolled back
-- transaction rolls it back too).  The random bits come from a version 4
-- UUID, whose variant bits are already RFC 9562's.
DECLARE
	now_ms bigint := pg_catalog.floor(EXTRACT(EPOCH FROM pg_catalog.clock_timestamp()) OPERATOR(pg_catalog.*) 1000)::bigint;
	state text := pg_catalog.current_setting('fenta_internal.uuid_v7_state', true);
	r text := pg_catalog.replace(pg_catalog.gen_random_uuid()::text, '-', '');
	last_ms bigint := -1;
	last_counter int := 0;
	ms bigint;
	counter int;
BEGIN
	IF state IS NOT NULL AND state OPERATOR(pg_catalog.<>) '' THEN
		last_ms := pg_catalog.split_part(state, ':', 1)::bigint;
		last_counter := pg_catalog.split_part(state, ':', 2)::int;
	END IF;
	IF now_ms OPERATOR(pg_catalog.>) last_ms THEN
		ms := now_ms;
		counter := ('x' OPERATOR(pg_catalog.||) pg_catalog.substr(r, 14, 3))::bit(12)::int OPERATOR(pg_catalog.&) 2047;
	ELSE
		ms := last_ms;
		counter := last_counter OPERATOR(pg_catalog.+) 1;
		IF counter OPERATOR(pg_catalog.>) 4095 THEN
			ms := ms OPERATOR(pg_catalog.+) 1;
			counter := ('x' OPERATOR(pg_catalog.||) pg_catalog.substr(r, 14, 3))::bit(12)::int OPERATOR(pg_catalog.&) 2047;
		END IF;
	END IF;
	PERFORM pg_catalog.set_config('fenta_internal.uuid_v7_state', ms::text OPERATOR(pg_catalog.||) ':' OPERATOR(pg_catalog.||) counter::text, false);
	RETURN (pg_catalog.lpad(pg_catalog.to_hex(ms), 12, '0') OPERATOR(pg_catalog.||) '7'
		OPERATOR(pg_catalog.||) pg_catalog.lpad(pg_catalog.to_hex(counter), 3, '0')
		OPERATOR(pg_catalog.||) pg_catalog.substr(r, 17))::uuid;
END
$$;
