CREATE FUNCTION fenta.typeid_encode(prefix text, id uuid)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
-- src/typeid.c: the checks and messages of check_prefix, describe_char and
-- quote_for_message are written out here and in typeid_decode, which anon
-- may execute (no helper function to grant).  With search_path '' the
-- operators are pg_catalog's.
DECLARE
	n int := pg_catalog.char_length(prefix);
	problem text;
	c text;
	q text;
	bits text;
	out text := '';
	i int;
BEGIN
	IF n > 63 THEN
		problem := pg_catalog.format('The prefix has %s characters; at most 63 are allowed.', n);
	ELSIF prefix !~ '^[a-z_]*$' COLLATE "C" THEN
		FOR i IN 1 .. n LOOP
			c := pg_catalog.substr(prefix, i, 1);
			CONTINUE WHEN c ~ '^[a-z_]$' COLLATE "C";
			problem := pg_catalog.format('The prefix contains %s at position %s; %s',
				CASE WHEN pg_catalog.ascii(c) >= 128 THEN 'a non-ASCII character'
					WHEN pg_catalog.ascii(c) < 32 OR pg_catalog.ascii(c) = 127
						THEN 'the control character 0x' || pg_catalog.lpad(pg_catalog.to_hex(pg_catalog.ascii(c)), 2, '0')
					WHEN c ~ '^[A-Z]$' COLLATE "C" THEN pg_catalog.format('the upper-case letter "%s"', c)
					ELSE pg_catalog.format('"%s"', c) END,
				i,
				CASE WHEN c ~ '^[A-Z]$' COLLATE "C" THEN 'TypeID prefixes are lower case.'
					ELSE 'only the letters a-z and underscores are allowed.' END);
			EXIT;
		END LOOP;
	ELSIF pg_catalog.left(prefix, 1) = '_' THEN
		problem := 'The prefix starts with an underscore.';
	ELSIF pg_catalog.right(prefix, 1) = '_' THEN
		problem := 'The prefix ends with an underscore.';
	END IF;
	IF problem IS NOT NULL THEN
		q := pg_catalog.regexp_replace(prefix, '[\x01-\x1f\x7f]', '?', 'g');
		IF pg_catalog.octet_length(q) > 64 THEN
			q := pg_catalog.left(q, (SELECT pg_catalog.max(k) FROM pg_catalog.generate_series(0, 64) k
									 WHERE pg_catalog.octet_length(pg_catalog.left(q, k)) <= 64)) || '...';
		END IF;
		RAISE EXCEPTION 'invalid typeid prefix "%"', q
			USING ERRCODE = 'invalid_parameter_value', DETAIL = problem;
	END IF;
	-- 2 zero bits and the 128 bits: 26 characters of 5 bits
	bits := '00' || (('x' || pg_catalog.replace(id::text, '-', ''))::bit(128))::text;
	FOR i IN 0 .. 25 LOOP
		out := out || pg_catalog.substr('0123456789abcdefghjkmnpqrstvwxyz',
			pg_catalog.substr(bits, 5 * i + 1, 5)::bit(5)::int + 1, 1);
	END LOOP;
	IF prefix = '' THEN
		RETURN out;
	END IF;
	RETURN prefix || '_' || out;
END
$$;
