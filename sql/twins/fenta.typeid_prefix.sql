CREATE FUNCTION fenta.typeid_prefix(typeid text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
-- src/typeid.c: the prefix after checking the whole TypeID.  The candidate
-- (before the last "_") is checked by typeid_decode; an invalid candidate
-- makes the TypeID malformed (22P02, same detail) rather than the argument.
DECLARE
	p text := CASE WHEN pg_catalog.strpos(typeid, '_') = 0 THEN ''
		ELSE pg_catalog.left(typeid, pg_catalog.char_length(typeid) - pg_catalog.strpos(pg_catalog.reverse(typeid), '_')) END;
	d text;
	q text;
BEGIN
	PERFORM fenta.typeid_decode(typeid, p);
	RETURN p;
EXCEPTION WHEN invalid_parameter_value THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
	q := pg_catalog.regexp_replace(typeid, '[\x01-\x1f\x7f]', '?', 'g');
	IF pg_catalog.octet_length(q) > 64 THEN
		q := pg_catalog.left(q, (SELECT pg_catalog.max(k) FROM pg_catalog.generate_series(0, 64) k
								 WHERE pg_catalog.octet_length(pg_catalog.left(q, k)) <= 64)) || '...';
	END IF;
	RAISE EXCEPTION 'invalid typeid "%"', q
		USING ERRCODE = 'invalid_text_representation', DETAIL = d;
END
$$;
