-- PL/pgSQL twins of the quota engine's C functions, with the same semantics,
-- in the natural design: one UPDATE of quota_limits per usage row.  Not
-- installed by the extension: the benchmark (test/bench/quota.sh) loads
-- them, as the baseline of issue 3's figures (C against the natural
-- PL/pgSQL design).  The differential test (test/t/quota_diff.sh) compares
-- the C functions with the migrations flavour's twins (sql/twins, in
-- supabase/migrations) instead; these are no longer tested against C.
-- In a twin database the C accounting trigger is disabled and
-- twin.update_quota_usage() keeps every counter in quota_limits (the storage
-- balance too, which may then go below 0: the twin drops that CHECK).
CREATE SCHEMA IF NOT EXISTS twin;

-- check_quota(): see fenta_check_quota() and quota_decide() in src/quota.c
CREATE FUNCTION twin.check_quota(org_id uuid, tokens bigint, kai_credits bigint, render_seconds bigint)
RETURNS boolean
LANGUAGE plpgsql STABLE
SET search_path = ''
AS $$
DECLARE
	q public.quota_limits;
	sub uuid;
	o_t numeric := 0;
	o_k numeric := 0;
	o_r numeric := 0;
	n_t numeric := 0;
	n_k numeric := 0;
	n_r numeric := 0;
	packs numeric;
	all_fit boolean := true;
BEGIN
	IF org_id IS NULL OR tokens IS NULL OR kai_credits IS NULL OR render_seconds IS NULL THEN
		RAISE EXCEPTION 'arguments must not be NULL' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF tokens < 0 OR kai_credits < 0 OR render_seconds < 0 THEN
		RAISE EXCEPTION 'amounts must not be negative' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT coalesce((SELECT r.rolsuper OR r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname = CURRENT_USER), false) THEN
		sub := auth.uid();
		IF sub IS NULL OR NOT EXISTS (SELECT FROM public.org_members m
									  WHERE m.org_id = check_quota.org_id AND m.user_id = sub) THEN
			RAISE EXCEPTION 'permission denied to check the quota of this org' USING ERRCODE = 'insufficient_privilege';
		END IF;
	END IF;
	IF NOT EXISTS (SELECT FROM public.orgs o WHERE o.id = check_quota.org_id AND o.deleted_at IS NULL) THEN
		RETURN false;
	END IF;
	SELECT * INTO q FROM public.quota_limits l WHERE l.org_id = check_quota.org_id;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	-- per resource: over = overage already incurred + the part of reserved +
	-- requested that the room left (KIE.ai credits: and the packs) does not cover
	IF q.tokens_limit IS NOT NULL THEN
		n_t := greatest(0, q.reserved_tokens::numeric + tokens - greatest(0, q.tokens_limit::numeric - q.tokens_used));
		o_t := greatest(0, q.tokens_used::numeric - q.tokens_limit) + n_t;
	END IF;
	IF q.kai_credits_limit IS NOT NULL THEN
		SELECT coalesce(sum(p.credits_remaining), 0) INTO packs FROM public.credit_packs p
		WHERE p.org_id = check_quota.org_id AND p.credits_remaining > 0
			AND (p.expires_at IS NULL OR p.expires_at > pg_catalog.now());
		n_k := greatest(0, q.reserved_kai_credits::numeric + kai_credits
						- greatest(0, q.kai_credits_limit::numeric + q.kai_credits_from_packs - q.kai_credits_used) - packs);
		o_k := greatest(0, q.kai_credits_used::numeric - q.kai_credits_limit - q.kai_credits_from_packs) + n_k;
	END IF;
	IF q.render_seconds_limit IS NOT NULL THEN
		n_r := greatest(0, q.reserved_render_seconds::numeric + render_seconds
						- greatest(0, q.render_seconds_limit::numeric - q.render_seconds_used));
		o_r := greatest(0, q.render_seconds_used::numeric - q.render_seconds_limit) + n_r;
	END IF;
	all_fit := (tokens = 0 OR n_t = 0) AND (kai_credits = 0 OR n_k = 0) AND (render_seconds = 0 OR n_r = 0);
	RETURN all_fit OR (q.allow_overage AND
		o_t * q.price_per_1k_tokens_usd / 1000 + o_k * q.price_per_kai_credit_usd
		+ o_r * q.price_per_render_second_usd <= q.overage_cap_usd);
END
$$;

-- update_quota_usage(): AFTER INSERT FOR EACH ROW, one UPDATE per row
CREATE FUNCTION twin.update_quota_usage()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	used bigint;
	lim bigint;
	over bigint := 0;
	drawn bigint := 0;
	take bigint;
	p record;
BEGIN
	IF NEW.kai_credits > 0 THEN
		SELECT l.kai_credits_used, l.kai_credits_limit INTO used, lim
		FROM public.quota_limits l WHERE l.org_id = NEW.org_id FOR NO KEY UPDATE;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'org % has no quota_limits row', NEW.org_id USING ERRCODE = 'no_data_found';
		END IF;
		IF lim IS NOT NULL THEN
			over := greatest(used + NEW.kai_credits - lim, 0) - greatest(used - lim, 0);
		END IF;
		IF over > 0 THEN
			FOR p IN SELECT c.id, c.credits_remaining FROM public.credit_packs c
					 WHERE c.org_id = NEW.org_id AND c.credits_remaining > 0
						 AND (c.expires_at IS NULL OR c.expires_at > pg_catalog.now())
					 ORDER BY c.expires_at NULLS LAST, c.created_at, c.id FOR UPDATE LOOP
				EXIT WHEN drawn >= over;
				take := least(p.credits_remaining, over - drawn);
				UPDATE public.credit_packs c SET credits_remaining = c.credits_remaining - take WHERE c.id = p.id;
				drawn := drawn + take;
			END LOOP;
		END IF;
	END IF;
	UPDATE public.quota_limits l
	SET tokens_used = l.tokens_used + NEW.llm_tokens_prompt + NEW.llm_tokens_output,
		kai_credits_used = l.kai_credits_used + NEW.kai_credits,
		kai_credits_from_packs = l.kai_credits_from_packs + drawn,
		render_seconds_used = l.render_seconds_used + NEW.render_seconds,
		storage_bytes_used = l.storage_bytes_used + NEW.storage_bytes
	WHERE l.org_id = NEW.org_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'org % has no quota_limits row', NEW.org_id USING ERRCODE = 'no_data_found';
	END IF;
	RETURN NULL;
END
$$;

-- exact counters, as fenta.quota_usage() gives them
CREATE FUNCTION twin.quota_usage(org_id uuid)
RETURNS TABLE (tokens bigint, kai_credits bigint, render_seconds bigint, storage_bytes bigint)
LANGUAGE sql STABLE
AS $$
	SELECT l.tokens_used, l.kai_credits_used, l.render_seconds_used, l.storage_bytes_used
	FROM public.quota_limits l WHERE l.org_id = quota_usage.org_id
$$;

-- apply_quota_resets(): counters restart, storage kept, reset_at moves on
CREATE FUNCTION twin.apply_quota_resets()
RETURNS integer
LANGUAGE plpgsql
SET TimeZone = 'UTC'
AS $$
DECLARE
	q record;
	k integer;
	n integer := 0;
	r record;
BEGIN
	FOR q IN SELECT l.org_id, l.reset_at FROM public.quota_limits l WHERE l.reset_at <= pg_catalog.now() ORDER BY 1 FOR UPDATE LOOP
		k := 1;
		WHILE q.reset_at + pg_catalog.make_interval(months => k) <= pg_catalog.now() LOOP
			k := k + 1;
		END LOOP;
		UPDATE public.quota_limits l SET tokens_used = 0, kai_credits_used = 0, kai_credits_from_packs = 0,
			render_seconds_used = 0, reset_at = q.reset_at + pg_catalog.make_interval(months => k)
		WHERE l.org_id = q.org_id;
		n := n + 1;
	END LOOP;
	FOR r IN DELETE FROM fenta.quota_reservations x WHERE x.expires_at <= pg_catalog.now() RETURNING x.* LOOP
		UPDATE public.quota_limits l SET reserved_tokens = l.reserved_tokens - r.tokens,
			reserved_kai_credits = l.reserved_kai_credits - r.kai_credits,
			reserved_render_seconds = l.reserved_render_seconds - r.render_seconds
		WHERE l.org_id = r.org_id;
	END LOOP;
	RETURN n;
END
$$;

CREATE FUNCTION twin.reserve_quota(org_id uuid, tokens bigint, kai_credits bigint, render_seconds bigint,
								   ttl interval DEFAULT '15 minutes')
RETURNS uuid
LANGUAGE plpgsql
AS $$
DECLARE
	res uuid;
BEGIN
	PERFORM FROM public.quota_limits l WHERE l.org_id = reserve_quota.org_id FOR NO KEY UPDATE;
	IF NOT twin.check_quota(org_id, tokens, kai_credits, render_seconds) THEN
		RETURN NULL;
	END IF;
	INSERT INTO fenta.quota_reservations (org_id, tokens, kai_credits, render_seconds, expires_at)
	VALUES (org_id, tokens, kai_credits, render_seconds, pg_catalog.now() + ttl) RETURNING id INTO res;
	UPDATE public.quota_limits l SET reserved_tokens = l.reserved_tokens + tokens,
		reserved_kai_credits = l.reserved_kai_credits + kai_credits,
		reserved_render_seconds = l.reserved_render_seconds + render_seconds
	WHERE l.org_id = reserve_quota.org_id;
	RETURN res;
END
$$;

CREATE FUNCTION twin.release_quota(reservation uuid)
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
	r record;
BEGIN
	DELETE FROM fenta.quota_reservations x WHERE x.id = reservation RETURNING x.* INTO r;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	UPDATE public.quota_limits l SET reserved_tokens = l.reserved_tokens - r.tokens,
		reserved_kai_credits = l.reserved_kai_credits - r.kai_credits,
		reserved_render_seconds = l.reserved_render_seconds - r.render_seconds
	WHERE l.org_id = r.org_id;
	RETURN true;
END
$$;

-- Turns the database into a twin database: the C accounting trigger off,
-- the PL/pgSQL one on.
CREATE FUNCTION twin.enable()
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
	ALTER TABLE public.usage_records DISABLE TRIGGER usage_records_quota;
	-- the twin drops one of fenta's constraints: the drop guard wants it said
	PERFORM pg_catalog.set_config('fenta.allow_drop', 'on', true);
	ALTER TABLE public.quota_limits DROP CONSTRAINT quota_limits_storage_bytes_used_non_negative;
	CREATE TRIGGER usage_records_quota_twin AFTER INSERT ON public.usage_records
		FOR EACH ROW EXECUTE FUNCTION twin.update_quota_usage();
END
$$;
