--
-- Membership, invitations, ownership, API keys, orgs per user, and what anon
-- may execute (issue 11, sections 1, 3 and 4; doc/tenancy.md).  Every case is
-- an attack or a lifecycle step; the comment says what 0.4.0 did instead.
--
-- pg_temp.try(who, statement): runs the statement as who (a user id, with
-- role authenticated; or 'service', 'anon', 'super') and returns 'ok' with
-- the first value or the row count, or the SQLSTATE, message and hint.
--
\set VERBOSITY terse
-- a database of its own, with the fixture (rls_matrix loads it too)
\set own_db fenta_tenancy_membership
\i test/own_database.sql

CREATE FUNCTION pg_temp.try(who text, stmt text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
	r text;
	n bigint;
	st text;
	msg text;
	hint text;
BEGIN
	PERFORM pg_catalog.set_config('request.jwt.claims',
		CASE WHEN who IN ('service', 'anon', 'super') THEN ''
			 ELSE pg_catalog.json_build_object('sub', who)::text END, false);
	BEGIN
		IF who = 'service' THEN
			SET ROLE service_role;
		ELSIF who = 'anon' THEN
			SET ROLE anon;
		ELSIF who <> 'super' THEN
			SET ROLE authenticated;
		END IF;
		IF stmt ~* '^\s*(select|values)' OR stmt ~* '\mreturning\M' THEN
			EXECUTE stmt INTO r;
			RESET ROLE;
			RETURN 'ok ' || coalesce(r, '(null)');
		END IF;
		EXECUTE stmt;
		GET DIAGNOSTICS n = ROW_COUNT;
		RESET ROLE;
		RETURN 'ok ' || n || ' rows';
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
		RETURN st || ' ' || msg || coalesce(' (' || nullif(hint, '') || ')', '');
	END;
END
$f$;
-- direct table writes: the SQLSTATE only (grants or a guard may refuse)
CREATE FUNCTION pg_temp.code(who text, stmt text) RETURNS text LANGUAGE sql AS $$
	SELECT CASE WHEN r LIKE 'ok%' THEN r ELSE pg_catalog.left(r, 5) END
	FROM pg_temp.try(who, stmt) r
$$;

-- more users: an invitee, a suspended admin of org A, creators e3..e5, f1
INSERT INTO auth.users (id, email) VALUES
	('00000000-0000-4000-8000-0000000000e1', 'Invitee@E.test'),
	('00000000-0000-4000-8000-0000000000e2', 'suspended@e.test'),
	('00000000-0000-4000-8000-0000000000e3', 'leaver@e.test'),
	('00000000-0000-4000-8000-0000000000e4', 'lastowner@e.test'),
	('00000000-0000-4000-8000-0000000000e5', 'softowner@e.test'),
	('00000000-0000-4000-8000-0000000000f1', 'many@f.test');
INSERT INTO public.org_members (org_id, user_id, role) VALUES
	('10000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-0000000000e2', 'admin');
UPDATE public.profiles SET status = 'suspended' WHERE id = '00000000-0000-4000-8000-0000000000e2';
\set orga 10000000-0000-4000-8000-00000000000a
\set owner '00000000-0000-4000-8000-0000000000a1'
\set admin '00000000-0000-4000-8000-0000000000a2'
\set editor '00000000-0000-4000-8000-0000000000a3'
\set viewer '00000000-0000-4000-8000-0000000000a4'
\set viewer2 '00000000-0000-4000-8000-0000000000a5'
\set outsider '00000000-0000-4000-8000-0000000000c1'
\set spare '00000000-0000-4000-8000-0000000000d1'
\set invitee '00000000-0000-4000-8000-0000000000e1'
\set suspended '00000000-0000-4000-8000-0000000000e2'

--
-- 1. API keys
--
-- a viewer inserts a key of their own making (0.4.0: ok, and verify_api_key
-- resolved 'password' with scopes admin, billing:write, *)
SELECT pg_temp.code(:'viewer', $$INSERT INTO public.api_keys (user_id, org_id, name, key_hash, key_prefix, scopes)
	VALUES ('00000000-0000-4000-8000-0000000000a4', '10000000-0000-4000-8000-00000000000a', 'mine',
			encode(sha256('password'), 'hex'), 'fk_pass', '["admin","billing:write","*"]')$$) AS viewer_inserts_key;
SELECT count(*) AS resolves_password FROM fenta.verify_api_key('password');
-- scopes beyond the vocabulary or the role (0.4.0: any scopes accepted)
SELECT pg_temp.try(:'viewer', format($$SELECT key FROM public.create_api_key(%L, 'k', '["admin","billing:write","*"]')$$, :'orga')) AS viewer_star;
SELECT pg_temp.try(:'owner', format($$SELECT key FROM public.create_api_key(%L, 'k', '["*"]')$$, :'orga')) AS owner_star;
SELECT pg_temp.try(:'viewer', format($$SELECT key FROM public.create_api_key(%L, 'k', '["write"]')$$, :'orga')) AS viewer_write;
SELECT pg_temp.try(:'editor', format($$SELECT key FROM public.create_api_key(%L, 'k', '["admin"]')$$, :'orga')) AS editor_admin;
SELECT pg_temp.try(:'admin', format($$SELECT key FROM public.create_api_key(%L, 'k', '["billing"]')$$, :'orga')) AS admin_billing;
SELECT pg_temp.try(:'viewer', format($$SELECT key FROM public.create_api_key(%L, 'k', '[1]')$$, :'orga')) AS not_a_string;
SELECT pg_temp.try(:'viewer', format($$SELECT key FROM public.create_api_key(%L, 'k', '{"read": true}')$$, :'orga')) AS not_an_array;
SELECT pg_temp.try(:'viewer', format($$SELECT key FROM public.create_api_key(%L, 'k', '["read"]', now() - interval '1 day')$$, :'orga')) AS expired_already;
SELECT pg_temp.try(:'outsider', format($$SELECT key FROM public.create_api_key(%L, 'k', '["read"]')$$, :'orga')) AS outsider;
SELECT pg_temp.try(:'outsider', $$SELECT key FROM public.create_api_key('10000000-0000-4000-8000-0000000000ff', 'k', '["read"]')$$) AS unknown_org_same_error;
-- a suspended admin (0.4.0: ok)
SELECT pg_temp.try(:'suspended', format($$SELECT key FROM public.create_api_key(%L, 'k', '["read"]')$$, :'orga')) AS suspended_creates_key;
-- within the role: random secret, scopes deduplicated and sorted
SELECT substr(pg_temp.try(:'editor', format($$SELECT key FROM public.create_api_key(%L, 'e', '["write","read","write"]')$$, :'orga')), 4) AS editor_key \gset
SELECT :'editor_key' ~ '^fk_[0-9a-f]{64}$' AS key_format, scopes FROM fenta.verify_api_key(:'editor_key');
SELECT k.key_hash = encode(sha256(convert_to(:'editor_key', 'UTF8')), 'hex') AS stored_hash_only, k.key_prefix = left(:'editor_key', 11) AS prefix
FROM public.api_keys k, fenta.verify_api_key(:'editor_key') v WHERE k.id = v.key_id;
SELECT pg_temp.code(:'editor', 'SELECT key_hash FROM public.api_keys LIMIT 1') AS key_hash_unreadable;
-- the member's role now decides: a demoted editor's key keeps only read;
-- a suspended user's key, a soft-deleted org's key, a former member's key
-- resolve to nothing (0.4.0: all resolved with the stored scopes)
BEGIN;
UPDATE public.org_members SET role = 'viewer' WHERE user_id = :'editor' AND org_id = :'orga';
SELECT scopes AS demoted_scopes FROM fenta.verify_api_key(:'editor_key');
ROLLBACK;
BEGIN;
UPDATE public.profiles SET status = 'suspended' WHERE id = :'editor';
SELECT count(*) AS suspended_resolves FROM fenta.verify_api_key(:'editor_key');
ROLLBACK;
BEGIN;
UPDATE public.orgs SET deleted_at = now() WHERE id = :'orga';
SELECT count(*) AS deleted_org_resolves FROM fenta.verify_api_key(:'editor_key');
ROLLBACK;
BEGIN;
DELETE FROM public.org_members WHERE user_id = :'editor' AND org_id = :'orga';
SELECT count(*) AS former_member_resolves FROM fenta.verify_api_key(:'editor_key');
ROLLBACK;
-- a 0.4.0 key with free-form scopes: only the known ones within the role count
UPDATE public.api_keys k SET scopes = '["admin","billing:write","*","read","write"]'
FROM fenta.verify_api_key(:'editor_key') v WHERE k.id = v.key_id;
SELECT scopes AS free_form_scopes_clipped FROM fenta.verify_api_key(:'editor_key');
-- revocation is one-way, for every role (0.4.0: anyone who could update
-- the key undid it); an API role's revocation takes the current time
SELECT substr(pg_temp.try(:'viewer', format($$SELECT id FROM public.create_api_key(%L, 'v', '["read"]')$$, :'orga')), 4) AS viewer_key_id \gset
SELECT pg_temp.try(:'viewer', format($$UPDATE public.api_keys SET revoked_at = '2999-01-01' WHERE id = %L$$, :'viewer_key_id')) AS viewer_revokes;
SELECT revoked_at <= now() AS revoked_now FROM public.api_keys WHERE id = :'viewer_key_id';
SELECT pg_temp.code(:'viewer', format($$UPDATE public.api_keys SET revoked_at = NULL WHERE id = %L$$, :'viewer_key_id')) AS viewer_unrevokes;
SELECT pg_temp.code(:'admin', format($$UPDATE public.api_keys SET revoked_at = NULL WHERE id = %L$$, :'viewer_key_id')) AS admin_unrevokes;
SELECT pg_temp.try('service', format($$UPDATE public.api_keys SET revoked_at = NULL WHERE id = %L$$, :'viewer_key_id')) AS service_unrevokes;
SELECT pg_temp.try('service', format($$UPDATE public.api_keys SET revoked_at = now() - interval '1 day' WHERE id = %L$$, :'viewer_key_id')) AS service_moves_revocation;
SELECT pg_temp.try(:'viewer', format($$UPDATE public.api_keys SET name = 'renamed' WHERE id = %L$$, :'viewer_key_id')) AS rename_revoked;
-- a cap of unrevoked keys per member (0.4.0: 2,000 keys and more)
INSERT INTO fenta.tenant_limits (name, value) VALUES ('max_api_keys_per_member', 3);
SELECT pg_temp.try(:'viewer2', format($$SELECT key IS NOT NULL FROM public.create_api_key(%L, 'c', '["read"]')$$, :'orga')) AS key1,
	pg_temp.try(:'viewer2', format($$SELECT key IS NOT NULL FROM public.create_api_key(%L, 'c', '["read"]')$$, :'orga')) AS key2,
	pg_temp.try(:'viewer2', format($$SELECT key IS NOT NULL FROM public.create_api_key(%L, 'c', '["read"]')$$, :'orga')) AS key3;
SELECT pg_temp.try(:'viewer2', format($$SELECT key FROM public.create_api_key(%L, 'c', '["read"]')$$, :'orga')) AS fourth_key;
SELECT pg_temp.try(:'viewer2', format($$UPDATE public.api_keys SET revoked_at = now() WHERE id = (SELECT id FROM public.api_keys WHERE user_id = %L ORDER BY id DESC LIMIT 1)$$, :'viewer2')) AS revoke_one;
SELECT pg_temp.try(:'viewer2', format($$SELECT key IS NOT NULL FROM public.create_api_key(%L, 'c', '["read"]')$$, :'orga')) AS fourth_after_revoke;
SELECT pg_temp.try(:'viewer2', format($$SELECT key FROM public.create_api_key(%L, 'c', '["read"]')$$, :'orga')) AS fifth_key;
SELECT count(*) FILTER (WHERE revoked_at IS NULL) AS live_keys FROM public.api_keys WHERE user_id = :'viewer2' AND name = 'c';
DELETE FROM fenta.tenant_limits;

-- the quota engine (C) answers a suspended member like an outsider (0.4.0:
-- a suspended member got the answer); a member of a soft-deleted org gets
-- the answer service_role gets: false
SELECT pg_temp.try(:'editor', format($$SELECT public.check_quota(%L, 1)$$, :'orga')) AS member_checks_quota,
	pg_temp.try(:'suspended', format($$SELECT public.check_quota(%L, 1)$$, :'orga')) AS suspended_checks_quota;
SELECT pg_temp.try(:'suspended', format($$SELECT count(*) FROM public.quota_status(%L, 1)$$, :'orga')) AS suspended_quota_status;
BEGIN;
UPDATE public.orgs SET deleted_at = now() WHERE id = :'orga';
SELECT pg_temp.try(:'editor', format($$SELECT public.check_quota(%L, 1)$$, :'orga')) AS deleted_org_member_checks_quota;
ROLLBACK;

--
-- 2. Invitations
--
-- direct membership: nobody adds a member without their consent, and no
-- error tells whether a user id exists (0.4.0: ok for an existing id, 23503
-- for an unknown one)
SELECT pg_temp.code(:'owner', format($$INSERT INTO public.org_members (org_id, user_id, role) VALUES (%L, %L, 'owner')$$, :'orga', :'spare')) AS owner_adds_existing_user;
SELECT pg_temp.code(:'owner', format($$INSERT INTO public.org_members (org_id, user_id, role) VALUES (%L, '00000000-0000-4000-8000-0000000000ff', 'viewer')$$, :'orga')) AS owner_adds_unknown_user;
-- who may invite
SELECT pg_temp.try(:'editor', format($$SELECT id FROM public.create_invitation(%L, 'viewer')$$, :'orga')) AS editor_invites;
SELECT pg_temp.try(:'outsider', format($$SELECT id FROM public.create_invitation(%L, 'viewer')$$, :'orga')) AS outsider_invites;
SELECT pg_temp.try(:'outsider', $$SELECT id FROM public.create_invitation('10000000-0000-4000-8000-0000000000ff', 'viewer')$$) AS unknown_org_same_error;
SELECT pg_temp.try(:'suspended', format($$SELECT id FROM public.create_invitation(%L, 'viewer')$$, :'orga')) AS suspended_admin_invites;
SELECT pg_temp.try(:'admin', format($$SELECT id FROM public.create_invitation(%L, 'owner')$$, :'orga')) AS admin_invites_owner;
SELECT pg_temp.try(:'admin', format($$SELECT id FROM public.create_invitation(%L, NULL)$$, :'orga')) AS null_role;
SELECT pg_temp.try('anon', format($$SELECT id FROM public.create_invitation(%L, 'viewer')$$, :'orga')) AS anon_invites;
-- an admin invites by e-mail; only that address accepts, once
SELECT substr(pg_temp.try(:'admin', format($$SELECT token FROM public.create_invitation(%L, 'editor', 'invitee@e.test')$$, :'orga')), 4) AS tok1 \gset
SELECT :'tok1' ~ '^fi_[0-9a-f]{64}$' AS token_format,
	(SELECT count(*) FROM public.org_invitations WHERE token_hash = encode(sha256(convert_to(:'tok1', 'UTF8')), 'hex')) AS stored_hash_only;
SELECT pg_temp.try(:'spare', format($$SELECT public.accept_invitation(%L)$$, :'tok1')) AS other_email_accepts;
SELECT pg_temp.try(:'invitee', format($$SELECT public.accept_invitation(%L)$$, :'tok1')) AS invitee_accepts;
SELECT role FROM public.org_members WHERE org_id = :'orga' AND user_id = :'invitee';
SELECT pg_temp.try(:'invitee', format($$SELECT public.accept_invitation(%L)$$, :'tok1')) AS accepts_twice;
SELECT pg_temp.try(:'spare', $$SELECT public.accept_invitation('fi_nonsense')$$) AS unknown_token;
SELECT accepted_by = :'invitee' AS accepted_by_invitee, accepted_at IS NOT NULL AS accepted FROM public.org_invitations
WHERE token_hash = encode(sha256(convert_to(:'tok1', 'UTF8')), 'hex');
-- declined and revoked invitations are dead
SELECT substr(pg_temp.try(:'admin', format($$SELECT token FROM public.create_invitation(%L, 'viewer')$$, :'orga')), 4) AS tok2 \gset
SELECT pg_temp.try(:'spare', format($$SELECT public.decline_invitation(%L)$$, :'tok2')) AS spare_declines;
SELECT pg_temp.try(:'spare', format($$SELECT public.accept_invitation(%L)$$, :'tok2')) AS accept_declined;
SELECT substr(pg_temp.try(:'admin', format($$SELECT id FROM public.create_invitation(%L, 'viewer')$$, :'orga')), 4) AS inv3 \gset
SELECT pg_temp.code(:'viewer', format($$UPDATE public.org_invitations SET revoked_at = now() WHERE id = %L$$, :'inv3')) AS viewer_revokes;
SELECT pg_temp.code(:'viewer', 'SELECT count(*) FROM public.org_invitations') AS viewer_sees;
SELECT pg_temp.code(:'admin', 'SELECT token_hash FROM public.org_invitations LIMIT 1') AS token_hash_unreadable;
SELECT pg_temp.try(:'admin', format($$UPDATE public.org_invitations SET revoked_at = now() WHERE id = %L$$, :'inv3')) AS admin_revokes;
SELECT pg_temp.code(:'admin', format($$UPDATE public.org_invitations SET revoked_at = NULL WHERE id = %L$$, :'inv3')) AS admin_unrevokes;
SELECT pg_temp.try('service', format($$UPDATE public.org_invitations SET revoked_at = NULL WHERE id = %L$$, :'inv3')) AS service_unrevokes;
SELECT pg_temp.code(:'admin', format($$UPDATE public.org_invitations SET role = 'owner', revoked_at = NULL WHERE id = %L$$, :'inv3')) AS admin_rewrites;
-- expired
SELECT substr(pg_temp.try(:'admin', format($$SELECT token FROM public.create_invitation(%L, 'viewer')$$, :'orga')), 4) AS tok4 \gset
UPDATE public.org_invitations SET created_at = now() - interval '8 days', expires_at = now() - interval '1 day'
WHERE token_hash = encode(sha256(convert_to(:'tok4', 'UTF8')), 'hex');
SELECT pg_temp.try(:'spare', format($$SELECT public.accept_invitation(%L)$$, :'tok4')) AS accept_expired;
-- a suspended user neither accepts nor declines
SELECT substr(pg_temp.try(:'admin', format($$SELECT token FROM public.create_invitation(%L, 'viewer')$$, :'orga')), 4) AS tok5 \gset
SELECT pg_temp.try(:'suspended', format($$SELECT public.accept_invitation(%L)$$, :'tok5')) AS suspended_accepts;
SELECT pg_temp.try(:'suspended', format($$SELECT public.decline_invitation(%L)$$, :'tok5')) AS suspended_declines;
-- a soft-deleted org's invitation is not found
BEGIN;
UPDATE public.orgs SET deleted_at = now() WHERE id = :'orga';
SELECT pg_temp.try(:'spare', format($$SELECT public.accept_invitation(%L)$$, :'tok5')) AS accept_deleted_org;
ROLLBACK;
-- a member who accepts keeps the higher role
SELECT substr(pg_temp.try(:'admin', format($$SELECT token FROM public.create_invitation(%L, 'editor')$$, :'orga')), 4) AS tok6 \gset
SELECT substr(pg_temp.try(:'admin', format($$SELECT token FROM public.create_invitation(%L, 'viewer')$$, :'orga')), 4) AS tok7 \gset
SELECT pg_temp.try(:'viewer', format($$SELECT public.accept_invitation(%L)$$, :'tok6')) IS NOT NULL AS viewer_accepts_editor,
	pg_temp.try(:'admin', format($$SELECT public.accept_invitation(%L)$$, :'tok7')) IS NOT NULL AS admin_accepts_viewer;
SELECT user_id, role FROM public.org_members WHERE org_id = :'orga' AND user_id IN (:'viewer', :'admin') ORDER BY user_id;
-- a cap of pending invitations per org (0.4.0: no invitations)
INSERT INTO fenta.tenant_limits (name, value)
SELECT 'max_pending_invitations_per_org', count(*) + 1 FROM public.org_invitations
WHERE org_id = :'orga' AND accepted_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL AND expires_at > now();
SELECT pg_temp.try(:'admin', format($$SELECT id IS NOT NULL FROM public.create_invitation(%L, 'viewer')$$, :'orga')) AS one_more;
SELECT pg_temp.try(:'admin', format($$SELECT id FROM public.create_invitation(%L, 'viewer')$$, :'orga')) AS beyond_cap;
DELETE FROM fenta.tenant_limits;
UPDATE public.org_members SET role = 'viewer' WHERE org_id = :'orga' AND user_id = :'viewer';

--
-- 3. Ownership
--
-- ownership moves through the API: an owner promotes, then steps down
SELECT pg_temp.code(:'admin', format($$UPDATE public.org_members SET role = 'owner' WHERE org_id = %L AND user_id = %L$$, :'orga', :'admin')) AS admin_promotes_self;
SELECT pg_temp.try(:'owner', format($$UPDATE public.org_members SET role = 'owner' WHERE org_id = %L AND user_id = %L$$, :'orga', :'admin')) AS owner_promotes_admin;
SELECT pg_temp.try(:'owner', format($$UPDATE public.org_members SET role = 'admin' WHERE org_id = %L AND user_id = %L$$, :'orga', :'owner')) AS owner_steps_down;
-- the last owner stays, whoever asks (0.4.0: the last owner demoted
-- themselves; service_role removed the last owner)
SELECT pg_temp.try(:'admin', format($$UPDATE public.org_members SET role = 'admin' WHERE org_id = %L AND user_id = %L$$, :'orga', :'admin')) AS last_owner_steps_down;
SELECT pg_temp.try(:'admin', format($$DELETE FROM public.org_members WHERE org_id = %L AND user_id = %L$$, :'orga', :'admin')) AS last_owner_leaves;
SELECT pg_temp.try('service', format($$DELETE FROM public.org_members WHERE org_id = %L AND user_id = %L$$, :'orga', :'admin')) AS service_removes_last_owner;
SELECT pg_temp.try('service', format($$UPDATE public.org_members SET role = 'viewer' WHERE org_id = %L AND user_id = %L$$, :'orga', :'admin')) AS service_demotes_last_owner;
-- an admin does not touch an owner; an editor changes no role
SELECT pg_temp.code(:'owner', format($$DELETE FROM public.org_members WHERE org_id = %L AND user_id = %L$$, :'orga', :'admin')) AS admin_removes_owner;
SELECT pg_temp.code(:'editor', format($$UPDATE public.org_members SET role = 'editor' WHERE org_id = %L AND user_id = %L$$, :'orga', :'viewer')) AS editor_changes_role;
-- a member leaves; the former owner (the org's creator) leaves too
SELECT pg_temp.try(:'viewer2', format($$DELETE FROM public.org_members WHERE org_id = %L AND user_id = %L$$, :'orga', :'viewer2')) AS viewer_leaves;
SELECT pg_temp.try(:'owner', format($$DELETE FROM public.org_members WHERE org_id = %L AND user_id = %L$$, :'orga', :'owner')) AS creator_leaves;
-- account deletion of the creator who left works (0.4.0: 23503 on
-- orgs_owner_id_fkey); owner_id goes NULL
SELECT pg_temp.try('super', format($$DELETE FROM auth.users WHERE id = %L$$, :'owner')) AS delete_creator_account;
SELECT owner_id IS NULL AS owner_id_cleared FROM public.orgs WHERE id = :'orga';
-- e3 creates an org, makes e1 owner through an invitation, leaves, and
-- deletes their account
SELECT pg_temp.try('00000000-0000-4000-8000-0000000000e3', $$INSERT INTO public.orgs (name, slug) VALUES ('Leaver', 'leaver-org')$$) AS e3_creates;
SELECT substr(pg_temp.try('00000000-0000-4000-8000-0000000000e3', $$SELECT i.token FROM public.orgs o, public.create_invitation(o.id, 'owner') i WHERE o.slug = 'leaver-org'$$), 4) AS tok8 \gset
SELECT pg_temp.try(:'invitee', format($$SELECT public.accept_invitation(%L) IS NOT NULL$$, :'tok8')) AS invitee_becomes_owner;
SELECT pg_temp.try('00000000-0000-4000-8000-0000000000e3', $$DELETE FROM public.org_members m USING public.orgs o WHERE o.id = m.org_id AND o.slug = 'leaver-org' AND m.user_id = auth.uid()$$) AS e3_leaves;
SELECT pg_temp.try('super', $$DELETE FROM auth.users WHERE id = '00000000-0000-4000-8000-0000000000e3'$$) AS delete_e3_account;
-- the last owner of a live org cannot delete their account; once the org
-- is deleted (by cascade), they can
SELECT pg_temp.try('00000000-0000-4000-8000-0000000000e4', $$INSERT INTO public.orgs (name, slug) VALUES ('Last', 'last-owner-org')$$) AS e4_creates;
SELECT regexp_replace(pg_temp.try('super', $$DELETE FROM auth.users WHERE id = '00000000-0000-4000-8000-0000000000e4'$$),
	'org [0-9a-f-]{36}', 'org <id>') AS delete_last_owner_account;
SELECT pg_temp.try('service', $$DELETE FROM public.orgs WHERE slug = 'last-owner-org'$$) AS service_deletes_org;
SELECT pg_temp.try('super', $$DELETE FROM auth.users WHERE id = '00000000-0000-4000-8000-0000000000e4'$$) AS delete_account_after;
-- the last owner of a soft-deleted org can: the backend purges the org
SELECT pg_temp.try('00000000-0000-4000-8000-0000000000e5', $$INSERT INTO public.orgs (name, slug) VALUES ('Soft', 'soft-owner-org')$$) AS e5_creates;
UPDATE public.orgs SET deleted_at = now() WHERE slug = 'soft-owner-org';
SELECT pg_temp.try('super', $$DELETE FROM auth.users WHERE id = '00000000-0000-4000-8000-0000000000e5'$$) AS delete_soft_org_owner;

--
-- 4. Orgs per user; the free tier goes with the user
--
INSERT INTO fenta.tenant_limits (name, value) VALUES ('max_orgs_per_user', 3);
-- one statement cannot pass the cap (0.4.0: 500 orgs in one statement)
SELECT pg_temp.try('00000000-0000-4000-8000-0000000000f1', $$INSERT INTO public.orgs (name, slug) SELECT 'Many', 'many-' || i FROM generate_series(1, 5) i$$) AS five_at_once;
SELECT count(*) AS created FROM public.orgs WHERE owner_id = '00000000-0000-4000-8000-0000000000f1';
SELECT pg_temp.try('00000000-0000-4000-8000-0000000000f1', $$INSERT INTO public.orgs (name, slug) SELECT 'Many', 'many-' || i FROM generate_series(1, 3) i$$) AS three_at_once;
UPDATE public.orgs SET deleted_at = now() WHERE slug = 'many-3';
SELECT pg_temp.try('00000000-0000-4000-8000-0000000000f1', $$INSERT INTO public.orgs (name, slug) VALUES ('Many', 'many-4')$$) AS fourth_after_soft_delete;
-- only for oneself; a suspended user creates none; the backend is not capped
SELECT pg_temp.code(:'spare', $$INSERT INTO public.orgs (name, slug, owner_id) VALUES ('Not mine', 'not-mine', '00000000-0000-4000-8000-0000000000f1')$$) AS for_another_user;
SELECT pg_temp.code(:'suspended', $$INSERT INTO public.orgs (name, slug) VALUES ('Suspended', 'suspended-org')$$) AS suspended_creates_org;
SELECT pg_temp.try('service', $$INSERT INTO public.orgs (name, slug, owner_id) VALUES ('Backend', 'many-5', '00000000-0000-4000-8000-0000000000f1')$$) AS service_beyond_cap;
SELECT pg_temp.try('service', $$INSERT INTO public.orgs (name, slug) VALUES ('Nobody', 'nobody-org')$$) AS service_without_owner;
-- the first free org has the free plan's quota, the next ones zero (0.4.0:
-- 50,000,000 free tokens over 500 orgs); the backend's org keeps the plan's
SELECT o.slug, q.tokens_limit, q.kai_credits_limit, q.render_seconds_limit, q.storage_bytes_limit, q.allow_overage
FROM public.orgs o JOIN public.quota_limits q ON q.org_id = o.id
WHERE o.owner_id = '00000000-0000-4000-8000-0000000000f1' ORDER BY o.slug;
DELETE FROM fenta.tenant_limits;

--
-- 5. What anon may execute: the public template gallery's functions only
-- (0.4.0: 40 functions, fenta.uuid_generate_v7 and fenta.plan_defaults among them)
--
SELECT p.oid::regprocedure AS anon_executes
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname IN ('fenta', 'public') AND has_function_privilege('anon', p.oid, 'EXECUTE')
ORDER BY p.oid::regprocedure::text;
-- and authenticated executes no SECURITY DEFINER function of fenta's that is
-- not meant for it, and none in public (exposed by PostgREST; 0.5.0: the
-- four member RPCs, now SECURITY INVOKER wrappers of their bodies in fenta)
SELECT p.oid::regprocedure AS authenticated_executes_definer
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname IN ('fenta', 'public') AND p.prosecdef AND has_function_privilege('authenticated', p.oid, 'EXECUTE')
ORDER BY p.oid::regprocedure::text;

\c :regress_db
DROP DATABASE :own_db;
