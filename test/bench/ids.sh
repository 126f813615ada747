#!/bin/bash
#
# ids.sh — benchmark of fenta's identifiers against PostgreSQL's own
# gen_random_uuid() (UUIDv4):
#
#   1. generation: SELECT count(f()) FROM generate_series(1, N), best of R
#   2. bulk insert of N rows into a logged table with a uuid primary key
#      defaulting to each generator: time, and size of the primary key index
#   3. concurrent single-row inserts with pgbench (CLIENTS clients, SECONDS s)
#   4. typeid_encode / typeid_decode throughput, net of the scan of N ids
#
# Starts a cluster of its own (fsync=on, shared_buffers=256MB, port
# BENCH_PORT, default 55447; test/bench/lib.sh) with the auth script and
# fenta in database bench, and works in a scratch schema there.  With
# FENTA_BENCH_EXISTING=1 it runs instead against the server given by the
# usual PG* variables, in database $PGDATABASE where fenta is installed (start
# that server with fsync on for meaningful numbers).
#
# Settings (environment): N (default 1000000), REPS (5), SECONDS_PGBENCH
# (10), CLIENTS (4); PG_CONFIG or PGBIN (the PostgreSQL to use; fenta
# installed into it), FENTA_DESTDIR.
#
# The migrations flavour (doc/hosted.md): BENCH_FLAVOURS="extension
# migrations" adds, after the above, the C functions and their SQL/PL/pgSQL
# twins side by side (database bench_mig: supabase/migrations applied, no C):
# uuid_generate_v7, typeid_encode, typeid_decode and a TypeID round trip over
# N_MIGRATIONS ids (default N / 10: the twins are slow), best of REPS, in
# calls per second; BENCH_FLAVOURS=migrations prints only that table.
#
set -euo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.."
. test/bench/lib.sh
if [ "${FENTA_BENCH_EXISTING:-0}" != 1 ]; then
	trap bench_cleanup EXIT
	bench_cluster "${BENCH_PORT:-55447}"
fi

N=${N:-1000000}
REPS=${REPS:-5}
SECONDS_PGBENCH=${SECONDS_PGBENCH:-10}
CLIENTS=${CLIENTS:-4}
SCHEMA=fenta_bench_ids

PSQL=(psql -X -q -v ON_ERROR_STOP=1 -A -t)
WORK=$(mktemp -d)
cleanup()
{
	"${PSQL[@]}" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
	[ -z "${MIG_DB:-}" ] || dropdb --if-exists "$MIG_DB" >/dev/null 2>&1 || true
	rm -rf "$WORK"
	[ "${FENTA_BENCH_EXISTING:-0}" = 1 ] || bench_cleanup
}
trap cleanup EXIT

# best_ms QUERY: best-of-REPS server-side run time of QUERY, in ms.
best_ms()
{
	"${PSQL[@]}" <<EOF
SET client_min_messages = warning;
CREATE OR REPLACE FUNCTION $SCHEMA.best_ms(query text, reps integer)
RETURNS numeric LANGUAGE plpgsql AS \$\$
DECLARE
    best numeric;
    t0 timestamptz;
    ms numeric;
BEGIN
    FOR i IN 1 .. reps LOOP
        t0 := clock_timestamp();
        EXECUTE query;
        ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
        best := least(best, ms);
    END LOOP;
    RETURN round(best, 1);
END
\$\$;
SELECT $SCHEMA.best_ms(\$q\$$1\$q\$, $REPS);
EOF
}

# once_ms SQL: run time of one statement, measured by the server, in ms.
once_ms()
{
	best_ms "$1" | tail -n 1
}

ratio()
{
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

rate()
{
	awk -v n="$1" -v ms="$2" 'BEGIN { if (ms <= 0) print "n/a"; else printf "%.0f", n / (ms / 1000.0) }'
}

"${PSQL[@]}" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1
"${PSQL[@]}" -c "CREATE SCHEMA $SCHEMA"

echo "fenta ids benchmark: N=$N, best of $REPS, $("${PSQL[@]}" -c 'SHOW server_version')," \
	"fsync=$("${PSQL[@]}" -c 'SHOW fsync')" >&2

if bench_flavour extension; then
# 1. generation
gen_v7=$(best_ms "SELECT count(fenta.uuid_generate_v7()) FROM generate_series(1, $N)" | tail -n 1)
gen_v4=$(best_ms "SELECT count(gen_random_uuid()) FROM generate_series(1, $N)" | tail -n 1)

# 2. bulk insert and index size
for v in v7 v4; do
	if [ $v = v7 ]; then f="fenta.uuid_generate_v7()"; else f="gen_random_uuid()"; fi
	"${PSQL[@]}" -c "CREATE TABLE $SCHEMA.t_$v (id uuid PRIMARY KEY DEFAULT $f, n integer NOT NULL)"
	"${PSQL[@]}" -c "CHECKPOINT" >/dev/null 2>&1 || true
	REPS=1 once_ms "INSERT INTO $SCHEMA.t_$v (n) SELECT g FROM generate_series(1, $N) AS g" > "$WORK/ins_$v"
	"${PSQL[@]}" -c "SELECT pg_relation_size('$SCHEMA.t_${v}_pkey')" > "$WORK/idx_$v"
done
ins_v7=$(cat "$WORK/ins_v7"); ins_v4=$(cat "$WORK/ins_v4")
idx_v7=$(cat "$WORK/idx_v7"); idx_v4=$(cat "$WORK/idx_v4")

# 3. concurrent inserts with pgbench
for v in v7 v4; do
	echo "INSERT INTO $SCHEMA.t_$v (n) VALUES (1);" > "$WORK/ins_$v.sql"
	pgbench -n -c "$CLIENTS" -j "$CLIENTS" -T "$SECONDS_PGBENCH" -f "$WORK/ins_$v.sql" \
		> "$WORK/pgbench_$v" 2>&1
	sed -n "s/^tps = \([0-9]*\).*/\1/p" "$WORK/pgbench_$v" | head -n 1 > "$WORK/tps_$v"
done
tps_v7=$(cat "$WORK/tps_v7"); tps_v4=$(cat "$WORK/tps_v4")

# 4. encode and decode, net of scanning the ids
"${PSQL[@]}" -c "CREATE TABLE $SCHEMA.ids AS SELECT id, fenta.typeid_encode('org', id) AS tid FROM $SCHEMA.t_v4 LIMIT $N"
"${PSQL[@]}" -c "VACUUM ANALYZE $SCHEMA.ids"
scan=$(best_ms "SELECT count(id), count(tid) FROM $SCHEMA.ids" | tail -n 1)
enc=$(best_ms "SELECT count(fenta.typeid_encode('org', id)), count(tid) FROM $SCHEMA.ids" | tail -n 1)
dec=$(best_ms "SELECT count(id), count(fenta.typeid_decode(tid, 'org')) FROM $SCHEMA.ids" | tail -n 1)
txt=$(best_ms "SELECT count(id::text), count(tid) FROM $SCHEMA.ids" | tail -n 1)
nids=$("${PSQL[@]}" -c "SELECT count(*) FROM $SCHEMA.ids")

enc_net=$(awk -v a="$enc" -v b="$scan" 'BEGIN { print a - b }')
dec_net=$(awk -v a="$dec" -v b="$scan" 'BEGIN { print a - b }')
txt_net=$(awk -v a="$txt" -v b="$scan" 'BEGIN { print a - b }')

printf '\n%-42s %14s %14s %8s\n' "measure" "uuidv7 (fenta)" "uuidv4 (core)" "v7/v4"
printf '%-42s %14s %14s %8s\n' "------------------------------------------" "--------------" "--------------" "--------"
printf '%-42s %14s %14s %8s\n' "generate $N ids, ms (best of $REPS)" "$gen_v7" "$gen_v4" "$(ratio "$gen_v7" "$gen_v4")"
printf '%-42s %14s %14s %8s\n' "insert $N rows, ms" "$ins_v7" "$ins_v4" "$(ratio "$ins_v7" "$ins_v4")"
printf '%-42s %14s %14s %8s\n' "primary key size after insert, MB" \
	"$(awk -v b="$idx_v7" 'BEGIN { printf "%.1f", b / 1048576 }')" \
	"$(awk -v b="$idx_v4" 'BEGIN { printf "%.1f", b / 1048576 }')" "$(ratio "$idx_v7" "$idx_v4")"
printf '%-42s %14s %14s %8s\n' "pgbench 1-row inserts, $CLIENTS clients, tps" "$tps_v7" "$tps_v4" "$(ratio "$tps_v7" "$tps_v4")"
printf '\n%-42s %14s\n' "TypeID ($nids ids, net of the scan)" "calls/s"
printf '%-42s %14s\n' "------------------------------------------" "--------------"
printf '%-42s %14s\n' "typeid_encode('org', id)" "$(rate "$nids" "$enc_net")"
printf '%-42s %14s\n' "typeid_decode(tid, 'org')" "$(rate "$nids" "$dec_net")"
printf '%-42s %14s\n' "id::text (core uuid_out, for scale)" "$(rate "$nids" "$txt_net")"
fi

# C and twins side by side (the migrations flavour)
if bench_flavour migrations; then
	NM=${N_MIGRATIONS:-$((N / 10))}
	MIG_DB=bench_mig
	dropdb --if-exists "$MIG_DB" >/dev/null 2>&1
	bench_migrations_db "$MIG_DB"
	declare -A R
	for db in "${PGDATABASE:-bench}" "$MIG_DB"; do
		PGDATABASE=$db "${PSQL[@]}" -c "SET client_min_messages = warning" -c "CREATE SCHEMA IF NOT EXISTS $SCHEMA" \
			-c "DROP TABLE IF EXISTS $SCHEMA.mids" \
			-c "CREATE TABLE $SCHEMA.mids AS SELECT (overlay(overlay(md5('v7' || g) PLACING '7' FROM 13 FOR 1) PLACING '8' FROM 17 FOR 1))::uuid AS id FROM generate_series(1, $NM) g" \
			-c "ALTER TABLE $SCHEMA.mids ADD COLUMN tid text" \
			-c "UPDATE $SCHEMA.mids SET tid = fenta.typeid_encode('org', id)" \
			-c "VACUUM ANALYZE $SCHEMA.mids" >/dev/null
		k=$([ "$db" = "$MIG_DB" ] && echo twin || echo c)
		scan=$(PGDATABASE=$db best_ms "SELECT count(id), count(tid) FROM $SCHEMA.mids" | tail -n 1)
		R[$k.gen]=$(PGDATABASE=$db best_ms "SELECT count(fenta.uuid_generate_v7()) FROM generate_series(1, $NM)" | tail -n 1)
		R[$k.enc]=$(awk -v a="$(PGDATABASE=$db best_ms "SELECT count(fenta.typeid_encode('org', id)), count(tid) FROM $SCHEMA.mids" | tail -n 1)" -v b="$scan" 'BEGIN { print a - b }')
		R[$k.dec]=$(awk -v a="$(PGDATABASE=$db best_ms "SELECT count(id), count(fenta.typeid_decode(tid, 'org')) FROM $SCHEMA.mids" | tail -n 1)" -v b="$scan" 'BEGIN { print a - b }')
		R[$k.rt]=$(awk -v a="$(PGDATABASE=$db best_ms "SELECT count(*) FILTER (WHERE fenta.typeid_decode(fenta.typeid_encode('org', id), 'org') = id), count(tid) FROM $SCHEMA.mids" | tail -n 1)" -v b="$scan" 'BEGIN { print a - b }')
	done
	printf '\n%-44s %16s %16s %8s\n' "what C buys ($NM calls, best of $REPS)" "C, calls/s" "twins, calls/s" "C/twin"
	printf '%-44s %16s %16s %8s\n' "--------------------------------------------" "----------------" "----------------" "--------"
	for m in "gen:fenta.uuid_generate_v7()" "enc:fenta.typeid_encode('org', id)" "dec:fenta.typeid_decode(tid, 'org')" "rt:typeid_decode(typeid_encode(...))"; do
		k=${m%%:*}
		printf '%-44s %16s %16s %8s\n' "${m#*:}" "$(rate "$NM" "${R[c.$k]}")" "$(rate "$NM" "${R[twin.$k]}")" "$(ratio "${R[twin.$k]}" "${R[c.$k]}")"
	done
fi
