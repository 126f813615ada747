--
-- Who check_quota() takes the caller for: auth.uid() itself.  When auth.uid()
-- is Supabase's own definition, check_quota reads the same two settings in C
-- (calling the SQL function costs a parse and a plan per transaction); this
-- test holds the two to the same answer on tricky claims, and shows that any
-- other definition of auth.uid() is followed as it is.  A suspended member is
-- refused like an outsider.
-- Users e3000000-...-0000000000NN (and one all-digit id), org e3100000-...-01.
--
\set VERBOSITY terse
INSERT INTO auth.users (id, email) VALUES
	('e3000000-0000-4000-8000-000000000001', 'member@auth-uid.test'),
	('e3000000-0000-4000-8000-000000000002', 'outsider@auth-uid.test'),
	('e3000000-0000-4000-8000-000000000003', 'suspended@auth-uid.test'),
	('12345678-1234-4234-8234-123456781234', 'digits@auth-uid.test');
INSERT INTO public.orgs (id, name, slug, owner_id, plan) VALUES
	('e3100000-0000-4000-8000-000000000001', 'Auth Uid', 'auth-uid', 'e3000000-0000-4000-8000-000000000001', 'free');
INSERT INTO public.org_members (org_id, user_id, role) VALUES
	('e3100000-0000-4000-8000-000000000001', 'e3000000-0000-4000-8000-000000000003', 'admin'),
	('e3100000-0000-4000-8000-000000000001', '12345678-1234-4234-8234-123456781234', 'viewer');
UPDATE public.profiles SET status = 'suspended' WHERE id = 'e3000000-0000-4000-8000-000000000003';

-- auth.uid() (or its error), check_quota's answer (or its error), and what the
-- tenancy model says check_quota must answer: auth.uid()'s error, else a
-- boolean for an active member of the live org (fenta.has_org_role), else
-- 42501, as for an outsider
CREATE FUNCTION pg_temp.ask(sub text, claims text, OUT uid text, OUT check_quota text, OUT agree boolean)
LANGUAGE plpgsql AS $$
DECLARE
	member boolean;
BEGIN
	PERFORM pg_catalog.set_config('request.jwt.claim.sub', sub, true);
	PERFORM pg_catalog.set_config('request.jwt.claims', claims, true);
	BEGIN
		uid := coalesce(auth.uid()::text, 'NULL');
		member := fenta.has_org_role('e3100000-0000-4000-8000-000000000001');
	EXCEPTION WHEN OTHERS THEN
		uid := SQLSTATE || ': ' || SQLERRM;
	END;
	BEGIN
		check_quota := public.check_quota('e3100000-0000-4000-8000-000000000001', 0, 0, 0)::text;
	EXCEPTION WHEN OTHERS THEN
		check_quota := SQLSTATE || ': ' || SQLERRM;
	END;
	agree := CASE WHEN uid LIKE '%: %' THEN check_quota = uid
		WHEN member THEN check_quota IN ('true', 'false')
		ELSE check_quota LIKE '42501: %' END;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.ask(text, text) TO PUBLIC;
CREATE FUNCTION pg_temp.try_check() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN public.check_quota('e3100000-0000-4000-8000-000000000001', 0, 0, 0)::text;
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.try_check() TO PUBLIC;
CREATE TEMP TABLE claim_case (ord int, what text, sub text, claims text);
GRANT SELECT ON claim_case TO PUBLIC;
INSERT INTO claim_case VALUES
	(1, 'nothing set', '', ''),
	(2, 'claim.sub', 'e3000000-0000-4000-8000-000000000001', ''),
	(3, 'claim.sub wins over claims', 'e3000000-0000-4000-8000-000000000001', '{"sub": "e3000000-0000-4000-8000-000000000002"}'),
	(4, 'claims sub', '', '{"sub": "e3000000-0000-4000-8000-000000000001", "role": "authenticated"}'),
	(5, 'outsider', '', '{"sub": "e3000000-0000-4000-8000-000000000002"}'),
	(6, 'no sub', '', '{"role": "authenticated"}'),
	(7, 'sub null', '', '{"sub": null}'),
	(8, 'sub empty string', '', '{"sub": ""}'),
	(9, 'sub a number (32 digits)', '', '{"sub": 12345678123442348234123456781234}'),
	(10, 'sub a boolean', '', '{"sub": true}'),
	(11, 'sub an object', '', '{"sub": {"id": "e3000000-0000-4000-8000-000000000001"}}'),
	(12, 'sub an array', '', '{"sub": ["e3000000-0000-4000-8000-000000000001"]}'),
	(13, 'claims an array', '', '["e3000000-0000-4000-8000-000000000001"]'),
	(14, 'claims a string', '', '"e3000000-0000-4000-8000-000000000001"'),
	(15, 'claims not json', '', '{"sub": '),
	(16, 'sub in upper case', '', '{"sub": "E3000000-0000-4000-8000-000000000001"}'),
	(17, 'sub in braces', '', '{"sub": "{e3000000-0000-4000-8000-000000000001}"}'),
	(18, 'duplicate key: the last wins', '', '{"sub": "bad", "sub": "e3000000-0000-4000-8000-000000000001"}'),
	(19, 'claim.sub a blank', ' ', '{"sub": "e3000000-0000-4000-8000-000000000001"}'),
	(20, 'claim.sub not a uuid', 'not-a-uuid', ''),
	(21, 'suspended member', '', '{"sub": "e3000000-0000-4000-8000-000000000003"}'),
	(22, 'sub not a uuid', '', '{"sub": "not-a-uuid"}'),
	(23, 'the same claims again (cached)', '', '{"sub": "e3000000-0000-4000-8000-000000000001", "role": "authenticated"}');
SET ROLE authenticated;
SELECT c.ord, c.what, a.uid, a.check_quota, a.agree
FROM claim_case c, pg_temp.ask(c.sub, c.claims) a
ORDER BY c.ord;
RESET ROLE;

-- any other definition of auth.uid() is called as it is (here: a setting of
-- its own), and seen at once; the original is back after the rollback
BEGIN;
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid
LANGUAGE sql STABLE
AS $$ SELECT nullif(pg_catalog.current_setting('test.user_id', true), '')::uuid $$;
SELECT set_config('test.user_id', 'e3000000-0000-4000-8000-000000000001', true) IS NOT NULL AS member_in_test_user_id,
	set_config('request.jwt.claims', '{"sub": "e3000000-0000-4000-8000-000000000002"}', true) IS NOT NULL AS outsider_in_claims;
SET LOCAL ROLE authenticated;
SELECT auth.uid() AS uid, public.check_quota('e3100000-0000-4000-8000-000000000001', 0, 0, 0) AS member_allowed;
SELECT set_config('test.user_id', 'not-a-uuid', true) IS NOT NULL AS bad_test_user_id;
SELECT a.* FROM pg_temp.ask('', '{"sub": "e3000000-0000-4000-8000-000000000001"}') a;
-- and after that error, the next call is sound
SELECT set_config('test.user_id', 'e3000000-0000-4000-8000-000000000001', true) IS NOT NULL AS member_again;
SELECT a.* FROM pg_temp.ask('', '{"sub": "e3000000-0000-4000-8000-000000000002"}') a;
ROLLBACK;
SET ROLE authenticated;
SELECT a.* FROM pg_temp.ask('', '{"sub": "e3000000-0000-4000-8000-000000000002"}') a;
-- the body differing only in white space and key word case is still Supabase's
RESET ROLE;
BEGIN;
CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid
LANGUAGE sql STABLE
AS $$SELECT COALESCE(NULLIF(current_setting('request.jwt.claim.sub', TRUE), ''),
	(NULLIF(current_setting('request.jwt.claims', TRUE), '')::JSONB ->> 'sub'))::UUID;$$;
SET LOCAL ROLE authenticated;
SELECT c.ord, a.uid, a.check_quota, a.agree
FROM claim_case c, pg_temp.ask(c.sub, c.claims) a
WHERE c.ord IN (4, 9, 10, 21)
ORDER BY c.ord;
ROLLBACK;

-- check_quota finds a member's rows where it found them last (a hint checked
-- against the snapshot and the key): a row that moved, went or came back,
-- and a table truncated by VACUUM under the hinted place, are all seen
INSERT INTO auth.users (id, email)
SELECT ('e3000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'filler' || n || '@auth-uid.test'
FROM generate_series(100, 699) n;
INSERT INTO public.org_members (org_id, user_id, role)
SELECT 'e3100000-0000-4000-8000-000000000001', ('e3000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'viewer'
FROM generate_series(100, 699) n;
SET ROLE authenticated;
SELECT set_config('request.jwt.claims', '{"sub": "e3000000-0000-4000-8000-000000000699"}', false) IS NOT NULL AS as_last_filler;
SELECT public.check_quota('e3100000-0000-4000-8000-000000000001', 0, 0, 0) AS member;
RESET ROLE;
UPDATE public.org_members SET role = 'editor'
WHERE user_id = 'e3000000-0000-4000-8000-000000000699';
SET ROLE authenticated;
SELECT public.check_quota('e3100000-0000-4000-8000-000000000001', 0, 0, 0) AS row_moved;
RESET ROLE;
DELETE FROM public.org_members WHERE user_id = 'e3000000-0000-4000-8000-000000000699';
SET ROLE authenticated;
SELECT pg_temp.try_check() AS row_gone;
RESET ROLE;
-- all fillers go, VACUUM cuts the empty pages off, the member comes back
-- at the start of the table
DELETE FROM public.org_members WHERE user_id::text LIKE 'e3000000-0000-4000-8000-000000000%'
	AND user_id NOT IN ('e3000000-0000-4000-8000-000000000001', 'e3000000-0000-4000-8000-000000000003');
SELECT pg_relation_size('public.org_members') > 8192 AS several_pages;
VACUUM public.org_members;
INSERT INTO public.org_members (org_id, user_id, role)
VALUES ('e3100000-0000-4000-8000-000000000001', 'e3000000-0000-4000-8000-000000000699', 'viewer');
SET ROLE authenticated;
SELECT public.check_quota('e3100000-0000-4000-8000-000000000001', 0, 0, 0) AS back_after_vacuum;
RESET ROLE;
UPDATE public.profiles SET status = 'suspended' WHERE id = 'e3000000-0000-4000-8000-000000000699';
SET ROLE authenticated;
SELECT pg_temp.try_check() AS suspended_now;
RESET ROLE;
SELECT set_config('request.jwt.claims', '', false) IS NOT NULL AS claims_cleared;
DELETE FROM auth.users WHERE email LIKE 'filler%@auth-uid.test';

-- clean up
RESET ROLE;
DELETE FROM public.orgs WHERE id = 'e3100000-0000-4000-8000-000000000001';
DELETE FROM auth.users WHERE id IN ('e3000000-0000-4000-8000-000000000001', 'e3000000-0000-4000-8000-000000000002',
	'e3000000-0000-4000-8000-000000000003', '12345678-1234-4234-8234-123456781234');
