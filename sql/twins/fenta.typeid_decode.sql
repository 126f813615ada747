CREATE FUNCTION fenta.typeid_decode(typeid text, expected_prefix text)
RETURNS uuid
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
-- src/typeid.c parse_typeid, written out (see typeid_encode).  Pass 1 checks
-- expected_prefix (22023), pass 2 the prefix of the TypeID (22P02).
DECLARE
	p text;
	sep int := 0;
	n int;
	problem text;
	c text;
	q text;
	suffix text;
	bits text := '';
	hex text := '';
	v int;
	i int;
BEGIN
	FOR pass IN 1 .. 2 LOOP
		IF pass = 1 THEN
			p := expected_prefix;
		ELSIF typeid = '' THEN
			problem := 'The input is empty.';
			EXIT;
		ELSE
			-- the prefix may contain underscores: split at the last one
			IF pg_catalog.strpos(typeid, '_') = 0 THEN
				p := '';
				sep := 0;
			ELSE
				sep := pg_catalog.char_length(typeid) - pg_catalog.strpos(pg_catalog.reverse(typeid), '_');
				IF sep = 0 THEN
					problem := 'The separator "_" is present but the prefix before it is empty.';
					EXIT;
				END IF;
				p := pg_catalog.left(typeid, sep);
			END IF;
		END IF;
		n := pg_catalog.char_length(p);
		IF n > 63 THEN
			problem := pg_catalog.format('The prefix has %s characters; at most 63 are allowed.', n);
		ELSIF p !~ '^[a-z_]*$' COLLATE "C" THEN
			FOR i IN 1 .. n LOOP
				c := pg_catalog.substr(p, i, 1);
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
		ELSIF pg_catalog.left(p, 1) = '_' THEN
			problem := 'The prefix starts with an underscore.';
		ELSIF pg_catalog.right(p, 1) = '_' THEN
			problem := 'The prefix ends with an underscore.';
		END IF;
		IF problem IS NOT NULL AND pass = 1 THEN
			q := pg_catalog.regexp_replace(expected_prefix, '[\x01-\x1f\x7f]', '?', 'g');
			IF pg_catalog.octet_length(q) > 64 THEN
				q := pg_catalog.left(q, (SELECT pg_catalog.max(k) FROM pg_catalog.generate_series(0, 64) k
										 WHERE pg_catalog.octet_length(pg_catalog.left(q, k)) <= 64)) || '...';
			END IF;
			RAISE EXCEPTION 'invalid typeid prefix "%"', q
				USING ERRCODE = 'invalid_parameter_value', DETAIL = problem;
		END IF;
	END LOOP;
	IF problem IS NULL THEN
		-- the prefix is ASCII: characters count like the C function's bytes
		IF p <> '' THEN
			sep := sep + 1;
		END IF;
		suffix := pg_catalog.substr(typeid, sep + 1);
		IF pg_catalog.char_length(suffix) <> 26 THEN
			problem := pg_catalog.format('The suffix has %s characters; it must have exactly 26.', pg_catalog.char_length(suffix));
		ELSE
			FOR i IN 1 .. 26 LOOP
				c := pg_catalog.substr(suffix, i, 1);
				v := pg_catalog.strpos('0123456789abcdefghjkmnpqrstvwxyz', c) - 1;
				IF v < 0 THEN
					problem := pg_catalog.format(
						CASE WHEN c ~ '^[A-Z]$' COLLATE "C" THEN 'The suffix contains %s at position %s; TypeIDs are lower case.'
							ELSE 'The suffix contains %s at position %s, which is not in the TypeID alphabet "0123456789abcdefghjkmnpqrstvwxyz".' END,
						CASE WHEN pg_catalog.ascii(c) >= 128 THEN 'a non-ASCII character'
							WHEN pg_catalog.ascii(c) < 32 OR pg_catalog.ascii(c) = 127
								THEN 'the control character 0x' || pg_catalog.lpad(pg_catalog.to_hex(pg_catalog.ascii(c)), 2, '0')
							WHEN c ~ '^[A-Z]$' COLLATE "C" THEN pg_catalog.format('the upper-case letter "%s"', c)
							ELSE pg_catalog.format('"%s"', c) END,
						sep + i);
					EXIT;
				END IF;
				IF i = 1 AND v > 7 THEN
					problem := pg_catalog.format('The suffix starts with "%s" but must start with 0-7: it would encode more than 128 bits.', c);
					EXIT;
				END IF;
				bits := bits || v::bit(5)::text;
			END LOOP;
		END IF;
	END IF;
	IF problem IS NULL AND p <> expected_prefix THEN
		IF expected_prefix = '' THEN
			problem := pg_catalog.format('Expected no prefix, found prefix "%s".', p);
		ELSIF p = '' THEN
			problem := pg_catalog.format('Expected prefix "%s", found no prefix.', expected_prefix);
		ELSE
			problem := pg_catalog.format('Expected prefix "%s", found prefix "%s".', expected_prefix, p);
		END IF;
	END IF;
	IF problem IS NOT NULL THEN
		q := pg_catalog.regexp_replace(typeid, '[\x01-\x1f\x7f]', '?', 'g');
		IF pg_catalog.octet_length(q) > 64 THEN
			q := pg_catalog.left(q, (SELECT pg_catalog.max(k) FROM pg_catalog.generate_series(0, 64) k
									 WHERE pg_catalog.octet_length(pg_catalog.left(q, k)) <= 64)) || '...';
		END IF;
		RAISE EXCEPTION 'invalid typeid "%"', q
			USING ERRCODE = 'invalid_text_representation', DETAIL = problem;
	END IF;
	bits := pg_catalog.substr(bits, 3);
	FOR i IN 0 .. 31 LOOP
		hex := hex || pg_catalog.to_hex(pg_catalog.substr(bits, 4 * i + 1, 4)::bit(4)::int);
	END LOOP;
	RETURN hex::uuid;
END
$$;
