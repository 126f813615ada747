--
-- Identifiers: UUIDv7 generation, TypeID encoding and decoding (spec 0.3.0),
-- the tables' prefixes and public ids.
--

-- Errors are shown as rows: SQLSTATE, message and detail of whatever the
-- query raises ('00000' if it raises nothing).
CREATE FUNCTION pg_temp.error_of(query text,
    OUT code text, OUT message text, OUT detail text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE query;
    code := '00000';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE,
                            message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL;
END
$$;

--
-- UUIDv7 structure, first thing in the session so that no earlier burst of
-- ids has moved the backend's last timestamp ahead of the clock.
--
WITH ids AS (
    SELECT clock_timestamp() AS before_,
           fenta.uuid_generate_v7() AS id,
           clock_timestamp() AS after_
    FROM generate_series(1, 1000)
)
SELECT count(*) AS ids,
       count(*) FILTER (WHERE substr(id::text, 15, 1) <> '7') AS bad_version,
       count(*) FILTER (WHERE substr(id::text, 20, 1) NOT IN ('8', '9', 'a', 'b')) AS bad_variant,
       count(*) FILTER (WHERE fenta.uuid_v7_timestamp(id)
                        NOT BETWEEN before_ - interval '1 ms'
                                AND after_ + interval '5 ms') AS bad_timestamp,
       count(DISTINCT id) AS distinct_ids
FROM ids;

-- The embedded time is the 48 leading bits, in Unix milliseconds.
SELECT fenta.uuid_v7_timestamp('01890a5d-ac96-774b-bcce-b302099a8057')
     = to_timestamp(1688096058.518) AS timestamp_decoded;
SELECT fenta.uuid_v7_timestamp('00000000-0000-7000-8000-000000000000')
     = to_timestamp(0) AS epoch;

-- Not a version 7 UUID.
SELECT e.* FROM (VALUES
    ('SELECT fenta.uuid_v7_timestamp(''aacfc3cd-d051-4898-8f9f-ed7dbd1a48a4'')'),
    ('SELECT fenta.uuid_v7_timestamp(''01890a5d-ac96-774b-7cce-b302099a8057'')')
) AS q(query), pg_temp.error_of(query) AS e;

-- Strictly increasing within a backend, as uuid comparison sees it.
SELECT count(*) AS ids,
       count(*) FILTER (WHERE id <= previous) AS violations
FROM (SELECT id, lag(id) OVER (ORDER BY n) AS previous
      FROM (SELECT n, fenta.uuid_generate_v7() AS id
            FROM generate_series(1, 100000) AS n) AS gen) AS pairs;

--
-- TypeID spec 0.3.0, valid examples: decode gives the uuid, encode gives
-- the TypeID back.
--
SELECT name,
       fenta.typeid_decode(typeid, prefix) AS decoded,
       fenta.typeid_decode(typeid, prefix) = uuid::uuid AS decode_ok,
       fenta.typeid_encode(prefix, uuid::uuid) = typeid AS encode_ok,
       fenta.typeid_prefix(typeid) = prefix AS prefix_ok
FROM (VALUES
    ('nil', '00000000000000000000000000', '', '00000000-0000-0000-0000-000000000000'),
    ('one', '00000000000000000000000001', '', '00000000-0000-0000-0000-000000000001'),
    ('ten', '0000000000000000000000000a', '', '00000000-0000-0000-0000-00000000000a'),
    ('sixteen', '0000000000000000000000000g', '', '00000000-0000-0000-0000-000000000010'),
    ('thirty-two', '00000000000000000000000010', '', '00000000-0000-0000-0000-000000000020'),
    ('max-valid', '7zzzzzzzzzzzzzzzzzzzzzzzzz', '', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
    ('valid-alphabet', 'prefix_0123456789abcdefghjkmnpqrs', 'prefix', '0110c853-1d09-52d8-d73e-1194e95b5f19'),
    ('valid-uuidv7', 'prefix_01h455vb4pex5vsknk084sn02q', 'prefix', '01890a5d-ac96-774b-bcce-b302099a8057'),
    ('prefix-underscore', 'pre_fix_00000000000000000000000000', 'pre_fix', '00000000-0000-0000-0000-000000000000')
) AS spec(name, typeid, prefix, uuid);

SELECT fenta.typeid_encode('prefix', '01890a5d-ac96-774b-bcce-b302099a8057');
SELECT fenta.typeid_encode('', '01890a5d-ac96-774b-bcce-b302099a8057');
-- 63 characters is the longest prefix.
SELECT fenta.typeid_encode(repeat('a', 62) || 'z', '01890a5d-ac96-774b-bcce-b302099a8057');
SELECT fenta.typeid_decode(repeat('a', 62) || 'z_01h455vb4pex5vsknk084sn02q', repeat('a', 62) || 'z');

--
-- TypeID spec 0.3.0, invalid examples, decoded where prefix is expected.
--
SELECT name, e.code, e.detail
FROM (VALUES
    ('prefix-uppercase', 'PREFIX_00000000000000000000000000'),
    ('prefix-numeric', '12345_00000000000000000000000000'),
    ('prefix-period', 'pre.fix_00000000000000000000000000'),
    ('prefix-non-ascii', 'préfix_00000000000000000000000000'),
    ('prefix-spaces', '  prefix_00000000000000000000000000'),
    ('prefix-64-chars', 'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl_00000000000000000000000000'),
    ('separator-empty-prefix', '_00000000000000000000000000'),
    ('separator-empty', '_'),
    ('suffix-short', 'prefix_1234567890123456789012345'),
    ('suffix-long', 'prefix_123456789012345678901234567'),
    ('suffix-spaces', 'prefix_1234567890123456789012345 '),
    ('suffix-uppercase', 'prefix_0123456789ABCDEFGHJKMNPQRS'),
    ('suffix-hyphens', 'prefix_123456789-123456789-123456'),
    ('suffix-wrong-alphabet', 'prefix_ooooooiiiiiiuuuuuuulllllll'),
    ('suffix-ambiguous-crockford', 'prefix_i23456789ol23456789oi23456'),
    ('suffix-hyphens-crockford', 'prefix_123456789-0123456789-0123456'),
    ('suffix-overflow', 'prefix_8zzzzzzzzzzzzzzzzzzzzzzzzz'),
    ('prefix-underscore-start', '_prefix_00000000000000000000000000'),
    ('prefix-underscore-end', 'prefix__00000000000000000000000000'),
    -- not in the spec
    ('empty', ''),
    ('suffix-u', 'prefix_0123456789abcdefghjkmnpqru'),
    ('suffix-control', E'prefix_0123456789abcdefghjkmnpqr\t'),
    ('prefix-control', E'pre\x01fix_0123456789abcdefghjkmnpqrs'),
    ('no-separator', 'prefix0123456789abcdefghjkmnpqrs')
) AS spec(name, typeid),
LATERAL pg_temp.error_of(format('SELECT fenta.typeid_decode(%L, %L)', typeid, 'prefix')) AS e;

-- The same inputs are rejected by typeid_prefix() too.
SELECT e.code, count(*)
FROM (VALUES
    ('PREFIX_00000000000000000000000000'), ('12345_00000000000000000000000000'),
    ('pre.fix_00000000000000000000000000'), ('préfix_00000000000000000000000000'),
    ('  prefix_00000000000000000000000000'),
    ('abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl_00000000000000000000000000'),
    ('_00000000000000000000000000'), ('_'), ('prefix_1234567890123456789012345'),
    ('prefix_123456789012345678901234567'), ('prefix_1234567890123456789012345 '),
    ('prefix_0123456789ABCDEFGHJKMNPQRS'), ('prefix_123456789-123456789-123456'),
    ('prefix_ooooooiiiiiiuuuuuuulllllll'), ('prefix_i23456789ol23456789oi23456'),
    ('prefix_123456789-0123456789-0123456'), ('prefix_8zzzzzzzzzzzzzzzzzzzzzzzzz'),
    ('_prefix_00000000000000000000000000'), ('prefix__00000000000000000000000000')
) AS spec(typeid),
LATERAL pg_temp.error_of(format('SELECT fenta.typeid_prefix(%L)', typeid)) AS e
GROUP BY 1;

-- Messages quote the input, cut after 64 bytes, control characters as '?'.
SELECT e.* FROM (VALUES
    ('SELECT fenta.typeid_decode(''PREFIX_00000000000000000000000000'', ''prefix'')'),
    ('SELECT fenta.typeid_decode(''abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl_00000000000000000000000000'', ''prefix'')'),
    ('SELECT fenta.typeid_decode(E''pre\x01fix_0123456789abcdefghjkmnpqrs'', ''prefix'')')
) AS q(query), LATERAL pg_temp.error_of(query) AS e;

-- Huge inputs: errors, quickly, with short messages.
SELECT e.* FROM (VALUES
    ('SELECT fenta.typeid_decode(repeat(''a'', 10000000) || ''_01h455vb4pex5vsknk084sn02q'', ''prefix'')'),
    ('SELECT fenta.typeid_decode(''prefix_'' || repeat(''0'', 10000000), ''prefix'')'),
    ('SELECT fenta.typeid_encode(repeat(''a'', 10000000), gen_random_uuid())')
) AS q(query), LATERAL pg_temp.error_of(query) AS e;

-- The prefix must be the expected one.
SELECT e.* FROM (VALUES
    ('SELECT fenta.typeid_decode(''job_01h455vb4pex5vsknk084sn02q'', ''org'')'),
    ('SELECT fenta.typeid_decode(''01h455vb4pex5vsknk084sn02q'', ''org'')'),
    ('SELECT fenta.typeid_decode(''org_01h455vb4pex5vsknk084sn02q'', '''')'),
    ('SELECT fenta.typeid_decode(''org_01h455vb4pex5vsknk084sn02q'', ''or'')'),
    ('SELECT fenta.typeid_decode(''org_01h455vb4pex5vsknk084sn02q'', ''orgs'')')
) AS q(query), LATERAL pg_temp.error_of(query) AS e;

-- Invalid prefixes given as arguments: 22023.
SELECT e.* FROM (VALUES
    ('SELECT fenta.typeid_encode(''Org'', gen_random_uuid())'),
    ('SELECT fenta.typeid_encode(''org_'', gen_random_uuid())'),
    ('SELECT fenta.typeid_encode(''_org'', gen_random_uuid())'),
    ('SELECT fenta.typeid_encode(''o-rg'', gen_random_uuid())'),
    ('SELECT fenta.typeid_encode(''org2'', gen_random_uuid())'),
    ('SELECT fenta.typeid_encode(repeat(''a'', 64), gen_random_uuid())'),
    ('SELECT fenta.typeid_decode(''org_01h455vb4pex5vsknk084sn02q'', ''ORG'')')
) AS q(query), LATERAL pg_temp.error_of(query) AS e;

-- NULL in, NULL out.
SELECT fenta.typeid_encode(NULL, gen_random_uuid()) IS NULL AS encode_null_prefix,
       fenta.typeid_encode('org', NULL) IS NULL AS encode_null_id,
       fenta.typeid_decode(NULL, 'org') IS NULL AS decode_null_typeid,
       fenta.typeid_decode('org_01h455vb4pex5vsknk084sn02q', NULL) IS NULL AS decode_null_prefix,
       fenta.typeid_prefix(NULL) IS NULL AS prefix_null,
       fenta.uuid_v7_timestamp(NULL) IS NULL AS timestamp_null;

--
-- Random round trips: decode(encode(id)) = id, and encode(decode(t)) = t.
--
SELECT count(*) AS ids,
       count(*) FILTER (WHERE fenta.typeid_decode(t, 'rt') <> id) AS mismatches,
       count(*) FILTER (WHERE fenta.typeid_encode('rt', fenta.typeid_decode(t, 'rt')) <> t) AS reencode_mismatches,
       count(*) FILTER (WHERE t !~ '^rt_[0-7][0-9a-hjkmnp-tv-z]{25}$') AS bad_format
FROM (SELECT id, fenta.typeid_encode('rt', id) AS t
      FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, 100000)) AS r) AS enc;

SELECT count(*) AS ids,
       count(*) FILTER (WHERE fenta.typeid_decode(t, '') <> id) AS mismatches,
       count(*) FILTER (WHERE fenta.typeid_encode('', fenta.typeid_decode(t, '')) <> t) AS reencode_mismatches,
       count(*) FILTER (WHERE t !~ '^[0-7][0-9a-hjkmnp-tv-z]{25}$') AS bad_format
FROM (SELECT id, fenta.typeid_encode('', id) AS t
      FROM (SELECT fenta.uuid_generate_v7() AS id FROM generate_series(1, 100000)) AS r) AS enc;

-- Encoding agrees with a plain SQL base32 of the 130-bit string 00 || uuid.
SELECT count(*) AS ids,
       count(*) FILTER (WHERE fenta.typeid_encode('', id) <> (
           SELECT string_agg(substr('0123456789abcdefghjkmnpqrstvwxyz',
                                    substring(b FROM 5 * i + 1 FOR 5)::integer + 1, 1),
                             '' ORDER BY i)
           FROM (SELECT B'00' || ('x' || replace(id::text, '-', ''))::bit(128) AS b) AS bits,
                generate_series(0, 25) AS i)) AS mismatches
FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, 10000)) AS r;

-- UUIDv7 TypeIDs sort like their uuids.
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE (a < b) <> (fenta.typeid_encode('x', a) COLLATE "C" < fenta.typeid_encode('x', b) COLLATE "C")) AS order_mismatches
FROM (SELECT gen_random_uuid() AS a, gen_random_uuid() AS b FROM generate_series(1, 10000)) AS r;

--
-- Tables and their prefixes.
--
SELECT c.relname AS entity, fenta.typeid_prefix_of(c.oid) AS prefix
FROM pg_class AS c
WHERE c.relnamespace = 'public'::regnamespace
  AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  -- entities: tables with an id (public.usage_daily is a summary keyed by org, day and resource type)
  AND EXISTS (SELECT FROM pg_attribute AS a WHERE a.attrelid = c.oid AND a.attname = 'id' AND NOT a.attisdropped)
ORDER BY fenta.typeid_prefix_of(c.oid) COLLATE "C";

-- Every table in public has a prefix and a public_id computed field.
SELECT c.relname
FROM pg_class AS c
WHERE c.relnamespace = 'public'::regnamespace
  AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  -- entities: tables with an id (public.usage_daily is a summary keyed by org, day and resource type)
  AND EXISTS (SELECT FROM pg_attribute AS a WHERE a.attrelid = c.oid AND a.attname = 'id' AND NOT a.attisdropped)
  AND (fenta.typeid_prefix_of(c.oid) IS NULL
       OR to_regprocedure(format('public.public_id(%s)', c.oid::regclass)) IS NULL);

-- No two tables share a prefix.
SELECT fenta.typeid_prefix_of(c.oid), count(*)
FROM pg_class AS c
WHERE c.relnamespace = 'public'::regnamespace
GROUP BY 1 HAVING count(*) > 1 AND fenta.typeid_prefix_of(c.oid) IS NOT NULL;

SELECT fenta.typeid_prefix_of('pg_class') IS NULL AS not_ours;

-- public_id of a row of each table, and back, as the API roles.
CREATE FUNCTION pg_temp.public_ids(id uuid,
    OUT entity text, OUT public_id text, OUT round_trip boolean)
RETURNS SETOF record
LANGUAGE plpgsql AS $$
DECLARE
    rel regclass;
BEGIN
    FOR rel IN
        SELECT c.oid FROM pg_class AS c
        WHERE c.relnamespace = 'public'::regnamespace
          AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND EXISTS (SELECT FROM pg_attribute AS a WHERE a.attrelid = c.oid AND a.attname = 'id' AND NOT a.attisdropped)
        ORDER BY c.relname COLLATE "C"
    LOOP
        entity := rel::text;
        EXECUTE format('SELECT public.public_id(jsonb_populate_record(NULL::%s, jsonb_build_object(''id'', $1)))', rel)
            INTO public_id USING id;
        round_trip := public.uuid_from_public_id(public_id, rel) = id;
        RETURN NEXT;
    END LOOP;
END
$$;

SET ROLE authenticated;
SELECT * FROM pg_temp.public_ids('01890a5d-ac96-774b-bcce-b302099a8057');
RESET ROLE;

SET ROLE anon;
SELECT public.uuid_from_public_id('org_01h455vb4pex5vsknk084sn02q', 'orgs');
SELECT public.uuid_from_public_id('org_01h455vb4pex5vsknk084sn02q', 'public.orgs');
SELECT public.uuid_from_public_id('org_01h455vb4pex5vsknk084sn02q', 'pg_class') IS NULL AS not_ours;
SELECT e.* FROM (VALUES
    ('SELECT public.uuid_from_public_id(''job_01h455vb4pex5vsknk084sn02q'', ''orgs'')'),
    ('SELECT public.uuid_from_public_id(''01h455vb4pex5vsknk084sn02q'', ''profiles'')'),
    ('SELECT public.uuid_from_public_id(''org_01h455vb4pex5vsknk084sn02q'', ''no_such_table'')')
) AS q(query), LATERAL pg_temp.error_of(query) AS e;
RESET ROLE;
