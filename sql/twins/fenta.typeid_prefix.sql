CREATE FUNCTION fenta.typeid_prefix(typeid text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT (fenta.typeid_parse(typeid)).prefix
$$;
