--
-- Attack: a backend role (member of service_role) owns a schema, puts
-- operators and functions that shadow pg_catalog's on its search_path, and
-- calls every entry point of fenta's C code.  None of its objects may be
-- called: fenta's SQL resolves nothing through the caller's search_path.
-- (On 0.3.0 the accounting trigger ran the role's "=" as the table owner.)
-- Users f1000000-...-0000000000NN, orgs f2000000-..., slugs attack-sp-*.
--
\set VERBOSITY terse
CREATE ROLE fenta_hostile NOLOGIN;
GRANT service_role TO fenta_hostile;
CREATE SCHEMA hostile AUTHORIZATION fenta_hostile;
CREATE TABLE hostile.calls (who text, what text);
ALTER TABLE hostile.calls OWNER TO fenta_hostile;
GRANT INSERT, SELECT ON hostile.calls TO PUBLIC;
INSERT INTO auth.users (id, email) VALUES ('f1000000-0000-4000-8000-000000000001', 'owner@attack-sp.test');
INSERT INTO public.orgs (id, name, slug, owner_id, plan) VALUES
	('f2000000-0000-4000-8000-000000000001', 'Attack SP', 'attack-sp-a', 'f1000000-0000-4000-8000-000000000001', 'starter');
\set a '''f2000000-0000-4000-8000-000000000001'''
-- KIE.ai credits beyond the limit are drawn from a pack: every SQL path runs
UPDATE public.quota_limits SET kai_credits_limit = 10 WHERE org_id = :a;
INSERT INTO public.credit_packs (org_id, pack_type, credits_purchased, credits_remaining)
VALUES (:a, 'attack', 1000, 1000);

SET ROLE fenta_hostile;
-- each hostile function records who ran it, then answers like the original
CREATE FUNCTION hostile.rec(what text) RETURNS void LANGUAGE sql
AS $$ INSERT INTO hostile.calls VALUES (current_user, what) $$;
CREATE FUNCTION hostile.uuid_eq(uuid, uuid) RETURNS boolean LANGUAGE plpgsql
AS $$ BEGIN PERFORM hostile.rec('uuid = uuid'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE FUNCTION hostile.text_eq(text, text) RETURNS boolean LANGUAGE plpgsql
AS $$ BEGIN PERFORM hostile.rec('text = text'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE FUNCTION hostile.int8_pl(bigint, bigint) RETURNS bigint LANGUAGE plpgsql
AS $$ BEGIN PERFORM hostile.rec('bigint + bigint'); RETURN $1 OPERATOR(pg_catalog.+) $2; END $$;
CREATE FUNCTION hostile.int8_mi(bigint, bigint) RETURNS bigint LANGUAGE plpgsql
AS $$ BEGIN PERFORM hostile.rec('bigint - bigint'); RETURN $1 OPERATOR(pg_catalog.-) $2; END $$;
CREATE FUNCTION hostile.int8_gt(bigint, bigint) RETURNS boolean LANGUAGE plpgsql
AS $$ BEGIN PERFORM hostile.rec('bigint > bigint'); RETURN $1 OPERATOR(pg_catalog.>) $2; END $$;
CREATE FUNCTION hostile.ts_gt(timestamptz, timestamptz) RETURNS boolean LANGUAGE plpgsql
AS $$ BEGIN PERFORM hostile.rec('timestamptz > timestamptz'); RETURN $1 OPERATOR(pg_catalog.>) $2; END $$;
CREATE FUNCTION hostile.ts_ge(timestamptz, timestamptz) RETURNS boolean LANGUAGE plpgsql
AS $$ BEGIN PERFORM hostile.rec('timestamptz >= timestamptz'); RETURN $1 OPERATOR(pg_catalog.>=) $2; END $$;
CREATE FUNCTION hostile.ts_lt(timestamptz, timestamptz) RETURNS boolean LANGUAGE plpgsql
AS $$ BEGIN PERFORM hostile.rec('timestamptz < timestamptz'); RETURN $1 OPERATOR(pg_catalog.<) $2; END $$;
CREATE FUNCTION hostile.now() RETURNS timestamptz LANGUAGE plpgsql
AS $$ BEGIN PERFORM hostile.rec('now()'); RETURN pg_catalog.now(); END $$;
CREATE OPERATOR hostile.= (LEFTARG = uuid, RIGHTARG = uuid, FUNCTION = hostile.uuid_eq);
CREATE OPERATOR hostile.= (LEFTARG = text, RIGHTARG = text, FUNCTION = hostile.text_eq);
CREATE OPERATOR hostile.+ (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = hostile.int8_pl);
CREATE OPERATOR hostile.- (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = hostile.int8_mi);
CREATE OPERATOR hostile.> (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = hostile.int8_gt);
CREATE OPERATOR hostile.> (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = hostile.ts_gt);
CREATE OPERATOR hostile.>= (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = hostile.ts_ge);
CREATE OPERATOR hostile.< (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = hostile.ts_lt);
-- the hostile objects work where they are meant to be found
SET search_path = hostile, pg_catalog, public;
SELECT 1::bigint + 1::bigint AS shadowed;
SELECT count(*) AS calls_of_the_probe FROM hostile.calls;
TRUNCATE hostile.calls;
-- the backend now acts as service_role, the search_path stays
SET ROLE service_role;

-- every entry point, with the hostile search_path
-- the accounting trigger (a new slot row, then the in-place path), KIE.ai
-- credits with a pack draw, idempotency keys (first and retried)
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt) VALUES (:a, 'llm_tokens', 100);
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, render_seconds) VALUES (:a, 'llm_tokens', 5, 7);
INSERT INTO public.usage_records (org_id, resource_type, kai_credits) VALUES (:a, 'kai_credits', 50);
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, idempotency_key) VALUES (:a, 'llm_tokens', 1, 'k1');
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, idempotency_key) VALUES (:a, 'llm_tokens', 1, 'k1');
-- COPY goes through the same triggers
COPY public.usage_records (org_id, resource_type, llm_tokens_prompt, idempotency_key) FROM stdin;
f2000000-0000-4000-8000-000000000001	llm_tokens	3	k2
f2000000-0000-4000-8000-000000000001	llm_tokens	3	k2
\.
-- the readers
SELECT public.check_quota(:a, 1, 1, 1) AS check_quota;
SELECT count(*) AS status_rows FROM public.quota_status(:a, 1, 1, 1);
-- (maintenance, fenta.maintain_partitions(), is attacked the same way in
-- maintenance_attacks, which owns the partitions it creates)
RESET ROLE;
RESET search_path;
-- the results are right, and no hostile object was called
SELECT u.tokens, u.kai_credits, u.render_seconds,
	(SELECT credits_remaining FROM public.credit_packs WHERE org_id = :a) AS pack_left
FROM fenta.quota_usage(:a) u;
SELECT who, what, count(*) FROM hostile.calls GROUP BY 1, 2 ORDER BY 1, 2;

-- clean up
DELETE FROM public.orgs WHERE id = :a;
DELETE FROM auth.users WHERE id = 'f1000000-0000-4000-8000-000000000001';
DROP SCHEMA hostile CASCADE;
DROP OWNED BY fenta_hostile;
DROP ROLE fenta_hostile;
