CREATE FUNCTION fenta.uuid_v7_timestamp(id uuid)
RETURNS timestamptz
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
	b bytea := pg_catalog.uuid_send(id);
	version int := pg_catalog.get_byte(b, 6) OPERATOR(pg_catalog.>>) 4;
	variant int := pg_catalog.get_byte(b, 8) OPERATOR(pg_catalog.>>) 6;
	ms bigint;
BEGIN
	IF version OPERATOR(pg_catalog.<>) 7 OR variant OPERATOR(pg_catalog.<>) 2 THEN
		RAISE EXCEPTION '"%" is not a version 7 UUID', id
			USING ERRCODE = 'invalid_parameter_value',
				DETAIL = CASE WHEN version OPERATOR(pg_catalog.<>) 7
					THEN pg_catalog.format('Its version is %s.', version)
					ELSE 'Its variant bits are not the RFC 9562 variant 10.' END;
	END IF;
	ms := ('x' OPERATOR(pg_catalog.||) pg_catalog.lpad(pg_catalog.encode(pg_catalog.substr(b, 1, 6), 'hex'), 16, '0'))::bit(64)::bigint;
	-- whole seconds and milliseconds apart: both are exact in float8
	RETURN pg_catalog.to_timestamp((ms OPERATOR(pg_catalog./) 1000)::float8)
		OPERATOR(pg_catalog.+) ((ms OPERATOR(pg_catalog.%) 1000)::int OPERATOR(pg_catalog.*) interval '1 millisecond');
END
$$;
