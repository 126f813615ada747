CREATE FUNCTION fenta.uuid_generate_v7()
RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL RESTRICTED
SET search_path = ''
AS $$
	-- A version 4 UUID carries 122 random bits, its variant is already RFC
	-- 9562's 10: overwrite the first 48 bits with the Unix time in
	-- milliseconds and the version nibble with 7 (rand_a and rand_b stay
	-- random).  Unlike the C function it is not strictly increasing within
	-- the same millisecond of a session.
	SELECT pg_catalog.overlay(pg_catalog.overlay(
			pg_catalog.replace(pg_catalog.gen_random_uuid()::text, '-', ''),
			pg_catalog.lpad(pg_catalog.to_hex(
				pg_catalog.floor(EXTRACT(EPOCH FROM pg_catalog.clock_timestamp()) OPERATOR(pg_catalog.*) 1000)::bigint), 12, '0'),
			1, 12),
		'7', 13, 1)::uuid
$$;
