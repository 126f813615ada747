-- ===========================================================================
-- The member RPCs as SECURITY INVOKER wrappers (0.6.0).
--
-- public.create_api_key, public.create_invitation, public.accept_invitation
-- and public.decline_invitation write rows that members cannot write
-- directly (api_keys, org_invitations, org_members), after checking the
-- caller's role: they need the owner's rights.  Until 0.5.0 they were
-- SECURITY DEFINER functions in public, which PostgREST exposes; Supabase's
-- linter (splinter, lint 0029 authenticated_security_definer_function_executable)
-- flags such a function executable by authenticated.  Its remedy, done here:
-- the SECURITY DEFINER body moves, verbatim (every check, lock, message and
-- SQLSTATE), to a function of the same name and arguments in fenta (not
-- exposed), and the public function becomes a SECURITY INVOKER wrapper that
-- calls it, with the same signature, result, defaults, comment and grants.
-- The wrapper runs as the caller (authenticated or service_role), which
-- needs USAGE on fenta (granted by 00_header.sql) and EXECUTE on the body;
-- auth.uid() reads the same JWT claims in the body as before.
-- ===========================================================================

CREATE FUNCTION fenta.create_api_key(org_id uuid, name text, scopes jsonb DEFAULT '[]', expires_at timestamptz DEFAULT NULL)
RETURNS TABLE (id uuid, key text)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	my_role public.member_role := fenta.caller_org_role(create_api_key.org_id);
	uid uuid := (SELECT auth.uid());
	raw text := fenta.new_secret('fk_');
	s jsonb;
	clean jsonb;
	live integer;
	cap integer := fenta.tenant_limit('max_api_keys_per_member');
	new_id uuid;
BEGIN
	IF my_role IS NULL THEN
		RAISE EXCEPTION 'permission denied to create an API key in this org'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Members with an active profile create keys in a live org they belong to.';
	END IF;
	IF create_api_key.scopes IS NULL OR pg_catalog.jsonb_typeof(create_api_key.scopes) OPERATOR(pg_catalog.<>) 'array' THEN
		RAISE EXCEPTION 'scopes must be a JSON array of strings' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOR s IN SELECT e FROM pg_catalog.jsonb_array_elements(create_api_key.scopes) e LOOP
		IF pg_catalog.jsonb_typeof(s) OPERATOR(pg_catalog.<>) 'string'
			OR fenta.api_key_scope_role(s #>> '{}') IS NULL THEN
			RAISE EXCEPTION 'unknown API key scope: %', s
				USING ERRCODE = 'invalid_parameter_value',
					HINT = 'Scopes are read, write, admin and billing.';
		END IF;
		IF fenta.api_key_scope_role(s #>> '{}') OPERATOR(pg_catalog.>) my_role THEN
			RAISE EXCEPTION 'permission denied to grant scope % with role %', s, my_role
				USING ERRCODE = 'insufficient_privilege',
					DETAIL = 'read needs viewer, write editor, admin admin, billing owner.';
		END IF;
	END LOOP;
	SELECT coalesce(pg_catalog.jsonb_agg(DISTINCT e ORDER BY e), '[]') INTO clean
	FROM pg_catalog.jsonb_array_elements_text(create_api_key.scopes) e;
	IF create_api_key.expires_at OPERATOR(pg_catalog.<=) pg_catalog.now() THEN
		RAISE EXCEPTION 'expires_at must be in the future' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	-- serialise the member's key creations (write their membership row),
	-- then count their live keys
	UPDATE public.org_members m SET updated_at = m.updated_at
	WHERE m.org_id OPERATOR(pg_catalog.=) create_api_key.org_id AND m.user_id OPERATOR(pg_catalog.=) uid;
	SELECT pg_catalog.count(*) INTO live
	FROM public.api_keys k
	WHERE k.org_id OPERATOR(pg_catalog.=) create_api_key.org_id AND k.user_id OPERATOR(pg_catalog.=) uid
		AND k.revoked_at IS NULL
		AND (k.expires_at IS NULL OR k.expires_at OPERATOR(pg_catalog.>) pg_catalog.now());
	IF live OPERATOR(pg_catalog.>=) cap THEN
		RAISE EXCEPTION 'too many API keys: a member may hold at most % unrevoked keys in an org', cap
			USING ERRCODE = 'program_limit_exceeded',
				HINT = 'Revoke unused keys; the cap is fenta.tenant_limit(''max_api_keys_per_member'').';
	END IF;
	INSERT INTO public.api_keys (user_id, org_id, name, key_hash, key_prefix, scopes, expires_at)
	VALUES (uid, create_api_key.org_id, create_api_key.name, fenta.secret_hash(raw),
			pg_catalog.left(raw, 11), clean, create_api_key.expires_at)
	RETURNING api_keys.id INTO new_id;
	RETURN QUERY SELECT new_id, raw;
END
$$;
COMMENT ON FUNCTION fenta.create_api_key(uuid, text, jsonb, timestamptz) IS
'The body of public.create_api_key(), run with the owner''s rights (SECURITY DEFINER); public.create_api_key is its SECURITY INVOKER wrapper, the RPC that PostgREST exposes. Not exposed itself; see the comment of public.create_api_key for what it does.';
REVOKE ALL ON FUNCTION fenta.create_api_key(uuid, text, jsonb, timestamptz) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.create_api_key(uuid, text, jsonb, timestamptz) TO authenticated, service_role;

CREATE FUNCTION fenta.create_invitation(org_id uuid, role public.member_role DEFAULT 'viewer', email text DEFAULT NULL)
RETURNS TABLE (id uuid, token text)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	my_role public.member_role := fenta.caller_org_role(create_invitation.org_id);
	raw text := fenta.new_secret('fi_');
	pending integer;
	cap integer := fenta.tenant_limit('max_pending_invitations_per_org');
	new_id uuid;
BEGIN
	IF my_role IS NULL OR my_role OPERATOR(pg_catalog.<) 'admin'::public.member_role THEN
		RAISE EXCEPTION 'permission denied to invite members to this org'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Admins and owners of a live org invite members.';
	END IF;
	IF create_invitation.role IS NULL THEN
		RAISE EXCEPTION 'role must not be NULL' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF create_invitation.role OPERATOR(pg_catalog.=) 'owner'::public.member_role
		AND my_role OPERATOR(pg_catalog.<>) 'owner'::public.member_role THEN
		RAISE EXCEPTION 'permission denied to invite an owner'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Only an owner invites an owner.';
	END IF;
	-- serialise the invitations of the org, then count the pending ones
	UPDATE public.orgs o SET updated_at = o.updated_at
	WHERE o.id OPERATOR(pg_catalog.=) create_invitation.org_id;
	SELECT pg_catalog.count(*) INTO pending
	FROM public.org_invitations i
	WHERE i.org_id OPERATOR(pg_catalog.=) create_invitation.org_id
		AND i.accepted_at IS NULL AND i.declined_at IS NULL AND i.revoked_at IS NULL
		AND i.expires_at OPERATOR(pg_catalog.>) pg_catalog.now();
	IF pending OPERATOR(pg_catalog.>=) cap THEN
		RAISE EXCEPTION 'too many pending invitations: an org may have at most %', cap
			USING ERRCODE = 'program_limit_exceeded',
				HINT = 'Revoke unused invitations; the cap is fenta.tenant_limit(''max_pending_invitations_per_org'').';
	END IF;
	INSERT INTO public.org_invitations (org_id, role, invited_by, token_hash, email)
	VALUES (create_invitation.org_id, create_invitation.role, (SELECT auth.uid()),
			fenta.secret_hash(raw), pg_catalog.lower(pg_catalog.btrim(create_invitation.email)))
	RETURNING org_invitations.id INTO new_id;
	RETURN QUERY SELECT new_id, raw;
END
$$;
COMMENT ON FUNCTION fenta.create_invitation(uuid, public.member_role, text) IS
'The body of public.create_invitation(), run with the owner''s rights (SECURITY DEFINER); public.create_invitation is its SECURITY INVOKER wrapper, the RPC that PostgREST exposes. Not exposed itself; see the comment of public.create_invitation for what it does.';
REVOKE ALL ON FUNCTION fenta.create_invitation(uuid, public.member_role, text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.create_invitation(uuid, public.member_role, text) TO authenticated, service_role;

CREATE FUNCTION fenta.accept_invitation(token text)
RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	inv public.org_invitations := fenta.pending_invitation(accept_invitation.token);
	uid uuid := (SELECT auth.uid());
BEGIN
	-- already a member: the higher of the two roles stays
	INSERT INTO public.org_members AS m (org_id, user_id, role)
	VALUES (inv.org_id, uid, inv.role)
	ON CONFLICT (org_id, user_id) DO UPDATE SET role = GREATEST(m.role, EXCLUDED.role)
		WHERE m.role OPERATOR(pg_catalog.<) EXCLUDED.role;
	UPDATE public.org_invitations i SET accepted_at = pg_catalog.now(), accepted_by = uid
	WHERE i.id OPERATOR(pg_catalog.=) inv.id;
	RETURN inv.org_id;
END
$$;
COMMENT ON FUNCTION fenta.accept_invitation(text) IS
'The body of public.accept_invitation(), run with the owner''s rights (SECURITY DEFINER); public.accept_invitation is its SECURITY INVOKER wrapper, the RPC that PostgREST exposes. Not exposed itself; see the comment of public.accept_invitation for what it does.';
REVOKE ALL ON FUNCTION fenta.accept_invitation(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.accept_invitation(text) TO authenticated, service_role;

CREATE FUNCTION fenta.decline_invitation(token text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	inv public.org_invitations := fenta.pending_invitation(decline_invitation.token);
BEGIN
	UPDATE public.org_invitations i SET declined_at = pg_catalog.now()
	WHERE i.id OPERATOR(pg_catalog.=) inv.id;
END
$$;
COMMENT ON FUNCTION fenta.decline_invitation(text) IS
'The body of public.decline_invitation(), run with the owner''s rights (SECURITY DEFINER); public.decline_invitation is its SECURITY INVOKER wrapper, the RPC that PostgREST exposes. Not exposed itself; see the comment of public.decline_invitation for what it does.';
REVOKE ALL ON FUNCTION fenta.decline_invitation(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.decline_invitation(text) TO authenticated, service_role;
--
-- The public RPCs: SECURITY INVOKER wrappers of the bodies above.  An error
-- of a body reaches the caller with its SQLSTATE, message, detail and hint
-- unchanged; its CONTEXT gains the wrapper's line (a wrapper that pins its
-- search_path is never inlined).  CREATE OR REPLACE keeps their comments,
-- grants and dependants; the grants are restated all the same.
--
CREATE OR REPLACE FUNCTION public.create_api_key(org_id uuid, name text, scopes jsonb DEFAULT '[]', expires_at timestamptz DEFAULT NULL)
RETURNS TABLE (id uuid, key text)
LANGUAGE sql SECURITY INVOKER
SET search_path = ''
AS $$
	SELECT b.id, b.key FROM fenta.create_api_key($1, $2, $3, $4) AS b
$$;
REVOKE ALL ON FUNCTION public.create_api_key(uuid, text, jsonb, timestamptz) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.create_api_key(uuid, text, jsonb, timestamptz) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION public.create_invitation(org_id uuid, role public.member_role DEFAULT 'viewer', email text DEFAULT NULL)
RETURNS TABLE (id uuid, token text)
LANGUAGE sql SECURITY INVOKER
SET search_path = ''
AS $$
	SELECT b.id, b.token FROM fenta.create_invitation($1, $2, $3) AS b
$$;
REVOKE ALL ON FUNCTION public.create_invitation(uuid, public.member_role, text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.create_invitation(uuid, public.member_role, text) TO authenticated, service_role;

CREATE OR REPLACE FUNCTION public.accept_invitation(token text)
RETURNS uuid
LANGUAGE sql SECURITY INVOKER
SET search_path = ''
AS $$
	SELECT fenta.accept_invitation($1)
$$;
REVOKE ALL ON FUNCTION public.accept_invitation(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.accept_invitation(text) TO authenticated, service_role;

-- in PL/pgSQL: it returns void as before, not NULL (a void SQL function
-- returns NULL)
CREATE OR REPLACE FUNCTION public.decline_invitation(token text)
RETURNS void
LANGUAGE plpgsql SECURITY INVOKER
SET search_path = ''
AS $$
BEGIN
	PERFORM fenta.decline_invitation(decline_invitation.token);
END
$$;
REVOKE ALL ON FUNCTION public.decline_invitation(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.decline_invitation(text) TO authenticated, service_role;

-- the api_keys guard's comment names the function that makes keys
COMMENT ON FUNCTION fenta.api_keys_guard() IS
'BEFORE INSERT OR UPDATE trigger of api_keys: API roles never insert keys (public.create_api_key does, through its body fenta.create_api_key, as the extension owner); revoked_at, once set, never changes again, for every role (revocation is one-way); an API role''s revocation takes the current time.';
