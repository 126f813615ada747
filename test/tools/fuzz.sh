#!/usr/bin/env bash
# Fuzzes every C entry point of fenta, server side, against a private server
# with the module built with -DUSE_ASSERT_CHECKING -O0 -g.
#
# Entry points: every function of the extension written in C (found in the
# catalog: uuid_generate_v7, uuid_v7_timestamp, typeid_encode/decode/prefix,
# check_quota, quota_status, maintain_partitions, and whatever C functions
# are added later), the trigger functions among them (update_quota_usage,
# usage_daily_capture, usage_idempotency_guard) included, plus
# fenta.reserve_quota (PL/pgSQL in
# front of the quota engine).  Functions are called with generated
# arguments; trigger functions are fired by generated INSERT and COPY
# statements into public.usage_records (test/tools/fuzz.sql, fuzz.usage_run:
# single rows, multi-row and multi-org statements, bulk INSERT ... SELECT,
# COPY, retries, hostile amounts and keys), after which three properties are
# checked: every org's counters moved exactly as its rows, so did its daily
# usage (usage_daily plus the pending rows, per day and resource type), and
# no idempotency key is counted twice.  Then each trigger function is attached
# where it does not belong (wrong table, timing, level, event; a view, a
# partition, a copy of usage_records, tables with the right column names
# and wrong types) and fired: each case must end with its expected SQLSTATE
# (39P01 from the function) and must not crash the server.
#
# Each entry point gets FUZZ_N inputs (default 4000; trigger functions
# FUZZ_N_TRIGGER statements, default 400) in a SQL_ASCII database, where
# any byte but NUL reaches the C code (invalid UTF-8 included), and
# FUZZ_N_UTF8 (default 1000; triggers FUZZ_N_TRIGGER / 4) more in a UTF8
# database (valid multi-byte characters: a UTF8 server rejects invalid
# UTF-8 before any function sees it).  Batches of FUZZ_BATCH (2000) inputs,
# each in a transaction that is rolled back, each call in its own
# subtransaction; calls run as the superuser, service_role or authenticated.
# A TypeID round-trip property is checked on FUZZ_N more TypeIDs.  The
# defaults take about 1-2 minutes; FUZZ_N=100000 FUZZ_N_UTF8=25000
# FUZZ_N_TRIGGER=10000 is a long run.
#
# Outcomes: accepted (non-NULL result, or the statement succeeded), null
# (NULL result), or the SQLSTATE of the ERROR.
# Fails (exit 1) if a server process crashes or fails an assertion, if a
# connection is lost, if a batch does not finish within FUZZ_TIMEOUT (600 s),
# if any call raises an error of class XX (internal error), 58 (system
# error) or P0004 (assertion; uuid_generate_v7 not increasing), if a
# property fails, or if a protocol case ends otherwise than expected.  When
# a batch crashes the server it is replayed with tracing, and the input that
# crashed it is printed.  The last line says "fuzz: PASSED" or "fuzz: FAILED".
#
# Usage: bash test/tools/fuzz.sh        (or make fuzz)
# Environment: FUZZ_N, FUZZ_N_UTF8, FUZZ_N_TRIGGER, FUZZ_BATCH, FUZZ_SEED
# (1), FUZZ_TIMEOUT, FENTA_FUZZ_PORT (55441), FENTA_PRELOAD ('pg_cron'),
# FENTA_KEEP=1, PG_CONFIG or PGBIN (the PostgreSQL to use, test/tools/common.sh).
set -uo pipefail
. "$(dirname "$0")/common.sh"

n_ascii=${FUZZ_N:-4000}
n_utf8=${FUZZ_N_UTF8:-1000}
n_trigger=${FUZZ_N_TRIGGER:-400}
batch=${FUZZ_BATCH:-2000}
seed=${FUZZ_SEED:-1}
port=${FENTA_FUZZ_PORT:-55441}
preload=${FENTA_PRELOAD:-pg_cron}
started=$(date +%s)

tools_setup fuzz
echo "== building the module with assertions (-DUSE_ASSERT_CHECKING -O0 -g)"
tools_build || exit 1
tools_initdb "$port" "shared_preload_libraries = '$preload'" \
	"cron.database_name = 'postgres'" "restart_after_crash = on" \
	"log_min_messages = warning" || exit 1
tools_start || exit 1

psql_q() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

echo "== preparing databases fuzz_ascii (SQL_ASCII) and fuzz_utf8 (UTF8)"
for db in fuzz_ascii:SQL_ASCII fuzz_utf8:UTF8; do
	name=${db%%:*}
	psql_q -d postgres -c "CREATE DATABASE $name ENCODING '${db#*:}' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0" || exit 1
	(cd "$WORK/src" && psql_q -d "$name" -f sql/supabase_auth.sql \
		-c 'CREATE EXTENSION fenta CASCADE' -f test/fixture.sql -f test/tools/fuzz.sql) \
		>"$WORK/prepare-$name.log" 2>&1 || { cat "$WORK/prepare-$name.log"; exit 1; }
done

# The entry points, as regprocedure text, one a line.
targets=$(psql_q -At -d fuzz_ascii <<'EOF'
SELECT p.oid::regprocedure
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE p.prorettype <> 'event_trigger'::regtype
  AND NOT 'internal'::regtype = ANY (p.proargtypes::regtype[])
  AND ((p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
        AND EXISTS (SELECT FROM pg_depend d
                    WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
                      AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'fenta')))
       OR (n.nspname, p.proname) IN (('public', 'check_quota'), ('public', 'quota_status'),
                                     ('fenta', 'reserve_quota'), ('fenta', 'maintain_partitions')))
ORDER BY 1::text
EOF
) || exit 1
triggers=$(psql_q -At -d fuzz_ascii -c "SELECT p.oid::regprocedure FROM pg_proc p
	WHERE p.prorettype = 'trigger'::regtype AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
	  AND p.pronamespace = 'fenta'::regnamespace") || exit 1
echo "entry points (C functions, the triggers fired by INSERT and COPY; reserve_quota is PL/pgSQL):"
echo "$targets" | sed 's/^/  /'
export PGOPTIONS="-c fuzz.dir=$WORK"

crash_re='terminated by signal|exited with exit code ([2-9]|[1-9][0-9]+)|was terminated by exception|TRAP: |server process .* was terminated'
crashes() { grep -cE "$crash_re" "$WORK/server.log"; }
results=$WORK/results.txt
: >"$results"
failed=0

# run_batch DB FN SEED N: one batch; rows "db|fn|outcome|calls|sample".
run_batch() {
	local db=$1 fn=$2 s=$3 n=$4 before out rc
	before=$(crashes)
	out=$(PGOPTIONS="$PGOPTIONS -c statement_timeout=${FUZZ_TIMEOUT:-600}s" psql_q -At -F'|' -d "$db" \
		-v db="$db" -v fn="$fn" -v s="$s" -v n="$n" 2>&1 <<'EOF'
BEGIN;
SELECT :'db', :'fn', outcome, calls, replace(sample, E'\n', ' // ') FROM fuzz.run(:'fn', :s, :n);
ROLLBACK;
EOF
)
	rc=$?
	if [ "$rc" -ne 0 ] || [ "$(crashes)" -ne "$before" ]; then
		echo "!! $db $fn seed $s: batch failed (psql exit $rc)"
		echo "$out" | tail -n 5
		grep -E "$crash_re" "$WORK/server.log" | tail -n 3
		failed=1
		replay "$db" "$fn" "$s" "$n"
		return
	fi
	echo "$out" | grep -F "$db|" >>"$results"
}

# replay DB FN SEED N: rerun a failed batch with every input logged, and
# show the last input logged before the crash.
replay() {
	local i
	for ((i = 0; i < 120; i++)); do
		psql_q -d postgres -c 'SELECT 1' >/dev/null 2>&1 && break
		sleep 1
	done
	echo "   replaying with trace (inputs logged)"
	local mark
	mark=$(wc -l <"$WORK/server.log")
	PGOPTIONS="$PGOPTIONS -c statement_timeout=${FUZZ_TIMEOUT:-600}s -c log_min_messages=log" \
		psql_q -At -d "$1" -v fn="$2" >/dev/null 2>&1 <<EOF
BEGIN;
SELECT count(*) FROM fuzz.run(:'fn', $3, $4, true);
ROLLBACK;
EOF
	tail -n +"$mark" "$WORK/server.log" | grep -E 'fuzz input' | tail -n 1 | sed 's/^/   last input: /'
	for ((i = 0; i < 120; i++)); do
		psql_q -d postgres -c 'SELECT 1' >/dev/null 2>&1 && break
		sleep 1
	done
}

for db in fuzz_ascii fuzz_utf8; do
	while read -r fn; do
		[ -n "$fn" ] || continue
		t0=$(date +%s)
		total=$n_ascii
		[ "$db" = fuzz_utf8 ] && total=$n_utf8
		if grep -qxF "$fn" <<<"$triggers"; then
			total=$n_trigger
			[ "$db" = fuzz_utf8 ] && total=$((n_trigger / 4))
		fi
		for ((done_ = 0, b = 1; done_ < total; done_ += batch, b++)); do
			n=$((total - done_ < batch ? total - done_ : batch))
			# a distinct, reproducible seed in [-1, 1] per database, function and batch
			s=$(printf '%s' "$seed $db $fn $b" | cksum | awk '{ printf "%.6f", ($1 % 2000000) / 1000000 - 1 }')
			run_batch "$db" "$fn" "$s" "$n"
		done
		echo "$db $fn: $total inputs in $(($(date +%s) - t0))s"
	done <<<"$targets"
	# TypeID round trip: decode accepts => encode gives the input back
	t0=$(date +%s)
	total=$n_ascii
	[ "$db" = fuzz_utf8 ] && total=$n_utf8
	if out=$(PGOPTIONS="$PGOPTIONS -c statement_timeout=${FUZZ_TIMEOUT:-600}s" \
		psql_q -At -d "$db" -c "SELECT fuzz.typeid_roundtrip($seed / 7.0, $total)" 2>&1); then
		echo "$db typeid round trip: $out valid TypeIDs re-encoded identically ($(($(date +%s) - t0))s)"
		echo "$db|round trip (typeid_prefix, typeid_decode, typeid_encode)|accepted|$out|" >>"$results"
	else
		echo "!! $db typeid round trip: $out"
		failed=1
	fi
done

# The trigger functions where they do not belong: one psql per case, so
# that a crash shows which case it was.
echo "== trigger protocol: each trigger function attached where it does not belong, then fired"
proto_bad=0
proto_n=0
while IFS='|' read -r name expected; do
	[ -n "$name" ] || continue
	proto_n=$((proto_n + 1))
	before=$(crashes)
	got=$(psql_q -At -d fuzz_utf8 -v name="$name" 2>&1 <<<"SELECT fuzz.protocol(:'name');" | tail -n 1)
	if [ "$(crashes)" -ne "$before" ]; then
		got="CRASH|$(grep -E "$crash_re" "$WORK/server.log" | tail -n 1 | sed 's/^.*LOG: *//')"
		for ((i = 0; i < 120; i++)); do psql_q -d postgres -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
	fi
	if [ "${got%%|*}" = "$expected" ]; then
		printf '  ok    %-55s %s\n' "$name" "$expected"
	else
		printf '  FAIL  %-55s expected %s, got %s\n' "$name" "$expected" "$got"
		proto_bad=$((proto_bad + 1))
	fi
done < <(psql_q -At -d fuzz_utf8 -c 'SELECT name, expected FROM fuzz.protocol_cases()')
echo "trigger protocol cases: $proto_n, not as expected: $proto_bad"
[ "$proto_bad" -ne 0 ] && failed=1

echo
echo "== fuzz report ($(($(date +%s) - started))s; outcome: accepted, null or the SQLSTATE of the ERROR)"
awk -F'|' '
	{ key = $2; if ($3 !~ /^property/) inputs[key] += $4; by[key, $3] += $4; if (!((key, $3) in sample)) sample[key, $3] = $5
	  if (!(key in seen)) { seen[key] = 1; order[++nk] = key }
	  states[$3] = 1 }
	END {
		for (i = 1; i <= nk; i++) {
			k = order[i]
			printf "%s: %d inputs\n", k, inputs[k]
			for (st in states) if ((k, st) in by)
				printf "    %-9s %8d   e.g. %s\n", st, by[k, st], substr(sample[k, st], 1, 200)
		}
	}' "$results"

bad=$(awk -F'|' '$3 ~ /^(XX|58|property)/ || $3 == "P0004" { s += $4 } END { print s + 0 }' "$results")
ncrash=$(crashes)
echo "server crashes or assertion failures:                 $ncrash"
echo "internal errors (XX*, 58*, P0004) + failed properties: $bad"
echo "trigger protocol cases not as expected:               $proto_bad of $proto_n"
if [ "$bad" -ne 0 ]; then
	awk -F'|' '$3 ~ /^(XX|58|property)/ || $3 == "P0004"' "$results" | head -n 20
	failed=1
fi
[ "$ncrash" -ne 0 ] && failed=1
if [ "$failed" -ne 0 ]; then
	keep=$(tools_keep fuzz "$WORK/server.log" "$results")
	echo "logs kept in $keep"
	echo "fuzz: FAILED ($(($(date +%s) - started))s)"
	exit 1
fi
echo "fuzz: PASSED ($(($(date +%s) - started))s: no crash, no internal error, properties hold, protocol cases as expected)"
