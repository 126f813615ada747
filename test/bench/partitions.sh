#!/usr/bin/env bash
# Benchmark of fenta.maintain_partitions() (not part of the suite).
#   1. a run with nothing to do: partitions only (refresh_usage => false),
#      and the full run (with the concurrent refresh of mv_daily_usage),
#      with ROWS usage rows in 13 monthly partitions;
#   2. how long concurrent inserts (pgbench, into the current month) wait
#      while a month is created and MOVE rows are moved into it out of the
#      default partition: insert latency during the run vs. before.
# Starts its own server (fsync=on, port FENTA_BENCH_PORT, default 5546;
# test/bench/lib.sh).  Usage: bash test/bench/partitions.sh [ROWS] [MOVE];
# needs fenta installed (make install) into the PostgreSQL of PG_CONFIG or
# PGBIN (default the system's), or FENTA_DESTDIR.
#
# FLAVOUR=migrations: the same on the emulated hosted Supabase of
# test/t/migrations.sh (a cluster of its own, initdb -U supabase_admin,
# test/hosted/emulation.sql), once in a database with the extension (C) and
# once in a database with supabase/migrations applied as postgres (the
# PL/pgSQL twins), and both figures side by side.
set -euo pipefail
export LC_ALL=C.UTF-8
cd "$(dirname "$0")/../.."
. test/bench/lib.sh
rows=${1:-200000}
move=${2:-20000}
flavour=${FLAVOUR:-extension}
work=$(mktemp -d)
chmod 755 "$work"
[ "$(id -u)" = 0 ] && chown postgres "$work"
hosted_cleanup() {
	as_postgres "$PGBIN/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
}
trap 'hosted_cleanup; rm -rf "$work"; bench_cleanup' EXIT
# the emulated hosted Supabase (as test/t/migrations.sh): database ext with
# the extension, database mig with supabase/migrations applied as postgres
hosted_cluster() { # PORT
	as_postgres "$PGBIN/initdb" -D "$work/data" -U supabase_admin -A trust >/dev/null
	{
		echo "port = $1"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$work'"
		echo "shared_buffers = 256MB"
		echo "max_wal_size = 4GB"
		[ -n "${FENTA_DESTDIR:-}" ] && echo "extension_destdir = '$FENTA_DESTDIR'"
	} >>"$work/data/postgresql.conf"
	as_postgres "$PGBIN/pg_ctl" -D "$work/data" -l "$work/log" -w start >/dev/null
	export PGHOST=$work PGPORT=$1 PGUSER=supabase_admin PATH="$PGBIN:$PATH" PGOPTIONS='-c client_min_messages=warning'
	local db f
	for db in ext mig; do
		createdb "$db"
		psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f test/hosted/emulation.sql >/dev/null
	done
	psql -X -q -v ON_ERROR_STOP=1 -d ext -c "SET client_min_messages = warning" -c "CREATE EXTENSION fenta"
	for f in supabase/migrations/*.sql; do
		{
			echo 'SET client_min_messages = warning;'
			echo 'SET SESSION AUTHORIZATION postgres;'
			awk '/^-- fenta:superuser begin$/ { print "RESET SESSION AUTHORIZATION;"; next }
				/^-- fenta:superuser end$/ { print "SET SESSION AUTHORIZATION postgres;"; next }
				{ print }' "$f"
			echo 'RESET SESSION AUTHORIZATION;'
		} | psql -X -q -1 -v ON_ERROR_STOP=1 -d mig -f - >/dev/null
	done
}
bench_body() { # DATABASE
	local db=$1
	q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }
	q -f test/fixture.sql >/dev/null
	org=10000000-0000-4000-8000-00000000000a
	q -c "SELECT months_created FROM fenta.maintain_partitions(3)" >/dev/null
	q >/dev/null <<-SQL
	INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt, created_at)
	SELECT '$org', 'llm_tokens', 1, now() - (random() * interval '360 days')
	FROM generate_series(1, $rows);
	SELECT months_created FROM fenta.maintain_partitions(3);
	VACUUM ANALYZE;
	SQL
	echo "usage rows: $(q -c 'SELECT count(*) FROM public.usage_records'), monthly partitions: $(q -c "SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.usage_records'::regclass") (default included)"

	# 1. nothing to do
	noop="SELECT * FROM fenta.maintain_partitions(3, refresh_usage => false)"
	full="SELECT * FROM fenta.maintain_partitions(3)"
	cmds=(); for _ in $(seq 1 50); do cmds+=(-c "$noop"); done
	echo "no-op run, partitions only: $(q -c '\timing on' "${cmds[@]}" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -n | awk '{a[NR]=$1} END {printf "median %.2f ms, min %.2f ms, max %.2f ms (%d runs)", a[int((NR+1)/2)], a[1], a[NR], NR}')"
	cmds=(); for _ in $(seq 1 5); do cmds+=(-c "$full"); done
	echo "no-op run with the mv_daily_usage refresh: $(q -c '\timing on' "${cmds[@]}" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sort -n | awk '{a[NR]=$1} END {printf "median %.2f ms, min %.2f ms, max %.2f ms (%d runs)", a[int((NR+1)/2)], a[1], a[NR], NR}')"

	# 2. inserts into the current month while months are created
	cat >"$work/insert.sql" <<-SQL
	INSERT INTO public.usage_records (org_id, resource_type, llm_tokens_prompt) VALUES ('$org', 'llm_tokens', 1);
	SQL
	during() { # label maintenance-sql
		rm -f "$work"/ins.*
		(cd "$work" && pgbench -n -d "$db" -f insert.sql -c 2 -j 2 -T 6 -l --log-prefix=ins >/dev/null 2>"$work/pgbench.err") &
		local bench=$! t0 t1 res
		sleep 2
		t0=$(date +%s%6N)
		res=$(q -c '\timing on' -c "$2")
		t1=$(date +%s%6N)
		wait $bench
		echo "$1: $(echo "$res" | head -1), $(echo "$res" | sed -n 's/^Time: \(.*\)/\1/p')"
		# pgbench log: client, tx, latency (us), script, epoch, epoch us
		cat "$work"/ins.* | awk -v t0="$t0" -v t1="$t1" '
			{ end = $5 * 1000000 + $6; start = end - $3;
			  if (end < t0) { n0++; s0 += $3; if ($3 > m0) m0 = $3 }
			  else if (start <= t1) { n1++; if ($3 > m1) m1 = $3 }
			  else { n2++; s2 += $3 } }
			END { printf "  inserts before: %d, mean latency %.2f ms, max %.2f ms\n", n0, s0 / n0 / 1000, m0 / 1000;
			      printf "  inserts overlapping the run: %d, max latency %.2f ms (the longest wait)\n", n1, m1 / 1000;
			      printf "  inserts after: %d, mean latency %.2f ms\n", n2, s2 / n2 / 1000 }'
		echo "  insert errors: $(grep -c ERROR "$work/pgbench.err" || true)"
	}
	during "one empty month ahead created" \
		"SELECT months_created || ' months, ' || rows_moved || ' rows moved, ' || months_deferred || ' deferred' FROM fenta.maintain_partitions(4, refresh_usage => false)"
	q -c "INSERT INTO public.usage_records (org_id, resource_type, kai_credits, created_at)
		  SELECT '$org', 'kai_credits', 1, date_trunc('month', now()) + interval '8 months' + random() * interval '27 days'
		  FROM generate_series(1, $move)"
	during "a month created with $move rows to move out of the default partition" \
		"SELECT months_created || ' months, ' || rows_moved || ' rows moved, ' || months_deferred || ' deferred' FROM fenta.maintain_partitions(4, refresh_usage => false)"
}

if [ "$flavour" = migrations ]; then
	hosted_cluster "${FENTA_BENCH_PORT:-5546}"
	bench_body ext >"$work/ext.out"
	bench_body mig >"$work/mig.out"
	echo "side by side: C (extension) / twins (migrations flavour), same emulated cluster"
	paste -d '\n' "$work/ext.out" "$work/mig.out" | awk 'NR % 2 { print "C:     " $0; next } { print "twins: " $0 }'
else
	bench_cluster "${FENTA_BENCH_PORT:-5546}"
	bench_body bench
fi
