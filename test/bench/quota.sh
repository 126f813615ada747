#!/usr/bin/env bash
# Benchmark of the quota engine (not part of the test suite).  Starts its own
# PostgreSQL 15 cluster with fsync=on and prints every figure of issue 3 as a
# ratio measured in this run:
#   check_quota per call (pgbench, prepared, 1 client) vs a bare PK lookup,
#   as service_role and as a member, on a fresh org and on an org that has
#   just taken 16 s of 8-client usage inserts (test/bench/quota_check.sh;
#   BENCH_ONLY=check runs only that part, BENCH_ONLY=insert only the
#   single-row inserts below; BENCH_BASE_PGBIN=<bin dir of
#   another build> runs the same rounds on a second cluster, interleaved);
#   check_quota over 20,000 orgs in one query vs the PL/pgSQL twin and vs the
#   same condition written inline as a join;
#   single-row usage inserts at 1 and 8 clients on one org: C accounting vs no
#   trigger, vs the PL/pgSQL per-row trigger, and the cost of idempotency keys;
#   COPY of 1,000,000 usage rows with accounting vs without (after one unmeasured
#   COPY, 2 rounds, best of 2).
# The pgbench figures are noisy on a shared VM (fsync latency, neighbours):
# the configurations compared take turns, BENCH_ROUNDS rounds (default 7),
# and each ratio is the median of the per-round ratios (min and max shown).
# Usage: bash test/bench/quota.sh  (after make install, into the PostgreSQL
# of PG_CONFIG or PGBIN, default the system's, or FENTA_DESTDIR;
# BENCH_SECONDS=N sets each pgbench run's duration, default 6; BENCH_PORT,
# default 55440; the cluster: test/bench/lib.sh).
# The migrations flavour (doc/hosted.md): BENCH_FLAVOURS="extension
# migrations" adds, after the above, the C functions and the migrations
# flavour's twins side by side (database bench_mig on the same cluster with
# supabase/migrations applied and the same orgs): check_quota over 20,000
# orgs in one query; check_quota per call as service_role (pgbench); single-
# row usage inserts with all of fenta's triggers at 1 and 8 clients (rounds
# taking turns, median); COPY of 100,000 usage rows with all triggers.
# BENCH_FLAVOURS=migrations prints only that table.
set -euo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.."
. test/bench/lib.sh
secs=${BENCH_SECONDS:-6}
rounds=${BENCH_ROUNDS:-7}
work=$(mktemp -d "${TMPDIR:-/tmp}/fenta-bench.XXXXXX")
chmod 755 "$work"
[ "$(id -u)" = 0 ] && chown postgres "$work"
trap 'rm -rf "$work"; bench_cleanup' EXIT
bench_cluster "${BENCH_PORT:-55440}"
q() { psql -X -q -v ON_ERROR_STOP=1 -d bench "$@"; }
q -f test/baseline/quota_twin.sql >/dev/null
echo "fsync = $(q -At -c 'SHOW fsync'), server $(q -At -c 'SHOW server_version')"

# median, min and max of "a/b" ratios, one per line: "median (min .. max)"
ratios() { sort -n | awk '{ r[NR] = $1 } END { printf "%.2f (rounds: min %.2f, max %.2f)", (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2, r[1], r[NR] }'; }
ratio() { echo "scale=4; $1 / $2" | bc; }
tps() { pgbench -n -M prepared -T "$secs" "$@" bench 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p'; }
# BENCH_ONLY=check: only the check_quota per call figures (test/bench/quota_check.sh)
if [ "${BENCH_ONLY:-}" = check ]; then
	. test/bench/quota_check.sh
	exit 0
fi

# 20,000 orgs on the pro plan, one owner; org n has id 00000000-0000-4000-8000-<n>
load_orgs() { # DB
psql -X -q -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
INSERT INTO auth.users (id, email) VALUES ('00000000-0000-4000-8000-00000000bbbb', 'bench@q.test');
INSERT INTO public.orgs (id, name, slug, owner_id, plan)
SELECT ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, 'Org ' || n, 'bench-' || n,
	'00000000-0000-4000-8000-00000000bbbb', 'pro'
FROM generate_series(1, 20000) n;
-- some usage everywhere, a few orgs near or over their limits, some with overage off
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, llm_tokens_output, kai_credits, render_seconds)
SELECT id, 'llm_tokens', (random() * 9000000)::bigint, 1000, (random() * 4000)::bigint, (random() * 70000)::bigint
FROM public.orgs;
UPDATE public.quota_limits SET allow_overage = false WHERE org_id IN (SELECT id FROM public.orgs ORDER BY id LIMIT 5000);
SELECT fenta.rollup_quota_counters();
-- and a little recent usage in the slots
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt)
SELECT id, 'llm_tokens', 10 FROM public.orgs;
VACUUM ANALYZE;
CREATE SCHEMA bench;
-- best of n runs, in milliseconds
CREATE FUNCTION bench.best(sql text, n int) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	best numeric := 'Infinity';
	r bigint;
BEGIN
	FOR i IN 1..n LOOP
		t0 := clock_timestamp();
		IF sql ILIKE 'COPY%' THEN
			EXECUTE sql;
		ELSE
			EXECUTE sql INTO r;
		END IF;
		best := least(best, extract(epoch FROM clock_timestamp() - t0) * 1000);
	END LOOP;
	RAISE NOTICE '% rows: %', r, left(sql, 60);
	RETURN round(best, 2);
END
$$;
SQL
}
load_orgs bench
if bench_flavour migrations; then
	dropdb --if-exists bench_mig >/dev/null 2>&1
	bench_migrations_db bench_mig
	load_orgs bench_mig
fi

if bench_flavour extension; then
if [ "${BENCH_ONLY:-}" != insert ]; then
echo
echo "== check_quota over 20,000 orgs in one query (best of 7) =="
c_ms=$(q -At -c "SELECT bench.best('SELECT count(*) FROM public.orgs WHERE public.check_quota(id, 100000, 10, 100)', 7)" 2>"$work/n1")
t_ms=$(q -At -c "SELECT bench.best('SELECT count(*) FROM public.orgs WHERE twin.check_quota(id, 100000, 10, 100)', 7)" 2>"$work/n2")
# the same condition, inline (used = rolled up + slots + reserved; packs and
# prices only when over the limit)
inline="SELECT count(*) FROM public.orgs o JOIN public.quota_limits q ON q.org_id = o.id
LEFT JOIN LATERAL (SELECT sum(c.tokens) AS t, sum(c.render_seconds) AS r FROM fenta.quota_counters c WHERE c.org_id = o.id) s ON true
CROSS JOIN LATERAL (SELECT q.tokens_used + coalesce(s.t, 0) AS ut, q.render_seconds_used + coalesce(s.r, 0) AS ur,
	greatest(0, q.kai_credits_limit + q.kai_credits_from_packs - q.kai_credits_used) AS kroom) u
CROSS JOIN LATERAL (SELECT
	greatest(0, q.reserved_tokens + 100000 - greatest(0, q.tokens_limit - u.ut)) AS nt,
	greatest(0, q.reserved_render_seconds + 100 - greatest(0, q.render_seconds_limit - u.ur)) AS nr,
	CASE WHEN q.reserved_kai_credits + 10 <= u.kroom THEN 0
		ELSE greatest(0, q.reserved_kai_credits + 10 - u.kroom
			- (SELECT coalesce(sum(p.credits_remaining), 0) FROM public.credit_packs p WHERE p.org_id = o.id AND p.credits_remaining > 0
			   AND (p.expires_at IS NULL OR p.expires_at > now()))) END AS nk) n
WHERE o.deleted_at IS NULL
	AND ((coalesce(n.nt, 0) = 0 AND coalesce(n.nk, 0) = 0 AND coalesce(n.nr, 0) = 0)
		 OR (q.allow_overage AND
			 coalesce(greatest(0, u.ut - q.tokens_limit) + n.nt, 0) * q.price_per_1k_tokens_usd / 1000
			 + coalesce(greatest(0, q.kai_credits_used - q.kai_credits_limit - q.kai_credits_from_packs) + n.nk, 0) * q.price_per_kai_credit_usd
			 + coalesce(greatest(0, u.ur - q.render_seconds_limit) + n.nr, 0) * q.price_per_render_second_usd <= q.overage_cap_usd))"
i_ms=$(q -At -c "SELECT bench.best(\$q\$$inline\$q\$, 7)" 2>"$work/n3")
cat "$work/n1" "$work/n2" "$work/n3" | sed 's/^NOTICE: */  /'
echo "  C check_quota: $c_ms ms, PL/pgSQL twin: $t_ms ms, inline join: $i_ms ms"
echo "  ratio twin / C = $(echo "scale=2; $t_ms / $c_ms" | bc) (target >= 3)"
echo "  ratio C / inline = $(echo "scale=2; $c_ms / $i_ms" | bc) (target <= 2.5)"


. test/bench/quota_check.sh
fi

echo
echo "== single-row usage inserts on one org ($rounds rounds of ${secs}s each) =="
org=00000000-0000-4000-8000-000000000001
cat >"$work/ins.sql" <<SQL
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, llm_tokens_output, render_seconds)
VALUES ('$org', 'llm_tokens', 100, 50, 1);
SQL
cat >"$work/ins_key.sql" <<SQL
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, llm_tokens_output, render_seconds, idempotency_key)
VALUES ('$org', 'llm_tokens', 100, 50, 1, gen_random_uuid()::text);
SQL
# the trigger configurations: none, c (= all fenta triggers), acct (the
# accounting trigger only), twin (the PL/pgSQL per-row trigger instead)
mode() {
	case $1 in
	none) q -c "ALTER TABLE public.usage_records DISABLE TRIGGER USER" ;;
	c | all) q -c "ALTER TABLE public.usage_records ENABLE TRIGGER USER" ;;
	acct) q -c "ALTER TABLE public.usage_records DISABLE TRIGGER USER" -c "ALTER TABLE public.usage_records ENABLE TRIGGER usage_records_quota" ;;
	twin) q -c "ALTER TABLE public.usage_records DISABLE TRIGGER USER" \
		-c "CREATE TRIGGER usage_records_quota_twin AFTER INSERT ON public.usage_records FOR EACH ROW EXECUTE FUNCTION twin.update_quota_usage()" ;;
	esac
}
# the four configurations take turns within each round (after a checkpoint
# each, so that each starts with the same full-page writes to do)
declare -A T
for clients in 1 8; do
	: >"$work/r_c" && : >"$work/r_twin" && : >"$work/r_key"
	for ((round = 1; round <= rounds; round++)); do
		for m in none c twin ckey; do
			q -c "DROP TRIGGER IF EXISTS usage_records_quota_twin ON public.usage_records" 2>/dev/null
			mode "${m/ckey/c}"
			q -c "SELECT fenta.rollup_quota_counters()" -c "CHECKPOINT" >/dev/null
			f=$work/ins.sql
			[ "$m" = ckey ] && f=$work/ins_key.sql
			T[$m]=$(tps -c "$clients" -j "$clients" -f "$f")
		done
		echo "  round $round, $clients client(s): no trigger ${T[none]}, C ${T[c]}, PL/pgSQL ${T[twin]}, C with keys ${T[ckey]} tps"
		ratio "${T[c]}" "${T[none]}" >>"$work/r_c"
		ratio "${T[c]}" "${T[twin]}" >>"$work/r_twin"
		ratio "${T[ckey]}" "${T[c]}" >>"$work/r_key"
	done
	echo "  ratio C / no trigger ($clients clients) = $(ratios <"$work/r_c") (target >= 0.85)"
	echo "  ratio C / PL/pgSQL per-row trigger ($clients clients) = $(ratios <"$work/r_twin")"
	echo "  ratio C with idempotency keys / C without ($clients clients) = $(ratios <"$work/r_key")"
done
q -c "DROP TRIGGER IF EXISTS usage_records_quota_twin ON public.usage_records" -c "ALTER TABLE public.usage_records ENABLE TRIGGER USER"
[ "${BENCH_ONLY:-}" = insert ] && exit 0

echo
echo "== COPY of 1,000,000 usage rows over 1,000 orgs =="
q -c "COPY (SELECT ('00000000-0000-4000-8000-' || lpad((1 + n % 1000)::text, 12, '0'))::uuid, 'llm_tokens', 100 + n % 7, 50, n % 3, n % 5, (n % 11) - 5,
	timestamptz '2020-01-01' + n * interval '1 second' FROM generate_series(1, 1000000) n) TO '$work/usage.csv' WITH (FORMAT csv)"
copy_ms() {
	q -c "TRUNCATE public.usage_records" -c "SELECT fenta.rollup_quota_counters()" -c "CHECKPOINT" >/dev/null
	q -At -c "SELECT bench.best(\$q\$COPY public.usage_records (org_id, resource_type, llm_tokens_prompt, llm_tokens_output, kai_credits,
		render_seconds, storage_bytes, created_at) FROM '$work/usage.csv' WITH (FORMAT csv)\$q\$, 1)" 2>/dev/null
}
# one unmeasured COPY first (the first one also creates WAL segment files the
# later ones recycle), then the configurations take turns, 2 rounds, best of 2
mode none
copy_ms >/dev/null
declare -A C=([none]=Infinity [acct]=Infinity [all]=Infinity)
for round in 1 2; do
	for m in none acct all; do
		mode $m
		t=$(copy_ms)
		echo "  round $round, $m: $t ms"
		if [ "${C[$m]}" = Infinity ] || [ "$(echo "$t < ${C[$m]}" | bc)" = 1 ]; then C[$m]=$t; fi
	done
done
mode all
none_ms=${C[none]}
acct_ms=${C[acct]}
all_ms=${C[all]}
echo "  best: no trigger $none_ms ms, accounting trigger only $acct_ms ms, all fenta triggers $all_ms ms"
echo "  ratio speed with accounting / without = $(echo "scale=2; $none_ms / $acct_ms" | bc) (target >= 0.8)"
echo "  ratio speed with all triggers (idempotency guard included) / without = $(echo "scale=2; $none_ms / $all_ms" | bc)"
fi

# C and the migrations flavour's twins side by side
if bench_flavour migrations; then
	echo
	echo "== the migrations flavour: C functions (database bench) and twins (database bench_mig) =="
	declare -A M
	qd() { local db=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
	# check_quota over 20,000 orgs in one query (best of 7)
	for db in bench bench_mig; do
		M[$db.scan]=$(qd $db -At -c "SELECT bench.best('SELECT count(*) FROM public.orgs WHERE public.check_quota(id, 100000, 10, 100)', 7)" 2>/dev/null)
	done
	# check_quota per call, as service_role, and single-row usage inserts
	# with all of fenta's triggers (the configurations take turns each round)
	qd bench -c "ALTER ROLE service_role LOGIN" >/dev/null
	org=00000000-0000-4000-8000-000000000001
	echo "SELECT public.check_quota('$org', 1000, 1, 1);" >"$work/mig_check.sql"
	cat >"$work/mig_ins.sql" <<SQL
INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, llm_tokens_output, render_seconds)
VALUES ('00000000-0000-4000-8000-000000000002', 'llm_tokens', 100, 50, 1);
SQL
	tps_db() { local db=$1; shift; pgbench -n -M prepared -T "$secs" "$@" "$db" 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p'; }
	median() { sort -n | awk '{ r[NR] = $1 } END { printf "%.0f", (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2 }'; }
	for f in check ins1 ins8; do : >"$work/m_$f" && : >"$work/m_bench_$f" && : >"$work/m_bench_mig_$f"; done
	for ((round = 1; round <= rounds; round++)); do
		for db in bench bench_mig; do
			M[$db.check]=$(tps_db $db -U service_role -c 1 -f "$work/mig_check.sql")
			for clients in 1 8; do
				qd $db -c "SELECT fenta.rollup_quota_counters()" -c "CHECKPOINT" >/dev/null
				M[$db.ins$clients]=$(tps_db $db -c $clients -j $clients -f "$work/mig_ins.sql")
			done
			for f in check ins1 ins8; do echo "${M[$db.$f]}" >>"$work/m_${db}_$f"; done
		done
		echo "  round $round: check_quota C ${M[bench.check]}, twin ${M[bench_mig.check]} tps; inserts (1 client) C ${M[bench.ins1]}, twins ${M[bench_mig.ins1]} tps; (8 clients) C ${M[bench.ins8]}, twins ${M[bench_mig.ins8]} tps"
		for f in check ins1 ins8; do ratio "${M[bench.$f]}" "${M[bench_mig.$f]}" >>"$work/m_$f"; done
	done
	# COPY of 100,000 usage rows over 1,000 orgs with all triggers (best of 2)
	qd bench -c "COPY (SELECT ('00000000-0000-4000-8000-' || lpad((1 + n % 1000)::text, 12, '0'))::uuid, 'llm_tokens', 100 + n % 7, 50, n % 3, n % 5, (n % 11) - 5,
		timestamptz '2020-01-01' + n * interval '1 second' FROM generate_series(1, 100000) n) TO '$work/usage_mig.csv' WITH (FORMAT csv)"
	for db in bench bench_mig; do
		best=
		for _ in 1 2; do
			qd $db -c "TRUNCATE public.usage_records" -c "SELECT fenta.rollup_quota_counters()" -c "CHECKPOINT" >/dev/null
			t=$(qd $db -At -c "SELECT bench.best(\$q\$COPY public.usage_records (org_id, resource_type, llm_tokens_prompt, llm_tokens_output, kai_credits,
				render_seconds, storage_bytes, created_at) FROM '$work/usage_mig.csv' WITH (FORMAT csv)\$q\$, 1)" 2>/dev/null)
			if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
		done
		M[$db.copy]=$best
	done
	printf '\n  %-58s %14s %14s %8s\n' "operation" "C" "twins" "C buys"
	printf '  %-58s %14s %14s %8s\n' "check_quota over 20,000 orgs, one query (best of 7)" "${M[bench.scan]} ms" "${M[bench_mig.scan]} ms" "$(echo "scale=1; ${M[bench_mig.scan]} / ${M[bench.scan]}" | bc)x"
	for f in "check:check_quota per call, service_role" "ins1:usage inserts, all triggers, 1 client" "ins8:usage inserts, all triggers, 8 clients"; do
		k=${f%%:*}
		printf '  %-58s %14s %14s %8s\n' "${f#*:} (tps, median of $rounds)" "$(median <"$work/m_bench_$k")" "$(median <"$work/m_bench_mig_$k")" "$(ratios <"$work/m_$k" | cut -d' ' -f1)x"
	done
	printf '  %-58s %14s %14s %8s\n' "COPY of 100,000 usage rows, all triggers (best of 2)" "${M[bench.copy]} ms" "${M[bench_mig.copy]} ms" "$(echo "scale=1; ${M[bench_mig.copy]} / ${M[bench.copy]}" | bc)x"
	echo "  (C buys: twin time / C time, or C tps / twin tps, median of the per-round ratios: check $(ratios <"$work/m_check"); 1 client $(ratios <"$work/m_ins1"); 8 clients $(ratios <"$work/m_ins8"))"
fi
