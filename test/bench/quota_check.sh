# check_quota per call (sourced by test/bench/quota.sh, not run on its own).
#
# pgbench, prepared, 1 client, one statement per transaction, against a bare
# primary-key lookup of the same org's quota row as service_role, on the same
# cluster in the same round (the configurations take turns in 1-second
# slices, BENCH_SECONDS of each):
#   service_role calling check_quota;
#   an authenticated member (the JWT claims set as PostgREST does, here once
#   per session) calling check_quota;
#   the same member's own primary-key lookup under RLS (for information);
# on a fresh org, then on an org that has just taken BENCH_INSERT_SECONDS
# (default 16) of 8-client usage inserts, with no vacuum in between (each
# round inserts into an org of its own, and autovacuum is off for the
# counters, so every round starts from the same state).
# With BENCH_BASE_PGBIN (the bin directory of another PostgreSQL copy with
# another fenta build installed, e.g. the previous commit's), a second
# cluster runs the same rounds, interleaved with this one's (the order
# alternates per round), and the figures of both builds are printed.
# Expects from quota.sh: q, tps, ratio, ratios, $secs, $rounds, $work, and a
# running cluster (PGHOST, PGPORT).

ins_secs=${BENCH_INSERT_SECONDS:-16}
check_builds=(new)
declare -A CK_HOST CK_PORT
CK_HOST[new]=$PGHOST
CK_PORT[new]=$PGPORT
if [ -n "${BENCH_BASE_PGBIN:-}" ]; then
	# the second cluster, under its own directory; quota.sh's trap stops the first
	ck_new_dir=$PRIVATE_DIR
	ck_new_bin=$PGBIN
	PGBIN=$BENCH_BASE_PGBIN bench_cluster "$PGPORT"  # its own socket directory: the same port is free there
	ck_base_dir=$PRIVATE_DIR
	PRIVATE_DIR=$ck_new_dir
	trap 'rm -rf "$work"; bench_cleanup; as_postgres "$BENCH_BASE_PGBIN/pg_ctl" -D "$ck_base_dir/data" -m immediate stop >/dev/null 2>&1; rm -rf "$ck_base_dir"' EXIT
	CK_HOST[base]=$PGHOST
	CK_PORT[base]=$PGPORT
	export PGHOST=${CK_HOST[new]} PGPORT=${CK_PORT[new]} PGBIN=$ck_new_bin
	check_builds=(new base)
fi
on() { PGHOST=${CK_HOST[$1]} PGPORT=${CK_PORT[$1]} "${@:2}"; }

# org n of the check: c0000000-0000-4000-8000-<n>; n = 0 fresh, 1..rounds hot
ck_org() { printf 'c0000000-0000-4000-8000-%012d' "$1"; }
ck_user=c0000000-0000-4000-8000-00000000cccc
for b in "${check_builds[@]}"; do
	on "$b" q -v rounds="$rounds" <<'SQL'
ALTER ROLE service_role LOGIN;
ALTER ROLE authenticated LOGIN;
INSERT INTO auth.users (id, email) VALUES ('c0000000-0000-4000-8000-00000000cccc', 'check@q.test')
ON CONFLICT DO NOTHING;
INSERT INTO public.orgs (id, name, slug, owner_id, plan)
SELECT ('c0000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'Check ' || n, 'check-' || n,
	'c0000000-0000-4000-8000-00000000cccc', 'pro'
FROM generate_series(0, :rounds) n;
-- the member asks as a viewer of the org: another user owns it (an org
-- always keeps an owner)
INSERT INTO auth.users (id, email) VALUES ('c0000000-0000-4000-8000-00000000cccd', 'owner@q.test')
ON CONFLICT DO NOTHING;
INSERT INTO public.org_members (org_id, user_id, role)
SELECT ('c0000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'c0000000-0000-4000-8000-00000000cccd', 'owner'
FROM generate_series(0, :rounds) n;
UPDATE public.org_members SET role = 'viewer'
WHERE user_id = 'c0000000-0000-4000-8000-00000000cccc';
-- worst case: no vacuum of the counters between the inserts and the reads
ALTER TABLE fenta.quota_counters SET (autovacuum_enabled = false);
VACUUM ANALYZE;
SQL
done
cat >"$work/ck_pk.sql" <<'SQL'
SELECT * FROM public.quota_limits WHERE org_id = :org::uuid;
SQL
cat >"$work/ck_check.sql" <<'SQL'
SELECT public.check_quota(:org::uuid, 100000, 10, 100);
SQL
cat >"$work/ck_ins.sql" <<'SQL'
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, llm_tokens_output, render_seconds)
VALUES (:org::uuid, 'llm_tokens', 100, 50, 1);
SQL
member_opts="-c request.jwt.claims={\"sub\":\"$ck_user\",\"role\":\"authenticated\"}"

# one measurement: the four configurations on one org, taking turns in
# 1-second slices ($secs slices each, tps averaged), so that what the
# neighbours on a shared machine do hits all four alike; ratios appended to
# $work/ck_<build>_<state>_<figure>
ck_tps1() { pgbench -n -M prepared -T 1 "$@" bench 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p'; }
ck_measure() {
	local b=$1 state=$2 org=$3 pk=0 ck=0 ckm=0 pkm=0 i
	for ((i = 0; i < secs; i++)); do
		pk=$(echo "$pk + $(on "$b" ck_tps1 -U service_role -c 1 -D org="$org" -f "$work/ck_pk.sql")" | bc)
		ck=$(echo "$ck + $(on "$b" ck_tps1 -U service_role -c 1 -D org="$org" -f "$work/ck_check.sql")" | bc)
		ckm=$(echo "$ckm + $(PGOPTIONS="$member_opts" on "$b" ck_tps1 -U authenticated -c 1 -D org="$org" -f "$work/ck_check.sql")" | bc)
		pkm=$(echo "$pkm + $(PGOPTIONS="$member_opts" on "$b" ck_tps1 -U authenticated -c 1 -D org="$org" -f "$work/ck_pk.sql")" | bc)
	done
	pk=$(echo "$pk / $secs" | bc) ck=$(echo "$ck / $secs" | bc) ckm=$(echo "$ckm / $secs" | bc) pkm=$(echo "$pkm / $secs" | bc)
	echo "    $b, $state org: PK lookup $pk, check_quota as service_role $ck, as member $ckm, member's PK lookup under RLS $pkm tps"
	ratio "$ck" "$pk" >>"$work/ck_${b}_${state}_service"
	ratio "$ckm" "$pk" >>"$work/ck_${b}_${state}_member"
	ratio "$ckm" "$pkm" >>"$work/ck_${b}_${state}_member_rls"
}

echo
echo "== check_quota per call through pgbench (prepared, 1 client, $rounds rounds of ${secs}s each; builds: ${check_builds[*]}) =="
for ((round = 1; round <= rounds; round++)); do
	order=("${check_builds[@]}")
	((round % 2 == 0)) && [ ${#order[@]} = 2 ] && order=("${order[1]}" "${order[0]}")
	echo "  round $round"
	for b in "${order[@]}"; do
		ck_measure "$b" fresh "$(ck_org 0)"
	done
	for b in "${order[@]}"; do
		on "$b" q -c "CHECKPOINT" >/dev/null
		n=$(on "$b" pgbench -n -M prepared -T "$ins_secs" -c 8 -j 8 -D org="$(ck_org "$round")" -f "$work/ck_ins.sql" bench 2>/dev/null |
			sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
		echo "    $b: $n usage rows inserted into org $round by 8 clients in ${ins_secs}s"
		ck_measure "$b" hot "$(ck_org "$round")"
	done
done
for b in "${check_builds[@]}"; do
	echo "  build $b:"
	for state in fresh hot; do
		what="fresh org"
		[ $state = hot ] && what="org after ${ins_secs}s of 8-client inserts"
		echo "    $what: check_quota / PK lookup: service_role $(ratios <"$work/ck_${b}_${state}_service"), member $(ratios <"$work/ck_${b}_${state}_member") (target >= 0.95)"
		echo "      (member's check_quota / member's own PK lookup under RLS: $(ratios <"$work/ck_${b}_${state}_member_rls"))"
	done
done
