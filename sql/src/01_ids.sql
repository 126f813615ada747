-- ===========================================================================
-- Identifiers: time-ordered UUIDv7 keys (src/uuidv7.c) and their prefixed
-- TypeID text form (src/typeid.c).  The table-specific prefixes and the
-- public_id computed fields are in 75_public_ids.sql.
-- ===========================================================================

CREATE FUNCTION fenta.uuid_generate_v7()
RETURNS uuid
LANGUAGE C VOLATILE PARALLEL RESTRICTED
AS 'MODULE_PATHNAME', 'fenta_uuid_generate_v7';

COMMENT ON FUNCTION fenta.uuid_generate_v7() IS
'A new time-ordered UUID, version 7 (RFC 9562): 48-bit Unix time in milliseconds, a 12-bit counter, 62 random bits. Strictly increasing within a session, so new rows land at the right edge of a B-tree index. Default of every id column.';

CREATE FUNCTION fenta.uuid_v7_timestamp(id uuid)
RETURNS timestamptz
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'fenta_uuid_v7_timestamp';

COMMENT ON FUNCTION fenta.uuid_v7_timestamp(uuid) IS
'Creation time recorded in a version 7 UUID, to the millisecond. Raises 22023 for any other UUID version.';

CREATE FUNCTION fenta.typeid_encode(prefix text, id uuid)
RETURNS text
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'fenta_typeid_encode';

COMMENT ON FUNCTION fenta.typeid_encode(text, uuid) IS
'TypeID (spec 0.3.0) of a uuid: prefix, "_", and the 128 bits in 26 characters of lower-case Crockford base32, e.g. org_01h455vb4pex5vsknk084sn02q. An empty prefix gives the bare 26 characters. Raises 22023 unless the prefix is empty or 1-63 characters of a-z and "_" that start and end with a letter.';

CREATE FUNCTION fenta.typeid_decode(typeid text, expected_prefix text)
RETURNS uuid
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'fenta_typeid_decode';

COMMENT ON FUNCTION fenta.typeid_decode(text, text) IS
'The uuid of a TypeID (spec 0.3.0) whose prefix must be expected_prefix ('''' for none). Raises 22P02 with a detail naming the problem if the TypeID is malformed or carries another prefix, 22023 if expected_prefix is not a valid prefix.';

CREATE FUNCTION fenta.typeid_prefix(typeid text)
RETURNS text
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
AS 'MODULE_PATHNAME', 'fenta_typeid_prefix';

COMMENT ON FUNCTION fenta.typeid_prefix(text) IS
'The prefix of a TypeID ('''' if it has none), after checking the whole TypeID like typeid_decode does (22P02 if malformed).';
