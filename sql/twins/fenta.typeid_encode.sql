-- Helpers of the TypeID twins (migrations flavour only): the checks and
-- messages of src/typeid.c.
CREATE FUNCTION fenta.typeid_quote(s text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
	out text := '';
	bytes int := 0;
	c text;
	i int;
BEGIN
	-- at most 64 bytes, cut at a character boundary, then "..."; control
	-- characters shown as "?"
	FOR i IN 1 .. pg_catalog.char_length(s) LOOP
		c := pg_catalog.substr(s, i, 1);
		bytes := bytes OPERATOR(pg_catalog.+) pg_catalog.octet_length(c);
		IF bytes OPERATOR(pg_catalog.>) 64 THEN
			RETURN out OPERATOR(pg_catalog.||) '...';
		END IF;
		IF pg_catalog.ascii(c) OPERATOR(pg_catalog.<) 32 OR pg_catalog.ascii(c) OPERATOR(pg_catalog.=) 127 THEN
			c := '?';
		END IF;
		out := out OPERATOR(pg_catalog.||) c;
	END LOOP;
	RETURN out;
END
$$;
COMMENT ON FUNCTION fenta.typeid_quote(text) IS
'Migrations flavour: a TypeID as the error messages quote it (src/typeid.c quote_for_message).';
REVOKE ALL ON FUNCTION fenta.typeid_quote(text) FROM PUBLIC, anon, authenticated, service_role;

CREATE FUNCTION fenta.typeid_describe_char(c text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT CASE
		WHEN pg_catalog.ascii(c) OPERATOR(pg_catalog.>=) 128 THEN 'a non-ASCII character'
		WHEN pg_catalog.ascii(c) OPERATOR(pg_catalog.<) 32 OR pg_catalog.ascii(c) OPERATOR(pg_catalog.=) 127
			THEN pg_catalog.format('the control character 0x%s', pg_catalog.lpad(pg_catalog.to_hex(pg_catalog.ascii(c)), 2, '0'))
		WHEN c OPERATOR(pg_catalog.>=) 'A' COLLATE "C" AND c OPERATOR(pg_catalog.<=) 'Z' COLLATE "C"
			THEN pg_catalog.format('the upper-case letter "%s"', c)
		ELSE pg_catalog.format('"%s"', c)
	END
$$;
COMMENT ON FUNCTION fenta.typeid_describe_char(text) IS
'Migrations flavour: one character as the TypeID error details name it (src/typeid.c describe_char).';
REVOKE ALL ON FUNCTION fenta.typeid_describe_char(text) FROM PUBLIC, anon, authenticated, service_role;

-- NULL if p is a valid prefix, else the problem (src/typeid.c check_prefix)
CREATE FUNCTION fenta.typeid_prefix_problem(p text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
	n int := pg_catalog.char_length(p);
	c text;
	i int;
BEGIN
	IF n OPERATOR(pg_catalog.>) 63 THEN
		RETURN pg_catalog.format('The prefix has %s characters; at most 63 are allowed.', n);
	END IF;
	IF p OPERATOR(pg_catalog.~) '^[a-z_]*$' COLLATE "C" THEN
		IF pg_catalog.left(p, 1) OPERATOR(pg_catalog.=) '_' THEN
			RETURN 'The prefix starts with an underscore.';
		ELSIF pg_catalog.right(p, 1) OPERATOR(pg_catalog.=) '_' THEN
			RETURN 'The prefix ends with an underscore.';
		END IF;
		RETURN NULL;
	END IF;
	FOR i IN 1 .. n LOOP
		c := pg_catalog.substr(p, i, 1);
		CONTINUE WHEN c OPERATOR(pg_catalog.~) '^[a-z_]$' COLLATE "C";
		IF c OPERATOR(pg_catalog.~) '^[A-Z]$' COLLATE "C" THEN
			RETURN pg_catalog.format('The prefix contains %s at position %s; TypeID prefixes are lower case.',
				fenta.typeid_describe_char(c), i);
		END IF;
		RETURN pg_catalog.format('The prefix contains %s at position %s; only the letters a-z and underscores are allowed.',
			fenta.typeid_describe_char(c), i);
	END LOOP;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION fenta.typeid_prefix_problem(text) IS
'Migrations flavour: why a TypeID prefix is invalid, NULL if it is valid (src/typeid.c check_prefix).';
REVOKE ALL ON FUNCTION fenta.typeid_prefix_problem(text) FROM PUBLIC, anon, authenticated, service_role;

-- The prefix and the uuid of a TypeID, or 22P02 (src/typeid.c parse_typeid)
CREATE FUNCTION fenta.typeid_parse(typeid text, OUT prefix text, OUT id uuid)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
	sep int;
	suffix text;
	problem text;
	bits text := '';
	v int;
	c text;
	i int;
	hex text := '';
BEGIN
	IF typeid OPERATOR(pg_catalog.=) '' THEN
		problem := 'The input is empty.';
	ELSE
		-- the prefix may contain underscores: split at the last one
		IF pg_catalog.strpos(typeid, '_') OPERATOR(pg_catalog.=) 0 THEN
			sep := -1;
		ELSE
			sep := pg_catalog.char_length(typeid) OPERATOR(pg_catalog.-)
				pg_catalog.strpos(pg_catalog.reverse(typeid), '_');
		END IF;
		IF sep OPERATOR(pg_catalog.=) 0 THEN
			problem := 'The separator "_" is present but the prefix before it is empty.';
		ELSIF sep OPERATOR(pg_catalog.>) 0 THEN
			prefix := pg_catalog.left(typeid, sep);
			problem := fenta.typeid_prefix_problem(prefix);
		ELSE
			prefix := '';
			sep := 0;
		END IF;
		IF problem IS NULL THEN
			suffix := pg_catalog.substr(typeid, sep OPERATOR(pg_catalog.+) CASE WHEN prefix OPERATOR(pg_catalog.=) '' THEN 1 ELSE 2 END);
			IF prefix OPERATOR(pg_catalog.<>) '' THEN
				sep := sep OPERATOR(pg_catalog.+) 1;
			END IF;
			IF pg_catalog.char_length(suffix) OPERATOR(pg_catalog.<>) 26 THEN
				problem := pg_catalog.format('The suffix has %s characters; it must have exactly 26.', pg_catalog.char_length(suffix));
			ELSE
				FOR i IN 1 .. 26 LOOP
					c := pg_catalog.substr(suffix, i, 1);
					v := pg_catalog.strpos('0123456789abcdefghjkmnpqrstvwxyz', c) OPERATOR(pg_catalog.-) 1;
					IF v OPERATOR(pg_catalog.<) 0 OR pg_catalog.octet_length(c) OPERATOR(pg_catalog.<>) 1 THEN
						IF c OPERATOR(pg_catalog.~) '^[A-Z]$' COLLATE "C" THEN
							problem := pg_catalog.format('The suffix contains %s at position %s; TypeIDs are lower case.',
								fenta.typeid_describe_char(c), sep OPERATOR(pg_catalog.+) i);
						ELSE
							problem := pg_catalog.format('The suffix contains %s at position %s, which is not in the TypeID alphabet "%s".',
								fenta.typeid_describe_char(c), sep OPERATOR(pg_catalog.+) i, '0123456789abcdefghjkmnpqrstvwxyz');
						END IF;
						EXIT;
					END IF;
					IF i OPERATOR(pg_catalog.=) 1 AND v OPERATOR(pg_catalog.>) 7 THEN
						problem := pg_catalog.format('The suffix starts with "%s" but must start with 0-7: it would encode more than 128 bits.', c);
						EXIT;
					END IF;
					bits := bits OPERATOR(pg_catalog.||) v::bit(5)::text;
				END LOOP;
			END IF;
		END IF;
	END IF;
	IF problem IS NOT NULL THEN
		RAISE EXCEPTION 'invalid typeid "%"', fenta.typeid_quote(typeid)
			USING ERRCODE = 'invalid_text_representation', DETAIL = problem;
	END IF;
	bits := pg_catalog.substr(bits, 3);
	FOR i IN 0 .. 31 LOOP
		hex := hex OPERATOR(pg_catalog.||) pg_catalog.to_hex(pg_catalog.substr(bits, 4 OPERATOR(pg_catalog.*) i OPERATOR(pg_catalog.+) 1, 4)::bit(4)::int);
	END LOOP;
	id := hex::uuid;
END
$$;
COMMENT ON FUNCTION fenta.typeid_parse(text) IS
'Migrations flavour: the prefix and uuid of a TypeID, 22P02 if it is malformed (src/typeid.c parse_typeid).';
REVOKE ALL ON FUNCTION fenta.typeid_parse(text) FROM PUBLIC, anon, authenticated, service_role;

CREATE FUNCTION fenta.typeid_encode(prefix text, id uuid)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
	problem text := fenta.typeid_prefix_problem(prefix);
	bits text;
	out text := '';
	i int;
BEGIN
	IF problem IS NOT NULL THEN
		RAISE EXCEPTION 'invalid typeid prefix "%"', fenta.typeid_quote(prefix)
			USING ERRCODE = 'invalid_parameter_value', DETAIL = problem;
	END IF;
	-- 2 zero bits and the 128 bits: 26 characters of 5 bits
	bits := '00' OPERATOR(pg_catalog.||) (('x' OPERATOR(pg_catalog.||) pg_catalog.replace(id::text, '-', ''))::bit(128))::text;
	FOR i IN 0 .. 25 LOOP
		out := out OPERATOR(pg_catalog.||) pg_catalog.substr('0123456789abcdefghjkmnpqrstvwxyz',
			pg_catalog.substr(bits, 5 OPERATOR(pg_catalog.*) i OPERATOR(pg_catalog.+) 1, 5)::bit(5)::int OPERATOR(pg_catalog.+) 1, 1);
	END LOOP;
	IF prefix OPERATOR(pg_catalog.=) '' THEN
		RETURN out;
	END IF;
	RETURN prefix OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) out;
END
$$;
