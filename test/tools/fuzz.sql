-- Fuzzing harness of fenta's C entry points (loaded by test/tools/fuzz.sh
-- into throwaway databases that have fenta and test/fixture.sql).
--
-- fuzz.run(fn, seed, n) calls the function fn n times, each call in its own
-- subtransaction (a plpgsql block with an exception handler), with
-- arguments drawn for each parameter type by fuzz.value(); it returns one
-- row per outcome: 'accepted' (a non-NULL result), 'null' (a NULL result or
-- no row, e.g. a strict function given a NULL) or the SQLSTATE of the
-- rejection, with a count and a sample (message and input).  The inputs depend only on the
-- seed, so a batch can be replayed; with trace => true every input is
-- written to the server log (RAISE LOG) before the call, so the last one
-- logged before a crash is the culprit.
--
-- Inputs: NULLs, empty strings, valid TypeIDs and mutations of them,
-- boundary lengths, random bytes (in a SQL_ASCII database any byte 1-255,
-- so invalid UTF-8 reaches the C code; in a UTF8 database random valid
-- characters of 1-4 bytes), control characters, 1 MB strings, extreme
-- numbers (bigint/int limits, 0, -1, powers of two), uuids of every version
-- and variant, existing and unknown orgs; calls run as the superuser,
-- service_role, or authenticated with a member's, an outsider's or a
-- malformed JWT.
--
-- The trigger functions are fired by generated INSERT and COPY statements
-- (fuzz.usage_run, below, with two properties checked after each batch),
-- and attached where they do not belong (fuzz.protocol_cases, fuzz.protocol).

CREATE SCHEMA fuzz;

-- A random integer in [lo, hi].
CREATE FUNCTION fuzz.r(lo bigint, hi bigint) RETURNS bigint
LANGUAGE sql AS $$ SELECT lo + floor(random() * (hi - lo + 1)::float8)::bigint $$;

-- A random element of a.
CREATE FUNCTION fuzz.pick(a text[]) RETURNS text
LANGUAGE sql AS $$ SELECT a[1 + floor(random() * pg_catalog.array_length(a, 1))::int] $$;

-- Is the database SQL_ASCII (every byte but NUL allowed in text)?
CREATE FUNCTION fuzz.raw_bytes_ok() RETURNS boolean
LANGUAGE sql STABLE AS $$ SELECT current_setting('server_encoding') = 'SQL_ASCII' $$;

-- Text from bytes given in hex (raw bytes: only valid in SQL_ASCII).
CREATE FUNCTION fuzz.hex(h text) RETURNS text
LANGUAGE sql AS $$ SELECT convert_from(decode(h, 'hex'), 'SQL_ASCII') $$;

-- One random character: any byte 1-255 in SQL_ASCII, any valid code point
-- (1, 2, 3 or 4 bytes in UTF-8) otherwise.
CREATE FUNCTION fuzz.rchar() RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c int;
BEGIN
	IF fuzz.raw_bytes_ok() THEN
		RETURN chr(fuzz.r(1, 255)::int);
	END IF;
	CASE fuzz.r(0, 3)
		WHEN 0 THEN c := fuzz.r(1, 127);
		WHEN 1 THEN c := fuzz.r(128, 2047);
		WHEN 2 THEN c := fuzz.r(2048, 65533);
		ELSE c := fuzz.r(65536, 1114111);
	END CASE;
	IF c BETWEEN 55296 AND 57343 THEN
		c := 65279;				-- no surrogates: U+FEFF instead
	END IF;
	RETURN chr(c);
END $$;

-- n random characters.
CREATE FUNCTION fuzz.rstr(n int) RETURNS text
LANGUAGE sql AS $$ SELECT coalesce(string_agg(fuzz.rchar(), ''), '') FROM generate_series(1, n) $$;

-- n characters drawn from the string alphabet.
CREATE FUNCTION fuzz.rfrom(alphabet text, n int) RETURNS text
LANGUAGE sql AS $$
	SELECT coalesce(string_agg(substr(alphabet, fuzz.r(1, length(alphabet))::int, 1), ''), '')
	FROM generate_series(1, n)
$$;

-- A byte sequence that is invalid UTF-8 (SQL_ASCII), or an unusual but valid
-- character (UTF8).
CREATE FUNCTION fuzz.badchar() RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	IF fuzz.raw_bytes_ok() THEN
		RETURN fuzz.hex(fuzz.pick(ARRAY[
			'c3', 'e282', 'f09f98', '80', 'bf', 'c080', 'c1bf', 'e08080', 'eda080', 'edbfbf',
			'f4908080', 'f8888080', 'fe', 'ff', 'c3c3', 'e2e2e2', '8080808080']));
	END IF;
	-- planned only in a UTF8 database (a SQL_ASCII one has no chr(8364))
	RETURN chr(fuzz.pick(ARRAY['233', '8364', '128512', '769', '65279', '8203', '305', '8490',
		'65345', '223', '1114109'])::int);
END $$;

-- A random valid TypeID prefix of 0-63 characters.
CREATE FUNCTION fuzz.prefix() RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	n int := CASE WHEN random() < 0.2 THEN 0 WHEN random() < 0.1 THEN 63 ELSE fuzz.r(1, 20)::int END;
	p text;
BEGIN
	IF n = 0 THEN
		RETURN '';
	ELSIF n = 1 THEN
		RETURN fuzz.rfrom('abcdefghijklmnopqrstuvwxyz', 1);
	END IF;
	p := fuzz.rfrom('abcdefghijklmnopqrstuvwxyz', 1)
		|| fuzz.rfrom('abcdefghijklmnopqrstuvwxyz_', n - 2)
		|| fuzz.rfrom('abcdefghijklmnopqrstuvwxyz', 1);
	RETURN p;
END $$;

-- A random uuid of a random version and variant.
CREATE FUNCTION fuzz.anyuuid() RETURNS uuid
LANGUAGE sql AS $$ SELECT md5(random()::text)::uuid $$;

-- A valid TypeID.
CREATE FUNCTION fuzz.typeid() RETURNS text
LANGUAGE sql AS $$ SELECT fenta.typeid_encode(fuzz.prefix(), fuzz.anyuuid()) $$;

-- s with one random edit: a character replaced, inserted or deleted, with a
-- random character, an invalid byte sequence or an alphabet look-alike.
CREATE FUNCTION fuzz.mutate(s text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	pos int := fuzz.r(1, greatest(length(s), 1))::int;
	c text;
BEGIN
	c := CASE fuzz.r(0, 4)
		WHEN 0 THEN fuzz.rchar()
		WHEN 1 THEN fuzz.badchar()
		WHEN 2 THEN fuzz.pick(ARRAY['i', 'l', 'o', 'u', 'I', 'L', 'O', 'U', 'A', 'Z', '8', '9', 'z', '-', '_', ' ', '.', E'\t', E'\\', ''''])
		WHEN 3 THEN chr(fuzz.r(1, 31)::int)
		ELSE '' END;
	CASE fuzz.r(0, 2)
		WHEN 0 THEN RETURN overlay(s PLACING c FROM pos FOR 1);
		WHEN 1 THEN RETURN overlay(s PLACING c FROM pos FOR 0);
		ELSE RETURN overlay(s PLACING '' FROM pos FOR 1);
	END CASE;
END $$;

-- A 1 MB string of one of several shapes.
CREATE FUNCTION fuzz.huge() RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	mb constant int := 1048576;
	suffix text := fenta.typeid_encode('', fuzz.anyuuid());
	h text;
BEGIN
	CASE fuzz.r(0, 9)
		WHEN 0 THEN RETURN repeat('a', mb);
		WHEN 1 THEN RETURN repeat('a', mb) || '_' || suffix;
		WHEN 2 THEN RETURN repeat('_', mb);
		WHEN 3 THEN RETURN 'a_' || repeat('0', mb);
		WHEN 4 THEN RETURN repeat(fuzz.badchar(), mb / 4) || '_' || suffix;
		WHEN 5 THEN RETURN repeat('a_', mb / 2) || suffix;
		WHEN 6 THEN RETURN suffix || repeat(fuzz.badchar(), mb / 4);
		WHEN 7 THEN RETURN repeat('A', mb) || '_' || suffix;
		WHEN 8 THEN RETURN repeat(fuzz.rchar(), mb / 4);
		ELSE
			-- 1 MB of random bytes (no NUL) or random hex digits
			SELECT string_agg(md5(random()::text), '') INTO h FROM generate_series(1, mb / 16);
			IF fuzz.raw_bytes_ok() THEN
				RETURN fuzz.hex(regexp_replace(h, '00', '01', 'g'));
			END IF;
			RETURN h;
	END CASE;
END $$;

-- A random text argument.
CREATE FUNCTION fuzz.text_value() RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	k int := fuzz.r(0, 19)::int;
	suffix text;
BEGIN
	IF random() < 0.0005 THEN
		RETURN fuzz.huge();
	END IF;
	CASE k
		WHEN 0 THEN RETURN NULL;
		WHEN 1 THEN RETURN '';
		WHEN 2, 3 THEN RETURN fuzz.typeid();
		WHEN 4, 5, 6 THEN RETURN fuzz.mutate(fuzz.typeid());
		WHEN 7 THEN RETURN fuzz.mutate(fuzz.mutate(fuzz.mutate(fuzz.typeid())));
		WHEN 8 THEN RETURN fuzz.rstr(fuzz.r(0, 80)::int);
		WHEN 9 THEN RETURN fuzz.rfrom('abcdefghijklmnopqrstuvwxyz_0123456789ABILOUZ-', fuzz.r(0, 100)::int);
		WHEN 10 THEN
			-- prefix and suffix of lengths around the limits
			RETURN fuzz.rfrom('abcdefghijklmnopqrstuvwxyz', fuzz.r(60, 66)::int) || '_'
				|| fuzz.rfrom('01234567', 1) || fuzz.rfrom('0123456789abcdefghjkmnpqrstvwxyz', fuzz.r(23, 27)::int);
		WHEN 11 THEN
			-- first suffix character around the 128-bit limit
			suffix := fenta.typeid_encode('', fuzz.anyuuid());
			RETURN fuzz.prefix() || CASE WHEN random() < 0.5 THEN '_' ELSE '' END
				|| fuzz.pick(ARRAY['7', '8', 'z', '0']) || substr(suffix, 2);
		WHEN 12 THEN RETURN fuzz.badchar() || fuzz.typeid();
		WHEN 13 THEN RETURN fuzz.typeid() || fuzz.badchar();
		WHEN 14 THEN RETURN repeat('_', fuzz.r(1, 70)::int) || fuzz.pick(ARRAY['', 'a', '01h455vb4pex5vsknk084sn02q']);
		WHEN 15 THEN RETURN fuzz.pick(ARRAY['a_', '_a', '_', '__', 'a__b_01h455vb4pex5vsknk084sn02q',
			'a_b_01h455vb4pex5vsknk084sn02q', '01h455vb4pex5vsknk084sn02q', '_01h455vb4pex5vsknk084sn02q',
			'org_', 'org__01h455vb4pex5vsknk084sn02q', '7zzzzzzzzzzzzzzzzzzzzzzzzz', '8zzzzzzzzzzzzzzzzzzzzzzzzz',
			'00000000000000000000000000', 'ORG_01H455VB4PEX5VSKNK084SN02Q', ' org_01h455vb4pex5vsknk084sn02q']);
		WHEN 16 THEN RETURN fuzz.pick(ARRAY['*/5 * * * *', '0 3 * * *', '@daily', '* * * * * *', '61 * * * *',
			'0 0 31 2 *', '*/0 * * * *', '1-0 * * * *', '0-59/2147483647 * * * *', '@reboot', '']);
		WHEN 17 THEN RETURN fuzz.pick(ARRAY['-1', '0', '9223372036854775807', '-9223372036854775808',
			'9223372036854775808', '1e309', 'NaN', 'Infinity', '-Infinity', '0x10', '1.5']);
		WHEN 18 THEN RETURN fuzz.pick(ARRAY['UTC', 'Europe/Paris', '+25:00', 'Nowhere/Land', '1 month',
			'P1M', 'infinity', '-infinity', 'epoch', 'today', '294277-01-01', '4714-11-24 BC']);
		ELSE RETURN fuzz.mutate(fuzz.rstr(fuzz.r(0, 30)::int)) || chr(fuzz.r(1, 31)::int);
	END CASE;
END $$;

-- A random uuid argument: NULL, nil, max, random of any version, v4, v7,
-- v7 with wrong variant bits, an existing org, a user.
CREATE FUNCTION fuzz.uuid_value() RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
	u text;
BEGIN
	CASE fuzz.r(0, 11)
		WHEN 0 THEN RETURN NULL;
		WHEN 1 THEN RETURN '00000000-0000-0000-0000-000000000000';
		WHEN 2 THEN RETURN 'ffffffff-ffff-ffff-ffff-ffffffffffff';
		WHEN 3 THEN RETURN fuzz.anyuuid();
		WHEN 4 THEN RETURN gen_random_uuid();
		WHEN 5, 6 THEN RETURN fenta.uuid_generate_v7();
		WHEN 7 THEN
			-- version 7 with random variant bits
			u := fuzz.anyuuid()::text;
			RETURN (substr(u, 1, 14) || '7' || substr(u, 16))::uuid;
		WHEN 8 THEN
			-- version 7, variant 10, extreme timestamps
			RETURN (fuzz.pick(ARRAY['000000000000', 'ffffffffffff', '7fffffffffff', '800000000000', '000000000001'])
				|| '7' || substr(md5(random()::text), 1, 3) || fuzz.pick(ARRAY['8', '9', 'a', 'b'])
				|| substr(md5(random()::text), 1, 15))::uuid;
		ELSE
			RETURN fuzz.pick(ARRAY[
				'10000000-0000-4000-8000-00000000000a', '10000000-0000-4000-8000-00000000000b',
				'10000000-0000-4000-8000-00000000000c', '00000000-0000-4000-8000-0000000000a1',
				'10000000-0000-4000-8000-00000000000f'])::uuid;
	END CASE;
END $$;

-- A random integer argument within [lo, hi] (the type's limits): the limits
-- themselves, 0, +-1, powers of two and their neighbours, small values.
CREATE FUNCTION fuzz.int_value(lo numeric, hi numeric) RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
	v numeric;
BEGIN
	CASE fuzz.r(0, 9)
		WHEN 0 THEN RETURN NULL;
		WHEN 1 THEN v := fuzz.pick(ARRAY['0', '-1', '1'])::numeric;
		WHEN 2 THEN v := CASE WHEN random() < 0.5 THEN lo ELSE hi END;
		WHEN 3 THEN v := CASE WHEN random() < 0.5 THEN lo + 1 ELSE hi - 1 END;
		WHEN 4, 5 THEN v := (CASE WHEN random() < 0.3 THEN -1 ELSE 1 END) * power(2::numeric, fuzz.r(0, 63)) + fuzz.r(-1, 1);
		WHEN 6, 7 THEN v := fuzz.r(-10, 1000);
		ELSE v := fuzz.r(-2147483648, 2147483647) * fuzz.r(1, 4294967296);
	END CASE;
	RETURN trunc(greatest(lo, least(hi, v)));
END $$;

-- A random argument of type typ, as text (NULL for SQL NULL).
CREATE FUNCTION fuzz.value(typ regtype) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	CASE typ
		WHEN 'text'::regtype, 'character varying'::regtype, 'name'::regtype, 'cstring'::regtype THEN
			RETURN fuzz.text_value();
		WHEN 'uuid'::regtype THEN RETURN fuzz.uuid_value()::text;
		WHEN 'bigint'::regtype THEN RETURN fuzz.int_value(-9223372036854775808, 9223372036854775807)::text;
		WHEN 'integer'::regtype THEN RETURN fuzz.int_value(-2147483648, 2147483647)::text;
		WHEN 'smallint'::regtype THEN RETURN fuzz.int_value(-32768, 32767)::text;
		WHEN 'boolean'::regtype THEN RETURN fuzz.pick(ARRAY['true', 'false', NULL]);
		WHEN 'numeric'::regtype THEN
			RETURN fuzz.pick(ARRAY[NULL, '0', '-0.0001', '1e100', '-1e100', 'NaN', 'Infinity', '-Infinity',
				'0.000000000000000000001', fuzz.int_value(-9223372036854775808, 9223372036854775807)::text,
				(random() * 1000)::numeric(12, 4)::text]);
		WHEN 'double precision'::regtype, 'real'::regtype THEN
			RETURN fuzz.pick(ARRAY[NULL, '0', '-0', '-1', '1e308', '-1e308', 'NaN', 'Infinity', '-Infinity',
				'1e-320', (random() * 1000)::text]);
		WHEN 'timestamp with time zone'::regtype, 'timestamp without time zone'::regtype, 'date'::regtype THEN
			RETURN fuzz.pick(ARRAY[NULL, 'infinity', '-infinity', '4713-01-01 BC', '5874897-12-31', '294276-12-31',
				'1970-01-01', '2000-01-01', now()::text, (now() + fuzz.r(-400, 400) * interval '1 day')::text]);
		WHEN 'interval'::regtype THEN
			RETURN fuzz.pick(ARRAY[NULL, '0', '-1 month', '1 month', '178000000 years', '-178000000 years',
				'1 microsecond', '2147483647 days', (fuzz.r(-100, 100) || ' days')]);
		WHEN 'jsonb'::regtype, 'json'::regtype THEN
			RETURN fuzz.pick(ARRAY[NULL, '{}', '[]', 'null', '{"a": 1}', '"x"', '1e400']);
		ELSE
			RETURN NULL;
	END CASE;
END $$;

-- Claims of the JWT an authenticated call runs with.
CREATE FUNCTION fuzz.claims() RETURNS text
LANGUAGE sql AS $$
	SELECT fuzz.pick(ARRAY[
		'{"sub": "00000000-0000-4000-8000-0000000000a1"}',	-- owner of org A
		'{"sub": "00000000-0000-4000-8000-0000000000a4"}',	-- viewer of org A
		'{"sub": "00000000-0000-4000-8000-0000000000c1"}',	-- outsider
		'{"sub": "' || gen_random_uuid() || '"}',			-- unknown user
		'{"sub": "not-a-uuid"}', '{}', ''])
$$;

-- Printable, bounded description of an input, for samples and the trace.
CREATE FUNCTION fuzz.describe(vals text[]) RETURNS text
LANGUAGE sql AS $$
	SELECT string_agg(CASE WHEN v IS NULL THEN 'NULL'
		ELSE length(v) || ':' || encode(convert_to(left(v, 80), 'SQL_ASCII'), 'escape') END, ', ')
	FROM unnest(vals) AS v
$$;

-- Call fn n times with random arguments from seed; outcomes by SQLSTATE.
CREATE FUNCTION fuzz.run(fn regprocedure, seed float8, n int, trace boolean DEFAULT false)
RETURNS TABLE (outcome text, calls bigint, sample text)
LANGUAGE plpgsql AS $$
DECLARE
	types regtype[];
	names text[];
	call text;
	vals text[];
	counts jsonb := '{}';
	samples jsonb := '{}';
	mode int;
	st text;
	msg text;
	cnt bigint;
	cur text;
	prev text;
	i int;
	j int;
BEGIN
	-- trigger functions are fired by INSERT statements (fuzz.usage_run)
	IF (SELECT p.prorettype FROM pg_proc p WHERE p.oid = fn) = 'trigger'::regtype THEN
		RETURN QUERY SELECT * FROM fuzz.usage_run(fn, seed, n, trace);
		RETURN;
	END IF;
	SELECT array_agg(t::regtype ORDER BY o) FILTER (WHERE o IS NOT NULL),
		array_agg(coalesce(p.proargnames[o], '') ORDER BY o) FILTER (WHERE o IS NOT NULL),
		format('%s %I.%I(%s) AS x',
			CASE WHEN p.prokind = 'p' THEN 'CALL' ELSE 'SELECT count(x::text) FROM' END,
			nspname, proname,
			coalesce(string_agg(format('$1[%s]::%s', o, t::regtype), ', ' ORDER BY o)
				FILTER (WHERE o IS NOT NULL), ''))
		INTO types, names, call
	FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
		LEFT JOIN unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, o) ON true
	WHERE p.oid = fn
	GROUP BY p.prokind, nspname, proname;
	IF call LIKE 'CALL %' THEN
		call := regexp_replace(call, ' AS x$', '');
	END IF;

	PERFORM setseed(seed);
	FOR i IN 1 .. n LOOP
		vals := '{}';
		FOR j IN 1 .. coalesce(array_length(types, 1), 0) LOOP
			vals := vals || fuzz.value(types[j]);
		END LOOP;
		-- a text parameter named like *prefix* gets, half of the time, the
		-- prefix of the first text argument (typeid_decode's expected_prefix)
		FOR j IN 2 .. coalesce(array_length(types, 1), 0) LOOP
			IF names[j] LIKE '%prefix%' AND types[1] = 'text'::regtype AND random() < 0.5 THEN
				vals[j] := coalesce(substring(vals[1] FROM '^(.*)_[^_]*$'), '');
			END IF;
		END LOOP;
		mode := fuzz.r(0, 9)::int;
		IF trace THEN
			RAISE LOG 'fuzz input % (mode %): %', i, mode, fuzz.describe(vals);
		END IF;
		BEGIN
			IF mode = 8 THEN
				EXECUTE 'SET LOCAL ROLE service_role';
			ELSIF mode = 9 THEN
				PERFORM set_config('request.jwt.claims', fuzz.claims(), true);
				EXECUTE 'SET LOCAL ROLE authenticated';
			END IF;
			IF types IS NULL AND call LIKE 'SELECT %' THEN
				-- no arguments (uuid_generate_v7): values strictly increase
				-- within a backend
				EXECUTE regexp_replace(call, '^SELECT count\(x::text\)', 'SELECT x::text') INTO cur;
				IF cur IS NOT NULL AND prev IS NOT NULL AND cur::uuid <= prev::uuid THEN
					RAISE EXCEPTION 'not increasing: % after %', cur, prev USING ERRCODE = 'P0004';
				END IF;
				prev := coalesce(cur, prev);
				cnt := CASE WHEN cur IS NULL THEN 0 ELSE 1 END;
			ELSE
				EXECUTE call INTO cnt USING vals;
			END IF;
			IF mode >= 8 THEN
				EXECUTE 'RESET ROLE';
			END IF;
			st := CASE WHEN cnt = 0 THEN 'null' ELSE 'accepted' END;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
			IF NOT samples ? st OR st LIKE 'XX%' THEN
				samples := samples || jsonb_build_object(st,
					coalesce(samples ->> st || E'\n\t', '') || encode(convert_to(left(msg, 160), 'SQL_ASCII'), 'escape') || ' <- (' || fuzz.describe(vals) || ')');
			END IF;
		END;
		IF st IN ('accepted', 'null') AND NOT samples ? st THEN
			samples := samples || jsonb_build_object(st, '(' || fuzz.describe(vals) || ')');
		END IF;
		counts := counts || jsonb_build_object(st, coalesce((counts ->> st)::bigint, 0) + 1);
	END LOOP;
	RETURN QUERY
		SELECT k, (counts ->> k)::bigint, samples ->> k
		FROM jsonb_object_keys(counts) AS k ORDER BY k;
END $$;

-- Properties of the TypeID functions on n valid and mutated TypeIDs: what
-- typeid_decode accepts, typeid_encode gives back unchanged, and
-- typeid_prefix agrees.  Returns the number of TypeIDs checked; raises on a
-- counterexample.
CREATE FUNCTION fuzz.typeid_roundtrip(seed float8, n int) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	t text;
	p text;
	u uuid;
	checked bigint := 0;
	i int;
BEGIN
	PERFORM setseed(seed);
	FOR i IN 1 .. n LOOP
		t := CASE WHEN random() < 0.5 THEN fuzz.typeid() ELSE fuzz.mutate(fuzz.typeid()) END;
		BEGIN
			p := fenta.typeid_prefix(t);
			u := fenta.typeid_decode(t, p);
		EXCEPTION WHEN invalid_text_representation THEN
			CONTINUE;
		END;
		IF fenta.typeid_encode(p, u) IS DISTINCT FROM t THEN
			RAISE EXCEPTION 'typeid round trip fails for %: prefix %, uuid %, re-encoded %',
				fuzz.describe(ARRAY[t]), p, u, fenta.typeid_encode(p, u);
		END IF;
		checked := checked + 1;
	END LOOP;
	RETURN checked;
END $$;

--
-- The trigger functions, fenta.usage_idempotency_guard() (BEFORE INSERT, per
-- row with a key) and fenta.update_quota_usage() (AFTER INSERT, per
-- statement, transition table), are fired by INSERT statements into
-- public.usage_records: fuzz.usage_run(fn, seed, n) runs n of them, each in
-- its own subtransaction.  Statements: single rows, multi-row VALUES (up to
-- 40 rows over up to 17 orgs, more than the trigger's 8 in-line entries),
-- INSERT ... SELECT of up to 2,000 rows over 12 orgs, COPY from a file, two
-- inserts in one statement (a data-modifying CTE).  Values: orgs with and
-- without a quota row, a soft-deleted org, unknown orgs, NULL; amounts NULL,
-- negative, 0, small, bigint's limits and powers of two whose sums overflow;
-- created_at in past, current, future and missing months and +-infinity;
-- idempotency keys NULL, from a small pool (duplicates), retries with the
-- same id (and created_at), random text of any length and bytes.  For fn =
-- usage_idempotency_guard most rows carry keys, for update_quota_usage few.
-- Roles: the superuser, service_role, authenticated (no INSERT privilege).
-- After the n statements two properties are checked and reported as the
-- outcomes 'property: ...' (which fail the run):
--   counters: for every org with a quota row, the change of its exact
--     counters (fenta.quota_usage) equals the change of the sums of its
--     usage rows (tokens, KIE.ai credits, render seconds, storage bytes);
--   idempotency: no org has two usage rows with one idempotency key.
--

-- 12 more orgs on every plan, one soft-deleted org, credit packs to draw
-- from (the free plan has 50 KIE.ai credits)
INSERT INTO public.orgs (id, name, slug, owner_id, plan)
SELECT ('10000000-0000-4000-8000-0000000000e' || to_hex(n))::uuid, 'Fuzz ' || n, 'fuzz-' || n,
	'00000000-0000-4000-8000-0000000000a1', (ARRAY['free', 'starter', 'pro', 'enterprise'])[1 + n % 4]::public.org_plan
FROM generate_series(0, 12) AS n;
UPDATE public.orgs SET deleted_at = now() WHERE id = '10000000-0000-4000-8000-0000000000ec';
INSERT INTO public.credit_packs (org_id, pack_type, credits_purchased, credits_remaining, expires_at)
SELECT ('10000000-0000-4000-8000-0000000000e' || to_hex(n))::uuid, 'fuzz', 1000, 1000 - n,
	CASE WHEN n % 2 = 0 THEN now() + interval '1 year' END
FROM generate_series(0, 12) AS n;

-- An org for a usage row.
CREATE FUNCTION fuzz.usage_org() RETURNS text
LANGUAGE sql AS $$
	SELECT CASE fuzz.r(0, 19)
		WHEN 0 THEN NULL
		WHEN 1 THEN gen_random_uuid()::text								-- unknown: 23503
		WHEN 2 THEN '10000000-0000-4000-8000-00000000000c'				-- no quota row
		WHEN 3 THEN '10000000-0000-4000-8000-0000000000ec'				-- soft-deleted
		WHEN 4 THEN '00000000-0000-0000-0000-000000000000'
		WHEN 5 THEN '10000000-0000-4000-8000-00000000000a'
		WHEN 6 THEN '10000000-0000-4000-8000-00000000000a'
		WHEN 7 THEN '10000000-0000-4000-8000-00000000000b'
		ELSE '10000000-0000-4000-8000-0000000000e' || to_hex(fuzz.r(0, 11))
	END
$$;

-- An amount: mostly small, else NULL, negative, 0 or near bigint's limits.
CREATE FUNCTION fuzz.usage_amount(negative_ok boolean) RETURNS text
LANGUAGE sql AS $$
	SELECT CASE fuzz.r(0, 15)
		WHEN 0 THEN fuzz.int_value(-9223372036854775808, 9223372036854775807)::text
		WHEN 1 THEN fuzz.pick(ARRAY['9223372036854775807', '9223372036854775806', '4611686018427387904',
			'4611686018427387903', '2147483648', '-1', '-9223372036854775808', NULL, '1'])
		WHEN 2 THEN CASE WHEN negative_ok THEN (-fuzz.r(1, 100000))::text ELSE '0' END
		WHEN 3 THEN '0'
		ELSE fuzz.r(0, 1000)::text
	END
$$;

-- An idempotency key (NULL with probability 1 - p).
CREATE FUNCTION fuzz.usage_key(p float8) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	IF random() >= p THEN
		RETURN NULL;
	END IF;
	CASE fuzz.r(0, 9)
		WHEN 0, 1, 2, 3 THEN RETURN 'k' || fuzz.r(1, 6);				-- a small pool: duplicates
		WHEN 4 THEN RETURN fuzz.text_value();							-- any text, '' and 1 MB included
		WHEN 5 THEN RETURN repeat('k', fuzz.r(254, 256)::int);			-- the 255 limit
		WHEN 6 THEN RETURN fuzz.rstr(fuzz.r(1, 40)::int);
		ELSE RETURN md5(random()::text);
	END CASE;
END $$;

-- created_at of a usage row, NULL meaning DEFAULT (now()).
CREATE FUNCTION fuzz.usage_created_at() RETURNS text
LANGUAGE sql AS $$
	SELECT CASE fuzz.r(0, 19)
		WHEN 0 THEN (date_trunc('month', now()) - interval '1 month')::text
		WHEN 1 THEN (now() - fuzz.r(0, 400) * interval '1 day')::text
		WHEN 2 THEN (now() + fuzz.r(1, 4000) * interval '1 day')::text
		WHEN 3 THEN fuzz.pick(ARRAY['infinity', '-infinity', '1970-01-01 00:00:00+00', '294276-12-31 23:59:59+00',
			'4713-01-01 00:00:00+00 BC'])
		WHEN 4 THEN (date_trunc('month', now()) - interval '1 microsecond')::text	-- month boundary
		ELSE NULL
	END
$$;

-- The text of one usage_records row in VALUES, and the ids seen before
-- (retries reuse one with its key and created_at).
CREATE FUNCTION fuzz.usage_row(key_p float8, seen text[]) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
	id text;
	key text := fuzz.usage_key(key_p);
	created text := fuzz.usage_created_at();
	org text := fuzz.usage_org();
	old text[];
	rt text := fuzz.pick(ARRAY['llm_tokens', 'kai_credits', 'render_seconds', 'storage']);
BEGIN
	IF coalesce(array_length(seen, 1), 0) > 0 AND random() < 0.15 THEN
		-- a retry: id, org, key and created_at of an earlier row, sometimes
		-- with another created_at
		old := string_to_array(seen[fuzz.r(1, array_length(seen, 1))], '|');
		id := old[1];
		org := old[2];
		key := nullif(old[3], '');
		IF random() < 0.7 THEN
			created := nullif(old[4], '');
		END IF;
	ELSIF random() < 0.2 THEN
		id := gen_random_uuid()::text;
	END IF;
	IF created IS NULL AND id IS NOT NULL THEN
		created := now()::text;
	END IF;
	RETURN ARRAY[format('(%s, %L, %L, %s, %s, %s, %s, %s, %s, %L)',
		coalesce(quote_literal(id), 'DEFAULT'), org, rt,
		coalesce(fuzz.usage_amount(false), 'NULL'), coalesce(fuzz.usage_amount(false), 'NULL'),
		coalesce(fuzz.usage_amount(false), 'NULL'), coalesce(fuzz.usage_amount(false), 'NULL'),
		coalesce(fuzz.usage_amount(true), 'NULL'), coalesce(quote_literal(created), 'DEFAULT'), key),
		CASE WHEN id IS NOT NULL THEN concat_ws('|', id, org, coalesce(key, ''), coalesce(created, '')) END];
END $$;

-- Exact counters and sums of usage rows per org with a quota row.
CREATE FUNCTION fuzz.usage_balance() RETURNS jsonb
LANGUAGE sql AS $$
	SELECT coalesce(jsonb_object_agg(q.org_id, jsonb_build_array(
		u.tokens - coalesce(s.tokens, 0), u.kai_credits - coalesce(s.kai, 0),
		u.render_seconds - coalesce(s.render, 0), u.storage_bytes - coalesce(s.storage, 0))), '{}')
	FROM public.quota_limits q
		CROSS JOIN LATERAL fenta.quota_usage(q.org_id) AS u
		LEFT JOIN LATERAL (SELECT sum(r.llm_tokens_prompt + r.llm_tokens_output) AS tokens, sum(r.kai_credits) AS kai,
								  sum(r.render_seconds) AS render, sum(r.storage_bytes) AS storage
						   FROM public.usage_records r WHERE r.org_id = q.org_id) s ON true
$$;

-- Daily usage (usage_daily plus the pending rows) less the sums of the
-- usage rows, per org, UTC day and resource type where they differ.
CREATE FUNCTION fuzz.daily_balance() RETURNS jsonb
LANGUAGE sql AS $$
	SELECT coalesce(jsonb_object_agg(k, v), '{}')
	FROM (SELECT org_id || ' ' || day || ' ' || resource_type AS k,
				 jsonb_build_array(sum(events), sum(tokens), sum(kai), sum(render), sum(storage)) AS v
		  FROM (SELECT org_id, day, resource_type, events, tokens::numeric, kai_credits::numeric AS kai,
					   render_seconds::numeric AS render, storage_bytes::numeric AS storage FROM public.usage_daily
				UNION ALL
				SELECT org_id, day, resource_type, events, tokens, kai_credits, render_seconds, storage_bytes
				FROM fenta.usage_daily_pending
				UNION ALL
				SELECT org_id, (created_at AT TIME ZONE 'UTC')::date, resource_type, -1,
					   -(llm_tokens_prompt::numeric + llm_tokens_output), -kai_credits::numeric,
					   -render_seconds::numeric, -storage_bytes::numeric
				FROM public.usage_records) d
		  GROUP BY 1) b
	WHERE v <> '[0, 0, 0, 0, 0]'
$$;

CREATE FUNCTION fuzz.usage_run(fn regprocedure, seed float8, n int, trace boolean DEFAULT false)
RETURNS TABLE (outcome text, calls bigint, sample text)
LANGUAGE plpgsql AS $$
DECLARE
	cols constant text := 'id, org_id, resource_type, llm_tokens_prompt, llm_tokens_output, kai_credits, '
		'render_seconds, storage_bytes, created_at, idempotency_key';
	key_p float8 := CASE WHEN fn = 'fenta.usage_idempotency_guard()'::regprocedure THEN 0.8 ELSE 0.1 END;
	cols_bulk text;
	dir text := nullif(current_setting('fuzz.dir', true), '');
	counts jsonb := '{}';
	samples jsonb := '{}';
	seen text[] := '{}';
	pending text[];
	before jsonb;
	daily_before jsonb;
	after jsonb;
	r text[];
	vals text;
	stmt text;
	st text;
	msg text;
	mode int;
	role int;
	k int;
	i int;
	j int;
BEGIN
	PERFORM setseed(seed);
	before := fuzz.usage_balance();
	daily_before := fuzz.daily_balance();
	FOR i IN 1 .. n LOOP
		mode := fuzz.r(0, 9)::int;
		pending := '{}';
		IF mode <= 6 THEN
			-- one row (modes 0-4) or 2 to 40 rows (5, 6) of VALUES
			k := CASE WHEN mode <= 4 THEN 1 ELSE fuzz.r(2, 40)::int END;
			vals := NULL;
			FOR j IN 1 .. k LOOP
				r := fuzz.usage_row(key_p, seen);
				vals := concat_ws(', ', vals, r[1]);
				IF r[2] IS NOT NULL THEN pending := pending || r[2]; END IF;
			END LOOP;
			stmt := format('INSERT INTO public.usage_records (%s) VALUES %s', cols, vals);
		ELSE
			-- bulk over the 12 orgs: INSERT ... SELECT, COPY or two inserts
			-- in one statement; one row in 50 hostile
			k := fuzz.r(2, 2000)::int;
			vals := format('SELECT (''10000000-0000-4000-8000-0000000000e'' || to_hex(g %% 12))::uuid, '
				'''llm_tokens'', %s, %s, %s, %s, %s, %s, %s FROM generate_series(1, %s) AS g',
				format('CASE WHEN g %% 50 = 7 THEN %s ELSE g %% 1000 END', coalesce(fuzz.usage_amount(false), 'NULL')),
				'g % 7', 'g % 3',
				format('CASE WHEN g %% 50 = 9 THEN %s ELSE g %% 5 END', coalesce(fuzz.usage_amount(false), 'NULL')),
				format('CASE WHEN g %% 50 = 11 THEN %s ELSE (g %% 11) - 5 END', coalesce(fuzz.usage_amount(true), 'NULL')),
				format('now() - (g %% %s) * interval ''1 day''', fuzz.r(1, 90)),
				CASE WHEN random() < key_p THEN format('''b%s-'' || (g %% %s)', fuzz.r(1, 9), fuzz.r(1, 3000)) ELSE 'NULL' END,
				k);
			cols_bulk := 'org_id, resource_type, llm_tokens_prompt, llm_tokens_output, kai_credits, '
				'render_seconds, storage_bytes, created_at, idempotency_key';
			IF mode = 7 THEN
				stmt := format('INSERT INTO public.usage_records (%s) %s', cols_bulk, vals);
			ELSIF mode = 8 AND dir IS NOT NULL THEN
				stmt := format('COPY (%s) TO %L', vals, dir || '/usage.csv');
			ELSE
				stmt := format('WITH a AS (INSERT INTO public.usage_records (%s) %s RETURNING 1) '
					'INSERT INTO public.usage_records (%s) VALUES %s', cols_bulk, vals, cols, (fuzz.usage_row(key_p, '{}'))[1]);
			END IF;
		END IF;
		role := fuzz.r(0, 9)::int;
		IF trace THEN
			RAISE LOG 'fuzz input % (mode %, role %): %', i, mode, role, left(stmt, 2000);
		END IF;
		BEGIN
			IF mode = 8 AND dir IS NOT NULL THEN
				-- COPY, as the superuser: write the rows, read them back in
				EXECUTE stmt;
				EXECUTE format('COPY public.usage_records (%s) FROM %L', cols_bulk, dir || '/usage.csv');
			ELSE
				IF role = 8 THEN
					EXECUTE 'SET LOCAL ROLE service_role';
				ELSIF role = 9 THEN
					PERFORM set_config('request.jwt.claims', fuzz.claims(), true);
					EXECUTE 'SET LOCAL ROLE authenticated';
				END IF;
				EXECUTE stmt;
				EXECUTE 'RESET ROLE';
			END IF;
			st := 'accepted';
			seen := seen || pending;
		EXCEPTION WHEN OTHERS THEN
			GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
			IF NOT samples ? st OR st LIKE 'XX%' THEN
				samples := samples || jsonb_build_object(st,
					coalesce(samples ->> st || E'\n\t', '') || encode(convert_to(left(msg, 160), 'SQL_ASCII'), 'escape')
					|| ' <- ' || encode(convert_to(left(stmt, 240), 'SQL_ASCII'), 'escape'));
			END IF;
		END;
		IF st = 'accepted' AND NOT samples ? st THEN
			samples := samples || jsonb_build_object(st, encode(convert_to(left(stmt, 240), 'SQL_ASCII'), 'escape'));
		END IF;
		counts := counts || jsonb_build_object(st, coalesce((counts ->> st)::bigint, 0) + 1);
	END LOOP;

	-- the properties
	after := fuzz.usage_balance();
	SELECT count(*), string_agg(format('%s: %s -> %s', b.key, b.value, a.value), '; ')
		INTO k, msg
	FROM jsonb_each(before) b JOIN jsonb_each(after) a USING (key)
	WHERE a.value IS DISTINCT FROM b.value;
	IF k > 0 THEN
		counts := counts || jsonb_build_object('property: counters', k);
		samples := samples || jsonb_build_object('property: counters',
			'orgs whose counters drifted from their rows (counter - rows: tokens, kai, render, storage): ' || left(msg, 600));
	END IF;
	SELECT count(*), string_agg(format('%s: %s -> %s', coalesce(a.key, b.key), b.value, a.value), '; ')
		INTO k, msg
	FROM jsonb_each(daily_before) b FULL JOIN jsonb_each(fuzz.daily_balance()) a USING (key)
	WHERE a.value IS DISTINCT FROM b.value;
	IF k > 0 THEN
		counts := counts || jsonb_build_object('property: daily', k);
		samples := samples || jsonb_build_object('property: daily',
			'org days whose daily usage drifted from their rows (daily - rows: events, tokens, kai, render, storage): ' || left(msg, 600));
	END IF;
	SELECT count(*), string_agg(format('org %s key %s: %s rows', org_id, left(idempotency_key, 20), c), '; ')
		INTO k, msg
	FROM (SELECT org_id, idempotency_key, count(*) AS c FROM public.usage_records
		  WHERE idempotency_key IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1) d;
	IF k > 0 THEN
		counts := counts || jsonb_build_object('property: idempotency', k);
		samples := samples || jsonb_build_object('property: idempotency',
			'keys counted more than once: ' || left(msg, 600));
	END IF;
	RETURN QUERY
		SELECT key, (counts ->> key)::bigint, samples ->> key
		FROM jsonb_object_keys(counts) AS key ORDER BY key;
END $$;

--
-- Protocol: each trigger function attached where it does not belong (wrong
-- table, timing, level or event), then fired.  fuzz.protocol(name) runs one
-- case in a subtransaction and returns the SQLSTATE it ended with
-- ('accepted' if none); fuzz.protocol_cases() lists the cases with the
-- SQLSTATE each should end with: 39P01 (trigger protocol violated) from
-- the function, or the error CREATE TRIGGER itself gives.
--
CREATE FUNCTION fuzz.protocol_cases(OUT name text, OUT expected text, OUT setup text, OUT fire text)
RETURNS SETOF record
LANGUAGE sql AS $$
	VALUES
	-- update_quota_usage: AFTER INSERT ... REFERENCING NEW TABLE ... FOR EACH STATEMENT on usage_records
	('quota: BEFORE INSERT row', '39P01',
	 'CREATE TRIGGER fz BEFORE INSERT ON public.usage_records FOR EACH ROW EXECUTE FUNCTION fenta.update_quota_usage()', 'ins'),
	('quota: AFTER INSERT row', '39P01',
	 'CREATE TRIGGER fz AFTER INSERT ON public.usage_records FOR EACH ROW EXECUTE FUNCTION fenta.update_quota_usage()', 'ins'),
	('quota: AFTER INSERT row with transition table', '0A000',	-- CREATE TRIGGER refuses
	 'CREATE TRIGGER fz AFTER INSERT ON public.usage_records REFERENCING NEW TABLE AS n FOR EACH ROW EXECUTE FUNCTION fenta.update_quota_usage()', 'ins'),
	('quota: AFTER INSERT statement, no transition table', '39P01',
	 'CREATE TRIGGER fz AFTER INSERT ON public.usage_records FOR EACH STATEMENT EXECUTE FUNCTION fenta.update_quota_usage()', 'ins'),
	('quota: BEFORE INSERT statement', '39P01',
	 'CREATE TRIGGER fz BEFORE INSERT ON public.usage_records FOR EACH STATEMENT EXECUTE FUNCTION fenta.update_quota_usage()', 'ins'),
	('quota: AFTER UPDATE statement with NEW TABLE', '39P01',
	 'CREATE TRIGGER fz AFTER UPDATE ON public.usage_records REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION fenta.update_quota_usage()', 'upd'),
	('quota: AFTER DELETE statement with OLD TABLE', '39P01',
	 'CREATE TRIGGER fz AFTER DELETE ON public.usage_records REFERENCING OLD TABLE AS o FOR EACH STATEMENT EXECUTE FUNCTION fenta.update_quota_usage()', 'del'),
	('quota: AFTER TRUNCATE', '39P01',
	 'CREATE TRIGGER fz AFTER TRUNCATE ON public.usage_records FOR EACH STATEMENT EXECUTE FUNCTION fenta.update_quota_usage()', 'trunc'),
	('quota: on a copy of usage_records', '39P01',
	 'CREATE TABLE public.fz_usage (LIKE public.usage_records INCLUDING DEFAULTS);
	  CREATE TRIGGER fz AFTER INSERT ON public.fz_usage REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION fenta.update_quota_usage()', 'ins_copy'),
	('quota: on a table of other columns', '39P01',
	 'CREATE TABLE public.fz_other (a int, org_id int, kai_credits text);
	  CREATE TRIGGER fz AFTER INSERT ON public.fz_other REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION fenta.update_quota_usage()', 'ins_other'),
	('quota: on the default partition', '39P01',
	 'CREATE TRIGGER fz AFTER INSERT ON public.usage_records_default REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION fenta.update_quota_usage()', 'ins_default'),
	-- (the counters refuse statement-level UPDATE triggers: 55000 before it fires)
	('quota: on fenta.quota_counters', '55000',
	 'CREATE TRIGGER fz AFTER UPDATE ON fenta.quota_counters REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION fenta.update_quota_usage()', 'ins'),
	('quota: INSTEAD OF INSERT on a view', '39P01',
	 'CREATE VIEW public.fz_view AS SELECT * FROM public.usage_records;
	  CREATE TRIGGER fz INSTEAD OF INSERT ON public.fz_view FOR EACH ROW EXECUTE FUNCTION fenta.update_quota_usage()', 'ins_view'),
	('quota: called as a function', '39P01', NULL, 'call_quota'),
	-- usage_idempotency_guard: BEFORE INSERT ... FOR EACH ROW on usage_records (and its partitions)
	('guard: AFTER INSERT row', '39P01',
	 'CREATE TRIGGER fz AFTER INSERT ON public.usage_records FOR EACH ROW EXECUTE FUNCTION fenta.usage_idempotency_guard()', 'ins'),
	('guard: BEFORE INSERT statement', '39P01',
	 'CREATE TRIGGER fz BEFORE INSERT ON public.usage_records FOR EACH STATEMENT EXECUTE FUNCTION fenta.usage_idempotency_guard()', 'ins'),
	('guard: BEFORE UPDATE row', '39P01',
	 'CREATE TRIGGER fz BEFORE UPDATE ON public.usage_records FOR EACH ROW EXECUTE FUNCTION fenta.usage_idempotency_guard()', 'upd'),
	('guard: BEFORE DELETE row', '39P01',
	 'CREATE TRIGGER fz BEFORE DELETE ON public.usage_records FOR EACH ROW EXECUTE FUNCTION fenta.usage_idempotency_guard()', 'del'),
	('guard: on a table without its columns', '39P01',
	 'CREATE TABLE public.fz_other (a int, b text);
	  CREATE TRIGGER fz BEFORE INSERT ON public.fz_other FOR EACH ROW EXECUTE FUNCTION fenta.usage_idempotency_guard()', 'ins_other'),
	('guard: on a table whose org_id is an integer', '39P01',
	 'CREATE TABLE public.fz_other (id uuid, org_id int, idempotency_key text);
	  CREATE TRIGGER fz BEFORE INSERT ON public.fz_other FOR EACH ROW EXECUTE FUNCTION fenta.usage_idempotency_guard()', 'ins_other'),
	('guard: on a table whose columns are text, bigint, int', '39P01',
	 'CREATE TABLE public.fz_other (id bigint, org_id text, idempotency_key int);
	  CREATE TRIGGER fz BEFORE INSERT ON public.fz_other FOR EACH ROW EXECUTE FUNCTION fenta.usage_idempotency_guard()', 'ins_other'),
	('guard: on a copy of usage_records (not a partition)', '39P01',
	 'CREATE TABLE public.fz_usage (LIKE public.usage_records INCLUDING DEFAULTS);
	  CREATE TRIGGER fz BEFORE INSERT ON public.fz_usage FOR EACH ROW EXECUTE FUNCTION fenta.usage_idempotency_guard()', 'ins_copy'),
	('guard: INSTEAD OF INSERT on a view', '39P01',
	 'CREATE VIEW public.fz_view AS SELECT * FROM public.usage_records;
	  CREATE TRIGGER fz INSTEAD OF INSERT ON public.fz_view FOR EACH ROW EXECUTE FUNCTION fenta.usage_idempotency_guard()', 'ins_view'),
	('guard: called as a function', '39P01', NULL, 'call_guard'),
	-- usage_daily_capture: AFTER INSERT ... REFERENCING NEW TABLE ... FOR EACH STATEMENT on usage_records
	('daily: AFTER INSERT row', '39P01',
	 'CREATE TRIGGER fz AFTER INSERT ON public.usage_records FOR EACH ROW EXECUTE FUNCTION fenta.usage_daily_capture()', 'ins'),
	('daily: AFTER INSERT statement, no transition table', '39P01',
	 'CREATE TRIGGER fz AFTER INSERT ON public.usage_records FOR EACH STATEMENT EXECUTE FUNCTION fenta.usage_daily_capture()', 'ins'),
	('daily: AFTER UPDATE statement with NEW TABLE', '39P01',
	 'CREATE TRIGGER fz AFTER UPDATE ON public.usage_records REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION fenta.usage_daily_capture()', 'upd'),
	('daily: on a copy of usage_records', '39P01',
	 'CREATE TABLE public.fz_usage (LIKE public.usage_records INCLUDING DEFAULTS);
	  CREATE TRIGGER fz AFTER INSERT ON public.fz_usage REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION fenta.usage_daily_capture()', 'ins_copy'),
	('daily: on a table of other columns', '39P01',
	 'CREATE TABLE public.fz_other (a int, org_id int, created_at text);
	  CREATE TRIGGER fz AFTER INSERT ON public.fz_other REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION fenta.usage_daily_capture()', 'ins_other'),
	('daily: on the default partition', '39P01',
	 'CREATE TRIGGER fz AFTER INSERT ON public.usage_records_default REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION fenta.usage_daily_capture()', 'ins_default'),
	-- (the pending table refuses a statement-level INSERT trigger: 55000 when the capture writes it)
	('daily: a statement trigger on the pending table', '55000',
	 'CREATE TRIGGER fz AFTER INSERT ON fenta.usage_daily_pending REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION fenta.usage_daily_capture()', 'ins'),
	('daily: called as a function', '39P01', NULL, 'call_daily')
$$;

CREATE FUNCTION fuzz.protocol(case_name text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c record;
	st text := 'accepted';
	msg text;
	ins constant text := 'INSERT INTO %s (org_id, resource_type, llm_tokens_prompt, kai_credits, idempotency_key) '
		'VALUES (''10000000-0000-4000-8000-00000000000a'', ''llm_tokens'', 5, 1, ''fz-key'')';
	fire constant jsonb := jsonb_build_object(
		'ins', format(ins, 'public.usage_records'),
		'ins_copy', format(ins, 'public.fz_usage'),
		'ins_view', format(ins, 'public.fz_view'),
		'ins_default', format(ins, 'public.usage_records_default'),
		'ins_other', 'INSERT INTO public.fz_other VALUES (DEFAULT, 7, DEFAULT), (DEFAULT, 8, DEFAULT)',
		'upd', 'UPDATE public.usage_records SET cost_usd = cost_usd',
		'del', 'DELETE FROM public.usage_records',
		'trunc', 'TRUNCATE public.usage_records',
		'call_quota', 'SELECT fenta.update_quota_usage()',
		'call_guard', 'SELECT fenta.usage_idempotency_guard()',
		'call_daily', 'SELECT fenta.usage_daily_capture()');
BEGIN
	SELECT * INTO c FROM fuzz.protocol_cases() p WHERE p.name = case_name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no protocol case %', case_name;
	END IF;
	BEGIN
		IF c.setup IS NOT NULL THEN
			EXECUTE c.setup;
		END IF;
		-- ins_other: the columns by position, whatever their types
		IF c.fire = 'ins_other' THEN
			EXECUTE (SELECT format('INSERT INTO public.fz_other VALUES (%s), (%s)',
						string_agg(CASE a.atttypid WHEN 'uuid'::regtype THEN 'gen_random_uuid()'
							WHEN 'text'::regtype THEN '''10000000-0000-4000-8000-00000000000a''' ELSE '7' END, ', ' ORDER BY a.attnum),
						string_agg(CASE a.atttypid WHEN 'uuid'::regtype THEN 'gen_random_uuid()'
							WHEN 'text'::regtype THEN '''fz-key''' ELSE '123456789' END, ', ' ORDER BY a.attnum))
					 FROM pg_attribute a WHERE a.attrelid = 'public.fz_other'::regclass AND a.attnum > 0 AND NOT a.attisdropped);
		ELSE
			EXECUTE fire ->> c.fire;
		END IF;
		RAISE EXCEPTION USING ERRCODE = 'FZ000';	-- roll the case back
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
		IF st = 'FZ000' THEN
			st := 'accepted';
			msg := '';
		END IF;
	END;
	RETURN st || '|' || encode(convert_to(left(msg, 200), 'SQL_ASCII'), 'escape');
END $$;

GRANT USAGE ON SCHEMA fuzz TO PUBLIC;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA fuzz TO PUBLIC;
