-- Helpers of the quota twins (migrations flavour only): the errors of
-- src/quota_catalog.c.
CREATE FUNCTION fenta.quota_overflow(what text, org uuid)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = ''
AS $$
BEGIN
	RAISE EXCEPTION 'usage counter % out of range', what
		USING ERRCODE = 'numeric_value_out_of_range',
			DETAIL = 'Adding the new usage records to the org''s counters would exceed the range of bigint.';
END
$$;
COMMENT ON FUNCTION fenta.quota_overflow(text, uuid) IS
'Migrations flavour: raises the quota engine''s 22003 for a counter out of range (src/quota_catalog.c quota_overflow_error; the org is not named in a context line).';
REVOKE ALL ON FUNCTION fenta.quota_overflow(text, uuid) FROM PUBLIC, anon, authenticated, service_role;

CREATE FUNCTION fenta.quota_slot_cap(tokens bigint, render_seconds bigint, org uuid)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = ''
AS $$
BEGIN
	IF tokens OPERATOR(pg_catalog.>) 2251799813685248 OR render_seconds OPERATOR(pg_catalog.>) 2251799813685248 THEN
		RAISE EXCEPTION 'usage counter % out of range',
			CASE WHEN tokens OPERATOR(pg_catalog.>) 2251799813685248 THEN 'tokens' ELSE 'render_seconds' END
			USING ERRCODE = 'numeric_value_out_of_range',
				DETAIL = 'A counter slot holds at most 2251799813685248 until the next rollup (fenta.rollup_quota_counters()).';
	END IF;
END
$$;
COMMENT ON FUNCTION fenta.quota_slot_cap(bigint, bigint, uuid) IS
'Migrations flavour: raises the quota engine''s 22003 when a counter slot row would hold more than 2^51 tokens or render seconds (src/quota_catalog.c quota_slot_cap_error; the org is not named in a context line).';
REVOKE ALL ON FUNCTION fenta.quota_slot_cap(bigint, bigint, uuid) FROM PUBLIC, anon, authenticated, service_role;

CREATE FUNCTION fenta.quota_missing_row(org uuid)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = ''
AS $$
BEGIN
	RAISE EXCEPTION 'org % has no quota_limits row', org
		USING ERRCODE = 'no_data_found',
			HINT = 'Every org gets one when it is created; restore it with INSERT INTO public.quota_limits (org_id) VALUES (...).';
END
$$;
COMMENT ON FUNCTION fenta.quota_missing_row(uuid) IS
'Migrations flavour: raises the quota engine''s P0002 for an org without a quota_limits row (src/quota_catalog.c quota_missing_row).';
REVOKE ALL ON FUNCTION fenta.quota_missing_row(uuid) FROM PUBLIC, anon, authenticated, service_role;

CREATE FUNCTION fenta.update_quota_usage()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
-- src/accounting.c: the statement's rows summed per org, each org accounted
-- once, in org order, as the owner of the counters.  KIE.ai credits go to
-- quota_limits under a row lock, what exceeds the limit drawn from unexpired
-- credit packs (soonest expiry first); tokens, render seconds and storage to
-- a slot row of fenta.quota_counters, chosen as the C function chooses it
-- (src/accounting.c account_slot): the backend's own slot first
-- (pg_backend_pid() modulo fenta.quota_slots, default 16; the C function
-- uses the backend number), else another slot row that no other transaction
-- holds, else a slot number without a row (the own one if free, else the
-- lowest), else it waits for the own slot.  Concurrent writers of one org
-- wait for each other only when every slot is held.
DECLARE
	u record;
	slots int := COALESCE(NULLIF(pg_catalog.current_setting('fenta.quota_slots', true), '')::int, 16);
	kai_used bigint;
	kai_limit bigint;
	found_row boolean;
	over numeric := 0;
	drawn bigint;
	take bigint;
	p record;
	cur record;
	own smallint;
	target smallint;
	n bigint;
	t_new bigint;
	r_new bigint;
BEGIN
	IF TG_WHEN OPERATOR(pg_catalog.<>) 'AFTER' OR TG_LEVEL OPERATOR(pg_catalog.<>) 'STATEMENT'
		OR TG_OP OPERATOR(pg_catalog.<>) 'INSERT' THEN
		RAISE EXCEPTION 'fenta.update_quota_usage() must be an AFTER INSERT ... REFERENCING NEW TABLE ... FOR EACH STATEMENT trigger'
			USING ERRCODE = 'trigger_protocol_violated';
	END IF;
	IF TG_RELID OPERATOR(pg_catalog.<>) 'public.usage_records'::pg_catalog.regclass THEN
		RAISE EXCEPTION 'fenta.update_quota_usage() must be a trigger on public.usage_records'
			USING ERRCODE = 'trigger_protocol_violated';
	END IF;
	IF EXISTS (SELECT FROM new_rows n
			   WHERE n.llm_tokens_prompt OPERATOR(pg_catalog.<) 0 OR n.llm_tokens_output OPERATOR(pg_catalog.<) 0
				   OR n.kai_credits OPERATOR(pg_catalog.<) 0 OR n.render_seconds OPERATOR(pg_catalog.<) 0) THEN
		RAISE EXCEPTION 'usage amounts must not be negative' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOR u IN
		SELECT n.org_id,
			pg_catalog.sum(n.llm_tokens_prompt::numeric OPERATOR(pg_catalog.+) n.llm_tokens_output) AS tokens,
			pg_catalog.sum(n.kai_credits::numeric) AS kai,
			pg_catalog.sum(n.render_seconds::numeric) AS render,
			pg_catalog.sum(n.storage_bytes::numeric) AS storage
		FROM new_rows n WHERE n.org_id IS NOT NULL
		GROUP BY n.org_id ORDER BY n.org_id
	LOOP
		IF u.tokens OPERATOR(pg_catalog.>) 9223372036854775807 THEN
			PERFORM fenta.quota_overflow('tokens', u.org_id);
		ELSIF u.kai OPERATOR(pg_catalog.>) 9223372036854775807 THEN
			PERFORM fenta.quota_overflow('kai_credits', u.org_id);
		ELSIF u.render OPERATOR(pg_catalog.>) 9223372036854775807 THEN
			PERFORM fenta.quota_overflow('render_seconds', u.org_id);
		ELSIF pg_catalog.abs(u.storage) OPERATOR(pg_catalog.>) 9223372036854775807 THEN
			PERFORM fenta.quota_overflow('storage_bytes', u.org_id);
		END IF;
		IF u.kai OPERATOR(pg_catalog.>) 0 THEN
			SELECT l.kai_credits_used, l.kai_credits_limit, true INTO kai_used, kai_limit, found_row
			FROM public.quota_limits l WHERE l.org_id OPERATOR(pg_catalog.=) u.org_id FOR NO KEY UPDATE;
			IF found_row IS NULL THEN
				PERFORM fenta.quota_missing_row(u.org_id);
			END IF;
			IF kai_used::numeric OPERATOR(pg_catalog.+) u.kai OPERATOR(pg_catalog.>) 9223372036854775807 THEN
				PERFORM fenta.quota_overflow('kai_credits', u.org_id);
			END IF;
			over := 0;
			drawn := 0;
			IF kai_limit IS NOT NULL THEN
				over := GREATEST(kai_used OPERATOR(pg_catalog.+) u.kai OPERATOR(pg_catalog.-) kai_limit, 0)
					OPERATOR(pg_catalog.-) GREATEST(kai_used OPERATOR(pg_catalog.-) kai_limit, 0);
			END IF;
			IF over OPERATOR(pg_catalog.>) 0 THEN
				FOR p IN SELECT c.id, c.credits_remaining FROM public.credit_packs c
						 WHERE c.org_id OPERATOR(pg_catalog.=) u.org_id AND c.credits_remaining OPERATOR(pg_catalog.>) 0::bigint
							 AND (c.expires_at IS NULL OR c.expires_at OPERATOR(pg_catalog.>) pg_catalog.now())
						 ORDER BY c.expires_at NULLS LAST, c.created_at, c.id FOR UPDATE LOOP
					EXIT WHEN drawn OPERATOR(pg_catalog.>=) over;
					take := LEAST(p.credits_remaining, over OPERATOR(pg_catalog.-) drawn);
					UPDATE public.credit_packs c SET credits_remaining = c.credits_remaining OPERATOR(pg_catalog.-) take
					WHERE c.id OPERATOR(pg_catalog.=) p.id;
					drawn := drawn OPERATOR(pg_catalog.+) take;
				END LOOP;
			END IF;
			UPDATE public.quota_limits l
			SET kai_credits_used = l.kai_credits_used OPERATOR(pg_catalog.+) u.kai::bigint,
				kai_credits_from_packs = l.kai_credits_from_packs OPERATOR(pg_catalog.+) drawn
			WHERE l.org_id OPERATOR(pg_catalog.=) u.org_id;
			found_row := NULL;
		END IF;
		IF u.tokens OPERATOR(pg_catalog.<>) 0 OR u.render OPERATOR(pg_catalog.<>) 0 OR u.storage OPERATOR(pg_catalog.<>) 0 THEN
			-- the counters stay in range: checked against the exact usage
			SELECT * INTO cur FROM fenta.quota_usage(u.org_id);
			IF NOT FOUND THEN
				PERFORM fenta.quota_missing_row(u.org_id);
			END IF;
			IF cur.tokens::numeric OPERATOR(pg_catalog.+) u.tokens OPERATOR(pg_catalog.>) 9223372036854775807 THEN
				PERFORM fenta.quota_overflow('tokens', u.org_id);
			ELSIF cur.render_seconds::numeric OPERATOR(pg_catalog.+) u.render OPERATOR(pg_catalog.>) 9223372036854775807 THEN
				PERFORM fenta.quota_overflow('render_seconds', u.org_id);
			ELSIF pg_catalog.abs(cur.storage_bytes::numeric OPERATOR(pg_catalog.+) u.storage) OPERATOR(pg_catalog.>) 9223372036854775807 THEN
				PERFORM fenta.quota_overflow('storage_bytes', u.org_id);
			END IF;
			own := (pg_catalog.pg_backend_pid() OPERATOR(pg_catalog.%) slots)::smallint;
			target := NULL;
			n := 0;
			-- an existing slot row, the own one first, that no other
			-- transaction holds (without waiting).  Not under REPEATABLE READ
			-- or SERIALIZABLE: locking a row that another transaction updated
			-- or deleted (a rollup) after the snapshot fails to serialize, so
			-- there the twin adds to its own slot (upsert below) at once.
			IF pg_catalog.current_setting('transaction_isolation') OPERATOR(pg_catalog.=) 'read committed' THEN
				UPDATE fenta.quota_counters c
				SET tokens = c.tokens OPERATOR(pg_catalog.+) u.tokens::bigint,
					render_seconds = c.render_seconds OPERATOR(pg_catalog.+) u.render::bigint,
					storage_bytes = c.storage_bytes OPERATOR(pg_catalog.+) u.storage::bigint
				WHERE c.org_id OPERATOR(pg_catalog.=) u.org_id
					AND c.slot OPERATOR(pg_catalog.=) (
						SELECT k.slot FROM fenta.quota_counters k
						WHERE k.org_id OPERATOR(pg_catalog.=) u.org_id
						ORDER BY k.slot OPERATOR(pg_catalog.<>) own, k.slot
						LIMIT 1 FOR NO KEY UPDATE SKIP LOCKED)
				RETURNING c.tokens, c.render_seconds INTO t_new, r_new;
				GET DIAGNOSTICS n = ROW_COUNT;
				IF n OPERATOR(pg_catalog.>) 0 THEN
					-- a slot row holds at most 2^51 (src/quota.h QUOTA_SLOT_CAP)
					PERFORM fenta.quota_slot_cap(t_new, r_new, u.org_id);
					CONTINUE;
				END IF;
				-- a slot number without a row: the own one if free, else the
				-- lowest; every slot held: wait for the own one
				SELECT g.s INTO target
				FROM pg_catalog.generate_series(0, slots OPERATOR(pg_catalog.-) 1) g(s)
				WHERE NOT EXISTS (SELECT FROM fenta.quota_counters k
								  WHERE k.org_id OPERATOR(pg_catalog.=) u.org_id AND k.slot OPERATOR(pg_catalog.=) g.s)
				ORDER BY g.s OPERATOR(pg_catalog.<>) own, g.s
				LIMIT 1;
			END IF;
			INSERT INTO fenta.quota_counters AS c (org_id, slot, tokens, render_seconds, storage_bytes)
			VALUES (u.org_id, COALESCE(target, own), u.tokens::bigint, u.render::bigint, u.storage::bigint)
			ON CONFLICT (org_id, slot) DO UPDATE
			SET tokens = c.tokens OPERATOR(pg_catalog.+) excluded.tokens,
				render_seconds = c.render_seconds OPERATOR(pg_catalog.+) excluded.render_seconds,
				storage_bytes = c.storage_bytes OPERATOR(pg_catalog.+) excluded.storage_bytes
			RETURNING c.tokens, c.render_seconds INTO t_new, r_new;
			PERFORM fenta.quota_slot_cap(t_new, r_new, u.org_id);
		END IF;
	END LOOP;
	RETURN NULL;
END
$$;
