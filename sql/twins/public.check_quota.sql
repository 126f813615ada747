-- The quota decision of src/quota.c (quota_decide, quota_status) for the
-- migrations flavour.  public.check_quota and public.quota_status are
-- SECURITY INVOKER, as the C functions are (and as the linter wants for
-- exposed functions); they delegate to fenta.quota_detail, SECURITY DEFINER
-- so that it can read the counters, which authorizes the caller itself.
CREATE FUNCTION fenta.quota_detail(org_id uuid, tokens bigint, kai_credits bigint, render_seconds bigint)
RETURNS TABLE (resource text, quota_limit bigint, used bigint, reserved bigint, remaining bigint,
			   requested bigint, allowed boolean, reason text)
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 4
SET search_path = ''
AS $$
DECLARE
	-- the calling role: the C functions use the current user; inside this
	-- SECURITY DEFINER function that is the role set by SET ROLE (PostgREST)
	-- or else the session's user
	caller name := CASE WHEN pg_catalog.current_setting('role') OPERATOR(pg_catalog.=) 'none'
		THEN SESSION_USER ELSE pg_catalog.current_setting('role')::name END;
	q public.quota_limits;
	packs numeric := 0;
	lim numeric[];
	usd numeric[];
	res numeric[];
	req numeric[];
	over numeric[] := '{0,0,0,0}';
	fits boolean[] := '{t,t,t,t}';
	incurred numeric;
	room numeric;
	uncovered numeric;
	overage_ok boolean := false;
	names text[] := '{tokens,kai_credits,render_seconds,storage_bytes}';
	r int;
BEGIN
	IF org_id IS NULL OR tokens IS NULL OR kai_credits IS NULL OR render_seconds IS NULL THEN
		RAISE EXCEPTION '% must not be NULL',
			CASE WHEN org_id IS NULL THEN 'org_id' WHEN tokens IS NULL THEN 'tokens'
				WHEN kai_credits IS NULL THEN 'kai_credits' ELSE 'render_seconds' END
			USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass 0 for a resource that is not needed.';
	END IF;
	req := ARRAY[tokens, kai_credits, render_seconds, 0]::numeric[];
	FOR r IN 1 .. 3 LOOP
		IF req[r] OPERATOR(pg_catalog.<) 0 THEN
			RAISE EXCEPTION '% must not be negative', names[r]
				USING ERRCODE = 'invalid_parameter_value',
					DETAIL = pg_catalog.format('Requested %s: %s.', names[r], req[r]);
		END IF;
	END LOOP;
	IF NOT COALESCE((SELECT a.rolsuper OR a.rolbypassrls FROM pg_catalog.pg_roles a
					 WHERE a.rolname OPERATOR(pg_catalog.=) caller), false)
		-- an active member of the org (a soft-deleted org answers false below)
		AND NOT EXISTS (SELECT FROM public.org_members m
							JOIN public.profiles p ON p.id OPERATOR(pg_catalog.=) m.user_id
						WHERE m.org_id OPERATOR(pg_catalog.=) quota_detail.org_id
							AND m.user_id OPERATOR(pg_catalog.=) (SELECT auth.uid())
							AND p.status OPERATOR(pg_catalog.=) 'active'::public.user_status) THEN
		RAISE EXCEPTION 'permission denied to check the quota of this org'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Only active members of the org and service_role may check its quota.';
	END IF;
	SELECT l.* INTO q FROM public.quota_limits l
	WHERE l.org_id OPERATOR(pg_catalog.=) quota_detail.org_id AND l.org_deleted_at IS NULL;
	IF NOT FOUND THEN
		FOR r IN 1 .. 4 LOOP
			resource := names[r];
			quota_limit := NULL; used := NULL; reserved := NULL; remaining := NULL;
			requested := req[r];
			allowed := false;
			reason := 'org unknown or deleted';
			RETURN NEXT;
		END LOOP;
		RETURN;
	END IF;
	lim := ARRAY[q.tokens_limit, q.kai_credits_limit, q.render_seconds_limit, q.storage_bytes_limit]::numeric[];
	SELECT ARRAY[q.tokens_used::numeric OPERATOR(pg_catalog.+) COALESCE(pg_catalog.sum(c.tokens), 0),
			q.kai_credits_used::numeric,
			q.render_seconds_used::numeric OPERATOR(pg_catalog.+) COALESCE(pg_catalog.sum(c.render_seconds), 0),
			q.storage_bytes_used::numeric OPERATOR(pg_catalog.+) COALESCE(pg_catalog.sum(c.storage_bytes), 0)]
	INTO usd FROM fenta.quota_counters c WHERE c.org_id OPERATOR(pg_catalog.=) quota_detail.org_id;
	res := ARRAY[q.reserved_tokens, q.reserved_kai_credits, q.reserved_render_seconds, 0]::numeric[];
	IF q.kai_credits_limit IS NOT NULL THEN
		SELECT COALESCE(pg_catalog.sum(p.credits_remaining), 0) INTO packs FROM public.credit_packs p
		WHERE p.org_id OPERATOR(pg_catalog.=) quota_detail.org_id AND p.credits_remaining OPERATOR(pg_catalog.>) 0::bigint
			AND (p.expires_at IS NULL OR p.expires_at OPERATOR(pg_catalog.>) pg_catalog.now());
	END IF;
	FOR r IN 1 .. 4 LOOP
		CONTINUE WHEN lim[r] IS NULL;
		incurred := usd[r] OPERATOR(pg_catalog.-) lim[r]
			OPERATOR(pg_catalog.-) CASE WHEN r OPERATOR(pg_catalog.=) 2 THEN q.kai_credits_from_packs ELSE 0 END;
		room := GREATEST(OPERATOR(pg_catalog.-) incurred, 0);
		incurred := GREATEST(incurred, 0);
		IF r OPERATOR(pg_catalog.=) 2 THEN
			room := room OPERATOR(pg_catalog.+) packs;
		END IF;
		uncovered := GREATEST(res[r] OPERATOR(pg_catalog.+) req[r] OPERATOR(pg_catalog.-) room, 0);
		over[r] := incurred OPERATOR(pg_catalog.+) uncovered;
		fits[r] := r OPERATOR(pg_catalog.=) 4 OR req[r] OPERATOR(pg_catalog.=) 0 OR uncovered OPERATOR(pg_catalog.=) 0;
	END LOOP;
	IF q.allow_overage THEN
		-- (OPERATOR() forms all bind alike, left to right: parenthesized)
		overage_ok := ((over[1] OPERATOR(pg_catalog.*) q.price_per_1k_tokens_usd) OPERATOR(pg_catalog./) 1000)
			OPERATOR(pg_catalog.+) (over[2] OPERATOR(pg_catalog.*) q.price_per_kai_credit_usd)
			OPERATOR(pg_catalog.+) (over[3] OPERATOR(pg_catalog.*) q.price_per_render_second_usd)
			OPERATOR(pg_catalog.<=) q.overage_cap_usd;
	END IF;
	FOR r IN 1 .. 4 LOOP
		resource := names[r];
		quota_limit := lim[r];
		used := LEAST(GREATEST(CASE WHEN r OPERATOR(pg_catalog.=) 4 THEN GREATEST(usd[r], 0) ELSE usd[r] END,
			-9223372036854775808), 9223372036854775807);
		reserved := res[r];
		IF lim[r] IS NULL THEN
			remaining := NULL;
		ELSE
			room := lim[r] OPERATOR(pg_catalog.-) CASE WHEN r OPERATOR(pg_catalog.=) 4 THEN GREATEST(usd[r], 0) ELSE usd[r] END;
			IF r OPERATOR(pg_catalog.=) 2 THEN
				room := GREATEST(room OPERATOR(pg_catalog.+) q.kai_credits_from_packs, 0) OPERATOR(pg_catalog.+) packs;
			END IF;
			remaining := LEAST(GREATEST(room OPERATOR(pg_catalog.-) res[r], 0), 9223372036854775807);
		END IF;
		requested := req[r];
		allowed := fits[r] OR overage_ok;
		reason := CASE WHEN over[r] OPERATOR(pg_catalog.<=) 0 THEN NULL
			WHEN NOT q.allow_overage THEN 'over limit, overage not allowed'
			WHEN NOT overage_ok THEN 'over limit, overage cap exceeded'
			ELSE 'over limit, within overage cap' END;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION fenta.quota_detail(uuid, bigint, bigint, bigint) IS
'Migrations flavour: the body of check_quota and quota_status (src/quota.c), as the owner of the counters; authorizes the calling role (SET ROLE, else the session user) like the C functions do.';
REVOKE ALL ON FUNCTION fenta.quota_detail(uuid, bigint, bigint, bigint) FROM PUBLIC, anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION fenta.quota_detail(uuid, bigint, bigint, bigint) TO authenticated, service_role;

CREATE FUNCTION public.check_quota(org_id uuid, tokens bigint DEFAULT 0, kai_credits bigint DEFAULT 0, render_seconds bigint DEFAULT 0)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT pg_catalog.bool_and(d.allowed) FROM fenta.quota_detail(org_id, tokens, kai_credits, render_seconds) d
$$;
