-- ===========================================================================
-- Membership, invitations, ownership and API keys (0.5.0).
--
-- Membership starts with an invitation the invitee accepts (or with the org's
-- creation, which makes the creator its owner); nobody is made a member
-- without consent.  An org always keeps an owner.  API keys are made only by
-- public.create_api_key(), with scopes within the member's role, a cap per
-- member, and a revocation that cannot be undone.  A user creates at most
-- fenta.tenant_limit('max_orgs_per_user') orgs, and only the first
-- fenta.tenant_limit('max_free_orgs_per_user') of them get the free plan's
-- quota.  A suspended user (profiles.status) can do none of this.
--
-- The grants and policies of the existing tables are in 70_policies.sql;
-- the ones of org_invitations, new here, are below.  See doc/tenancy.md.
-- ===========================================================================

--
-- Serialising the changes that must see each other.  A row lock alone does not
-- help a REPEATABLE READ transaction: after waiting it still counts with its
-- old snapshot.  An UPDATE of a common row does: the second writer of the row
-- gets 40001 under REPEATABLE READ, and re-reads under READ COMMITTED.  These
-- helpers run as the extension owner and act only on the caller's own rows
-- (auth.uid()), or on an org the caller owns.
--

-- True when another owner than the leaving member stays in the org.  Runs as
-- the extension owner: the caller may not see every membership row.
CREATE FUNCTION fenta.org_keeps_owner(org uuid, leaving_member uuid)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
	SELECT EXISTS (
		SELECT FROM public.org_members m
		WHERE m.org_id OPERATOR(pg_catalog.=) org_keeps_owner.org
			AND m.role OPERATOR(pg_catalog.=) 'owner'::public.member_role
			AND m.id OPERATOR(pg_catalog.<>) org_keeps_owner.leaving_member)
$$;
COMMENT ON FUNCTION fenta.org_keeps_owner(uuid, uuid) IS
'True when the org has an owner other than the membership leaving_member; used by the org_members guard after fenta.lock_org_owners().';
REVOKE ALL ON FUNCTION fenta.org_keeps_owner(uuid, uuid) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.org_keeps_owner(uuid, uuid) TO service_role;

-- The org row serialises the changes to its owners (and its invitations).
CREATE FUNCTION fenta.lock_org_owners(org uuid, leaving_member uuid)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
BEGIN
	IF NOT fenta.has_org_role(lock_org_owners.org, 'owner') THEN
		RAISE EXCEPTION 'permission denied to change the owners of this org'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	UPDATE public.orgs o SET updated_at = o.updated_at
	WHERE o.id OPERATOR(pg_catalog.=) lock_org_owners.org;
	RETURN fenta.org_keeps_owner(lock_org_owners.org, lock_org_owners.leaving_member);
END
$$;
COMMENT ON FUNCTION fenta.lock_org_owners(uuid, uuid) IS
'Called by the org_members guard when an owner of the org removes or demotes the owner membership leaving_member: writes the org''s row, so that concurrent owner changes of the org run one after the other (40001 under REPEATABLE READ), then tells whether another owner stays. 42501 unless the caller is an owner of the live org.';
REVOKE ALL ON FUNCTION fenta.lock_org_owners(uuid, uuid) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.lock_org_owners(uuid, uuid) TO authenticated, service_role;


--
-- org_members: who may change what, and the last owner.
--
CREATE OR REPLACE FUNCTION fenta.org_members_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
	bypass boolean := fenta.bypasses_rls();
	uid uuid := (SELECT auth.uid());
	is_owner boolean;
	org_deleted timestamptz;
	org_found boolean;
	keeps_owner boolean;
BEGIN
	IF TG_OP = 'INSERT' THEN
		-- members join by accepting an invitation (public.accept_invitation)
		-- or by creating the org; both run as the extension owner
		IF NOT bypass THEN
			RAISE EXCEPTION 'permission denied to add a member to the org'
				USING ERRCODE = 'insufficient_privilege',
					HINT = 'Invite the user with public.create_invitation(); they join with public.accept_invitation().';
		END IF;
		RETURN NEW;
	END IF;

	IF NOT bypass THEN
		is_owner := fenta.has_org_role(OLD.org_id, 'owner');
		IF TG_OP = 'DELETE' THEN
			-- owners remove anyone (themselves included, if another owner
			-- stays); admins remove non-owners; any other member may leave
			IF NOT (is_owner
					OR (OLD.role OPERATOR(pg_catalog.<>) 'owner' AND fenta.has_org_role(OLD.org_id, 'admin'))
					OR (OLD.role OPERATOR(pg_catalog.<>) 'owner' AND OLD.user_id OPERATOR(pg_catalog.=) uid
						AND fenta.has_org_role(OLD.org_id, 'viewer'))) THEN
				RAISE EXCEPTION 'permission denied to remove this member from the org'
					USING ERRCODE = 'insufficient_privilege',
						DETAIL = 'Admins remove viewers, editors and admins; only an owner removes an owner; any member but an owner may leave.';
			END IF;
		ELSE
			IF NEW.org_id OPERATOR(pg_catalog.<>) OLD.org_id OR NEW.user_id OPERATOR(pg_catalog.<>) OLD.user_id
				OR NEW.id OPERATOR(pg_catalog.<>) OLD.id THEN
				RAISE EXCEPTION 'permission denied to move a membership'
					USING ERRCODE = 'insufficient_privilege';
			END IF;
			IF NOT fenta.has_org_role(OLD.org_id, 'admin') THEN
				RAISE EXCEPTION 'permission denied to change the role of a member'
					USING ERRCODE = 'insufficient_privilege',
						DETAIL = 'Only admins and owners change roles.';
			END IF;
			IF (OLD.role OPERATOR(pg_catalog.=) 'owner' OR NEW.role OPERATOR(pg_catalog.=) 'owner') AND NOT is_owner THEN
				RAISE EXCEPTION 'permission denied to grant or change the owner role'
					USING ERRCODE = 'insufficient_privilege',
						DETAIL = 'Only an owner of the org may create or change owner memberships.';
			END IF;
		END IF;
	END IF;

	-- an org keeps an owner: when an owner row goes or is demoted, serialise
	-- on the org row, then count the other owners
	IF OLD.role OPERATOR(pg_catalog.=) 'owner'
		AND (TG_OP = 'DELETE' OR NEW.role OPERATOR(pg_catalog.<>) 'owner'
			 OR NEW.org_id OPERATOR(pg_catalog.<>) OLD.org_id) THEN
		IF bypass THEN
			UPDATE public.orgs o SET updated_at = o.updated_at
			WHERE o.id OPERATOR(pg_catalog.=) OLD.org_id
			RETURNING o.deleted_at INTO org_deleted;
			org_found := FOUND;
			keeps_owner := fenta.org_keeps_owner(OLD.org_id, OLD.id);
		ELSE
			org_found := true;
			org_deleted := NULL;
			keeps_owner := fenta.lock_org_owners(OLD.org_id, OLD.id);
		END IF;
		-- the org itself is being deleted (cascade): nothing to keep
		IF org_found AND NOT keeps_owner THEN
			IF TG_OP = 'DELETE' AND bypass AND NOT EXISTS (
				SELECT FROM public.profiles p WHERE p.id OPERATOR(pg_catalog.=) OLD.user_id) THEN
				-- the user's account is being deleted
				IF org_deleted IS NOT NULL THEN
					RETURN OLD;		-- a soft-deleted org: the backend purges it
				END IF;
				RAISE EXCEPTION 'cannot delete user %: they are the last owner of org %', OLD.user_id, OLD.org_id
					USING ERRCODE = 'check_violation',
						HINT = 'Transfer the ownership first (make another member owner), or delete the org.';
			END IF;
			RAISE EXCEPTION 'an org must keep at least one owner'
				USING ERRCODE = 'check_violation',
					HINT = 'Make another member owner first, or delete the org.';
		END IF;
	END IF;
	RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
COMMENT ON FUNCTION fenta.org_members_guard() IS
'BEFORE INSERT/UPDATE/DELETE trigger of org_members. API roles never insert (invitations and org creation do, as the extension owner); admins change roles and remove viewers, editors and admins; only owners touch owner rows; any member but an owner may leave; an owner may step down while another owner stays. For every role: the last owner of an org is neither removed nor demoted (23514), under a write of the org row so that concurrent removals see each other (40001 under REPEATABLE READ), except when the org itself is deleted; deleting the account of the last owner of a live org fails with a hint.';

--
-- orgs.owner_id records the creator, nothing more: access follows org_members.
-- It goes NULL when the creator's account is deleted.
--
ALTER TABLE public.orgs ALTER COLUMN owner_id DROP NOT NULL;
ALTER TABLE public.orgs DROP CONSTRAINT orgs_owner_id_fkey;
ALTER TABLE public.orgs ADD CONSTRAINT orgs_owner_id_fkey
	FOREIGN KEY (owner_id) REFERENCES public.profiles (id) ON DELETE SET NULL;
COMMENT ON COLUMN public.orgs.owner_id IS 'Profile that created the org (the API sets it from auth.uid()); gives no access by itself (access follows org_members). NULL once the creator''s account is deleted.';

--
-- Orgs per user, and the free tier tied to the user.
--

-- Counts the orgs the calling user created (soft-deleted ones included),
-- under a write of their profile row, and refuses one more than the cap.
CREATE FUNCTION fenta.claim_org_slot()
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	uid uuid := (SELECT auth.uid());
	created integer;
	cap integer := fenta.tenant_limit('max_orgs_per_user');
BEGIN
	UPDATE public.profiles p SET updated_at = p.updated_at
	WHERE p.id OPERATOR(pg_catalog.=) uid AND p.status OPERATOR(pg_catalog.=) 'active'::public.user_status;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'permission denied to create an org'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Only signed-in users with an active profile create orgs.';
	END IF;
	SELECT pg_catalog.count(*) INTO created
	FROM public.orgs o WHERE o.owner_id OPERATOR(pg_catalog.=) uid;
	IF created OPERATOR(pg_catalog.>=) cap THEN
		RAISE EXCEPTION 'too many orgs: a user may create at most % orgs', cap
			USING ERRCODE = 'program_limit_exceeded',
				DETAIL = 'Soft-deleted orgs count too.',
				HINT = 'The cap is fenta.tenant_limit(''max_orgs_per_user'').';
	END IF;
	RETURN created;
END
$$;
COMMENT ON FUNCTION fenta.claim_org_slot() IS
'Called by the orgs_cap trigger when an API user creates an org: locks the user''s profile (writes it), counts the orgs they created (soft-deleted included) and raises 54000 at fenta.tenant_limit(''max_orgs_per_user''), 42501 for a suspended or unknown user. Returns the number of orgs created before.';
REVOKE ALL ON FUNCTION fenta.claim_org_slot() FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.claim_org_slot() TO authenticated, service_role;

CREATE FUNCTION fenta.orgs_cap()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF NEW.owner_id IS NULL THEN
		RAISE EXCEPTION 'an org needs an owner: owner_id must not be NULL'
			USING ERRCODE = 'not_null_violation',
				HINT = 'The API sets it from auth.uid(); the backend names the creating user.';
	END IF;
	IF fenta.bypasses_rls() THEN
		RETURN NEW;
	END IF;
	IF NEW.owner_id IS DISTINCT FROM (SELECT auth.uid()) THEN
		RAISE EXCEPTION 'permission denied to create an org for another user'
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	PERFORM fenta.claim_org_slot();
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.orgs_cap() IS
'BEFORE INSERT trigger on orgs: an org has a creator (owner_id, 23502); an API user creates orgs only for themselves, at most fenta.tenant_limit(''max_orgs_per_user'') (fenta.claim_org_slot(), 54000). Roles that bypass RLS (the backend) are not capped.';
REVOKE ALL ON FUNCTION fenta.orgs_cap() FROM PUBLIC, anon, authenticated, service_role;
DROP TRIGGER IF EXISTS orgs_cap ON public.orgs;
CREATE TRIGGER orgs_cap BEFORE INSERT ON public.orgs
	FOR EACH ROW EXECUTE FUNCTION fenta.orgs_cap();

-- Zero quota for the free orgs of a user beyond their free allowance.
CREATE FUNCTION fenta.apply_free_tier(org uuid)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	o public.orgs;
	earlier integer;
BEGIN
	SELECT * INTO o FROM public.orgs x
	WHERE x.id OPERATOR(pg_catalog.=) apply_free_tier.org
		AND x.owner_id OPERATOR(pg_catalog.=) (SELECT auth.uid());
	IF NOT FOUND OR o.plan OPERATOR(pg_catalog.<>) 'free'::public.org_plan THEN
		RETURN false;
	END IF;
	SELECT pg_catalog.count(*) INTO earlier
	FROM public.orgs x
	WHERE x.owner_id OPERATOR(pg_catalog.=) o.owner_id
		AND (x.created_at, x.id) OPERATOR(pg_catalog.<) (o.created_at, o.id);
	IF earlier OPERATOR(pg_catalog.<) fenta.tenant_limit('max_free_orgs_per_user') THEN
		RETURN false;
	END IF;
	UPDATE public.quota_limits q
	SET tokens_limit = 0, kai_credits_limit = 0, render_seconds_limit = 0, storage_bytes_limit = 0,
		allow_overage = false, overage_cap_usd = 0
	WHERE q.org_id OPERATOR(pg_catalog.=) o.id;
	RETURN true;
END
$$;
COMMENT ON FUNCTION fenta.apply_free_tier(uuid) IS
'Called by the orgs_quota_plan_free_tier trigger when an API user creates an org: when the org is on the free plan, was created by the caller, and the caller already created fenta.tenant_limit(''max_free_orgs_per_user'') orgs before it (soft-deleted ones included), its quota limits become 0 (no overage). Returns whether it did.';
REVOKE ALL ON FUNCTION fenta.apply_free_tier(uuid) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.apply_free_tier(uuid) TO authenticated, service_role;

CREATE FUNCTION fenta.orgs_free_tier()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF NOT fenta.bypasses_rls() THEN
		PERFORM fenta.apply_free_tier(NEW.id);
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION fenta.orgs_free_tier() IS
'AFTER INSERT trigger on orgs, after orgs_quota_plan: an org an API user creates beyond their free allowance starts with zero limits (fenta.apply_free_tier). Orgs the backend creates keep their plan''s limits.';
REVOKE ALL ON FUNCTION fenta.orgs_free_tier() FROM PUBLIC, anon, authenticated, service_role;
-- named to fire after orgs_handle_new and orgs_quota_plan (same event, name order)
DROP TRIGGER IF EXISTS orgs_quota_plan_free_tier ON public.orgs;
CREATE TRIGGER orgs_quota_plan_free_tier AFTER INSERT ON public.orgs
	FOR EACH ROW EXECUTE FUNCTION fenta.orgs_free_tier();

--
-- Invitations.
--
CREATE TABLE public.org_invitations (
	id uuid PRIMARY KEY DEFAULT fenta.uuid_generate_v7(),
	org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
	role public.member_role NOT NULL DEFAULT 'viewer',
	invited_by uuid DEFAULT auth.uid() REFERENCES public.profiles (id) ON DELETE SET NULL,
	token_hash text NOT NULL CONSTRAINT org_invitations_token_hash_key UNIQUE
		CONSTRAINT org_invitations_token_hash_format CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	email text CONSTRAINT org_invitations_email_format CHECK (email IS NULL OR (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' AND pg_catalog.length(email) <= 320)),
	expires_at timestamptz NOT NULL DEFAULT pg_catalog.now() + interval '7 days',
	accepted_at timestamptz,
	accepted_by uuid REFERENCES public.profiles (id) ON DELETE SET NULL,
	declined_at timestamptz,
	revoked_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT org_invitations_one_outcome CHECK (pg_catalog.num_nonnulls(accepted_at, declined_at, revoked_at) <= 1),
	CONSTRAINT org_invitations_expires_after_creation CHECK (expires_at > created_at)
);
COMMENT ON TABLE public.org_invitations IS 'Invitations to join an org with a role: created by an admin (public.create_invitation), accepted or declined by the invitee with the token (public.accept_invitation, public.decline_invitation), revoked by an admin, or expired. Only the SHA-256 of the token is stored.';
COMMENT ON COLUMN public.org_invitations.id IS 'Primary key (UUIDv7).';
COMMENT ON COLUMN public.org_invitations.org_id IS 'The org the invitee joins.';
COMMENT ON COLUMN public.org_invitations.role IS 'Role the invitee gets on acceptance (an owner role only from an owner).';
COMMENT ON COLUMN public.org_invitations.invited_by IS 'The member who created the invitation (NULL once their account is deleted).';
COMMENT ON COLUMN public.org_invitations.token_hash IS 'Hex SHA-256 of the raw token, which is returned once by create_invitation (secret: not readable through the Data API).';
COMMENT ON COLUMN public.org_invitations.email IS 'When set, only the user with this e-mail (auth.users.email, case-insensitive) may accept or decline.';
COMMENT ON COLUMN public.org_invitations.expires_at IS 'After this time the invitation can no longer be accepted (default: 7 days after creation).';
COMMENT ON COLUMN public.org_invitations.accepted_at IS 'When the invitee accepted; an invitation is used once.';
COMMENT ON COLUMN public.org_invitations.accepted_by IS 'The user who accepted.';
COMMENT ON COLUMN public.org_invitations.declined_at IS 'When the invitee declined.';
COMMENT ON COLUMN public.org_invitations.revoked_at IS 'When an admin revoked the invitation (one-way).';
COMMENT ON COLUMN public.org_invitations.created_at IS 'When the row was created.';
COMMENT ON COLUMN public.org_invitations.updated_at IS 'When the row was last updated (set by trigger).';
CREATE INDEX idx_org_invitations_org_id ON public.org_invitations (org_id, created_at);
CREATE INDEX idx_org_invitations_invited_by ON public.org_invitations (invited_by);
CREATE INDEX idx_org_invitations_accepted_by ON public.org_invitations (accepted_by);
CREATE TRIGGER org_invitations_updated_at BEFORE UPDATE ON public.org_invitations
	FOR EACH ROW EXECUTE FUNCTION fenta.update_updated_at();

-- An outcome (accepted, declined, revoked) is final; API roles only revoke.
CREATE FUNCTION fenta.org_invitations_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF OLD.accepted_at IS NOT NULL OR OLD.declined_at IS NOT NULL OR OLD.revoked_at IS NOT NULL THEN
		IF NEW.accepted_at IS DISTINCT FROM OLD.accepted_at OR NEW.declined_at IS DISTINCT FROM OLD.declined_at
			OR NEW.revoked_at IS DISTINCT FROM OLD.revoked_at THEN
			RAISE EXCEPTION 'this invitation is no longer pending: its outcome cannot change'
				USING ERRCODE = 'insufficient_privilege';
		END IF;
	END IF;
	IF NOT fenta.bypasses_rls() THEN
		IF NEW.accepted_at IS DISTINCT FROM OLD.accepted_at OR NEW.declined_at IS DISTINCT FROM OLD.declined_at
			OR NEW.org_id IS DISTINCT FROM OLD.org_id OR NEW.role IS DISTINCT FROM OLD.role
			OR NEW.token_hash IS DISTINCT FROM OLD.token_hash OR NEW.expires_at IS DISTINCT FROM OLD.expires_at
			OR NEW.email IS DISTINCT FROM OLD.email OR NEW.invited_by IS DISTINCT FROM OLD.invited_by
			OR NEW.accepted_by IS DISTINCT FROM OLD.accepted_by OR NEW.id IS DISTINCT FROM OLD.id THEN
			RAISE EXCEPTION 'permission denied: an invitation is only revoked through the API'
				USING ERRCODE = 'insufficient_privilege';
		END IF;
		IF OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL THEN
			NEW.revoked_at := pg_catalog.now();
		END IF;
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.org_invitations_guard() IS
'BEFORE UPDATE trigger of org_invitations: once accepted, declined or revoked, an invitation''s outcome never changes (every role); API roles only set revoked_at, to the current time.';
REVOKE ALL ON FUNCTION fenta.org_invitations_guard() FROM PUBLIC, anon, authenticated, service_role;
CREATE TRIGGER org_invitations_guard BEFORE UPDATE ON public.org_invitations
	FOR EACH ROW EXECUTE FUNCTION fenta.org_invitations_guard();

ALTER TABLE public.org_invitations ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON public.org_invitations FROM PUBLIC, anon, authenticated, service_role;
-- token_hash is a secret: no API role reads it
GRANT SELECT (id, org_id, role, invited_by, email, expires_at, accepted_at, accepted_by,
			  declined_at, revoked_at, created_at, updated_at) ON public.org_invitations TO authenticated;
GRANT UPDATE (revoked_at) ON public.org_invitations TO authenticated;
GRANT ALL ON public.org_invitations TO service_role;
CREATE POLICY org_invitations_select_admin ON public.org_invitations FOR SELECT TO authenticated
	USING (org_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT fenta.org_ids('admin'))));
CREATE POLICY org_invitations_update_admin ON public.org_invitations FOR UPDATE TO authenticated
	USING (org_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT fenta.org_ids('admin'))))
	WITH CHECK (org_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT fenta.org_ids('admin'))));
SELECT pg_catalog.pg_extension_config_dump('public.org_invitations', '');

-- SHA-256 hex of a token or key, and a new random secret (244 random bits
-- from two version 4 UUIDs: pgcrypto is not required).
CREATE FUNCTION fenta.secret_hash(secret text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(secret_hash.secret, 'UTF8')), 'hex')
$$;
COMMENT ON FUNCTION fenta.secret_hash(text) IS
'Hex SHA-256 of a raw API key or invitation token (what is stored instead of it).';
REVOKE ALL ON FUNCTION fenta.secret_hash(text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.secret_hash(text) TO service_role;

CREATE FUNCTION fenta.new_secret(prefix text)
RETURNS text
LANGUAGE sql VOLATILE
SET search_path = ''
AS $$
	SELECT new_secret.prefix || pg_catalog.replace(pg_catalog.gen_random_uuid()::text
		OPERATOR(pg_catalog.||) pg_catalog.gen_random_uuid()::text, '-', '')
$$;
COMMENT ON FUNCTION fenta.new_secret(text) IS
'A new random secret: prefix followed by 64 hex digits (two random UUIDs, 244 random bits).';
REVOKE ALL ON FUNCTION fenta.new_secret(text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.new_secret(text) TO service_role;

-- The caller's role in a live org, or NULL (not signed in, suspended, not a
-- member, org unknown or soft-deleted).
CREATE FUNCTION fenta.caller_org_role(org uuid)
RETURNS public.member_role
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
	SELECT m.role
	FROM public.org_members m
		JOIN public.orgs o ON o.id OPERATOR(pg_catalog.=) m.org_id
		JOIN public.profiles p ON p.id OPERATOR(pg_catalog.=) m.user_id
	WHERE m.org_id OPERATOR(pg_catalog.=) caller_org_role.org
		AND m.user_id OPERATOR(pg_catalog.=) (SELECT auth.uid())
		AND o.deleted_at IS NULL
		AND p.status OPERATOR(pg_catalog.=) 'active'::public.user_status
$$;
COMMENT ON FUNCTION fenta.caller_org_role(uuid) IS
'The requesting user''s role in the live org org, or NULL when they are not signed in, suspended, not a member, or the org is unknown or soft-deleted.';
REVOKE ALL ON FUNCTION fenta.caller_org_role(uuid) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION fenta.caller_org_role(uuid) TO authenticated, service_role;

CREATE FUNCTION public.create_invitation(org_id uuid, role public.member_role DEFAULT 'viewer', email text DEFAULT NULL)
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
COMMENT ON FUNCTION public.create_invitation(uuid, public.member_role, text) IS
'RPC: an admin or owner of a live org (active profile) invites someone to join it with role (an owner role only from an owner); returns (id, token). The raw token is returned once (only its SHA-256 is stored); hand it to the invitee, who calls accept_invitation(token) or decline_invitation(token) within 7 days. With email, only the user with that e-mail may use it. No user is looked up. 42501 for a caller who is not admin+ of the live org (the same for an unknown org); 54000 beyond fenta.tenant_limit(''max_pending_invitations_per_org'') pending invitations.';
REVOKE ALL ON FUNCTION public.create_invitation(uuid, public.member_role, text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.create_invitation(uuid, public.member_role, text) TO authenticated, service_role;

-- The pending invitation of a token, locked, for the signed-in, active caller.
CREATE FUNCTION fenta.pending_invitation(token text)
RETURNS public.org_invitations
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
	uid uuid := (SELECT auth.uid());
	inv public.org_invitations;
	my_email text;
BEGIN
	IF uid IS NULL OR NOT EXISTS (
		SELECT FROM public.profiles p
		WHERE p.id OPERATOR(pg_catalog.=) uid AND p.status OPERATOR(pg_catalog.=) 'active'::public.user_status) THEN
		RAISE EXCEPTION 'permission denied to answer an invitation'
			USING ERRCODE = 'insufficient_privilege',
				DETAIL = 'Only signed-in users with an active profile answer invitations.';
	END IF;
	SELECT * INTO inv FROM public.org_invitations i
	WHERE i.token_hash OPERATOR(pg_catalog.=) fenta.secret_hash(pending_invitation.token)
	FOR UPDATE;
	IF NOT FOUND OR NOT EXISTS (
		SELECT FROM public.orgs o
		WHERE o.id OPERATOR(pg_catalog.=) inv.org_id AND o.deleted_at IS NULL) THEN
		RAISE EXCEPTION 'invitation not found'
			USING ERRCODE = 'invalid_parameter_value',
				DETAIL = 'The token matches no invitation to a live org.';
	END IF;
	IF inv.accepted_at IS NOT NULL THEN
		RAISE EXCEPTION 'this invitation has already been accepted' USING ERRCODE = 'invalid_parameter_value';
	ELSIF inv.declined_at IS NOT NULL THEN
		RAISE EXCEPTION 'this invitation has been declined' USING ERRCODE = 'invalid_parameter_value';
	ELSIF inv.revoked_at IS NOT NULL THEN
		RAISE EXCEPTION 'this invitation has been revoked' USING ERRCODE = 'invalid_parameter_value';
	ELSIF inv.expires_at OPERATOR(pg_catalog.<=) pg_catalog.now() THEN
		RAISE EXCEPTION 'this invitation has expired' USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Ask an admin of the org for a new invitation.';
	END IF;
	IF inv.email IS NOT NULL THEN
		SELECT u.email INTO my_email FROM auth.users u WHERE u.id OPERATOR(pg_catalog.=) uid;
		IF my_email IS NULL OR pg_catalog.lower(my_email) OPERATOR(pg_catalog.<>) inv.email THEN
			RAISE EXCEPTION 'this invitation is for another e-mail address'
				USING ERRCODE = 'insufficient_privilege';
		END IF;
	END IF;
	RETURN inv;
END
$$;
COMMENT ON FUNCTION fenta.pending_invitation(text) IS
'The pending invitation of a raw token, locked FOR UPDATE, for the requesting user: 42501 when they are not signed in, suspended, or not the invited e-mail; 22023 when the token is unknown, its org soft-deleted, or the invitation accepted, declined, revoked or expired. Used by accept_invitation and decline_invitation.';
REVOKE ALL ON FUNCTION fenta.pending_invitation(text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.pending_invitation(text) TO service_role;

CREATE FUNCTION public.accept_invitation(token text)
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
COMMENT ON FUNCTION public.accept_invitation(text) IS
'RPC: the signed-in user (active profile) accepts the invitation of a raw token and becomes a member of its org with the invited role; a member already keeps the higher of their role and the invited one. Returns the org id. An invitation is used once: 22023 when the token is unknown or the invitation accepted, declined, revoked or expired, or its org soft-deleted; 42501 for a suspended user or another e-mail than the invited one.';
REVOKE ALL ON FUNCTION public.accept_invitation(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.accept_invitation(text) TO authenticated, service_role;

CREATE FUNCTION public.decline_invitation(token text)
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
COMMENT ON FUNCTION public.decline_invitation(text) IS
'RPC: the signed-in user (active profile) declines the invitation of a raw token; it can no longer be used. Same errors as accept_invitation.';
REVOKE ALL ON FUNCTION public.decline_invitation(text) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.decline_invitation(text) TO authenticated, service_role;

--
-- API keys.
--
-- Scopes: a key carries a JSON array of these strings; each needs a role.
--   read     viewer and above: read the org's data
--   write    editor and above: create and change content, queue jobs
--   admin    admin and above: members, webhooks, integrations
--   billing  owner: plans, invoices, credit packs
-- Anything else ("*" included) is rejected (22023); a scope above the
-- member's role is refused (42501).  fenta.verify_api_key() clips a key's
-- scopes to what its member's role allows now.
CREATE FUNCTION fenta.api_key_scope_role(scope text)
RETURNS public.member_role
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = ''
AS $$
	SELECT CASE api_key_scope_role.scope
		WHEN 'read' THEN 'viewer'::public.member_role
		WHEN 'write' THEN 'editor'::public.member_role
		WHEN 'admin' THEN 'admin'::public.member_role
		WHEN 'billing' THEN 'owner'::public.member_role
	END
$$;
COMMENT ON FUNCTION fenta.api_key_scope_role(text) IS
'The least member role that may hold an API key scope: read viewer, write editor, admin admin, billing owner; NULL for an unknown scope ("*" included).';
REVOKE ALL ON FUNCTION fenta.api_key_scope_role(text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.api_key_scope_role(text) TO service_role;

CREATE OR REPLACE FUNCTION public.create_api_key(org_id uuid, name text, scopes jsonb DEFAULT '[]', expires_at timestamptz DEFAULT NULL)
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
COMMENT ON FUNCTION public.create_api_key(uuid, text, jsonb, timestamptz) IS
'RPC: creates an API key for the calling user (active profile) in a live org they belong to and returns (id, key); the raw key is returned once, only its SHA-256 is stored. scopes: a JSON array of read (viewer+), write (editor+), admin (admin+), billing (owner); 22023 for anything else ("*" included) or a past expires_at, 42501 for a scope above the caller''s role or a caller who is not an active member of the live org; 54000 beyond fenta.tenant_limit(''max_api_keys_per_member'') unrevoked, unexpired keys of the member in the org. The only way to make a key.';
REVOKE ALL ON FUNCTION public.create_api_key(uuid, text, jsonb, timestamptz) FROM PUBLIC, anon;
GRANT EXECUTE ON FUNCTION public.create_api_key(uuid, text, jsonb, timestamptz) TO authenticated, service_role;

-- API roles make no key directly; a revocation is final for every role.
CREATE FUNCTION fenta.api_keys_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		IF NOT fenta.bypasses_rls() THEN
			RAISE EXCEPTION 'permission denied to insert into api_keys'
				USING ERRCODE = 'insufficient_privilege',
					HINT = 'Create keys with public.create_api_key().';
		END IF;
		RETURN NEW;
	END IF;
	IF OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at THEN
		RAISE EXCEPTION 'an API key''s revocation cannot be undone or changed'
			USING ERRCODE = 'insufficient_privilege',
				HINT = 'Create a new key instead.';
	END IF;
	IF OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL AND NOT fenta.bypasses_rls() THEN
		NEW.revoked_at := pg_catalog.now();
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION fenta.api_keys_guard() IS
'BEFORE INSERT OR UPDATE trigger of api_keys: API roles never insert keys (public.create_api_key does, as the extension owner); revoked_at, once set, never changes again, for every role (revocation is one-way); an API role''s revocation takes the current time.';
REVOKE ALL ON FUNCTION fenta.api_keys_guard() FROM PUBLIC, anon, authenticated, service_role;
DROP TRIGGER IF EXISTS api_keys_guard ON public.api_keys;
CREATE TRIGGER api_keys_guard BEFORE INSERT OR UPDATE ON public.api_keys
	FOR EACH ROW EXECUTE FUNCTION fenta.api_keys_guard();

CREATE OR REPLACE FUNCTION fenta.verify_api_key(key text)
RETURNS TABLE (key_id uuid, user_id uuid, org_id uuid, scopes jsonb)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = ''
AS $$
	SELECT k.id, k.user_id, k.org_id,
		(SELECT coalesce(pg_catalog.jsonb_agg(e ORDER BY e), '[]')
		 FROM pg_catalog.jsonb_array_elements_text(k.scopes) e
		 WHERE fenta.api_key_scope_role(e) OPERATOR(pg_catalog.<=) m.role)
	FROM public.api_keys k
		JOIN public.org_members m ON m.org_id OPERATOR(pg_catalog.=) k.org_id
			AND m.user_id OPERATOR(pg_catalog.=) k.user_id
		JOIN public.orgs o ON o.id OPERATOR(pg_catalog.=) k.org_id
		JOIN public.profiles p ON p.id OPERATOR(pg_catalog.=) k.user_id
	WHERE k.key_hash OPERATOR(pg_catalog.=) fenta.secret_hash(verify_api_key.key)
		AND k.revoked_at IS NULL
		AND (k.expires_at IS NULL OR k.expires_at OPERATOR(pg_catalog.>) pg_catalog.now())
		AND o.deleted_at IS NULL
		AND p.status OPERATOR(pg_catalog.=) 'active'::public.user_status
$$;
COMMENT ON FUNCTION fenta.verify_api_key(text) IS
'Backend (service_role): resolves a raw API key to (key_id, user_id, org_id, scopes) when it is valid: not revoked, not expired, its org live (not soft-deleted), its user active (not suspended) and still a member; scopes are those of the key that the member''s current role allows (read viewer, write editor, admin admin, billing owner; unknown scopes dropped). No row otherwise.';
REVOKE ALL ON FUNCTION fenta.verify_api_key(text) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION fenta.verify_api_key(text) TO service_role;
