#!/usr/bin/env bash
# Differential test of the quota engine: the C functions (check_quota,
# quota_status, the accounting trigger, the idempotency guard, the daily
# usage capture) against their twins in the migrations flavour, as hosted
# Supabase gets them (sql/twins, generated into supabase/migrations: the
# committed files are applied as they are), on thousands of random
# operations: usage inserts (several orgs and rows per statement, KIE.ai
# credits beyond the limits, storage up and down, repeated idempotency keys),
# checks, quota_status, credit packs (expired, soon, never), plan and
# overage changes, reservations, rollups and resets.  The same script runs in
# a C database (CREATE EXTENSION fenta) and in a migrations database (the
# auth script, then supabase/migrations/*.sql in order, each in one
# transaction); every answer and the counters printed along the way must be
# identical.
set -euo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ops=${QUOTA_DIFF_OPS:-3000}
q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

setup() {
	local db=$1 kind=$2
	dropdb --if-exists "$db"
	createdb "$db"
	q -d "$db" -f sql/supabase_auth.sql >/dev/null 2>&1
	if [ "$kind" = c ]; then
		q -d "$db" -c "SET client_min_messages = warning" -c "CREATE EXTENSION fenta CASCADE"
	else
		# hosted Supabase has schema extensions; the files run in order, each
		# in one transaction, as the SQL editor runs them
		q -d "$db" -c "CREATE SCHEMA IF NOT EXISTS extensions"
		for f in supabase/migrations/*.sql; do
			PGOPTIONS='-c client_min_messages=warning' q -1 -d "$db" -f "$f" >/dev/null
		done
		# the twins, not a C function, are what this database runs
		[ "$(q -d "$db" -At -c "SELECT count(*) FROM pg_proc WHERE prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
			AND pronamespace IN ('public'::regnamespace, 'fenta'::regnamespace)")" = 0 ] \
			|| { echo "the migrations database holds C functions"; exit 1; }
	fi
	q -d "$db" <<'SQL'
INSERT INTO auth.users (id, email) VALUES ('e1000000-0000-4000-8000-0000000000d1', 'diff@quota.test');
INSERT INTO public.orgs (id, name, slug, owner_id, plan)
SELECT ('e2000000-0000-4000-8000-0000000000d' || n)::uuid, 'Diff ' || n, 'quota-diff-' || n,
	'e1000000-0000-4000-8000-0000000000d1', (ARRAY['free', 'starter', 'pro', 'enterprise', 'free', 'pro']::public.org_plan[])[n]
FROM generate_series(1, 6) n;
-- small limits, so that the limits, packs and the overage cap all matter
UPDATE public.quota_limits SET tokens_limit = 5000, kai_credits_limit = 100, render_seconds_limit = 300,
	overage_cap_usd = 3, price_per_1k_tokens_usd = 0.2, price_per_kai_credit_usd = 0.05, price_per_render_second_usd = 0.01;
UPDATE public.quota_limits SET tokens_limit = NULL WHERE org_id = 'e2000000-0000-4000-8000-0000000000d6';
CREATE SCHEMA cmp;
CREATE TABLE cmp.res (n int PRIMARY KEY, id uuid);
CREATE FUNCTION cmp.org(n int) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$ SELECT ('e2000000-0000-4000-8000-0000000000d' || n)::uuid $$;
SQL
	q -d "$db" <<'SQL'
CREATE FUNCTION cmp.check(o int, t bigint, k bigint, r bigint) RETURNS boolean LANGUAGE sql AS $$ SELECT public.check_quota(cmp.org(o), t, k, r) $$;
CREATE FUNCTION cmp.status(o int) RETURNS SETOF text LANGUAGE sql AS $$
	SELECT format('org %s status %s', o, string_agg(s::text, ' ' ORDER BY s.resource)) FROM public.quota_status(cmp.org(o)) s $$;
CREATE FUNCTION cmp.reserve(n int, o int, t bigint, k bigint, r bigint) RETURNS boolean LANGUAGE sql AS $$
	INSERT INTO cmp.res SELECT n, fenta.reserve_quota(cmp.org(o), t, k, r) RETURNING id IS NOT NULL $$;
CREATE FUNCTION cmp.release(n int) RETURNS boolean LANGUAGE sql AS $$
	SELECT CASE WHEN id IS NOT NULL THEN fenta.release_quota(id) END FROM cmp.res WHERE cmp.res.n = release.n $$;
CREATE FUNCTION cmp.rollup() RETURNS void LANGUAGE sql AS $$ SELECT fenta.rollup_quota_counters(); SELECT $$;
CREATE FUNCTION cmp.resets() RETURNS integer LANGUAGE sql AS $$ SELECT fenta.apply_quota_resets() $$;
CREATE FUNCTION cmp.usage(o uuid) RETURNS TABLE (tokens bigint, kai_credits bigint, render_seconds bigint, storage_bytes bigint)
	LANGUAGE sql AS $$ SELECT * FROM fenta.quota_usage(o) $$;
SQL
	q -d "$db" <<'SQL'
CREATE FUNCTION cmp.state() RETURNS SETOF text LANGUAGE sql AS $$
	SELECT format('org %s: usage %s from_packs %s reserved %s/%s/%s packs %s limits %s/%s/%s overage %s',
				  n, (SELECT u::text FROM cmp.usage(l.org_id) u), l.kai_credits_from_packs,
				  l.reserved_tokens, l.reserved_kai_credits, l.reserved_render_seconds,
				  (SELECT string_agg(p.credits_remaining::text, ',' ORDER BY p.id) FROM public.credit_packs p WHERE p.org_id = l.org_id),
				  l.tokens_limit, l.kai_credits_limit, l.render_seconds_limit, l.allow_overage)
	FROM generate_series(1, 6) n JOIN public.quota_limits l ON l.org_id = cmp.org(n) ORDER BY n
$$;
SQL
}
setup quota_diff_c c
setup quota_diff_twin migrations

# the random operations, the same for both databases
RANDOM=${QUOTA_DIFF_SEED:-20240601}
{
	echo '\set ON_ERROR_STOP 1'
	res=0
	for ((i = 1; i <= ops; i++)); do
		op=$((RANDOM % 100))
		o=$((RANDOM % 6 + 1))
		if [ $op -lt 40 ]; then
			rows=$((RANDOM % 4 + 1))
			vals=""
			for ((j = 0; j < rows; j++)); do
				oo=$(( (o + j * (RANDOM % 2)) % 6 + 1 ))
				key=NULL
				[ $((RANDOM % 4)) = 0 ] && key="'k$((RANDOM % 50))'"
				vals+="${vals:+, }(cmp.org($oo), 'llm_tokens', $((RANDOM % 800)), $((RANDOM % 400)), $(( RANDOM % 3 == 0 ? RANDOM % 40 : 0 )), $((RANDOM % 60)), $((RANDOM % 2000 - 1000)), $key)"
			done
			echo "INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, llm_tokens_output, kai_credits, render_seconds, storage_bytes, idempotency_key) VALUES $vals;"
		elif [ $op -lt 70 ]; then
			echo "SELECT $i AS op, cmp.check($o, $(( RANDOM % 2 ? RANDOM % 6000 : 0 )), $(( RANDOM % 2 ? RANDOM % 150 : 0 )), $(( RANDOM % 2 ? RANDOM % 400 : 0 ))) AS allowed;"
		elif [ $op -lt 75 ]; then
			echo "SELECT * FROM cmp.status($o);"
		elif [ $op -lt 80 ]; then
			exp=$(( RANDOM % 3 ))
			e=NULL
			[ $exp = 1 ] && e="now() + interval '$((RANDOM % 30 + 1)) days'"
			[ $exp = 2 ] && e="now() - interval '$((RANDOM % 30 + 1)) days'"
			c=$((RANDOM % 60 + 1))
			echo "INSERT INTO public.credit_packs (id, org_id, pack_type, credits_purchased, credits_remaining, expires_at) VALUES ('e3000000-0000-4000-8000-$(printf %012d "$i")', cmp.org($o), 'diff', $c, $c, $e);"
		elif [ $op -lt 83 ]; then
			echo "UPDATE public.quota_limits SET allow_overage = NOT allow_overage WHERE org_id = cmp.org($o);"
		elif [ $op -lt 85 ]; then
			echo "UPDATE public.quota_limits SET kai_credits_limit = $(( RANDOM % 3 ? RANDOM % 200 : 0 )), tokens_limit = $((RANDOM % 9000)) WHERE org_id = cmp.org($o);"
		elif [ $op -lt 91 ]; then
			res=$((res + 1))
			echo "SELECT $i AS op, cmp.reserve($res, $o, $((RANDOM % 1500)), $((RANDOM % 30)), $((RANDOM % 80))) AS granted;"
		elif [ $op -lt 95 ]; then
			[ $res -gt 0 ] && echo "SELECT $i AS op, cmp.release($((RANDOM % res + 1))) AS released;"
		elif [ $op -lt 97 ]; then
			echo "SELECT cmp.rollup();"
		elif [ $op -lt 98 ]; then
			echo "UPDATE public.quota_limits SET reset_at = now() - interval '$((RANDOM % 70 + 1)) days' WHERE org_id = cmp.org($o);"
			echo "SELECT $i AS op, cmp.resets() AS orgs_reset;"
		else
			echo "SELECT * FROM cmp.state();"
		fi
	done
	echo "SELECT * FROM cmp.state();"
	echo "SELECT count(*) AS usage_rows FROM public.usage_records;"
	# the idempotency keys kept and the daily usage (the capture's pending
	# rows refreshed), per org: the same in both
	echo "SELECT 'keys ' || count(*) || ' ' || md5(string_agg(org_id || ' ' || idempotency_key, ',' ORDER BY org_id, idempotency_key)) FROM fenta.usage_idempotency;"
	echo "SELECT fenta.refresh_daily_usage(false) IS NOT NULL AS refreshed;"
	echo "SELECT 'daily ' || n || ' ' || d.resource_type || ' ' || sum(d.llm_tokens_prompt) || ' ' || sum(d.llm_tokens_output) || ' ' || sum(d.kai_credits) || ' ' || sum(d.render_seconds) || ' ' || sum(d.storage_bytes) || ' ' || sum(d.events)
		FROM generate_series(1, 6) n JOIN public.usage_daily d ON d.org_id = cmp.org(n) GROUP BY n, d.resource_type ORDER BY n, d.resource_type;"
} >"$work/ops.sql"
echo "$ops random operations"
q -d quota_diff_c -At -f "$work/ops.sql" >"$work/c.out"
q -d quota_diff_twin -At -f "$work/ops.sql" >"$work/twin.out"
checks=$(grep -c '|[tf]$' "$work/c.out" || true)
echo "$checks answers compared (check_quota, reservations), $(grep -c '^org [0-9]* status ' "$work/c.out") quota_status and $(grep -c '^org [0-9]*: ' "$work/c.out") counter lines compared"
if ! diff -u --label C --label twin "$work/c.out" "$work/twin.out"; then
	echo "the C functions and the migrations flavour's twins disagree"
	exit 1
fi
tail -n 7 "$work/c.out"
# both answers must occur, or the test proves little
grep -q '|t$' "$work/c.out" && grep -q '|f$' "$work/c.out"
dropdb quota_diff_c
dropdb quota_diff_twin
echo "identical answers and counters"
