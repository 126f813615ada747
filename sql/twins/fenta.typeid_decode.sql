CREATE FUNCTION fenta.typeid_decode(typeid text, expected_prefix text)
RETURNS uuid
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
	problem text := fenta.typeid_prefix_problem(expected_prefix);
	parsed record;
BEGIN
	IF problem IS NOT NULL THEN
		RAISE EXCEPTION 'invalid typeid prefix "%"', fenta.typeid_quote(expected_prefix)
			USING ERRCODE = 'invalid_parameter_value', DETAIL = problem;
	END IF;
	parsed := fenta.typeid_parse(typeid);
	IF parsed.prefix OPERATOR(pg_catalog.<>) expected_prefix THEN
		IF expected_prefix OPERATOR(pg_catalog.=) '' THEN
			problem := pg_catalog.format('Expected no prefix, found prefix "%s".', parsed.prefix);
		ELSIF parsed.prefix OPERATOR(pg_catalog.=) '' THEN
			problem := pg_catalog.format('Expected prefix "%s", found no prefix.', expected_prefix);
		ELSE
			problem := pg_catalog.format('Expected prefix "%s", found prefix "%s".', expected_prefix, parsed.prefix);
		END IF;
		RAISE EXCEPTION 'invalid typeid "%"', fenta.typeid_quote(typeid)
			USING ERRCODE = 'invalid_text_representation', DETAIL = problem;
	END IF;
	RETURN parsed.id;
END
$$;
